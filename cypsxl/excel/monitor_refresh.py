"""The monitoring workbook's refresh: read the bound lines, risks and savings, run the
monitoring engine, write the report, its check cells and a run stamp.

The same rules as the MTFS refresh (:mod:`cypsxl.excel.refresh`), whose ownership checks
it uses: reads everything first, writes only into the areas cypsxl owns, writes nothing
if an output would cover a cell it does not own, names the sheet and cell of every
problem. Only the :class:`~cypsxl.workbook.binding.Book` seam is used, so every entry
point (``cypsxl refresh``, the desktop button, xlwings Server) and every writer behind
the seam work alike. This module never imports xlwings.
"""

from __future__ import annotations

import hashlib
import json
import textwrap
from collections.abc import Callable
from typing import Any

from ..casefile._monitoring import monitoring_from_dict
from ..errors import CaseError, Problem
from ..model.monitoring import (
    MONTHS,
    RAG_LABELS,
    MonitoringCase,
    MonitoringError,
    MonitoringResults,
    monitor,
)
from ..monitoring_report import REPORT_COLUMNS, headline, section_groups
from ..workbook.binding import Area, Book, Formula
from ..workbook.monitoring_binding import MONITORING_OUTPUTS, read_monitoring
from . import refresh as _mtfs_refresh
from .refresh import (
    RefreshResult,
    _check_ownership,
    _kept_time,
    _now,
    _write_outputs,
    run_stamp,
)

__all__ = [
    "HEADLINE_WIDTH",
    "REPORT_TITLE",
    "ReportRow",
    "monitoring_inputs_hash",
    "read_monitoring_case",
    "refresh_monitoring",
    "report_rows",
]

Rows = list[list[Any]]
#: Characters of a headline sentence on one row of the report (column A overflows across
#: the empty cells beside it, so a long sentence is split over rows, never cut off).
HEADLINE_WIDTH = 110
_WIDTH = 1 + len(REPORT_COLUMNS)
#: The report's first cell starts with this: a record of the last refresh is trusted only
#: when the cell it starts at still shows cypsxl's title (the MTFS refresh's rule).
REPORT_TITLE = "Budget monitoring"
_titles = getattr(_mtfs_refresh, "_TITLES", None)
if isinstance(_titles, dict):
    _titles.setdefault("output_report", REPORT_TITLE)


class ReportRow(list[Any]):
    """A row of the report with its kind: title, note, headline, head, section, group,
    line, subtotal, total, blank - which the demo's styling and the checks use."""

    kind: str

    def __init__(self, kind: str, cells: list[Any]) -> None:
        super().__init__(cells + [None] * (_WIDTH - len(cells)))
        self.kind = kind


