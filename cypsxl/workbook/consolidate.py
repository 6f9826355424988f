"""The consolidated workbook of a bid collection: bids, profiles, Tables 1-2, errors.

Every figure comes from the engine (:class:`cypsxl.model.Results`); this module only lays
them out as native Excel tables. Text from the bids is written as string cells, so a
title such as ``=HYPERLINK(...)`` stays text and no spreadsheet executes it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from openpyxl import Workbook
from openpyxl.chart import Reference, Series
from openpyxl.chart.data_source import StrRef
from openpyxl.chart.series import SeriesLabel
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from ..errors import NonFiniteError
from ..model import Results
from ..report import payback_label, results_tables
from .printing import BOLD, FONT, NOTE, TITLE, fit_columns, print_setup, wrap_columns, write_grid
from .reader import CollectResult
from .report import chart_sheet, line_chart
from .template import FIXED_TIMESTAMP, FMT_MONEY, put_text, save_deterministic

__all__ = ["write_consolidated"]

_BOLD = BOLD
_TITLE = TITLE
_LINK = Font(name=FONT, color="0563C1", underline="single")


def _put(ws: Worksheet, row: int, col: int, value: Any, fmt: str | None = None) -> None:
    cell = ws.cell(row, col)
    if isinstance(value, str):
        put_text(cell, value)
    elif isinstance(value, float | np.floating) and not np.isfinite(value):
        raise NonFiniteError(f"{ws.title}!{cell.coordinate} would hold {value}; nothing written")
    else:
        cell.value = value
        if fmt and value is not None:
            cell.number_format = fmt


def _grid(
    ws: Worksheet,
    first_row: int,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    formats: dict[int, str],
) -> None:
    """A bold header row at ``first_row`` and the rows below it (column j formatted by
    ``formats[j]``, 1-based)."""
    for j, title in enumerate(header, start=1):
        _put(ws, first_row, j, title)
        ws.cell(first_row, j).font = _BOLD
    for i, row in enumerate(rows, start=first_row + 1):
        for j, value in enumerate(row, start=1):
            _put(ws, i, j, value, formats.get(j))


def _table(
    ws: Worksheet,
    name: str,
    header: Sequence[str],
    rows: list[list[Any]],
    formats: dict[int, str],
    first_row: int = 1,
) -> None:
    """Write a header and rows, and make them a native Excel table (if there are rows)."""
    _grid(ws, first_row, header, rows, formats)
    fit_columns(ws, minimum=10, maximum=60)
    if rows:
        ref = f"A{first_row}:{get_column_letter(len(header))}{first_row + len(rows)}"
        table = Table(displayName=name, ref=ref)
        table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        ws.add_table(table)
    ws.freeze_panes = ws.cell(first_row + 1, 1)


def _year(value: int, years: list[str]) -> str:
    return payback_label(value, years)


def _bids_sheet(ws: Worksheet, collected: CollectResult, results: Results | None) -> None:
    header = [
        "Ref",
        "Title",
        "Service area",
        "Directorate",
        "Cabinet member",
        "Investment (£m, all years)",
        "Gross saving (£m, all years)",
        "Net (£m, all years)",
        "Payback year",
        "Break-even year",
        "File",
    ]
    rows = []
    table = results.bids if results is not None else None
    years = list(results.case.years) if results is not None else []
    for bid in collected.bids:
        figures: list[Any] = [None] * 5
        if table is not None and bid.ref in table.refs:
            i = table.row(bid.ref)
            figures = [
                float(table.investment[i].sum()),
                float(table.gross_saving[i].sum()),
                float(table.net[i].sum()),
                _year(int(table.payback_year[i]), years),
                _year(int(table.breakeven_year[i]), years),
            ]
        rows.append(
            [
                bid.ref,
                bid.title,
                bid.service_area,
                bid.directorate,
                bid.cabinet_member,
                *figures,
                collected.files.get(bid.ref, ""),
            ]
        )
    _table(ws, "Bids", header, rows, {6: FMT_MONEY, 7: FMT_MONEY, 8: FMT_MONEY})
    widths = {1: 12, 2: 34, 3: 22, 4: 22, 5: 18, 6: 13, 7: 13, 8: 13, 9: 14, 10: 14, 11: 28}
    wrap_columns(ws, widths)


def _profiles_sheet(ws: Worksheet, results: Results) -> None:
    years = list(results.case.years)
    t = results.bids
    rows = []
    for i, ref in enumerate(t.refs):
        for label, values in (
            ("Investment", t.investment[i]),
            ("Gross saving", t.gross_saving[i]),
            ("Net", t.net[i]),
            ("Cumulative net", t.cumulative_net[i]),
        ):
            rows.append([ref, label, "£m", *(float(v) for v in values)])
    fmts = {3 + k: FMT_MONEY for k in range(1, len(years) + 1)}
    _table(ws, "Profiles", ["Ref", "Measure", "Unit", *years], rows, fmts)


def _has_budget(results: Results) -> bool:
    """Whether the case behind the collection carries a CYPS budget and MTFS gap (from
    ``--case`` or the reference case) rather than the zeros of a bids-only case."""
    b = results.case.budget
    return bool(np.any(b.net_budget) or b.pressures or np.any(results.case.mtfs.base_gap))


def _report_sheet(ws: Worksheet, results: Results) -> None:
    """Tables 1-4 as the Cabinet report lays them out (Tables 1 and 2 only when the case
    has no budget), each a native Excel table, each starting a page."""
    tables = results_tables(results)[:4]
    if not _has_budget(results):
        tables = tables[:2]
    row = 1
    _put(ws, row, 1, "Investment bids: the report's tables (£m; savings in brackets)")
    ws.cell(row, 1).font = _TITLE
    shown = (
        "Tables 1-4: the case's CYPS budget and MTFS funding gap with the collected bids."
        if len(tables) == 4
        else "Tables 1 and 2 only: no CYPS budget or MTFS gap was given (bids collect --case "
        "CASE.toml adds Tables 3 and 4)."
    )
    _put(ws, row + 1, 1, shown)
    ws.cell(row + 1, 1).font = NOTE
    row += 3
    for n, text_table in enumerate(tables, start=1):
        if n > 1:
            ws.row_breaks.append(Break(id=row - 1))  # each table starts a page
        _put(ws, row, 1, text_table.title)
        ws.cell(row, 1).font = _TITLE
        row += 1
        header = ["£m", *text_table.columns] + ([text_table.extra] if text_table.extra else [])
        body = [
            [
                label,
                *np.asarray(values, dtype=float).tolist(),
                *([extra] if text_table.extra else []),
            ]
            for label, values, extra in text_table.rows
        ]
        if n == 2:  # the sheet has room for whole titles
            for line, bid in zip(body, results.case.bids, strict=False):
                line[0] = f"{bid.ref} {bid.title}"
        fmts = [None, *[FMT_MONEY] * len(text_table.columns)]
        totals = range(text_table.total_from or len(body), len(body))
        write_grid(ws, row, header, body, fmts, totals)
        ws.add_table(
            Table(
                displayName=f"Table{n}",
                ref=f"A{row}:{get_column_letter(len(header))}{row + len(body)}",
                tableStyleInfo=TableStyleInfo(name="TableStyleLight1", showRowStripes=False),
            )
        )
        row += len(body) + 3
    fit_columns(ws, minimum=11, maximum=70, skip_rows=(1, 2))


def _chart_sheet(wb: Workbook, results: Results) -> None:
    """Each bid's cumulative net by year (one line a bid), from the Profiles sheet."""
    profiles, n = wb["Profiles"], len(results.case.years)
    chart = line_chart("Cumulative net by bid (£m)", "£m (below 0 = net saving)")
    for i in range(len(results.bids.refs)):
        row = 2 + 4 * i + 3  # the bid's fourth measure row: cumulative net
        values = Reference(profiles, min_col=4, min_row=row, max_col=3 + n, max_row=row)
        series = Series(values, title=None)
        series.tx = SeriesLabel(strRef=StrRef(f"Profiles!$A${row}"))
        series.smooth = False
        chart.series.append(series)
    chart.set_categories(Reference(profiles, min_col=4, min_row=1, max_col=3 + n, max_row=1))
    chart.legend.position = "r"
    chart_sheet(wb.create_sheet("Chart"), "Investment bids: cumulative net", [chart],
                "Consolidated investment bids")  # fmt: skip


