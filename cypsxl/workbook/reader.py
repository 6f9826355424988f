"""Read filled bid templates back: fields by defined name, every problem located to a cell.

Each file goes through :mod:`.safety` first, then its fields are found by their
workbook-scoped defined names (:mod:`.layout`), checked like the template's own
required checks, and its calculated cells are checked: each must still hold the
template's formula, and any cached value must equal what the engine computes from the
inputs (someone may have typed over a formula). Cached values are never used as data.

:func:`collect_bids` reads many files (on every core for a large batch) and returns the
accepted bids, and the rejected files with their errors; one bad file never stops it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..model import (
    POUNDS_PER_MILLION,
    Assumptions,
    Bid,
    Case,
    CypsBudget,
    Mtfs,
    bid_table,
    children_avoided,
    cost_avoidance,
)
from ..model.case import frozen_map
from ..model.limits import (
    MAX_MAGNITUDE,
    MAX_REF_CHARS,
    PLAUSIBLE_MONEY_M,
    ref_problem,
    text_problem,
    within_bounds,
)
from ..model.timeline import FinancialYearError, parse_fy, validate_timeline
from . import layout as L
from ._xlsx import (
    RawCell,
    address,
    parse_area,
    read_cells,
    read_custom_properties,
    read_shared_strings,
    read_workbook,
    split_ref,
)
from .safety import HostileFile, is_lock_file, open_package

__all__ = [
    "WORKBOOK_SUFFIXES",
    "BidData",
    "CellProblem",
    "CollectResult",
    "FileResult",
    "Rejected",
    "collect_bids",
    "find_workbooks",
    "read_bid_file",
]

#: Files a folder scan picks up (others, such as .docx or .pdf, are ignored).
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlsb", ".ods", ".csv")
#: Cached formula results may differ from the engine by rounding noise only.
CACHED_TOLERANCE = 1e-6
#: Most worker processes ever started (never more than the cores either): each holds
#: at most one file's parts, so memory stays a per-file budget times the workers.
MAX_WORKERS = 8
#: Below this many files one process is faster than starting a pool.
PARALLEL_FROM = 40


@dataclass(frozen=True, slots=True)
class CellProblem:
    """One problem in a workbook, located: file, sheet and cell ('' when file-wide).

    >>> str(CellProblem("CYPS_2.xlsx", "Bid", "D16", "expected a number >= 0, got -1"))
    'CYPS_2.xlsx: Bid!D16: expected a number >= 0, got -1'
    """

    file: str
    sheet: str
    cell: str
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        return f"{self.file}: {where}: {self.message}" if where else f"{self.file}: {self.message}"

    def as_dict(self) -> dict[str, str]:
        """The ``--json`` form: sheet, cell and message."""
        return {"sheet": self.sheet, "cell": self.cell, "message": self.message}


@dataclass(frozen=True, slots=True)
class Rejected:
    """A file that was not accepted, with every problem found in it."""

    file: str
    errors: list[CellProblem]


@dataclass(frozen=True, slots=True)
class BidData:
    """A bid as read from a template (plain data, so it crosses process boundaries)."""

    ref: str
    title: str
    service_area: str
    directorate: str
    cabinet_member: str
    investment: tuple[float, ...]
    gross_saving: tuple[float, ...] | None
    prevented: tuple[float, ...] | None
    current_budget: float | None
    avoided_cost_per_child: float | None
    part_year_factor: float | None
    fte: tuple[float, ...] | None
    outcomes: dict[str, tuple[float, ...]]
    notes: dict[str, str]
    ref_cell: str
    years_cell: str = ""

    def padded(self, start: int, n: int) -> BidData:
        """The bid over ``n`` years, its own years from index ``start``, zeros elsewhere.

        >>> d = BidData("B", "t", "", "", "", (1.0,), None, (2.0,), None, 1.0, 0.5, None,
        ...             {"m": (3.0,)}, {}, "Bid!C6")
        >>> p = d.padded(1, 3)
        >>> p.investment, p.prevented, p.gross_saving, p.outcomes["m"]
        ((0.0, 1.0, 0.0), (0.0, 2.0, 0.0), None, (0.0, 3.0, 0.0))
        """

        def pad(row: tuple[float, ...] | None) -> tuple[float, ...] | None:
            if row is None:
                return None
            return (0.0,) * start + tuple(row) + (0.0,) * (n - start - len(row))

        return dataclasses.replace(
            self,
            investment=pad(self.investment) or (),
            gross_saving=pad(self.gross_saving),
            prevented=pad(self.prevented),
            fte=pad(self.fte),
            outcomes={k: pad(v) or () for k, v in self.outcomes.items()},
        )

    def to_bid(self, base: Assumptions | None = None) -> Bid:
        """The model's :class:`Bid`; the template's avoided cost and part-year factor
        become overrides only when children prevented are used and they differ from
        ``base`` (all of them when there is no base)."""
        cost = factor = None
        if self.prevented is not None:
            if base is None or self.avoided_cost_per_child != base.avoided_cost_per_child_per_year:
                cost = self.avoided_cost_per_child
            if base is None or self.part_year_factor != base.part_year_factor:
                factor = self.part_year_factor
        return Bid(
            ref=self.ref,
            title=self.title,
            investment=self.investment,
            gross_saving=self.gross_saving,
            prevented=self.prevented,
            service_area=self.service_area,
            directorate=self.directorate,
            cabinet_member=self.cabinet_member,
            current_budget=self.current_budget,
            avoided_cost_per_child_per_year=cost,
            part_year_factor=factor,
            fte=self.fte,
            outcomes=frozen_map(self.outcomes),
            notes=frozen_map(self.notes),
        )


@dataclass(slots=True)
class FileResult:
    """What reading one file gave: the bid (if accepted), its years, errors, warnings."""

    file: str
    data: BidData | None = None
    years: tuple[str, ...] | None = None
    errors: list[CellProblem] = field(default_factory=list)
    warnings: list[CellProblem] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CollectResult:
    """The outcome of :func:`collect_bids`.

    ``bids`` in file order; ``files`` maps each accepted ref to its file; ``rejected``
    lists every file not accepted with its errors; ``warnings`` lists accepted files
    with something to note (macros, links); ``skipped`` lists Excel lock files.
    """

    bids: list[Bid]
    files: dict[str, str]
    rejected: list[Rejected]
    years: tuple[str, ...]
    warnings: list[Rejected] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- one file


class _Sheet:
    """Cells of the sheets a bid uses, and the problems found, for one file."""

    def __init__(self, file: str, cells: dict[str, dict[tuple[int, int], RawCell]]) -> None:
        self.file = file
        self.cells = cells
        self.errors: list[CellProblem] = []
        self.warnings: list[CellProblem] = []

    def cell(self, sheet: str, row: int, col: int) -> RawCell | None:
        return self.cells.get(sheet, {}).get((row, col))

    def error(self, sheet: str, row: int, col: int, message: str) -> None:
        self.errors.append(CellProblem(self.file, sheet, address(row, col), message))

    def warn(self, sheet: str, row: int, col: int, message: str) -> None:
        self.warnings.append(CellProblem(self.file, sheet, address(row, col), message))

    def file_error(self, message: str) -> None:
        """A problem with the file as a whole (no sheet or cell)."""
        self.errors.append(CellProblem(self.file, "", "", message))


def _blank(c: RawCell | None) -> bool:
    return c is None or (c.formula is None and (c.value is None or c.value == ""))


def _describe(c: RawCell) -> str:
    if c.error:
        return f"the error {c.value}"
    text = str(c.value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _input_cell(s: _Sheet, sheet: str, row: int, col: int) -> RawCell | None:
    """An input cell: refused (recorded) when it holds a formula."""
    c = s.cell(sheet, row, col)
    if c is not None and c.formula is not None:
        s.error(sheet, row, col, f"holds a formula (={c.formula[:60]}); type the value instead")
        return None
    return c


def _text(
    s: _Sheet,
    area: L.Area,
    label: str,
    limit: int,
    required: bool,
    lines: bool = False,
    plain: bool = True,
) -> str:
    """A text input: stripped; tabs and line breaks become spaces (kept with ``lines``);
    control and invisible characters refused (the reference has its own, stricter rule)."""
    c = _input_cell(s, area.sheet, area.row, area.col)
    if _blank(c) or c is None:
        if required:
            s.error(area.sheet, area.row, area.col, f"{label} is missing")
        return ""
    if c.error or isinstance(c.value, bool):
        s.error(area.sheet, area.row, area.col, f"{label}: expected text, got {_describe(c)}")
        return ""
    value = c.value
    text = (
        str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    ).strip()
    if len(text) > limit:
        s.error(
            area.sheet,
            area.row,
            area.col,
            f"{label} is {len(text):,} characters long; at most {limit:,}",
        )
        return ""
    if not plain:
        return text
    text, why = text_problem(text, keep_lines=lines)
    if why is not None:
        s.error(area.sheet, area.row, area.col, f"{label} {why}")
        return ""
    if required and not text:
        s.error(area.sheet, area.row, area.col, f"{label} is missing")
    return text


def _number(
    s: _Sheet,
    sheet: str,
    row: int,
    col: int,
    label: str,
    minimum: float | None,
    maximum: float | None = None,
    whole: bool = False,
) -> float | None:
    """A number input: None when blank; a problem recorded when not acceptable."""
    c = _input_cell(s, sheet, row, col)
    if c is None or _blank(c):
        return None
    value = c.value
    if c.error or not isinstance(value, float):  # text, a logical or an error
        s.error(sheet, row, col, f"{label}: expected a number, got text {_describe(c)}")
        return None
    if not within_bounds(value):
        s.error(
            sheet,
            row,
            col,
            f"{label}: expected a number, got {value:g} (numbers larger than "
            f"{MAX_MAGNITUDE:.0e} are refused)",
        )
        return None
    bad = minimum is not None and value < minimum
    bad = bad or (maximum is not None and value > maximum)
    bad = bad or (whole and not value.is_integer())
    if bad:
        want = "a whole number" if whole else "a number"
        if minimum is not None and maximum is not None:
            want += f" from {minimum:g} to {maximum:g}"
        elif minimum is not None:
            want += f" >= {minimum:g}"
        s.error(sheet, row, col, f"{label}: expected {want}, got {value:g}")
        return None
    return value


def _row(
    s: _Sheet,
    area: L.Area,
    label: str,
    years: Sequence[str],
    whole: bool = False,
    minimum: float | None = 0.0,
    required: bool = False,
) -> list[float | None]:
    """A row of numbers by year (None = blank, or not acceptable: a problem is recorded)."""
    out: list[float | None] = []
    for k in range(area.width):
        col = area.col + k
        value = _number(s, area.sheet, area.row, col, f"{label} {years[k]}", minimum, None, whole)
        if value is None and required and _blank(s.cell(area.sheet, area.row, col)):
            s.error(area.sheet, area.row, col, f"{label} {years[k]} is missing; enter 0 where none")
        out.append(value)
    return out


def _filled(values: list[float | None]) -> bool:
    return any(v is not None for v in values)


def _zeros(values: list[float | None]) -> tuple[float, ...]:
    return tuple(0.0 if v is None else float(v) for v in values)


def _years(s: _Sheet, area: L.Area) -> tuple[str, ...] | None:
    labels = []
    for r, c in area.cells():
        cell = s.cell(area.sheet, r, c)
        label = "" if cell is None or cell.value is None else str(cell.value).strip()
        try:
            parse_fy(label)
        except FinancialYearError as exc:
            s.error(area.sheet, r, c, f"years: {exc}")
            return None
        labels.append(label)
    try:
        validate_timeline(labels)
    except FinancialYearError as exc:
        s.error(area.sheet, area.row, area.col, f"years: {exc}")
        return None
    return tuple(labels)


def _layout(s: _Sheet, info: Any, props: dict[str, str]) -> L.Layout | None:
    """The layout found from the workbook-scoped defined names; problems recorded."""
    version = props.get("cypsxl_template_version")
    if version is None:
        s.file_error(
            "is not a cypsxl bid template (no template version in its document "
            "properties); fill in the bid template issued by finance"
        )
        return None
    if version != L.TEMPLATE_VERSION:
        s.file_error(
            f"is made from bid template version {version}; this collection reads version "
            f"{L.TEMPLATE_VERSION}: copy the figures into the current template"
        )
        return None
    counts = Counter(n.name.casefold() for n in info.names if not n.sheet_scoped)
    found = {n.name.casefold(): n.text for n in info.names if not n.sheet_scoped}
    shadowed = {n.name.casefold() for n in info.names if n.sheet_scoped}
    lay: L.Layout = {}
    for f in L.FIELDS:
        if f.name.casefold() in shadowed:
            s.file_error(
                f"a sheet-level name '{f.name}' hides the template's workbook name "
                "(the workbook was altered); fill in a fresh copy of the template"
            )
            continue
        if counts[f.name] > 1:
            s.file_error(
                f"defined name '{f.name}' is defined {counts[f.name]} times; expected once"
            )
            continue
        if f.name.casefold() not in found:
            s.file_error(
                f"defined name '{f.name}' is missing (the template was altered); "
                "fill in a fresh copy of the template"
            )
            continue
        text = found[f.name.casefold()]
        area = parse_area(text)
        if area is None or area.sheet not in info.sheets:
            s.file_error(
                f"defined name '{f.name}' refers to {text[:60]!r}, not to "
                "cells of this workbook (rows or a sheet may have been deleted)"
            )
            continue
        lay[f.name] = area
    if len(lay) < len(L.FIELDS):
        return None
    if props.get("cypsxl_schema") != L.SCHEMA_FINGERPRINT:
        s.file_error(
            f"template schema {props.get('cypsxl_schema')!r} is not this version's "
            f"{L.SCHEMA_FINGERPRINT!r}: the template was altered"
        )
        return None
    return lay


def _shapes(s: _Sheet, lay: L.Layout) -> bool:
    """Rows must be one row as wide as the years; single fields one cell."""
    width = lay["years"].width
    ok = lay["years"].height == 1
    if not ok:
        s.errors.append(
            CellProblem(
                s.file, lay["years"].sheet, lay["years"].ref(False), "the years must be one row"
            )
        )
    for f in L.FIELDS:
        a = lay[f.name]
        if f.kind.endswith("_row"):
            want = (1, width)
        elif f.kind in ("text_column", "measure_block"):
            want = (L.N_OUTCOMES, width if f.kind == "measure_block" else 1)
        elif f.kind == "check_column":
            want = (len(L.CHECKS), 1)
        elif f.kind == "years":
            continue
        else:
            want = (1, 1)
        if (a.height, a.width) != want:
            s.errors.append(
                CellProblem(
                    s.file,
                    a.sheet,
                    a.ref(False),
                    (
                        f"'{f.name}' covers {a.height} x {a.width} cells; "
                        f"expected {want[0]} x {want[1]}"
                        + (
                            " (one per year: the years row does not match)"
                            if want[1] == width > 1
                            else ""
                        )
                    ),
                )
            )
            ok = False
    return ok


def _placed(s: _Sheet, lay: L.Layout) -> bool:
    """Every field must be where the template put it: on its sheet, in its columns, and
    in its place among the other fields - rows may be inserted or deleted (Excel moves
    the names with them), but no field may change sheet, column or order, or share a row
    with a field the template put on another row.

    So a name pointed at another sheet (the hidden Lists sheet, say), at other columns or
    at another field's row is refused: the figures read are the ones the form shows.
    """
    want = L.default_layout(lay["years"].width)
    ok = True
    rows: dict[str, list[tuple[int, int, str]]] = {}
    for name, area in lay.items():
        w = want[name]
        if area.sheet != w.sheet or area.col != w.col:  # widths: checked by _shapes
            s.file_error(
                f"defined name '{name}' points to {area.sheet}!{area.ref(False)}; the template "
                f"puts it at {w.sheet}!{w.ref(False)} (the workbook was altered)"
            )
            ok = False
            continue
        rows.setdefault(area.sheet, []).append((w.row, area.row, name))
    for fields in rows.values():
        fields.sort()
        for (row_a, at_a, _), (row_b, at_b, name) in itertools.pairwise(fields):
            if (at_b == at_a) != (row_b == row_a) or at_b < at_a:
                a = lay[name]
                s.file_error(
                    f"defined name '{name}' points to {a.sheet}!{a.ref(False)}, out of its "
                    "place among the form's fields: the workbook was altered"
                )
                ok = False
                break
    return ok


def _check_formulas(s: _Sheet, lay: L.Layout) -> None:
    for (sheet, row, col), want in L.expected_formulas(lay).items():
        c = s.cell(sheet, row, col)
        if c is None or c.formula is None:
            what = "is empty" if _blank(c) else f"holds the value {_describe(c)}"  # type: ignore[arg-type]
            s.error(sheet, row, col, f"calculated cell {what}: its formula {want} was typed over")
        elif L.normalise_formula(c.formula) != L.normalise_formula(want):
            s.error(sheet, row, col, f"formula changed to ={c.formula[:80]}; expected {want}")


def _same(cached: Any, want: Any) -> bool:
    if isinstance(want, str) or isinstance(cached, str):
        return str(cached) == str(want)
    return isinstance(cached, float) and abs(cached - float(want)) <= CACHED_TOLERANCE


def _check_cached(s: _Sheet, lay: L.Layout, d: BidData, years: Sequence[str]) -> None:
    """Cached results (from Excel or LibreOffice) must equal the engine's figures."""
    n = len(years)
    prevented = d.prevented or (0.0,) * n
    cost = d.avoided_cost_per_child or 0.0
    factor = 0.0 if d.part_year_factor is None else d.part_year_factor
    case = Case(
        name="",
        years=tuple(years),
        mtfs_years=tuple(years),
        assumptions=Assumptions(avoided_cost_per_child_per_year=cost, part_year_factor=factor),
        budget=CypsBudget(net_budget=(0.0,) * n, pressures=frozen_map()),
        bids=(d.to_bid(None),),
        other_proposals=(),
        mtfs=Mtfs(base_gap=(0.0,) * n),
    )
    t = bid_table(case)
    rows = {
        "children_avoided": children_avoided(prevented, factor),
        "cost_avoidance": cost_avoidance(prevented, cost / POUNDS_PER_MILLION, factor),
        "gross_saving": t.gross_saving[0],
        "net": t.net[0],
        "cumulative_net": t.cumulative_net[0],
    }
    singles: dict[str, Any] = {}
    for name in ("payback_year", "breakeven_year"):
        year = int(getattr(t, name)[0])
        singles[name] = year or "none"
        singles[name.replace("_year", "_fy")] = years[year - 1] if year else "none"
    expected = {}
    for name, values in rows.items():
        a = lay[name]
        for k in range(a.width):
            expected[(a.sheet, a.row, a.col + k)] = float(np.asarray(values)[k])
    for name, value in singles.items():
        a = lay[name]
        expected[(a.sheet, a.row, a.col)] = value
    for (sheet, row, col), want in expected.items():
        c = s.cell(sheet, row, col)
        if c is None or c.formula is None or c.value is None:
            continue  # no formula (reported already) or never calculated (written by cypsxl)
        if c.error or not _same(c.value, want):
            s.error(
                sheet,
                row,
                col,
                (
                    f"saved result {_describe(c)} differs from the engine's {want!r}: a formula "
                    "or a calculated cell was changed"
                ),
            )


