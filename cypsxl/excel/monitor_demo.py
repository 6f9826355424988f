"""Build the monitoring demo workbook of ``workbooks/`` from the packaged example case.

``python -m cypsxl.excel.monitor_demo [OUTDIR]`` writes ``cypsxl_monitoring_demo.xlsx``
(and ``.xlsm``, the same book with xlwings' VBA module, when xlwings is installed) plus
``cypsxl_monitoring_demo.py``, the module the desktop button uses. The book has the
period and RAG thresholds on "Inputs", one row per service line on "Lines" (monthly
profile across), "Risks" and "Savings" tables, "Placements" and "Workforce" (a
placement register and posts priced by native formulas,
:mod:`cypsxl.excel.drivers_demo`), the ``cypsxl`` mapping sheet, and the report on
"Report" already written by a refresh - so it opens with numbers on a PC with no
Python - with its check cells and run stamp on "Checks", and live cypsxl functions on
"What if".

Output is reproducible: fixed document times and zip entry dates, a fixed run stamp.
"""

from __future__ import annotations

import datetime as dt
import sys
import tomllib
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ..casefile._monitoring import monitoring_from_dict
from ..model.monitoring import monitor
from ..workbook.binding import MAPPING_SHEET, Area, OpenpyxlBook
from ..workbook.monitoring_binding import LINE_COLUMNS, MONTH_COLUMNS
from ..workbook.printing import (
    BOLD,
    FMT_MONEY,
    HEADING,
    NOTE,
    RAG_FILLS,
    TITLE,
    print_setup,
    rule_total,
    title_and_note,
)
from ._buttons_vml import Button
from .demo import print_written, write_demo_files
from .drivers_demo import add_driver_sheets
from .monitor_refresh import report_rows
from .refresh import refresh

__all__ = [
    "BUTTONS",
    "DEMO_NAME",
    "DEMO_TIME",
    "EXAMPLE_NAME",
    "MAPPING",
    "MODULE_TEXT",
    "build_demo",
    "main",
    "write_demo",
]

DEMO_NAME = "cypsxl_monitoring_demo"
EXAMPLE_NAME = "northshire_monitoring_2025.toml"
#: Document times and the run stamp of the committed demo (so it rebuilds byte for byte).
DEMO_TIME = "2025-11-14 09:00:00 UTC"
_DOC_TIME = dt.datetime(2025, 11, 14, 9, 0, 0)
_TITLE = "cypsxl demo monitoring workbook"
PERCENT = '0.0%;(0.0%);"-"'
INPUT_FILL = PatternFill("solid", fgColor="DDEBF7")
_THIN = Side(style="thin")
_LAST_LINE_ROW = 60

#: The mapping sheet of the demo: key, range, what it is.
MAPPING: list[tuple[str, str, str]] = [
    ("authority", "Inputs!C4", "the council"),
    ("directorate", "Inputs!C5", "who the headline names"),
    ("year", "Inputs!C6", "financial year, e.g. 2025/26"),
    ("period", "Inputs!C7", "months elapsed: 1 = April ... 12 = March"),
    ("as_at", "Inputs!C8", "date the actuals run to (blank: the period's last day)"),
    ("rag_amber", "Inputs!C10", "amber above this share of |budget| (blank: 1%)"),
    ("rag_red", "Inputs!C11", "red above this share of |budget| (blank: 5%)"),
    ("rag_red_amount", "Inputs!C12", "red above this variance, £m (blank: 0.25)"),
    ("lines", f"Lines!A3:V{_LAST_LINE_ROW}", "service lines: one a row, header in row 3"),
    ("risks", "Risks!A3:C20", "risks not in the forecast: name, amount (£m)"),
    ("savings", "Savings!A3:E20", "MTFS savings tracked: ref, title, planned, forecast"),
    ("cost_avoided", "Risks!A25:C35", "cost avoided by initiatives: name, amount (£m)"),
    ("output_report", "Report!A1", "the monitoring report"),
    ("output_checks", "Checks!A1", "check cells"),
    ("output_run_stamp", "Checks!E1", "run stamp"),
]


#: The .xlsm's button: Refresh, on the Report sheet beside the report (not printed).
BUTTONS = (Button("Refresh", "CypsxlRefresh", "main", 1),)

MODULE_TEXT = '''"""The monitoring demo workbook's module, for xlwings' "Import Functions".

Its Refresh button runs cypsxl.excel.scripts directly; "Import Functions" imports the
functions from the module of the same name as the workbook.
"""

from cypsxl.excel.functions import *  # noqa: F403
from cypsxl.excel.scripts import main  # noqa: F401
'''


