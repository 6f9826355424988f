"""The refresh: read a workbook's bound inputs, run the engine, write cypsxl's output tables.

One routine for every entry point - the Office.js/Lite ``@script`` button, the desktop
VBA button (``RunPython``) and ``cypsxl refresh`` on a closed file - over the
:class:`~cypsxl.workbook.binding.Book` seam. It reads everything first, then writes,
and writes only into ranges cypsxl owns: the area an output filled last time (recorded
in column C of the mapping sheet). If an output would cover a non-empty cell it does
not own, nothing at all is written and the error names the cell. Running it twice
gives the same workbook: the run stamp keeps its time while the inputs' hash and the
engine version are unchanged.

This module never imports xlwings.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._version import __version__
from ..casefile import case_from_dict, case_to_dict
from ..errors import CaseError, Problem
from ..model import Case, Results, run_case
from ..report import line_label, payback_label
from ..workbook.binding import (
    MAPPING_SHEET,
    MAX_COLUMN,
    MAX_ROW,
    MAX_TABLE_COLUMNS,
    MAX_TABLE_ROWS,
    OUTPUT_KEYS,
    Area,
    Binding,
    Book,
    Formula,
    Inputs,
    is_empty,
    read_binding,
    read_inputs,
)

__all__ = ["RefreshResult", "inputs_hash", "output_tables", "read_case", "refresh", "run_stamp"]

Rows = list[list[Any]]


@dataclass
class RefreshResult:
    """What a refresh did: the areas written (by output key) and cleared, and the stamp."""

    written: dict[str, Area] = field(default_factory=dict)
    cleared: list[Area] = field(default_factory=list)
    records: list[Area] = field(default_factory=list)
    inputs_hash: str = ""
    time: str = ""
    case: Case | None = None


def inputs_hash(case: Case) -> str:
    """SHA-256 of the case's inputs in canonical form (the same case, the same hash).

    >>> from cypsxl import reference_case
    >>> len(inputs_hash(reference_case()))
    64
    """
    text = json.dumps(case_to_dict(case), sort_keys=True, ensure_ascii=False, default=list)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_case(book: Book) -> tuple[Case, Binding, Inputs]:
    """Read the binding and every input; raise :class:`CaseError` naming sheet and cell."""
    binding = read_binding(book)
    if any(p.key in ("", "years") for p in binding.problems):
        raise CaseError(binding.problems)  # without the years nothing else can be read
    inputs = read_inputs(book, binding)
    problems = list(inputs.problems)
    try:
        case = case_from_dict(inputs.doc, book.name)
    except CaseError as exc:
        unbound = {p.key for p in binding.problems}  # already reported where it is bound
        problems += [
            inputs.locate(p)
            for p in exc.problems
            if not (p.key in unbound and p.message.startswith("missing"))
        ]
        raise CaseError(problems) from None
    if problems:
        raise CaseError(problems)
    return case, binding, inputs


# --------------------------------------------------------------------------- tables


def _floats(values: Any) -> list[float]:
    return [float(v) + 0.0 for v in np.asarray(values, dtype=np.float64).ravel()]


def _year(value: Any, years: list[str]) -> str:
    """A payback or break-even year as the report prints it, ``2 (2017/18)``, or ``none``
    (a word: a lone ``-`` would be escaped as a formula sign by Office.js writers)."""
    return payback_label(int(value), years) if int(value) else "none"


def _table1(r: Results) -> Rows:
    b, years = r.budget, list(r.case.years)
    rows: Rows = [["Table 1: CYPS budget (£m; savings negative)", *[None] * len(years)]]
    rows.append(["£m", *years])
    rows.append(["Net budget", *_floats(b.net_budget)])
    rows += [[f"Pressure: {line_label(k)}", *_floats(v)] for k, v in r.pressures_by_line.items()]
    rows.append(["Investment (bids)", *_floats(b.investment)])
    rows.append(["Savings (bids)", *_floats(-b.savings)])
    rows.append(["Net forecast", *_floats(b.net_forecast)])
    rows.append(["Funding support", *_floats(b.funding_support)])
    return rows


def _table2(r: Results) -> Rows:
    t, years = r.bids, list(r.case.years)
    pad = [None] * (len(years) + 2)
    rows: Rows = [["Table 2: investment bids, net (investment - saving, £m)", None, *pad]]
    rows.append(["Ref", "Bid", *years, "Payback year", "Break-even year"])
    for i, bid in enumerate(r.case.bids):
        rows.append(
            [
                bid.ref,
                bid.title,
                *_floats(t.net[i]),
                _year(t.payback_year[i], years),
                _year(t.breakeven_year[i], years),
            ]
        )
    rows.append(["Total", None, *_floats(t.net.sum(axis=0)), None, None])
    return rows


def _table3(r: Results) -> Rows:
    a, mtfs = r.additional, list(r.case.mtfs_years)
    labels = {p.key: p.label for p in r.case.other_proposals}
    rows: Rows = [["Table 3: total additional funding (£m)", *[None] * len(mtfs)]]
    rows.append(["£m", *mtfs])
    rows.append(["CYPS pressures", *_floats(a.cyps_pressures)])
    rows.append(["CYPS net investment", *_floats(a.cyps_net_investment)])
    rows += [[labels[k], *_floats(v)] for k, v in a.others.items()]
    rows.append(["Total additional funding", *_floats(a.total)])
    return rows


def _table4(r: Results) -> Rows:
    g, mtfs = r.gap, list(r.case.mtfs_years)
    first = (
        "one-off, from reserves" if r.case.mtfs.current_year_funded_from_reserves else "recurring"
    )
    pad = [None] * (len(mtfs) - 1)
    rows: Rows = [
        [f"Table 4: revised funding gap (£m; first year {first})", *[None] * len(mtfs)],
        ["£m", *mtfs],
        ["Funding gap (base, new each year)", *_floats(g.base)],
        ["Change in recurring funding", *_floats(g.change)],
        ["Revised funding gap", *_floats(g.revised)],
    ]
    if r.case.mtfs.current_year_funded_from_reserves:  # reserves drawn only when told
        rows.append(["Reserves drawn (first year)", float(g.reserve_draw), *pad])
    return rows


def _bid_summary(r: Results) -> Rows:
    t, years = r.bids, list(r.case.years)
    rows: Rows = [["Bid summary (£m, all years)", *[None] * 7]]
    rows.append(
        [
            "Ref",
            "Bid",
            "Service area",
            "Investment",
            "Gross saving",
            "Net",
            "Payback year",
            "Break-even year",
        ]
    )
    for i, bid in enumerate(r.case.bids):
        rows.append(
            [
                bid.ref,
                bid.title,
                bid.service_area,
                float(t.investment[i].sum()),
                float(t.gross_saving[i].sum()),
                float(t.net[i].sum()),
                _year(t.payback_year[i], years),
                _year(t.breakeven_year[i], years),
            ]
        )
    rows.append(
        [
            "Total",
            None,
            None,
            float(t.investment.sum()),
            float(t.gross_saving.sum()),
            float(t.net.sum()),
            None,
            None,
        ]
    )
    return rows


def run_stamp(time: str, digest: str, case: str) -> Rows:
    """The run stamp's 5 x 2 rows: when, the engine version, the inputs' hash, the case.

    A refresh keeps the time of the stamp on the sheet while the version and hash in it
    are unchanged (rows 2 to 4 here, read back by :func:`_kept_time`).

    >>> stamp = run_stamp("2025-11-14 09:00:00 UTC", "ab12", "Northshire")
    >>> [label for label, _ in stamp]
    ['Refreshed by cypsxl', 'Time (UTC)', 'Engine version', 'Inputs hash (SHA-256)', 'Case']
    >>> stamp[1][1], stamp[3][1], stamp[4][1]
    ('2025-11-14 09:00:00 UTC', 'ab12', 'Northshire')
    """
    return [
        ["Refreshed by cypsxl", None],
        ["Time (UTC)", time],
        ["Engine version", __version__],
        ["Inputs hash (SHA-256)", digest],
        ["Case", case],
    ]


def _stamp(r: Results, time: str, digest: str) -> Rows:
    return run_stamp(time, digest, r.case.name)


_CHECK_HEAD = ["Check (difference should be 0)", "Difference", "Status"]


def _check_rows(r: Results, areas: dict[str, Area]) -> Rows:
    """Formulas over the written tables that show their totals tie out (built-ins only)."""
    n_lines, n_bids = len(r.pressures_by_line), len(r.case.bids)
    n, m = r.case.n_years, r.case.n_mtfs
    checks: list[tuple[str, str]] = []

    def rowarea(key: str, row: int, first: int, count: int) -> Area:
        return areas[key].sub(row, first, 1, count)

    def rowref(key: str, row: int, first: int, count: int) -> str:
        return rowarea(key, row, first, count).absolute()

    def diff(a: str, *terms: str) -> str:
        return f"SUMPRODUCT(ABS({a}-({'+'.join(terms)})))"

    def t1(row: int) -> str:  # a plan-year row of Table 1
        return rowref("output_table1", row, 1, n)

    def t3(row: int) -> str:  # an MTFS-year row of Table 3
        return rowref("output_table3", row, 1, m)

    def t4(row: int) -> str:  # an MTFS-year row of Table 4
        return rowref("output_table4", row, 1, m)

    if "output_table1" in areas:
        nb, inv, sav = 2, 3 + n_lines, 4 + n_lines
        lines = [t1(3 + k) for k in range(n_lines)]
        fc, fs = t1(5 + n_lines), t1(6 + n_lines)
        checks.append(
            (
                "Table 1: net forecast = net budget + pressures + investment + savings",
                diff(fc, t1(nb), *lines, t1(inv), t1(sav)),
            )
        )
        checks.append(
            (
                "Table 1: funding support = net forecast - net budget",
                f"SUMPRODUCT(ABS({fs}-({fc}-{t1(nb)})))",
            )
        )
    if "output_table2" in areas:
        a2 = areas["output_table2"]
        total = rowref("output_table2", 2 + n_bids, 2, n)
        block = a2.sub(2, 2, max(n_bids, 1), n).absolute()
        checks.append(("Table 2: total = sum of the bids", f"ABS(SUM({total})-SUM({block}))"))
        if "output_table1" in areas:
            checks.append(
                (
                    "Table 2 total = Table 1 investment + savings",
                    diff(total, t1(3 + n_lines), t1(4 + n_lines)),
                )
            )
    if "output_table3" in areas:
        n_others = len(r.additional.others)
        lines3 = [t3(2 + k) for k in range(2 + n_others)]
        checks.append(("Table 3: total = sum of its lines", diff(t3(4 + n_others), *lines3)))
        if "output_table2" in areas:
            checks.append(
                (
                    "Table 3 CYPS net investment = Table 2 total (MTFS years)",
                    diff(t3(3), rowref("output_table2", 2 + n_bids, 2, m)),
                )
            )
        if "output_table1" in areas and n_lines:
            t1m = [rowref("output_table1", 3 + k, 1, m) for k in range(n_lines)]
            checks.append(
                ("Table 3 CYPS pressures = Table 1 pressures (MTFS years)", diff(t3(2), *t1m))
            )
        if "output_table4" in areas:
            checks.append(
                (
                    "Table 4: change = change in Table 3 total (first year one-off)"
                    if r.case.mtfs.current_year_funded_from_reserves
                    else "Table 4: change = change in Table 3 total",
                    _change_check(
                        rowarea("output_table3", 4 + n_others, 1, m),
                        rowarea("output_table4", 3, 1, m),
                        r.case.mtfs.current_year_funded_from_reserves,
                    ),
                )
            )
    if "output_table4" in areas:
        checks.append(("Table 4: revised gap = base gap + change", diff(t4(4), t4(2), t4(3))))
    if "output_bid_summary" in areas and "output_table2" in areas:
        s = areas["output_bid_summary"].sub(2 + n_bids, 5).absolute()
        total = rowref("output_table2", 2 + n_bids, 2, n)
        checks.append(("Bid summary net = Table 2 total, all years", f"ABS({s}-SUM({total}))"))
    rows: Rows = [list(_CHECK_HEAD)]
    if "output_checks" not in areas:
        return rows
    top = areas["output_checks"]
    for k, (label, expr) in enumerate(checks, start=1):
        diff_cell = top.cell(k, 1)
        rows.append(
            [label, Formula(f"=ROUND({expr},9)"), Formula(f'=IF({diff_cell}=0,"OK","CHECK")')]
        )
    return rows


def _cell(area: Area, col: int) -> str:
    return area.sub(0, col).absolute().split(":")[0]


def _change_check(total: Area, change: Area, one_off: bool) -> str:
    """Table 4's change row against the change in Table 3's total, year by year."""
    terms = []
    for t in range(total.shape[1]):
        level = _cell(total, t)
        if one_off and t == 0:
            expect = "0"
        elif (one_off and t == 1) or t == 0:
            expect = level
        else:
            expect = f"({level}-{_cell(total, t - 1)})"
        terms.append(f"ABS({_cell(change, t)}-{expect})")
    return "+".join(terms)


def _constant(rows: Rows) -> Callable[[dict[str, Area]], Rows]:
    def make(_areas: dict[str, Area]) -> Rows:
        return rows

    return make


def output_tables(
    r: Results, time: str, digest: str
) -> dict[str, Callable[[dict[str, Area]], Rows]]:
    """Each output key -> a function of the output areas giving its rows."""
    fixed: dict[str, Rows] = {
        "output_table1": _table1(r),
        "output_table2": _table2(r),
        "output_table3": _table3(r),
        "output_table4": _table4(r),
        "output_bid_summary": _bid_summary(r),
        "output_run_stamp": _stamp(r, time, digest),
    }
    out: dict[str, Callable[[dict[str, Area]], Rows]] = {
        k: _constant(rows) for k, rows in fixed.items()
    }
    out["output_checks"] = lambda areas: _check_rows(r, areas)
    return out


def _check_count(r: Results, keys: set[str]) -> int:
    """Rows the checks block needs (the formulas are built once the areas are known)."""
    areas = {k: Area("x", 1, 1, 1, 1) for k in keys}
    areas["output_checks"] = Area("x", 1, 1, 1, 1)
    return len(_check_rows(r, areas))


# --------------------------------------------------------------------------- refresh


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _shape(rows_by_key: dict[str, Rows], key: str, r: Results, keys: set[str]) -> tuple[int, int]:
    if key == "output_checks":
        return _check_count(r, keys), len(_CHECK_HEAD)
    rows = rows_by_key[key]
    return len(rows), max(len(row) for row in rows)


def refresh(book: Book, now: str | None = None) -> RefreshResult:
    """Refresh ``book`` in place; raise :class:`CaseError` (writing nothing) on any problem.

    ``now`` fixes the stamp time (tests, reproducible builds); by default the UTC time,
    kept from the last run while the inputs and the engine version are unchanged.
    A monitoring workbook (its mapping sheet binds ``lines``) gets the monitoring refresh.
    """
    from ..workbook.monitoring_binding import is_monitoring_book

    if is_monitoring_book(book):
        from .monitor_refresh import refresh_monitoring

        return refresh_monitoring(book, now)
    case, binding, _inputs = read_case(book)
    results = run_case(case)
    digest = inputs_hash(case)
    makers = output_tables(results, now or "", digest)
    keys = set(binding.outputs)
    static = {k: makers[k]({}) for k in keys if k != "output_checks"}
    areas = {
        k: Area.at(a.sheet, a.top, a.left, *_shape(static, k, results, keys))
        for k, a in binding.outputs.items()
    }
    _check_ownership(book, binding, areas)
    time = now or _kept_time(book, binding, digest) or _now()
    makers = output_tables(results, time, digest)
    result = RefreshResult(inputs_hash=digest, time=time, case=case)
    order = sorted(areas, key=lambda k: list(OUTPUT_KEYS).index(k))
    _write_outputs(book, binding, areas, makers, order, result)
    return result


def _write_outputs(
    book: Book,
    binding: Binding,
    areas: dict[str, Area],
    makers: dict[str, Callable[[dict[str, Area]], Rows]],
    order: list[str],
    result: RefreshResult,
) -> None:
    """Write each output of ``order`` into its area, first clearing every area it left.

    Every clear comes before any write, so a clear never erases a new table; an output
    that moved has its record cell (column C of the mapping) given the new address. What
    was cleared, written and recorded goes on ``result``.

    >>> from openpyxl import Workbook
    >>> from cypsxl.workbook.binding import OpenpyxlBook
    >>> wb = Workbook()
    >>> wb.active.title = "Out"
    >>> book = OpenpyxlBook(wb)
    >>> old, new, record = Area.parse("Out!A1:B1"), Area.parse("Out!A3:B3"), Area.parse("Out!D1")
    >>> book.write(old, [[1, 2]])
    >>> binding = Binding("book", owned={"k": old}, record_cells={"k": record})
    >>> result = RefreshResult()
    >>> _write_outputs(book, binding, {"k": new}, {"k": lambda areas: [[3]]}, ["k"], result)
    >>> book.read(Area.parse("Out!A1:B3")), book.read(record)
    ([[None, None], [None, None], [3, None]], [['Out!A3:B3']])
    >>> result.cleared == [old], result.written == {"k": new}, result.records == [record]
    (True, True, True)
    """
    for key in order:  # every clear before any write: a clear never erases a new table
        previous = binding.owned.get(key)
        if previous is not None and previous != areas[key]:
            book.clear(previous)
            result.cleared.append(previous)
    for key in order:
        area, previous = areas[key], binding.owned.get(key)
        book.write(area, _pad(makers[key](areas), area))
        result.written[key] = area
        record = binding.record_cells[key]
        if previous != area:
            book.write(record, [[area.address]])
            result.records.append(record)


def _pad(rows: Rows, area: Area) -> Rows:
    height, width = area.shape
    return [list(row) + [None] * (width - len(row)) for row in rows[:height]]


def _kept_time(book: Book, binding: Binding, digest: str) -> str | None:
    """The stamp's time, when the stamp on the sheet is for the same inputs and engine."""
    owned = binding.owned.get("output_run_stamp")
    if owned is None or owned.shape != (5, 2):
        return None
    values = book.read(owned)
    if values[3][1] == digest and values[2][1] == __version__ and isinstance(values[1][1], str):
        return values[1][1]
    return None