def _date_text(c: RawCell | None) -> str:
    if c is None or c.value is None or c.formula is not None:
        return ""
    if isinstance(c.value, float) and 1 <= c.value < 2958466:
        return (dt.date(1899, 12, 30) + dt.timedelta(days=int(c.value))).isoformat()
    return str(c.value)[: L.MAX_TEXT_CHARS]


def _fields(s: _Sheet, lay: L.Layout, years: tuple[str, ...]) -> BidData | None:
    texts = {
        f.name: _text(
            s,
            lay[f.name],
            f.label,
            MAX_REF_CHARS if f.name == "bid_ref" else L.MAX_TEXT_CHARS,
            f.required,
            plain=f.name != "bid_ref",
        )
        for f in L.HEADER
        if f.kind == "text"
    }
    ref_area = lay["bid_ref"]
    if texts["bid_ref"] and (why := ref_problem(texts["bid_ref"])) is not None:
        s.error(ref_area.sheet, ref_area.row, ref_area.col, f"Bid reference: {why}")
    inv = _row(s, lay["investment"], "funding sought", years, required=True)
    prevented = _row(s, lay["prevented"], "children prevented", years, whole=True)
    entered = _row(s, lay["gross_saving_entered"], "gross saving typed in", years)
    fte = _row(s, lay["fte"], "FTE", years)
    agency = _row(s, lay["agency_released"], "agency workers released", years, whole=True)
    single = {}
    for name, label, lo, hi in (
        ("current_budget", "current budget", 0.0, None),
        ("avoided_cost_per_child", "avoided cost per child", 0.0, None),
        ("part_year_factor", "part-year factor", 0.0, 1.0),
    ):
        a = lay[name]
        single[name] = _number(s, a.sheet, a.row, a.col, label, lo, hi)
    uses_prevented = any(not _blank(s.cell(*_at(lay["prevented"], k))) for k in range(len(years)))
    uses_entered = any(
        not _blank(s.cell(*_at(lay["gross_saving_entered"], k))) for k in range(len(years))
    )
    if uses_prevented and uses_entered:
        a = lay["prevented"]
        s.error(
            a.sheet,
            a.row,
            a.col,
            (
                f"fill either children prevented (row {a.row}) or gross saving typed in "
                f"(row {lay['gross_saving_entered'].row}), not both"
            ),
        )
    if uses_prevented:
        for name, label in (
            ("avoided_cost_per_child", "avoided cost per child (£ a year)"),
            ("part_year_factor", "part-year factor (0 to 1)"),
        ):
            a = lay[name]
            if single[name] is None and _blank(s.cell(a.sheet, a.row, a.col)):
                s.error(a.sheet, a.row, a.col, f"{label} is missing; needed for children prevented")
    outcomes = _outcomes(s, lay, years)
    notes = _notes(s, lay)
    _plausible(s, lay, years, {"investment": inv, "gross_saving_entered": entered})
    _beyond_last_year(s, lay)
    if s.errors:
        return None
    if _filled(agency):
        outcomes["agency_workers_released"] = _zeros(agency)
    return BidData(
        ref=texts["bid_ref"],
        title=texts["bid_title"],
        service_area=texts["service_area"],
        directorate=texts["directorate"],
        cabinet_member=texts["cabinet_member"],
        investment=_zeros(inv),
        gross_saving=_zeros(entered) if uses_entered else None,
        prevented=_zeros(prevented) if uses_prevented else None,
        current_budget=single["current_budget"],
        avoided_cost_per_child=single["avoided_cost_per_child"],
        part_year_factor=single["part_year_factor"],
        fte=_zeros(fte) if _filled(fte) else None,
        outcomes=outcomes,
        notes=notes | ({"contact": texts["contact"]} if texts["contact"] else {}),
        ref_cell=f"{ref_area.sheet}!{ref_area.ref(False)}",
        years_cell=lay["years"].ref(False),
    )


