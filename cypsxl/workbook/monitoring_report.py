"""The monitoring report workbook of ``cypsxl report MONITORING_CASE``: a cover with the
headline sentences, the summary by group and line with RAG fills, the General Fund and
ring-fenced totals, risks and savings delivery, and native Excel charts.

Every figure comes from :class:`cypsxl.model.monitoring.MonitoringResults` (and, for
looked-after children by month, from counts the caller gives); the sentences and labels
from :mod:`cypsxl.monitoring_report`, as ``cypsxl monitor`` prints them. This module only
places, formats and charts them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import Reference, Series
from openpyxl.chart.marker import DataPoint
from openpyxl.styles import Alignment, Border, Side
from openpyxl.worksheet.worksheet import Worksheet

from ..model.monitoring import MONTHS, RAG_LABELS, MonitoringResults, Totals
from ..monitoring_report import REPORT_COLUMNS, headline, section_groups
from .printing import (
    BOLD,
    FMT_MONEY,
    HEADING,
    NOTE,
    RAG_FILLS,
    TITLE,
    fit_columns,
    print_setup,
    write_grid,
)
from .report import ReportInfo, bar_chart, chart_sheet, line_chart

__all__ = ["LacByMonth", "build_monitoring_report"]

FMT_PCT = '0.0%;(0.0%);"-"'
#: Bar colours of a RAG rating in the variance chart.
RAG_COLOURS = {"green": "00B050", "amber": "FFC000", "red": "C00000"}
_THIN = Side(style="thin")
_INDENT = Alignment(indent=1)


@dataclass(frozen=True)
class LacByMonth:
    """Looked-after children at each month end, from a placement register or SSDA903."""

    months: tuple[str, ...]
    children: tuple[float, ...]
    basis: str


def _f(value: float) -> float | str:
    """A figure for a cell: the number, or "-" where there is none (NaN)."""
    v = float(value)
    return v + 0.0 if math.isfinite(v) else "-"


def _title(r: MonitoringResults) -> str:
    c = r.case
    return (
        f"{c.directorate}: budget monitoring {c.year}, period {c.period} ({MONTHS[c.period - 1]})"
    )


def _legend(r: MonitoringResults) -> str:
    c = r.case
    amount = f" or £{c.rag.red_amount:g}m" if math.isfinite(c.rag.red_amount) else ""
    return (
        "£m; overspends positive, underspends in brackets. RAG on the variance: amber above "
        f"{c.rag.amber:.1%} of budget, red above {c.rag.red:.1%}{amount}."
    )


def _cover(ws: Worksheet, r: MonitoringResults, info: ReportInfo) -> None:
    c = r.case
    ws.cell(1, 1, c.authority).font = TITLE
    ws.cell(2, 1, _title(r)).font = HEADING
    as_at = c.as_at_date
    rows = [
        ("Authority", c.authority),
        ("Directorate", c.directorate),
        ("Financial year", c.year),
        ("Period", f"{c.period} ({MONTHS[c.period - 1]})"),
        ("As at", f"{as_at.day} {as_at:%B %Y}"),
        ("Date", f"{info.date.day} {info.date:%B %Y}"),
        ("Produced by", f"cypsxl {info.version}"),
        ("Case hash (SHA-256)", info.case_hash),
    ]
    for i, (label, value) in enumerate(rows, start=4):
        ws.cell(i, 1, label).font = BOLD
        ws.cell(i, 2, value).data_type = "s"
    top = 5 + len(rows)
    ws.cell(top, 1, "Summary").font = HEADING
    for i, sentence in enumerate(headline(r), start=top + 1):
        ws.cell(i, 1, sentence)
        ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=2)
    note = top + len(headline(r)) + 2
    ws.cell(note, 1, _legend(r)).font = NOTE
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 94
    for i in range(top + 1, top + 1 + len(headline(r))):
        cell = ws.cell(i, 1)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        lines = math.ceil(len(str(cell.value)) * 1.05 / 116)
        ws.row_dimensions[i].height = 15.0 * max(1, lines)
    print_setup(ws, _title(r))


def _line_cells(r: MonitoringResults, i: int) -> list[Any]:
    t = r.lines
    return [
        t.names[i],
        float(t.budget[i]) + 0.0,
        float(t.actual_to_date[i]) + 0.0,
        float(t.forecast_outturn[i]) + 0.0,
        float(t.variance[i]) + 0.0,
        _f(t.variance_pct[i]),
        RAG_LABELS[int(t.rag[i])].capitalize(),
        _f(t.movement[i]),
    ]


def _total_cells(label: str, t: Totals) -> list[Any]:
    return [label, t.budget, t.actual_to_date, t.forecast_outturn, t.variance, "", "", ""]


def _summary_rows(
    r: MonitoringResults, ring_fenced: bool
) -> tuple[list[list[Any]], dict[int, str]]:
    """Rows of one part of the summary and each row's kind (group, line, subtotal)."""
    rows: list[list[Any]] = []
    kinds: dict[int, str] = {}
    for group, totals, idx in section_groups(r, ring_fenced):
        kinds[len(rows)] = "group"
        rows.append([group])
        for i in idx:
            kinds[len(rows)] = "line"
            rows.append(_line_cells(r, i))
        kinds[len(rows)] = "subtotal"
        rows.append(_total_cells(f"Total {group}", totals))
        rows.append([])  # a blank row after each group
    return rows, kinds


