"""The report workbook of ``cypsxl report``: a cover, Tables 1-4 as the Cabinet report lays
them out, the bids' profiles, and native Excel charts.

Every figure comes from the engine's :class:`cypsxl.model.Results` (the row labels of
Tables 1, 3 and 4 from :func:`cypsxl.report.results_tables`, as ``cypsxl run`` prints
them); this module only places, formats and charts them. Each table has a sheet of its
own, so no table is broken across pages unless it is longer than a page, and then its
headings repeat.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.chart.axis import ChartLines
from openpyxl.chart.data_source import StrRef
from openpyxl.chart.legend import Legend
from openpyxl.chart.series import SeriesLabel
from openpyxl.worksheet.worksheet import Worksheet

from ..model import Results
from ..report import payback_label, results_tables
from .printing import (
    BOLD,
    FMT_MONEY,
    HEADING,
    NOTE,
    TITLE,
    fit_columns,
    print_setup,
    write_grid,
)

__all__ = ["ReportInfo", "bar_chart", "build_report", "chart_sheet", "line_chart", "zero_based"]

#: Chart size on a landscape A4 page, two charts one above the other (cm).
CHART_WIDTH, CHART_HEIGHT = 23.5, 8.2
#: Rows a chart of CHART_HEIGHT covers (default row height 15 points = 0.53 cm).
CHART_ROWS = 17


@dataclass(frozen=True)
class ReportInfo:
    """What the cover sheet says besides the case: date, engine version, case hash."""

    date: dt.date
    version: str
    case_hash: str
    title: str = "Medium Term Financial Strategy update: Children and Young People's Services"


def _floats(values: Any) -> list[float]:
    return [float(v) + 0.0 for v in np.asarray(values, dtype=np.float64).ravel()]


def _title(ws: Worksheet, title: str, note: str) -> None:
    ws.cell(1, 1, title).font = TITLE
    ws.cell(2, 1, note).font = NOTE


def _cover(
    ws: Worksheet, r: Results, info: ReportInfo, contents: Sequence[tuple[str, str]]
) -> None:
    case = r.case
    ws.cell(1, 1, info.title).font = TITLE
    ws.cell(2, 1, case.name).font = HEADING
    rows = [
        ("Authority", case.authority),
        ("Directorate", case.directorate),
        ("Plan years", f"{case.years[0]} to {case.years[-1]}"),
        ("MTFS years", f"{case.mtfs_years[0]} to {case.mtfs_years[-1]}"),
        ("Date", info.date.strftime("%d %B %Y").lstrip("0")),
        ("Produced by", f"cypsxl {info.version}"),
        ("Case hash (SHA-256 of the inputs)", info.case_hash),
    ]
    for i, (label, value) in enumerate(rows, start=4):
        ws.cell(i, 1, label).font = BOLD
        cell = ws.cell(i, 2, value)
        cell.data_type = "s"
    top = 5 + len(rows)
    ws.cell(top, 1, "Contents").font = HEADING
    for i, (sheet, what) in enumerate(contents, start=top + 1):
        ws.cell(i, 1, sheet)
        ws.cell(i, 2, what)
    note = top + len(contents) + 2
    ws.cell(note, 1, "Money in £m to 3 decimals; savings and net savings in brackets.").font = NOTE
    ws.column_dimensions["A"].width = 36
    ws.column_dimensions["B"].width = 72
    print_setup(ws, info.title, landscape=True)


def _table_sheet(
    ws: Worksheet,
    title: str,
    note: str,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    formats: Sequence[str | None],
    total_rows: Sequence[int],
    report_title: str,
    text_cols: int = 1,
) -> None:
    _title(ws, title, note)
    write_grid(ws, 4, header, rows, formats, total_rows, text_cols)
    fit_columns(ws, minimum=10, maximum=70, skip_rows=(1, 2))
    ws.freeze_panes = "A5"
    print_setup(ws, report_title, "1:4")


def _text_rows(text_rows: Sequence[tuple[str, Any, str]]) -> list[list[Any]]:
    return [[label, *_floats(values)] for label, values, _extra in text_rows]


def _table1(ws: Worksheet, r: Results, title: str) -> None:
    t = results_tables(r)[0]
    rows = _text_rows(t.rows)
    n = len(r.case.years)
    _table_sheet(
        ws,
        "Table 1: CYPS budget",
        "£m; savings in brackets. Net forecast = net budget + pressures + investment - "
        "savings; funding support = net forecast - net budget.",
        ["£m", *r.case.years],
        rows,
        [None, *[FMT_MONEY] * n],
        [len(rows) - 2, len(rows) - 1],
        title,
    )


def _table2(ws: Worksheet, r: Results, title: str) -> None:
    t, years = r.bids, list(r.case.years)
    rows: list[list[Any]] = [
        [
            bid.ref,
            bid.title,
            *_floats(t.net[i]),
            payback_label(int(t.payback_year[i]), years),
            payback_label(int(t.breakeven_year[i]), years),
        ]
        for i, bid in enumerate(r.case.bids)
    ]
    rows.append(["Total", "", *_floats(t.net.sum(axis=0)), "", ""])
    _table_sheet(
        ws,
        "Table 2: Investment bids, net (investment - saving)",
        "£m; net savings in brackets. Payback: the first year the net is negative; "
        "break-even: the first year the cumulative net is negative.",
        ["Ref", "Bid", *years, "Payback year", "Break-even year"],
        rows,
        [None, None, *[FMT_MONEY] * len(years), None, None],
        [len(rows) - 1],
        title,
        text_cols=2,
    )


def _table3(ws: Worksheet, r: Results, title: str) -> None:
    t = results_tables(r)[2]
    rows = _text_rows(t.rows)
    _table_sheet(
        ws,
        "Table 3: Total additional funding",
        "£m by MTFS year: CYPS pressures, CYPS net investment and other directorates' proposals.",
        ["£m", *r.case.mtfs_years],
        rows,
        [None, *[FMT_MONEY] * len(r.case.mtfs_years)],
        [len(rows) - 1],
        title,
    )


def _table4(ws: Worksheet, r: Results, title: str) -> None:
    t = results_tables(r)[3]
    rows = _text_rows(t.rows)
    first = (
        "the first year's extra funding is one-off, from reserves"
        if r.case.mtfs.current_year_funded_from_reserves
        else "the first year's extra funding is recurring"
    )
    _table_sheet(
        ws,
        "Table 4: Revised funding gap",
        f"£m by MTFS year, new gap arising each year; {first}.",
        ["£m", *r.case.mtfs_years],
        rows,
        [None, *[FMT_MONEY] * len(r.case.mtfs_years)],
        [len(rows) - 1],
        title,
    )
    if not r.case.mtfs.current_year_funded_from_reserves:
        return  # reserves are drawn only when the case says so
    below = 4 + len(rows) + 2
    ws.cell(below, 1, "Reserves drawn in the first year")
    cell = ws.cell(below, 2, float(r.gap.reserve_draw) + 0.0)
    cell.number_format = FMT_MONEY


def _profiles(ws: Worksheet, r: Results, title: str) -> tuple[int, int]:
    """Cumulative net by bid and the programme, then gross savings; returns the rows of
    the cumulative block's first bid and its programme total."""
    t, years = r.bids, list(r.case.years)
    rows: list[list[Any]] = [
        [bid.ref, bid.title, *_floats(t.cumulative_net[i])] for i, bid in enumerate(r.case.bids)
    ]
    rows.append(["Programme", "All bids", *_floats(t.cumulative_net.sum(axis=0))])
    _title(
        ws,
        "Investment bids: cumulative net by year",
        "£m; below zero the bid has saved more than it cost so far (net saving in brackets).",
    )
    fmts = [None, None, *[FMT_MONEY] * len(years)]
    grid = write_grid(ws, 4, ["Ref", "Bid", *years], rows, fmts, [len(rows) - 1], text_cols=2)
    top = grid.last_row + 3
    ws.cell(top - 1, 1, "Gross saving / cost avoidance by bid (£m)").font = HEADING
    savings = [
        [bid.ref, bid.title, *_floats(t.gross_saving[i])] for i, bid in enumerate(r.case.bids)
    ]
    savings.append(["Total", "", *_floats(t.gross_saving.sum(axis=0))])
    write_grid(ws, top, ["Ref", "Bid", *years], savings, fmts, [len(savings) - 1], text_cols=2)
    fit_columns(ws, minimum=10, maximum=70, skip_rows=(1, 2, top - 1))
    ws.freeze_panes = "A5"
    print_setup(ws, title, "1:4")
    return grid.first_row, grid.last_row