def _plausible(
    s: _Sheet, lay: L.Layout, years: Sequence[str], rows: dict[str, list[float | None]]
) -> None:
    """Warn (not reject) where a money figure (£m) is implausibly large: most likely
    pounds typed where £m is asked."""
    for name, values in rows.items():
        a = lay[name]
        for k, v in enumerate(values):
            if v is not None and abs(v) > PLAUSIBLE_MONEY_M:
                s.warn(
                    a.sheet,
                    a.row,
                    a.col + k,
                    f"{v:,.0f} is £{v:,.0f}m in {years[k]}, more than £{PLAUSIBLE_MONEY_M:,.0f}m: "
                    "is it in pounds? This row is in £m (£250,000 is 0.25)",
                )
    a = lay["current_budget"]
    c = s.cell(a.sheet, a.row, a.col)
    if c is not None and isinstance(c.value, float) and abs(c.value) > PLAUSIBLE_MONEY_M:
        s.warn(
            a.sheet,
            a.row,
            a.col,
            f"current budget £{c.value:,.0f}m is more than £{PLAUSIBLE_MONEY_M:,.0f}m: "
            "is it in pounds? This cell is in £m",
        )


#: Rows read one value per year: values typed right of the last year are not read.
_YEAR_ROWS = ("years", "investment", "prevented", "gross_saving_entered", "fte", "agency_released")
#: Columns past the last year looked at for values that will not be read.
_BEYOND_COLUMNS = 30