def _limit_problems(book: Book, areas: dict[str, Area]) -> list[Problem]:
    """Outputs that would run past the last row or column of a worksheet."""
    problems = []
    for key, area in sorted(areas.items()):
        if area.bottom > MAX_ROW or area.right > MAX_COLUMN:
            anchor = Area.at(area.sheet, area.top, area.left, 1, 1).address
            rows, cols = area.shape
            problems.append(
                Problem(
                    book.name,
                    anchor,
                    key,
                    f"needs {rows:,} rows x {cols:,} columns from {anchor}, past the last row "
                    "(1,048,576) or column (XFD) of a worksheet; move the output. Nothing was "
                    "written",
                )
            )
    return problems


def _check_ownership(book: Book, binding: Binding, areas: dict[str, Area]) -> None:
    problems: list[Problem] = _limit_problems(book, areas)
    if problems:
        raise CaseError(problems)
    inputs = list(binding.inputs.items())
    keys = sorted(areas)
    for i, key in enumerate(keys):
        area = areas[key]
        if area.sheet.casefold() == MAPPING_SHEET:
            problems.append(
                Problem(book.name, area.address, key, "outputs cannot go on the cypsxl sheet")
            )
            continue
        for other in keys[i + 1 :]:
            if area.overlaps(areas[other]):
                problems.append(
                    Problem(
                        book.name,
                        area.address,
                        key,
                        f"would overlap {other} at {areas[other].address}; move one of them",
                    )
                )
        for name, inp in inputs:
            if area.overlaps(inp):
                problems.append(
                    Problem(
                        book.name,
                        area.address,
                        key,
                        f"would overwrite input {name} at {inp.address}; move the output",
                    )
                )
    problems += _record_problems(book, binding, areas)
    problems += _merged_problems(book, areas, binding)
    if problems:
        raise CaseError(problems)
    for key in keys:
        area, owned = areas[key], binding.owned.get(key)
        values = book.read(area)
        for r, row in enumerate(values):
            for c, value in enumerate(row):
                cell_row, cell_col = area.top + r, area.left + c
                if is_empty(value):
                    continue
                if (
                    owned is not None
                    and owned.sheet == area.sheet
                    and owned.contains(cell_row, cell_col)
                ):
                    continue
                problems.append(
                    Problem(
                        book.name,
                        f"{area.sheet}!{area.cell(r, c)}",
                        key,
                        f"is not empty and cypsxl does not own it ({value!r}); {key} needs "
                        f"{area.address}: clear the cell or move the output. Nothing was written",
                    )
                )
    if problems:
        raise CaseError(problems)