def example_text() -> str:
    """The packaged example monitoring case (the same as docs/examples)."""
    return resources.files("cypsxl.data").joinpath(EXAMPLE_NAME).read_text("utf-8")


def _head(ws: Worksheet, row: int, names: Sequence[str]) -> None:
    for j, name in enumerate(names, start=1):
        cell = ws.cell(row, j, name)
        cell.font = BOLD
        cell.border = Border(bottom=_THIN)


def _inputs_sheet(ws: Worksheet, doc: dict[str, Any]) -> None:
    m, rag = doc["monitoring"], doc.get("rag", {})
    title_and_note(
        ws,
        "Monitoring period and RAG thresholds",
        "Blue cells are inputs. Money in £m; overspends positive, income negative.",
    )
    rows = [
        (4, "Authority", "text", m["authority"], "@"),
        (5, "Directorate", "text", m.get("directorate"), "@"),
        (6, "Financial year", "April to March", m["year"], "@"),
        (7, "Period", "1 = April ... 12 = March", m["period"], "0"),
        (8, "As at (blank: last day of the period's month)", "date", m.get("as_at"), "d mmm yyyy"),
        (10, "RAG amber: variance above this share of |budget|", "share", rag.get("amber"), "0.0%"),
        (11, "RAG red: variance above this share of |budget|", "share", rag.get("red"), "0.0%"),
        (12, "RAG red: variance above this amount", "£m", rag.get("red_amount"), FMT_MONEY),
    ]
    for row, label, unit, value, fmt in rows:
        ws.cell(row, 1, label)
        ws.cell(row, 2, unit).font = NOTE
        cell = ws.cell(row, 3, value)
        if isinstance(value, str):
            cell.data_type = "s"
        cell.number_format = fmt
        cell.fill = INPUT_FILL
    ws.column_dimensions["A"].width = 50
    ws.column_dimensions["B"].width = 24
    ws.column_dimensions["C"].width = 40


def _lines_sheet(ws: Worksheet, lines: list[dict[str, Any]]) -> None:
    title_and_note(
        ws,
        "Service lines: one a row (blank rows are skipped; add lines below)",
        "forecast: run_rate, profile (monthly weights Apr-Mar) or manual (forecast_outturn);"
        " £m, income negative; ring_fenced TRUE keeps a line out of the General Fund",
    )
    columns = (*LINE_COLUMNS, *MONTH_COLUMNS)
    _head(ws, 3, columns)
    for i, line in enumerate(lines, start=4):
        for j, key in enumerate(columns, start=1):
            if key in MONTH_COLUMNS:
                profile = line.get("profile")
                value = profile[MONTH_COLUMNS.index(key)] if profile else None
            elif key == "opening_deficit":
                value = line.get("reserve", {}).get(key)
            else:
                value = line.get(key)
            cell = ws.cell(i, j, value)
            if isinstance(value, str):
                cell.data_type = "s"
            if isinstance(value, float) and key not in MONTH_COLUMNS:
                cell.number_format = FMT_MONEY
            cell.fill = INPUT_FILL
    widths = {"A": 34, "B": 26, "C": 10, "D": 14, "E": 10, "F": 16, "G": 17, "H": 11, "I": 15}
    for col, width in widths.items():
        ws.column_dimensions[col].width = width
    ws.column_dimensions["J"].width = 12
    for j in range(len(LINE_COLUMNS) + 1, len(columns) + 1):
        ws.column_dimensions[get_column_letter(j)].width = 5
    ws.freeze_panes = "B4"


def _table_sheet(
    ws: Worksheet, title: str, columns: Sequence[str], rows: list[dict[str, Any]], top: int = 1
) -> None:
    ws.cell(top, 1, title).font = TITLE
    _head(ws, top + 2, columns)
    for i, row in enumerate(rows, start=top + 3):
        for j, key in enumerate(columns, start=1):
            value = row.get(key)
            cell = ws.cell(i, j, value)
            if isinstance(value, float):
                cell.number_format = FMT_MONEY
            cell.fill = INPUT_FILL
    ws.column_dimensions["A"].width = 44
    for col in "BCDE":
        ws.column_dimensions[col].width = 14
    if "title" in columns:
        ws.column_dimensions["A"].width = 10
        ws.column_dimensions["B"].width = 52