def _beyond_last_year(s: _Sheet, lay: L.Layout) -> None:
    """Warn, located, where a value is typed in a year column the template does not have."""
    rows = {lay[name].row for name in _YEAR_ROWS}
    values = lay["outcome_values"]
    rows.update(range(values.row, values.last_row + 1))
    last = lay["years"].last_col
    cells = s.cells.get(lay["years"].sheet, {})
    for row in sorted(rows):
        for col in range(last + 1, last + 1 + _BEYOND_COLUMNS):
            c = cells.get((row, col))
            if not _blank(c) and c is not None:
                shown = f"{c.value:g}" if isinstance(c.value, float) else _describe(c)
                s.warn(
                    lay["years"].sheet,
                    row,
                    col,
                    f"{shown} is right of the last year ({address(lay['years'].row, last)}) "
                    "and is not read: this template has no column for it",
                )


def _at(a: L.Area, k: int) -> tuple[str, int, int]:
    return a.sheet, a.row, a.col + k


def _outcomes(s: _Sheet, lay: L.Layout, years: Sequence[str]) -> dict[str, tuple[float, ...]]:
    names, units, values = lay["outcome_names"], lay["outcome_units"], lay["outcome_values"]
    out: dict[str, tuple[float, ...]] = {}
    for i in range(names.height):
        name_area, row_area = names.row_at(i), values.row_at(i)
        name = _text(s, name_area, f"outcome measure {i + 1}", L.MAX_TEXT_CHARS, False)
        _text(s, units.row_at(i), f"outcome unit {i + 1}", L.MAX_TEXT_CHARS, False)
        row = _row(s, row_area, name or f"outcome measure {i + 1}", years, minimum=None)
        if _filled(row) and not name:
            s.error(
                name_area.sheet,
                name_area.row,
                name_area.col,
                "outcome measure has values but no description",
            )
        elif name:
            out[name] = _zeros(row)
    return out