def _placements(ws: Worksheet, r: Results, title: str) -> None:
    """Placements by type now (children x weekly cost x weeks) and, with a trend, the
    looked-after children and their cost by year at today's mix."""
    p = r.placements
    assert p is not None
    weeks = r.case.assumptions.weeks_per_year
    _title(ws, "Placements: annual cost now", f"Children x weekly cost (£) x {weeks:g} weeks; £m.")
    rows: list[list[Any]] = [
        [_type_label(k), float(p.counts[i]), float(p.weekly_cost[i]), float(p.annual_cost[i])]
        for i, k in enumerate(p.types)
    ]
    rows.append(["Total placements now", float(p.counts.sum()), "", float(p.annual_cost.sum())])
    header = ["Placement type", "Children", "Weekly cost (£)", "£m a year"]
    fmts = [None, "#,##0", '"£"#,##0', FMT_MONEY]
    grid = write_grid(ws, 4, header, rows, fmts, [len(rows) - 1])
    if p.lac_numbers is not None and p.projected_cost is not None:
        top = grid.last_row + 3
        ws.cell(top - 1, 1, "Looked-after children on trend, priced at today's mix").font = HEADING
        trend = [
            ["Looked-after children", *(float(x) for x in p.lac_numbers)],
            ["Cost of placements (£m)", *_floats(p.projected_cost)],
        ]
        g = write_grid(ws, top, ["", *r.case.years], trend)
        for k in range(len(r.case.years)):
            ws.cell(g.first_row, 2 + k).number_format = "#,##0"
            ws.cell(g.first_row + 1, 2 + k).number_format = FMT_MONEY
    fit_columns(ws, minimum=11, maximum=60, skip_rows=(1, 2, grid.last_row + 2))
    print_setup(ws, title, "1:4")