_FORMATS = [None, FMT_MONEY, FMT_MONEY, FMT_MONEY, FMT_MONEY, FMT_PCT, None, FMT_MONEY]


def _style_rows(ws: Worksheet, top: int, kinds: dict[int, str], width: int) -> None:
    for k, kind in kinds.items():
        row = top + k
        if kind == "group":
            ws.cell(row, 1).font = BOLD
        elif kind == "line":
            ws.cell(row, 1).alignment = _INDENT
            rag = ws.cell(row, 7)
            rag.fill = RAG_FILLS[str(rag.value).lower()]
            rag.alignment = Alignment(horizontal="center")
            for col in (6, 8):
                if ws.cell(row, col).value == "-":
                    ws.cell(row, col).alignment = Alignment(horizontal="right")
        elif kind == "subtotal":
            for col in range(1, width + 1):
                ws.cell(row, col).font = BOLD
                ws.cell(row, col).border = Border(top=_THIN)


def _summary(ws: Worksheet, r: MonitoringResults) -> None:
    ws.cell(1, 1, f"{_title(r)}: summary by group and line").font = TITLE
    ws.cell(2, 1, _legend(r)).font = NOTE
    header = ["£m", *REPORT_COLUMNS]
    rows, kinds = _summary_rows(r, ring_fenced=False)
    rows.append(_total_cells("General Fund total", r.general_fund))
    grid = write_grid(ws, 4, header, rows, _FORMATS, [len(rows) - 1])
    _style_rows(ws, grid.first_row, kinds, len(header))
    ws.cell(grid.first_row - 1, 7).alignment = Alignment(horizontal="center")
    row = grid.last_row + 3
    if r.lines.ring_fenced.any():
        rf = r.ring_fenced
        ws.cell(row - 1, 1, "Ring-fenced (not in the General Fund)").font = HEADING
        rows, kinds = _summary_rows(r, ring_fenced=True)
        totals = Totals(rf.budget, rf.actual_to_date, rf.forecast_outturn, rf.variance)
        rows.append(_total_cells("Ring-fenced total", totals))
        rows.append([])
        rows.append(["Deficit brought forward", "", "", "", rf.opening_deficit])
        rows.append(["Variance in the year", "", "", "", rf.variance])
        rows.append(["Deficit carried forward", "", "", "", rf.closing_deficit])
        g = write_grid(ws, row, header, rows, _FORMATS, [len(rows) - 5, len(rows) - 1])
        _style_rows(ws, g.first_row, kinds, len(header))
        ws.cell(g.first_row - 1, 7).alignment = Alignment(horizontal="center")
    fit_columns(ws, minimum=11, maximum=60, skip_rows=(1, 2))
    ws.freeze_panes = "A5"
    print_setup(ws, _title(r), "1:4")