def _notes(s: _Sheet, lay: L.Layout) -> dict[str, str]:
    notes = {}
    for i in range(1, len(L.QUESTIONS) + 1):
        text = _text(
            s, lay[f"answer_{i}"], f"answer to question {i}", L.MAX_ANSWER_CHARS, False, True
        )
        if text:
            notes[f"answer_{i}"] = text
    a = lay["bid_date"]
    date = _date_text(_input_cell(s, a.sheet, a.row, a.col))
    if date:
        notes["date"] = date
    return notes


def read_bid_file(path: str | Path) -> FileResult:
    """Read and check one filled template; never raises for a bad file.

    >>> import tempfile, pathlib
    >>> from cypsxl.workbook.template import write_blank_template
    >>> p = write_blank_template(pathlib.Path(tempfile.mkdtemp()) / "b.xlsx", "CYPS_9")
    >>> r = read_bid_file(p)
    >>> r.data is None, [(e.cell, e.message) for e in r.errors][:2]  # doctest: +ELLIPSIS
    (True, [('C7', 'Title is missing'), ('C16', 'funding sought 2016/17 is missing; ...')])
    """
    p = Path(path)
    result = FileResult(str(p))
    try:
        _read_file(p, result)
    except HostileFile as exc:
        result.errors.append(CellProblem(str(p), "", "", str(exc)))
        result.data = None
    except (RecursionError, MemoryError):
        result.errors.append(CellProblem(str(p), "", "", f"is too complex to read ({UNREADABLE})"))
        result.data = None
    except Exception as exc:  # one odd file must never stop a collection
        result.errors.append(
            CellProblem(str(p), "", "", f"could not be read ({type(exc).__name__}; {UNREADABLE})")
        )
        result.data = None
    return result