def _type_label(key: str) -> str:
    labels = {"ifa": "IFA", "sgo": "SGO", "in_house_fostering": "In-house fostering"}
    return labels.get(key, key.replace("_", " ").capitalize())


def _axes(chart: BarChart | LineChart, y_title: str, x_title: str) -> None:
    chart.y_axis.title = y_title
    chart.x_axis.title = x_title
    chart.y_axis.number_format = "#,##0.0"
    chart.y_axis.majorGridlines = ChartLines()
    chart.x_axis.delete = False  # Excel hides an axis whose delete is left out
    chart.y_axis.delete = False
    chart.x_axis.tickLblPos = "low"  # year labels below the plot, clear of negative bars
    chart.legend = Legend()
    chart.legend.position = "b"
    chart.width, chart.height = CHART_WIDTH, CHART_HEIGHT


def line_chart(title: str, y_title: str, x_title: str = "Financial year") -> LineChart:
    """A line chart with titled axes and the legend below (straight lines, markers)."""
    chart = LineChart()
    chart.title = title
    _axes(chart, y_title, x_title)
    return chart


def bar_chart(
    title: str, y_title: str, x_title: str = "Financial year", stacked: bool = False
) -> BarChart:
    """A column chart with titled axes and the legend below (stacked if asked)."""
    chart = BarChart()
    chart.type = "col"
    chart.title = title
    if stacked:
        chart.grouping = "stacked"
        chart.overlap = 100
    _axes(chart, y_title, x_title)
    return chart


def zero_based(chart: BarChart, values: Any) -> None:
    """Start the value axis at 0 when no value is negative (columns cut short at the
    bottom would overstate the differences between them)."""
    if float(np.min(np.asarray(values, dtype=np.float64))) >= 0:
        chart.y_axis.scaling.min = 0


def _straight(chart: LineChart) -> None:
    for series in chart.series:
        series.smooth = False


def chart_sheet(ws: Worksheet, title: str, charts: Sequence[Any], report_title: str) -> None:
    """Up to two charts one above the other, the sheet printed on one landscape page."""
    ws.cell(1, 1, title).font = TITLE
    for k, chart in enumerate(charts):
        ws.add_chart(chart, f"A{3 + k * (CHART_ROWS + 1)}")
    last_row = 2 + len(charts) * (CHART_ROWS + 1)
    for col in "ABCDEFGHIJKL":  # 12 columns of 10 = 23.8 cm, the charts' width
        ws.column_dimensions[col].width = 10.0
    print_setup(ws, report_title, print_area=f"A1:L{last_row}")
    ws.page_setup.fitToHeight = 1


def _rows_ref(ws: Worksheet, first_row: int, last_row: int, first_col: int, last_col: int) -> Any:
    return Reference(ws, min_col=first_col, min_row=first_row, max_col=last_col, max_row=last_row)