def _risks_and_savings(ws: Worksheet, r: MonitoringResults) -> int:
    """Risks, then savings delivery; returns the first row of the savings' figures."""
    ws.cell(1, 1, f"{_title(r)}: risks, cost avoided and savings delivery").font = TITLE
    ws.cell(2, 1, "£m. Risks and cost avoided are not in the forecast; a saving's shortfall = "
            "planned - forecast.")  # fmt: skip
    ws.cell(2, 1).font = NOTE
    row = 4
    if r.risks:
        ws.cell(row, 1, "Risks not in the forecast").font = HEADING
        rows: list[list[Any]] = [
            ["General Fund forecast outturn", "", r.general_fund.forecast_outturn]
        ]
        rows += [[name, "", amount] for name, amount in r.risks.items()]
        rows.append(["Forecast with risks", "", r.forecast_with_risks])
        g = write_grid(ws, row + 1, ["", "", "Amount"], rows, [None, None, FMT_MONEY],
                       [len(rows) - 1])  # fmt: skip
        for k in range(1, len(rows) - 1):
            ws.cell(g.first_row + k, 1).alignment = _INDENT
        row = g.last_row + 3
    if r.cost_avoided:
        ws.cell(
            row, 1, "Cost avoided compared with doing nothing (not in the forecast)"
        ).font = HEADING
        rows = [[name, "", amount] for name, amount in r.cost_avoided.items()]
        rows.append(["Total cost avoided", "", r.cost_avoided_total])
        g = write_grid(ws, row + 1, ["", "", "Amount"], rows, [None, None, FMT_MONEY],
                       [len(rows) - 1])  # fmt: skip
        row = g.last_row + 3
    first = row + 2
    if r.savings.refs:
        s = r.savings
        titles = {x.ref: x.title for x in r.case.savings}
        ws.cell(row, 1, "Savings delivery").font = HEADING
        rows = [
            [
                ref,
                titles.get(ref, ""),
                float(s.planned[k]),
                float(s.forecast[k]),
                float(s.shortfall[k]),
                RAG_LABELS[int(s.rag[k])].capitalize(),
            ]
            for k, ref in enumerate(s.refs)
        ]
        rows.append(
            ["Total", "", float(s.planned.sum()), float(s.forecast.sum()),
             float(s.shortfall.sum()), ""]
        )  # fmt: skip
        header = ["Ref", "Saving", "Planned", "Forecast", "Shortfall", "RAG"]
        fmts = [None, None, FMT_MONEY, FMT_MONEY, FMT_MONEY, None]
        g = write_grid(ws, row + 1, header, rows, fmts, [len(rows) - 1], text_cols=2)
        for k in range(len(rows) - 1):
            cell = ws.cell(g.first_row + k, 6)
            cell.fill = RAG_FILLS[str(cell.value).lower()]
            cell.alignment = Alignment(horizontal="center")
        ws.cell(g.header_row, 6).alignment = Alignment(horizontal="center")
    if not r.risks and not r.savings.refs and not r.cost_avoided:
        ws.cell(row, 1, "The case has no risks, cost avoided or savings to track.")
    fit_columns(ws, minimum=11, maximum=60, skip_rows=(1, 2))
    print_setup(ws, _title(r))
    return first


def _variance_sheet(ws: Worksheet, r: MonitoringResults) -> int:
    """Variance by line (ring-fenced lines marked), the variance chart's data."""
    t = r.lines
    ws.cell(1, 1, f"{_title(r)}: variance by line").font = TITLE
    ws.cell(2, 1, _legend(r)).font = NOTE
    rows = [
        [
            t.names[i],
            t.groups[i] + (" (ring-fenced)" if t.ring_fenced[i] else ""),
            float(t.variance[i]) + 0.0,
            RAG_LABELS[int(t.rag[i])].capitalize(),
        ]
        for i in range(len(t.names))
    ]
    g = write_grid(ws, 4, ["Line", "Group", "Variance", "RAG"], rows,
                   [None, None, FMT_MONEY, None], text_cols=2)  # fmt: skip
    for k in range(len(rows)):
        cell = ws.cell(g.first_row + k, 4)
        cell.fill = RAG_FILLS[str(cell.value).lower()]
        cell.alignment = Alignment(horizontal="center")
    ws.cell(g.header_row, 4).alignment = Alignment(horizontal="center")
    fit_columns(ws, minimum=11, maximum=60, skip_rows=(1, 2))
    ws.freeze_panes = "A5"
    print_setup(ws, _title(r), "1:4")
    return g.first_row


def _movement_rows(r: MonitoringResults) -> list[int]:
    """Lines with last period's forecast (the history there is)."""
    return [i for i, m in enumerate(r.lines.movement) if math.isfinite(float(m))]


def _movement_sheet(ws: Worksheet, r: MonitoringResults, idx: Sequence[int]) -> int:
    t, p = r.lines, r.case.period
    ws.cell(1, 1, f"{_title(r)}: forecast outturn by period").font = TITLE
    ws.cell(2, 1, "£m; lines with last period's forecast. Movement = this period - last.")
    ws.cell(2, 1).font = NOTE
    last, this = f"Period {p - 1} ({MONTHS[p - 2]})", f"Period {p} ({MONTHS[p - 1]})"
    if p == 1:
        last = "Last forecast"
    rows = [
        [
            t.names[i],
            float(t.forecast_outturn[i] - t.movement[i]) + 0.0,
            float(t.forecast_outturn[i]) + 0.0,
            float(t.movement[i]) + 0.0,
            float(t.budget[i]) + 0.0,
        ]
        for i in idx
    ]
    g = write_grid(
        ws, 4, ["Line", last, this, "Movement", "Budget"], rows, [None, *[FMT_MONEY] * 4]
    )
    fit_columns(ws, minimum=11, maximum=60, skip_rows=(1, 2))
    print_setup(ws, _title(r), "1:4")
    return g.first_row