def _what_if_sheet(ws: Worksheet, lines: list[dict[str, Any]]) -> None:
    """Live cypsxl functions beside a built-in run rate, one row per line of "Lines"."""
    title_and_note(
        ws,
        "What if: live cypsxl functions (need Python and the xlwings add-in)",
        "Without Python the cypsxl cells show #NAME?; the Report sheet holds plain values. "
        "Change a line's actual to date on Lines to see its forecast move.",
    )
    head = ("Line", "Budget", "Actual to date", "Run rate (formula)", "Forecast outturn",
            "Variance", "RAG")  # fmt: skip
    _head(ws, 4, head)
    for c in range(2, len(head) + 1):
        ws.cell(4, c).alignment = Alignment(horizontal="right")
    first_month = get_column_letter(len(LINE_COLUMNS) + 1)
    last_month = get_column_letter(len(LINE_COLUMNS) + len(MONTH_COLUMNS))
    for k, line in enumerate(lines):
        src, r = 4 + k, 5 + k
        ws.cell(r, 1, f"=Lines!A{src}")
        ws.cell(r, 2, f"=Lines!C{src}").number_format = FMT_MONEY
        ws.cell(r, 3, f"=Lines!D{src}").number_format = FMT_MONEY
        ws.cell(r, 4, f"=C{r}/Inputs!$C$7*12").number_format = FMT_MONEY
        if line.get("forecast") == "profile":
            profile = f"Lines!{first_month}{src}:{last_month}{src}"
            forecast = f'=cyps_forecast_outturn(C{r},Inputs!$C$7,"profile",{profile})'
        else:
            forecast = f"=cyps_forecast_outturn(C{r},Inputs!$C$7)"
        ws.cell(r, 5, forecast).number_format = FMT_MONEY
        ws.cell(r, 6, f"=cyps_variance(E{r},B{r})").number_format = FMT_MONEY
        ws.cell(r, 7, f"=cyps_rag(F{r},B{r},Inputs!C10,Inputs!C11,Inputs!C12)")
    for col, width in {"A": 34, "B": 11, "C": 14, "D": 18, "E": 17, "F": 11, "G": 9}.items():
        ws.column_dimensions[col].width = width


def _mapping_sheet(ws: Worksheet) -> None:
    _head(ws, 1, ("key", "range or name", "written by cypsxl (do not edit)", "what it is"))
    for i, (key, ref, what) in enumerate(MAPPING, start=2):
        ws.cell(i, 1, key)
        ws.cell(i, 2, ref)
        ws.cell(i, 4, what)
    for col, width in {"A": 20, "B": 20, "C": 30, "D": 58}.items():
        ws.column_dimensions[col].width = width


def _report_formats(ws: Worksheet) -> None:
    """Number formats and RAG fills over the report's columns (a longer report keeps them)."""
    for row in ws.iter_rows(min_row=1, max_row=200, min_col=2, max_col=8):
        for cell in row:
            cell.number_format = PERCENT if cell.column == 6 else FMT_MONEY
            if cell.column >= 2:
                cell.alignment = Alignment(horizontal="right")
    for rag, fill in RAG_FILLS.items():
        ws.conditional_formatting.add(
            "G1:G200", FormulaRule(formula=[f'G1="{rag.capitalize()}"'], fill=fill)
        )
    for col, width in {"A": 48, "B": 12, "C": 14, "D": 16, "E": 11, "F": 11, "G": 8}.items():
        ws.column_dimensions[col].width = width
    ws.column_dimensions["H"].width = 11


def _style_report(ws: Worksheet, area: Area, kinds: list[str]) -> None:
    """Fonts and rules by the kind of each row the refresh wrote."""
    left, right = area.left, area.right
    for k, kind in enumerate(kinds):
        r = area.top + k
        first = ws.cell(r, left)
        if kind == "title":
            first.font = TITLE
        elif kind == "note":
            first.font = NOTE
        elif kind in ("head", "section"):
            for c in range(left, right + 1):
                cell = ws.cell(r, c)
                cell.font = HEADING if kind == "section" else BOLD
                if kind == "head":
                    cell.border = Border(bottom=_THIN)
                    if c > left:
                        cell.alignment = Alignment(horizontal="right", wrap_text=True)
        elif kind == "group":
            first.font = BOLD
        elif kind == "subtotal":
            for c in range(left, left + 5):
                ws.cell(r, c).font = BOLD
                if c > left:
                    ws.cell(r, c).border = Border(top=_THIN)
        elif kind == "total":
            rule_total(ws, r, left, right)
    print_setup(ws, _TITLE, landscape=False, print_area=f"A1:H{area.bottom}")