#: What cypsxl writes in the top-left cell of each output: the signature of its record.
#: Another writer over the same seam adds its own outputs' titles (the monitoring refresh
#: adds ``output_report``); an output with none registered needs its cell to hold text.
_TITLES = {
    "output_table1": "Table 1: CYPS budget",
    "output_table2": "Table 2: investment bids, net",
    "output_table3": "Table 3: total additional funding",
    "output_table4": "Table 4: revised funding gap",
    "output_bid_summary": "Bid summary (£m, all years)",
    "output_checks": _CHECK_HEAD[0],
    "output_run_stamp": "Refreshed by cypsxl",
}


def _record_problems(book: Book, binding: Binding, areas: dict[str, Area]) -> list[Problem]:
    """A recorded area must be one cypsxl can show it wrote before it is cleared or owned.

    Column C of the mapping sheet is cypsxl's ledger, but it is a cell in the user's
    workbook: a record edited to cover an input, the mapping sheet or more than any table,
    or one whose top-left cell does not hold the title cypsxl writes there (another
    sheet's cells, the user's own table), is refused rather than cleared.
    """
    problems = []
    for key, owned in binding.owned.items():
        if key not in areas:
            continue
        where = binding.record_cells[key].address
        rows, cols = owned.shape
        why = ""
        if owned.sheet.casefold() == MAPPING_SHEET:
            why = "is on the cypsxl sheet"
        elif rows > MAX_TABLE_ROWS or cols > MAX_TABLE_COLUMNS:
            why = f"is {rows:,} x {cols:,} cells, larger than any table cypsxl writes"
        else:
            hit = next((n for n, a in binding.inputs.items() if owned.overlaps(a)), None)
            if hit is not None:
                why = f"covers input {hit} at {binding.inputs[hit].address}"
            else:
                title = book.read(owned.sub(0, 0))[0][0]
                want = _TITLES.get(key, "")  # a writer registers its outputs' titles here
                if not (isinstance(title, str) and title.startswith(want)):
                    why = (
                        f"does not start with the title cypsxl writes there ({want!r}), "
                        "so cypsxl cannot tell it wrote those cells"
                    )
        if why:
            problems.append(
                Problem(
                    book.name,
                    where,
                    key,
                    f"the record of the last refresh, {owned.address}, {why}; the refresh would "
                    "clear it. Correct the record (or clear it if the table was never written)",
                )
            )
    return problems