def _lac_sheet(ws: Worksheet, r: MonitoringResults, lac: LacByMonth) -> int:
    ws.cell(1, 1, f"{_title(r)}: looked-after children by month").font = TITLE
    ws.cell(2, 1, f"Children in placement at each month end ({lac.basis}).").font = NOTE
    rows = [[m, n] for m, n in zip(lac.months, lac.children, strict=True)]
    g = write_grid(ws, 4, ["Month", "Children"], rows, [None, "#,##0"])
    fit_columns(ws, minimum=12, maximum=60, skip_rows=(1, 2))
    print_setup(ws, _title(r), "1:4")
    return g.first_row


def _variance_chart(wb: Workbook, r: MonitoringResults, first: int) -> Any:
    ws, n = wb["Variance by line"], len(r.lines.names)
    chart = bar_chart("Variance by line (£m; overspend > 0)", "£m", x_title="Service line")
    chart.type = "bar"  # horizontal bars: the line names read across
    values = Reference(ws, min_col=3, min_row=first, max_row=first + n - 1)
    series = Series(values, title="Variance")
    for k, code in enumerate(r.lines.rag):
        point = DataPoint(idx=k)
        point.graphicalProperties.solidFill = RAG_COLOURS[RAG_LABELS[int(code)]]
        series.dPt.append(point)
    chart.series.append(series)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=first + n - 1))
    chart.x_axis.scaling.orientation = "maxMin"  # lines in table order, top down
    chart.y_axis.crosses = "max"  # ... with the £m axis still below them
    chart.legend = None
    return chart


def build_monitoring_report(
    r: MonitoringResults, info: ReportInfo, lac: LacByMonth | None = None
) -> Workbook:
    """The monitoring report workbook of a period's results (and LAC by month, if given).

    >>> import datetime as dt
    >>> from cypsxl.model.monitoring import MonitoringCase, MonitoringLine, monitor
    >>> case = MonitoringCase("N", "2025/26", 7, (MonitoringLine("A", "G", 1.0, 0.7),))
    >>> wb = build_monitoring_report(monitor(case), ReportInfo(dt.date(2025, 11, 5), "0", "0"))
    >>> wb.sheetnames
    ['Cover', 'Summary', 'Risks and savings', 'Variance by line', 'Charts']
    """
    wb = Workbook()
    cover = wb.active
    cover.title = "Cover"
    _cover(cover, r, info)
    _summary(wb.create_sheet("Summary"), r)
    _risks_and_savings(wb.create_sheet("Risks and savings"), r)
    first = _variance_sheet(wb.create_sheet("Variance by line"), r)
    charts = [_variance_chart(wb, r, first)]
    idx = _movement_rows(r)
    if idx:
        ws = wb.create_sheet("Forecast by period")
        top = _movement_sheet(ws, r, idx)
        chart = bar_chart("Forecast outturn: last period and this (£m)", "£m", "Service line")
        for col in (2, 3):
            ref = Reference(ws, min_col=col, min_row=top - 1, max_row=top + len(idx) - 1)
            chart.add_data(ref, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=top, max_row=top + len(idx) - 1))
        charts.append(chart)
    if lac is not None and lac.months:
        ws = wb.create_sheet("Looked-after children")
        top = _lac_sheet(ws, r, lac)
        chart = line_chart("Looked-after children at each month end", "Children", "Month")
        chart.y_axis.number_format = "#,##0"
        ref = Reference(ws, min_col=2, min_row=top - 1, max_row=top + len(lac.months) - 1)
        chart.add_data(ref, titles_from_data=True)
        chart.set_categories(
            Reference(ws, min_col=1, min_row=top, max_row=top + len(lac.months) - 1)
        )
        for series in chart.series:
            series.smooth = False
        charts.append(chart)
    for k in range(0, len(charts), 2):
        name = "Charts" if k == 0 else f"Charts {k // 2 + 1}"
        chart_sheet(wb.create_sheet(name), _title(r), charts[k : k + 2], _title(r))
    wb.properties.creator = "cypsxl"
    wb.properties.title = _title(r)
    return wb