def _checks_formats(ws: Worksheet, checks: Area) -> None:
    for col, width in {"A": 66, "B": 11, "C": 9, "D": 2, "E": 21, "F": 40}.items():
        ws.column_dimensions[col].width = width
    _head(ws, 1, ("Check (difference should be 0)", "Difference", "Status"))
    status = f"C2:C{max(checks.bottom, 2)}"
    ws.conditional_formatting.add(
        status, FormulaRule(formula=['C2="OK"'], fill=RAG_FILLS["green"], stopIfTrue=True)
    )
    ws.conditional_formatting.add(status, FormulaRule(formula=['C2<>"OK"'], fill=RAG_FILLS["red"]))
    ws["E1"].font = HEADING
    for r in range(2, max(checks.bottom, 6) + 1):
        for c in (1, 2, 3, 5):
            ws.cell(r, c).alignment = Alignment(vertical="top")
        ws.cell(r, 6).alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[4].height = 30


def build_demo(wb: Workbook | None = None, doc: dict[str, Any] | None = None) -> Workbook:
    """The monitoring demo workbook, its report written by a refresh (into ``wb`` if given).

    ``doc``: another monitoring case (as the dict of its TOML file) instead of the example.
    """
    doc = doc if doc is not None else tomllib.loads(example_text())
    sheets = ["Report", "Inputs", "Lines", "Risks", "Savings", "Placements", "Workforce",
              "Checks", "What if", MAPPING_SHEET]  # fmt: skip
    if wb is None:
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
    else:  # xlwings' quickstart book: keep its two sheets (VBA document modules), emptied
        for ws, name in zip(wb.worksheets[:2], ("Report", "xlwings.conf"), strict=False):
            ws.delete_rows(1, ws.max_row)
            ws.title = name
    for name in [*sheets, "xlwings.conf"]:
        if name not in wb.sheetnames:
            wb.create_sheet(name)
    for i, name in enumerate([*sheets, "xlwings.conf"]):
        wb.move_sheet(name, i - wb.sheetnames.index(name))
    _inputs_sheet(wb["Inputs"], doc)
    _lines_sheet(wb["Lines"], doc["line"])
    risks = ("name", "amount", "note")
    savings = ("ref", "title", "planned", "forecast", "note")
    _table_sheet(wb["Risks"], "Risks not in the forecast (£m)", risks, doc.get("risk", []))
    _table_sheet(wb["Savings"], "MTFS savings for the year (£m)", savings, doc.get("saving", []))
    _table_sheet(
        wb["Risks"],
        "Cost avoided by initiatives this year, compared with doing nothing (£m)",
        ("name", "amount", "note"),
        doc.get("cost_avoided", []),
        top=23,
    )
    _what_if_sheet(wb["What if"], doc["line"])
    add_driver_sheets(wb, _TITLE)  # the cost drivers, priced by native formulas
    _mapping_sheet(wb[MAPPING_SHEET])
    wb["xlwings.conf"]["A1"] = "UDF Modules"
    wb["xlwings.conf"]["B1"] = "cypsxl.excel.functions"
    _report_formats(wb["Report"])
    written = refresh(OpenpyxlBook(wb, name=f"{DEMO_NAME}.xlsx"), now=DEMO_TIME).written
    kinds = [row.kind for row in report_rows(monitor(monitoring_from_dict(doc)))]
    _style_report(wb["Report"], written["output_report"], kinds)
    _checks_formats(wb["Checks"], written["output_checks"])
    for name in sheets[1:]:
        print_setup(wb[name], _TITLE)
    wb.calculation.fullCalcOnLoad = True
    wb.properties.creator = "cypsxl"
    wb.properties.lastModifiedBy = "cypsxl"
    wb.properties.created = _DOC_TIME
    wb.properties.modified = _DOC_TIME
    wb.properties.title = _TITLE
    return wb


def write_demo(outdir: str | Path) -> list[Path]:
    """Write the demo workbook(s) and module into ``outdir``; return the paths written."""
    return write_demo_files(
        outdir, DEMO_NAME, build_demo, _DOC_TIME, MODULE_TEXT, sheet="Report", buttons=BUTTONS
    )


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m cypsxl.excel.monitor_demo [OUTDIR]`` (default ``workbooks``)."""
    return print_written(write_demo, argv)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