def _read_file(p: Path, result: FileResult) -> None:
    pkg = open_package(p)
    try:
        result.warnings = [CellProblem(str(p), "", "", w) for w in pkg.warnings]
        _read(pkg, result)
    finally:
        pkg.close()


#: What a rejected file's sender is told when its content defeats the reader.
UNREADABLE = "refused; save it again from Excel as a fresh copy of the bid template"


def _read(pkg: Any, result: FileResult) -> None:
    info = read_workbook(pkg)
    props = read_custom_properties(pkg)
    s = _Sheet(result.file, {})
    lay = _layout(s, info, props)
    if lay is None or not _shapes(s, lay) or not _placed(s, lay):
        result.errors += s.errors
        return
    strings = read_shared_strings(pkg)
    for sheet in {a.sheet for a in lay.values()}:
        s.cells[sheet] = read_cells(pkg, info.sheets[sheet], strings)
    years = _years(s, lay["years"])
    if years is None:
        result.errors += s.errors
        return
    result.years = years
    _check_formulas(s, lay)
    data = _fields(s, lay, years)
    if data is not None:
        _check_cached(s, lay, data, years)
    result.errors += sorted(s.errors, key=_reading_order)
    result.warnings += sorted(s.warnings, key=_reading_order)
    result.data = data if not s.errors else None