def _advice(what: str) -> str:
    """What the user can do about cells a table cannot be written into.

    >>> _advice("is the Excel table 'Staff'")
    'convert it to a range'
    """
    for words, advice in (
        ("merged", "unmerge them"),
        ("Excel table", "convert it to a range"),
        ("pivot table", "move the pivot table"),
    ):
        if words in what:
            return advice
    return "clear those formulas"


def _merged_problems(book: Book, areas: dict[str, Area], binding: Binding) -> list[Problem]:
    """Cells a table cannot be written into: merged cells, and - where the book can tell -
    Excel tables, array formulas and pivot tables, in the new areas and the old ones that
    would be cleared. cypsxl never merges cells itself.
    """
    problems = []
    unwritable = getattr(book, "unwritable", None)
    merged = getattr(book, "merged", None)
    for key, area in sorted(areas.items()):
        old = binding.owned.get(key)
        for where in (area, old) if old is not None and old != area else (area,):
            if unwritable is not None:
                found = unwritable(where)
            elif merged is not None:
                found = [(m.address, "is merged cells") for m in merged(where)]
            else:
                found = []
            for address, what in found:
                advice = _advice(what)
                problems.append(
                    Problem(
                        book.name,
                        address,
                        key,
                        f"{what}, and {key} needs {where.address}: {advice} or move the "
                        "output. Nothing was written",
                    )
                )
    return problems
