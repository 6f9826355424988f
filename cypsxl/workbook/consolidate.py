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
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from ..model import Results
from ..report import results_tables
from .reader import CollectResult
from .template import FIXED_TIMESTAMP, FMT_MONEY, put_text, save_deterministic

__all__ = ["write_consolidated"]

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14, color="1F3864")
_LINK = Font(color="0563C1", underline="single")


def _put(ws: Worksheet, row: int, col: int, value: Any, fmt: str | None = None) -> None:
    cell = ws.cell(row, col)
    if isinstance(value, str):
        put_text(cell, value)
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
    for j, title in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(j)].width = max(12, min(60, len(title) + 4))
    if rows:
        ref = f"A{first_row}:{get_column_letter(len(header))}{first_row + len(rows)}"
        table = Table(displayName=name, ref=ref)
        table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        ws.add_table(table)
    ws.freeze_panes = ws.cell(first_row + 1, 1)


def _year(value: int | None) -> Any:
    return value if value else "none"


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
    for bid in collected.bids:
        figures: list[Any] = [None] * 5
        if table is not None and bid.ref in table.refs:
            i = table.row(bid.ref)
            figures = [
                float(table.investment[i].sum()),
                float(table.gross_saving[i].sum()),
                float(table.net[i].sum()),
                _year(int(table.payback_year[i])),
                _year(int(table.breakeven_year[i])),
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
    ws.column_dimensions["B"].width = 50


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


def _report_sheet(ws: Worksheet, results: Results) -> None:
    row = 1
    for n, text_table in enumerate(results_tables(results)[:2], start=1):
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
        if n == 2:  # the sheet has room for whole titles, and the payback is a number
            paybacks = results.bids.payback_year
            for line, bid, year in zip(body, results.case.bids, paybacks, strict=False):
                line[0] = f"{bid.ref} {bid.title}"
                line[-1] = int(year) if year else "-"
        fmts = {j: FMT_MONEY for j in range(2, len(text_table.columns) + 2)}
        _grid(ws, row, header, body, fmts)
        ws.add_table(
            Table(
                displayName=f"Table{n}",
                ref=f"A{row}:{get_column_letter(len(header))}{row + len(body)}",
                tableStyleInfo=TableStyleInfo(name="TableStyleLight9"),
            )
        )
        row += len(body) + 3
    ws.column_dimensions["A"].width = 55
    for j in range(2, 12):
        ws.column_dimensions[get_column_letter(j)].width = 12


def _link_target(file: str, sheet: str, cell: str, out_dir: Path) -> str:
    try:
        rel = os.path.relpath(Path(file).resolve(), out_dir.resolve())
    except ValueError:  # another drive (Windows)
        rel = str(Path(file).resolve())
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
    ws.column_dimensions["B"].width = 40
    ws.column_dimensions["E"].width = 90


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
    wb.properties.creator = "cypsxl"
    wb.properties.title = "Consolidated investment bids"
    wb.properties.created = FIXED_TIMESTAMP
    return save_deterministic(wb, target)