def _funding_charts(wb: Workbook, r: Results, title: str) -> None:
    m = len(r.case.mtfs_years)
    n = len(r.case.years)
    t4, t1 = wb["Table 4"], wb["Table 1"]
    gap = bar_chart("Funding gap by MTFS year: base and revised (£m)", "£m")
    # Table 4 rows 5 (base) and 7 (revised), MTFS years in columns B onwards
    for row in (5, 7):
        gap.add_data(_rows_ref(t4, row, row, 1, 1 + m), from_rows=True, titles_from_data=True)
    gap.set_categories(_rows_ref(t4, 4, 4, 2, 1 + m))
    zero_based(gap, np.concatenate([r.gap.base, r.gap.revised]))
    support = bar_chart("CYPS funding support by year (£m)", "£m")
    last = t1.max_row  # Table 1's last row is the funding support
    support.add_data(_rows_ref(t1, last, last, 1, 1 + n), from_rows=True, titles_from_data=True)
    support.set_categories(_rows_ref(t1, 4, 4, 2, 1 + n))
    zero_based(support, r.budget.funding_support)
    chart_sheet(wb.create_sheet("Funding charts"), "Funding gap and funding support",
                [gap, support], title)  # fmt: skip


def _bid_charts(wb: Workbook, r: Results, title: str, first: int, total: int) -> None:
    n = len(r.case.years)
    prof, t1 = wb["Bid profiles"], wb["Table 1"]
    lines = line_chart("Cumulative net by bid and for the programme (£m)",
                       "£m (below 0 = net saving)")  # fmt: skip
    for row in range(first, total + 1):  # named by the ref in column A, values from C
        values = _rows_ref(prof, row, row, 3, 2 + n)
        label = SeriesLabel(strRef=StrRef(f"'Bid profiles'!$A${row}"))
        lines.series.append(Series(values, title=None))
        lines.series[-1].tx = label
    lines.set_categories(_rows_ref(prof, 4, 4, 3, 2 + n))
    _straight(lines)
    lines.series[-1].graphicalProperties.line.width = 38100  # the programme, 3 pt
    lines.legend.position = "r"
    stacked = bar_chart("Table 1: CYPS budget build-up by year (£m)", "£m", stacked=True)
    n_parts = len(r.pressures_by_line) + 3  # net budget, pressures, investment, savings
    stacked.add_data(_rows_ref(t1, 5, 4 + n_parts, 1, 1 + n), from_rows=True,
                     titles_from_data=True)  # fmt: skip
    stacked.set_categories(_rows_ref(t1, 4, 4, 2, 1 + n))
    chart_sheet(wb.create_sheet("Bid charts"), "Investment bids and the CYPS budget",
                [lines, stacked], title)  # fmt: skip


CONTENTS = (
    ("Table 1", "CYPS budget: net budget, pressures, investment, savings, funding support"),
    ("Table 2", "Investment bids: net by year, payback and break-even years"),
    ("Table 3", "Total additional funding by MTFS year"),
    ("Table 4", "Revised funding gap by MTFS year"),
    ("Bid profiles", "Cumulative net and gross saving by bid"),
    ("Funding charts", "Funding gap (base and revised); funding support"),
    ("Bid charts", "Cumulative net by bid; Table 1 as stacked columns"),
)


def build_report(r: Results, info: ReportInfo) -> Workbook:
    """The report workbook of a case's results.

    >>> from cypsxl import load_case, run_case
    >>> info = ReportInfo(dt.date(2016, 11, 23), "0.0", "ab" * 32)
    >>> wb = build_report(run_case(load_case()), info)
    >>> wb.sheetnames[:3], wb["Table 4"]["A7"].value
    (['Cover', 'Table 1', 'Table 2'], 'Revised funding gap')
    """
    title = f"{r.case.authority}: {info.title}" if r.case.authority else info.title
    wb = Workbook()
    _cover(wb.active, r, info, CONTENTS)
    wb.active.title = "Cover"
    _table1(wb.create_sheet("Table 1"), r, title)
    _table2(wb.create_sheet("Table 2"), r, title)
    _table3(wb.create_sheet("Table 3"), r, title)
    _table4(wb.create_sheet("Table 4"), r, title)
    first, total = _profiles(wb.create_sheet("Bid profiles"), r, title)
    if r.placements is not None:
        _placements(wb.create_sheet("Placements"), r, title)
    _funding_charts(wb, r, title)
    _bid_charts(wb, r, title, first, total)
    wb.properties.creator = "cypsxl"
    wb.properties.title = title
    return wb