def _link_target(file: str, sheet: str, cell: str, out_dir: Path) -> str:
    try:
        target = Path(file).resolve()
    except (OSError, RuntimeError):  # a symbolic link loop: link to the name as given
        target = Path(os.path.abspath(file))
    try:
        rel = os.path.relpath(target, out_dir.absolute())
    except ValueError:  # another drive (Windows)
        rel = str(target)
    rel = rel.replace(os.sep, "/")
    return f"{rel}#'{sheet}'!{cell}" if sheet and cell else rel


def _errors_sheet(ws: Worksheet, collected: CollectResult, out_dir: Path) -> None:
    header = ["Level", "File", "Sheet", "Cell", "Message", "Open"]
    rows: list[list[Any]] = []
    for level, group in (("error", collected.rejected), ("warning", collected.warnings)):
        for item in group:
            for p in item.errors:
                rows.append([level, p.file, p.sheet, p.cell, p.message, "open"])
    rows += [
        ["skipped", f, "", "", "Excel lock file (~$...): skipped", "open"]
        for f in collected.skipped
    ]
    _table(ws, "Errors", header, rows, {})
    for i, row in enumerate(rows, start=2):
        cell = ws.cell(i, 6)
        cell.hyperlink = _link_target(row[1], row[2], row[3], out_dir)
        cell.font = _LINK
    wrap_columns(ws, {2: 34, 5: 70})
    if not rows:
        _put(ws, 3, 1, "No errors or warnings: every file was read and accepted.")
        ws.cell(3, 1).font = NOTE


def write_consolidated(path: str | Path, collected: CollectResult, results: Results | None) -> Path:
    """Write the consolidated workbook of a collection (atomically) and return its path.

    ``results`` is the engine's run of a case holding the collected bids (``None`` when
    no bid was accepted: then only the bids and errors sheets are filled).
    """
    target = Path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = "Bids"
    _bids_sheet(ws, collected, results)
    if results is not None:
        _profiles_sheet(wb.create_sheet("Profiles"), results)
        _report_sheet(wb.create_sheet("Tables"), results)
    _errors_sheet(wb.create_sheet("Errors"), collected, target.parent)
    if results is not None:
        _chart_sheet(wb, results)
    for ws in wb.worksheets:
        if ws.title != "Chart":  # the chart sheet has its own one-page set-up
            titles = None if ws.title == "Tables" else "1:1"
            print_setup(ws, "Consolidated investment bids", titles)
    wb.properties.creator = "cypsxl"
    wb.properties.title = "Consolidated investment bids"
    wb.properties.created = FIXED_TIMESTAMP
    return save_deterministic(wb, target)