def monitoring_inputs_hash(doc: dict[str, Any]) -> str:
    """SHA-256 of the inputs read (the same inputs, the same hash).

    >>> len(monitoring_inputs_hash({"monitoring": {"year": "2025/26"}}))
    64
    """
    text = json.dumps(doc, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_monitoring_case(book: Book) -> tuple[MonitoringCase, Any]:
    """The monitoring case bound in ``book``; a :class:`CaseError` naming sheet and cell."""
    inputs = read_monitoring(book)
    problems = list(inputs.problems)
    if any(p.message.startswith("missing binding") for p in problems):
        raise CaseError(problems)
    try:
        case = monitoring_from_dict(inputs.doc, book.name)
    except CaseError as exc:
        raise CaseError(problems + [inputs.locate(p) for p in exc.problems]) from None
    if problems:
        raise CaseError(problems)
    return case, inputs


# --------------------------------------------------------------------------- the report


def _num(value: Any) -> float | None:
    v = float(value)
    return None if v != v else v + 0.0  # NaN (no percentage, no movement) is a blank


def _money_row(kind: str, label: str, t: Any) -> ReportRow:
    return ReportRow(kind, [label, t.budget, t.actual_to_date, t.forecast_outturn, t.variance])


def _section(r: MonitoringResults, ring_fenced: bool) -> list[ReportRow]:
    t = r.lines
    rows: list[ReportRow] = []
    for group, totals, idx in section_groups(r, ring_fenced):
        rows.append(ReportRow("group", [group]))
        for i in idx:
            rows.append(
                ReportRow(
                    "line",
                    [
                        f"  {t.names[i]}",
                        float(t.budget[i]),
                        float(t.actual_to_date[i]),
                        float(t.forecast_outturn[i]),
                        float(t.variance[i]),
                        _num(t.variance_pct[i]),
                        RAG_LABELS[int(t.rag[i])].capitalize(),
                        _num(t.movement[i]),
                    ],
                )
            )
        rows.append(_money_row("subtotal", f"Total {group}", totals))
    return rows


def report_rows(r: MonitoringResults) -> list[ReportRow]:
    """The report as rows of 8 cells (money in £m, variance % as a fraction)."""
    c = r.case
    as_at = c.as_at_date
    rag = c.rag
    rows = [
        ReportRow(
            "title",
            [
                f"{REPORT_TITLE}: {c.directorate} {c.year}, period {c.period} "
                f"({MONTHS[c.period - 1]}), as at {as_at.day} {as_at:%B %Y}"
            ],
        ),
        ReportRow("note", [c.authority]),
        ReportRow(
            "note",
            [
                "£m; overspends positive, underspends in brackets. RAG on the variance: amber "
                f"above {rag.amber:.1%} of budget, red above {rag.red:.1%} or £{rag.red_amount:g}m"
            ],
        ),
    ]
    for sentence in headline(r):
        rows += [ReportRow("headline", [part]) for part in textwrap.wrap(sentence, HEADLINE_WIDTH)]
    rows.append(ReportRow("blank", []))
    rows.append(ReportRow("head", ["£m", *REPORT_COLUMNS]))
    rows.append(ReportRow("section", ["General Fund"]))
    rows += _section(r, ring_fenced=False)
    rows.append(_money_row("total", "General Fund total", r.general_fund))
    rf = r.ring_fenced
    if r.lines.ring_fenced.any():
        rows.append(ReportRow("blank", []))
        rows.append(ReportRow("section", ["Ring-fenced (not in the General Fund)"]))
        rows += _section(r, ring_fenced=True)
        rows.append(_money_row("total", "Ring-fenced total", rf))
        rows.append(ReportRow("blank", []))
        rows.append(ReportRow("head", ["Ring-fenced deficit", "£m"]))
        rows.append(ReportRow("deficit", ["Deficit brought forward", rf.opening_deficit]))
        rows.append(ReportRow("deficit", ["Variance in the year", rf.variance]))
        rows.append(ReportRow("total", ["Deficit carried forward", rf.closing_deficit]))
    rows.append(ReportRow("blank", []))
    rows.append(ReportRow("head", ["Risks not in the forecast", "£m"]))
    rows.append(
        ReportRow("risk", ["General Fund forecast outturn", r.general_fund.forecast_outturn])
    )
    rows += [ReportRow("risk", [f"  {name}", amount]) for name, amount in r.risks.items()]
    rows.append(ReportRow("total", ["Forecast with risks", r.forecast_with_risks]))
    if r.cost_avoided:
        rows.append(ReportRow("blank", []))
        rows.append(ReportRow("head", ["Cost avoided (not in the forecast)", "£m"]))
        rows += [ReportRow("avoided", [f"  {name}", v]) for name, v in r.cost_avoided.items()]
        rows.append(ReportRow("total", ["Total cost avoided", r.cost_avoided_total]))
    recon = [
        (name, float(v))
        for name, v in zip(r.lines.names, r.lines.reconciliation, strict=True)
        if v == v  # a driver gave its cost to date
    ]
    if recon:
        rows.append(ReportRow("blank", []))
        rows.append(ReportRow("head", ["Driver cost to date - ledger actual to date", "£m"]))
        rows += [ReportRow("reconciliation", [f"  {name}", v]) for name, v in recon]
    if r.savings.refs:
        s = r.savings
        titles = {x.ref: x.title for x in c.savings}
        rows.append(ReportRow("blank", []))
        rows.append(
            ReportRow(
                "head",
                [
                    f"Savings delivery {c.year}",
                    "Planned",
                    "Forecast",
                    "Shortfall",
                    None,
                    None,
                    "RAG",
                ],
            )
        )
        for k, ref in enumerate(s.refs):
            rows.append(
                ReportRow(
                    "saving",
                    [
                        f"{ref} {titles.get(ref, '')}".rstrip(),
                        float(s.planned[k]),
                        float(s.forecast[k]),
                        float(s.shortfall[k]) + 0.0,
                        None,
                        None,
                        RAG_LABELS[int(s.rag[k])].capitalize(),
                    ],
                )
            )
        rows.append(
            ReportRow(
                "total",
                [
                    "Total savings",
                    float(s.planned.sum()),
                    float(s.forecast.sum()),
                    float(s.shortfall.sum()) + 0.0,
                ],
            )
        )
    return rows


# --------------------------------------------------------------------------- checks


_CHECK_HEAD = ["Check (difference should be 0)", "Difference", "Status"]


def _check_rows(rows: list[ReportRow], areas: dict[str, Area]) -> Rows:
    """Formulas over the written report that show its totals tie out (built-ins only)."""
    out: Rows = [list(_CHECK_HEAD)]
    if "output_checks" not in areas or "output_report" not in areas:
        return out
    rep = areas["output_report"]

    def ref(row: int, col: int, rows_: int = 1, cols: int = 1) -> str:
        return rep.sub(row, col, rows_, cols).absolute()

    checks: list[tuple[str, str]] = []
    kinds = [row.kind for row in rows]
    labels = [row[0] for row in rows]
    lines = [i for i, kind in enumerate(kinds) if kind == "line"]
    if lines:
        terms = "+".join(f"ABS({ref(i, 4)}-({ref(i, 3)}-{ref(i, 1)}))" for i in lines)
        checks.append(("Every line: variance = forecast outturn - budget", terms))
    start: int | None = None
    subtotals: list[int] = []
    for i, kind in enumerate(kinds):
        if kind == "group":
            start = i + 1
        elif kind == "subtotal" and start is not None:
            subtotals.append(i)
            terms = "+".join(
                f"ABS({ref(i, c)}-SUM({ref(start, c, i - start, 1)}))" for c in range(1, 5)
            )
            checks.append((f"{labels[i]} = sum of its lines", terms))
        elif kind == "total" and subtotals:  # the General Fund or ring-fenced total
            terms = "+".join(
                f"ABS({ref(i, c)}-({'+'.join(ref(k, c) for k in subtotals)}))" for c in range(1, 5)
            )
            checks.append((f"{labels[i]} = sum of its groups", terms))
            subtotals = []
    if "Deficit carried forward" in labels:
        i = labels.index("Deficit carried forward")
        checks.append(
            (
                "Deficit carried forward = brought forward + variance",
                f"ABS({ref(i, 1)}-({ref(i - 2, 1)}+{ref(i - 1, 1)}))",
            )
        )
    gf = labels.index("General Fund total")
    fwr = labels.index("Forecast with risks")
    base = labels.index("General Fund forecast outturn")
    checks.append(
        (
            "Risks: General Fund forecast outturn = the General Fund total's",
            f"ABS({ref(base, 1)}-{ref(gf, 3)})",
        )
    )
    risks = f"+SUM({ref(base + 1, 1, fwr - base - 1, 1)})" if fwr > base + 1 else ""
    checks.append(
        (
            "Forecast with risks = General Fund forecast outturn + risks",
            f"ABS({ref(fwr, 1)}-({ref(gf, 3)}{risks}))",
        )
    )
    avoided = [i for i, kind in enumerate(kinds) if kind == "avoided"]
    if avoided:
        total = labels.index("Total cost avoided")
        checks.append(
            (
                "Total cost avoided = sum of the initiatives",
                f"ABS({ref(total, 1)}-SUM({ref(avoided[0], 1, len(avoided), 1)}))",
            )
        )
    saving_rows = [i for i, row in enumerate(rows) if row.kind == "saving"]
    if saving_rows:
        a, b = saving_rows[0], saving_rows[-1]
        total = b + 1
        terms = "+".join(f"ABS({ref(i, 3)}-({ref(i, 1)}-{ref(i, 2)}))" for i in saving_rows)
        checks.append(("Every saving: shortfall = planned - forecast", terms))
        checks.append(
            (
                "Total savings = sum of the savings",
                "+".join(
                    f"ABS({ref(total, c)}-SUM({ref(a, c, b - a + 1, 1)}))" for c in range(1, 4)
                ),
            )
        )
    top = areas["output_checks"]
    for k, (label, expr) in enumerate(checks, start=1):
        diff_cell = top.cell(k, 1)
        out.append(
            [label, Formula(f"=ROUND({expr},9)"), Formula(f'=IF({diff_cell}=0,"OK","CHECK")')]
        )
    return out


def _stamp(case: MonitoringCase, time: str, digest: str) -> Rows:
    return run_stamp(time, digest, f"{case.authority}: monitoring {case.year} period {case.period}")


def _makers(
    rows: list[ReportRow], case: MonitoringCase, time: str, digest: str
) -> dict[str, Callable[[dict[str, Area]], Rows]]:
    return {
        "output_report": lambda _areas: [list(r) for r in rows],
        "output_checks": lambda areas: _check_rows(rows, areas),
        "output_run_stamp": lambda _areas: _stamp(case, time, digest),
    }


# --------------------------------------------------------------------------- refresh


def refresh_monitoring(book: Book, now: str | None = None) -> RefreshResult:
    """Refresh a monitoring workbook in place; raise :class:`CaseError` (writing nothing)."""
    case, inputs = read_monitoring_case(book)
    binding = inputs.binding
    try:
        results = monitor(case)
    except MonitoringError as exc:  # a driver method with no costs
        raise CaseError([Problem(book.name, "", "lines", str(exc))]) from None
    digest = monitoring_inputs_hash(inputs.doc)
    rows = report_rows(results)
    shapes = {
        "output_report": (len(rows), _WIDTH),
        "output_checks": (len(_check_rows(rows, _dummy_areas(binding.outputs))), 3),
        "output_run_stamp": (5, 2),
    }
    areas = {k: Area.at(a.sheet, a.top, a.left, *shapes[k]) for k, a in binding.outputs.items()}
    _check_ownership(book, binding, areas)
    time = now or _kept_time(book, binding, digest) or _now()
    makers = _makers(rows, case, time, digest)
    result = RefreshResult(inputs_hash=digest, time=time)
    order = [k for k in MONITORING_OUTPUTS if k in areas]
    _write_outputs(book, binding, areas, makers, order, result)
    return result


def _dummy_areas(outputs: dict[str, Area]) -> dict[str, Area]:
    return {k: Area("x", 1, 1, 1, 1) for k in outputs}