_SHEET_ORDER = {L.BID_SHEET: 0, L.NARRATIVE_SHEET: 1}


def _reading_order(p: CellProblem) -> tuple[int, int, int]:
    """Sort key: file-wide problems, the Bid sheet, the Narrative; row by row, left to right.

    >>> [p.cell for p in sorted(
    ...     [CellProblem("f", "Bid", "E25", ""), CellProblem("f", "Bid", "D16", ""),
    ...      CellProblem("f", "Bid", "AA16", "")], key=_reading_order)]
    ['D16', 'AA16', 'E25']
    """
    try:
        row, col = split_ref(p.cell)
    except ValueError:
        row = col = 0
    return _SHEET_ORDER.get(p.sheet, 2 if p.sheet else -1), row, col


# --------------------------------------------------------------------------- many files


_DIGITS = re.compile(r"(\d+)")


def natural_key(path: Path) -> tuple[object, ...]:
    """Sort key that puts CYPS_2 before CYPS_10.

    >>> sorted(["CYPS_10.xlsx", "CYPS_2.xlsx", "CYPS_1A.xlsx"], key=lambda s: natural_key(Path(s)))
    ['CYPS_1A.xlsx', 'CYPS_2.xlsx', 'CYPS_10.xlsx']
    """
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
        for part in _DIGITS.split(str(path))
    )


def _walk(folder: Path, unreadable: list[tuple[str, str]]) -> list[Path]:
    """Workbook files under ``folder`` (hidden entries and workbook-named folders' contents
    left out); every folder that cannot be listed is recorded in ``unreadable``.

    Symbolic links to folders are not followed (no loops); a link to a file is a file.
    """
    found: list[Path] = []

    def failed(exc: OSError) -> None:
        unreadable.append((str(exc.filename or folder), f"cannot be read: {exc.strerror}"))

    for root, dirs, names in os.walk(folder, onerror=failed):
        here = Path(root)
        visible = [d for d in dirs if not d.startswith(".")]
        looks_like = [d for d in visible if Path(d).suffix.lower() in WORKBOOK_SUFFIXES]
        dirs[:] = [d for d in visible if d not in looks_like]  # a "bids.xlsx/" is reported
        for name in names + looks_like:
            if not name.startswith(".") and Path(name).suffix.lower() in WORKBOOK_SUFFIXES:
                found.append(here / name)
    return found


def find_workbooks(
    paths: Iterable[str | Path], unreadable: list[tuple[str, str]] | None = None
) -> tuple[list[Path], list[Path], list[str]]:
    """Expand files and folders into (workbooks, Excel lock files skipped, paths not found).

    Folders are searched recursively for :data:`WORKBOOK_SUFFIXES`; a folder whose name
    looks like a workbook (``bids.xlsx/``) is returned as a file, so it is reported.
    Folders that cannot be listed are appended to ``unreadable`` as (path, reason).
    """
    files: list[Path] = []
    locks: list[Path] = []
    missing: list[str] = []
    problems = unreadable if unreadable is not None else []
    for raw in paths:
        p = Path(raw)
        if p.is_dir() and p.suffix.lower() not in WORKBOOK_SUFFIXES:
            for q in sorted(_walk(p, problems), key=natural_key):
                (locks if is_lock_file(q) else files).append(q)
        elif p.exists() or p.is_symlink():
            (locks if is_lock_file(p) else files).append(p)
        else:
            missing.append(str(p))
    seen: set[Path] = set()
    unique = []
    for f in files:
        try:
            key = f.resolve() if f.exists() else f
        except (OSError, RuntimeError):  # a symbolic link loop
            key = f
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, locks, missing


def _read_many(
    paths: list[Path], workers: int | None, progress: Callable[[int, int], None] | None
) -> list[FileResult]:
    total = len(paths)
    cores = os.cpu_count() or 1
    n_workers = min(workers if workers is not None else cores, cores, MAX_WORKERS)
    results: list[FileResult] = []
    if n_workers <= 1 or total < PARALLEL_FROM:
        for i, p in enumerate(paths, start=1):
            results.append(read_bid_file(p))
            if progress:
                progress(i, total)
        return results
    chunk = max(1, min(64, total // (n_workers * 8)))
    try:
        with ProcessPoolExecutor(max_workers=n_workers) as pool:
            for i, r in enumerate(pool.map(read_bid_file, paths, chunksize=chunk), start=1):
                results.append(r)
                if progress:
                    progress(i, total)
    except BrokenProcessPool:
        # a worker died (stopped by the system, say): the files it had not returned are
        # read here, one at a time, so the files already read are never lost
        for i, p in enumerate(paths[len(results) :], start=len(results) + 1):
            results.append(read_bid_file(p))
            if progress:
                progress(i, total)
    return results


def _fit_years(r: FileResult, expected: Sequence[str]) -> None:
    """Place a bid's years within the collection's: a bid whose years are a run of the
    collection's (a bid starting a year later, say) is kept with zeros in the other
    years; one whose years run outside them is rejected, the years named."""
    assert r.data is not None
    own = tuple(r.years or ())
    n = len(own)
    starts = [k for k in range(len(expected) - n + 1) if tuple(expected[k : k + n]) == own]
    if not own or not starts:
        first, last = (own[0], own[-1]) if own else ("?", "?")
        r.errors.append(
            CellProblem(
                r.file,
                L.BID_SHEET,
                r.data.years_cell,
                (
                    f"the bid's years {first}-{last} run outside this collection's years "
                    f"{expected[0]}-{expected[-1]}"
                    if expected
                    else "this collection has no years"
                )
                + "; use a template for years within the collection's (or collect with --years)",
            )
        )
        r.data = None
        return
    if n < len(expected):
        r.data = r.data.padded(starts[0], len(expected))
        r.years = tuple(expected)


#: Files named in a duplicate-reference message; the rest are counted.
_DUPLICATES_NAMED = 1


def _reject_duplicates(group: list[FileResult]) -> None:
    """Reject every file of a group sharing one reference; each message names the first
    other file and counts the rest, so 5,000 copies give 5,000 short messages."""
    for r in group:
        assert r.data is not None
        others = [o.file for o in group if o is not r]
        named = ", ".join(others[:_DUPLICATES_NAMED])
        rest = len(others) - _DUPLICATES_NAMED
        more = f" and {rest:,} other file{'s' if rest > 1 else ''}" if rest > 0 else ""
        sheet, _, cell = r.data.ref_cell.partition("!")
        r.errors.append(
            CellProblem(
                r.file,
                sheet,
                cell,
                (
                    f"bid reference {r.data.ref} is also used by {named}{more}; each bid needs "
                    "its own reference (remove the old version or renumber)"
                ),
            )
        )
        r.data = None


def collect_bids(
    paths: Sequence[Path | str],
    *,
    years: Sequence[str] | None = None,
    base: Assumptions | None = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CollectResult:
    """Read every bid template in ``paths`` (files or folders); one bad file never stops it.

    ``years``: the plan years every bid must have (default: the years most files have).
    ``base``: the case assumptions the bids will join; a bid's avoided cost and part-year
    factor become overrides only where they differ. ``workers``: processes (default: the
    cores; small batches run in this process). ``progress(done, total)`` after each file.
    Paths that do not exist are rejected; duplicated references reject every file
    that uses them.
    """
    unreadable: list[tuple[str, str]] = []
    files, locks, missing = find_workbooks(paths, unreadable)
    results = _read_many(files, workers, progress)
    rejected = [Rejected(m, [CellProblem(m, "", "", "does not exist")]) for m in missing]
    rejected += [Rejected(f, [CellProblem(f, "", "", why)]) for f, why in unreadable]
    expected = tuple(years) if years is not None else None
    if expected is None:
        counts = Counter(r.years for r in results if r.data is not None and r.years)
        expected = counts.most_common(1)[0][0] if counts else ()
    by_ref: dict[str, list[FileResult]] = {}
    for r in results:
        if r.data is not None:
            _fit_years(r, expected)
        if r.data is not None:
            by_ref.setdefault(r.data.ref.casefold(), []).append(r)
    for group in by_ref.values():
        if len(group) > 1:
            _reject_duplicates(group)
    bids, where, warnings = [], {}, []
    for r in results:
        if r.data is not None:
            bids.append(r.data.to_bid(base))
            where[r.data.ref] = r.file
            if r.warnings:
                warnings.append(Rejected(r.file, r.warnings))
        else:
            rejected.append(Rejected(r.file, r.errors + r.warnings))
    return CollectResult(
        bids=bids,
        files=where,
        rejected=rejected,
        years=expected,
        warnings=warnings,
        skipped=[str(p) for p in locks],
    )
