"""Build the demo MTFS workbook of ``workbooks/`` from the reference case.

``python -m cypsxl.excel.demo [OUTDIR]`` writes ``cypsxl_demo.xlsx`` (and
``cypsxl_demo.xlsm``, the same book with xlwings' VBA module, when the xlwings package
is installed) plus ``cypsxl_demo.py``, the module the desktop button and "Import
Functions" use. The book has an inputs sheet in the shape finance staff keep (years
across, lines down, a units column), a bids table, the ``cypsxl`` mapping sheet, an
``xlwings.conf`` sheet, live cypsxl functions on "What if", and output tables already
filled by a refresh - so it opens with numbers on a PC with no Python.

Output is reproducible: fixed document times and zip entry dates, a fixed run stamp.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.chart import Reference
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from ..casefile import reference_case
from ..model import Case
from ..workbook.binding import MAPPING_SHEET, Area, OpenpyxlBook
from ..workbook.files import save_deterministic
from ..workbook.printing import HEADING, RAG_FILLS, print_setup, rule_total
from ..workbook.report import bar_chart, chart_sheet
from ._buttons_vml import BUTTONS, Button, add_buttons
from .refresh import refresh

__all__ = [
    "DEMO_NAME",
    "DEMO_TIME",
    "MAPPING",
    "build_demo",
    "main",
    "write_demo",
]

DEMO_NAME = "cypsxl_demo"
#: Document times and the run stamp of the committed demo (so it rebuilds byte for byte).
DEMO_TIME = "2016-11-23 09:00:00 UTC"
_DOC_TIME = dt.datetime(2016, 11, 23, 9, 0, 0)

MONEY = '#,##0.000;(#,##0.000);"-"'
POUNDS = '#,##0;(#,##0);"-"'
INPUT_FILL = PatternFill("solid", fgColor="DDEBF7")
BOLD = Font(name="Calibri", bold=True)
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
RIGHT = Alignment(horizontal="right")

#: The mapping sheet of the demo: key, range, what it is.
MAPPING: list[tuple[str, str, str]] = [
    ("name", "Inputs!C21", "case name"),
    ("authority", "Inputs!C22", "authority"),
    ("directorate", "Inputs!C23", "directorate"),
    ("years", "Inputs!C4:G4", "plan years, e.g. 2016/17, across"),
    ("mtfs_years", "Inputs!C5:F5", "MTFS years: a leading run of the plan years"),
    ("net_budget", "Inputs!C7:G7", "CYPS cash-limited net budget, £m by year"),
    ("pressure_demand", "Inputs!C8:G8", "pressure line (any key pressure_<name>), £m"),
    ("pressure_reserve", "Inputs!C9:G9", "pressure line, £m"),
    ("base_gap", "Inputs!C11:F11", "MTFS funding gap arising each year before this update, £m"),
    ("current_year_funded_from_reserves", "Inputs!C12", "TRUE: first year one-off from reserves"),
    ("avoided_cost_per_child_per_year", "Inputs!C14", "£ per child per year"),
    ("part_year_factor", "Inputs!C15", "share of a year avoided in the year of prevention"),
    ("weeks_per_year", "Inputs!C16", "weeks turning weekly costs into annual"),
    ("discount_rate", "Inputs!C17", "Green Book discount rate"),
    ("lac_numbers", "Inputs!C18", "looked-after children now"),
    ("lac_trend_growth_per_year", "Inputs!C19", "trend growth, children a year"),
    ("other_proposals", "Inputs!A26:F32", "other directorates: label, unit, MTFS years"),
    ("bids", "Bids!A3:K80", "bids: one row per bid and line, years across"),
    ("bid_folder", "Inputs!C34", "folder of returned bid templates (import button)"),
    ("output_table1", "Outputs!A1", "Table 1: CYPS budget"),
    ("output_table3", "Funding!A1", "Table 3: total additional funding"),
    ("output_table4", "Funding!A12", "Table 4: revised funding gap"),
    ("output_table2", "Outputs!A12", "Table 2: bids, net by year, payback"),
    ("output_bid_summary", "Bid summary!A1", "bid summary"),
    ("output_checks", "Checks!A1", "check cells"),
    ("output_run_stamp", "Checks!E1", "run stamp"),
]


def _put(ws: Worksheet, ref: str, value: Any, fmt: str | None = None, inp: bool = False) -> None:
    cell = ws[ref]
    cell.value = value
    if isinstance(value, str) and not value.startswith("="):
        cell.data_type = "s"
    if fmt:
        cell.number_format = fmt
    if inp:
        cell.fill = INPUT_FILL


def _row(ws: Worksheet, row: int, label: str, unit: str, values: Sequence[Any], fmt: str) -> None:
    ws.cell(row, 1, label)
    ws.cell(row, 2, unit)
    for j, v in enumerate(values):
        cell = ws.cell(row, 3 + j, v)
        cell.number_format = fmt
        cell.fill = INPUT_FILL


def _inputs_sheet(ws: Worksheet, case: Case) -> None:
    b, a = case.budget, case.assumptions
    ws["A1"] = f"{case.name}: CYPS inputs"
    ws["A1"].font = Font(name="Calibri", bold=True, size=13)
    ws["A2"] = "Money in £m unless the units column says otherwise. Blue cells are inputs."
    ws.cell(4, 1, "Year").font = BOLD
    ws.cell(5, 1, "MTFS year").font = BOLD
    for j, y in enumerate(case.years):  # year headings right-aligned over their figures
        ws.cell(4, 3 + j, y).font = BOLD
        ws.cell(4, 3 + j).alignment = RIGHT
    for j, y in enumerate(case.mtfs_years):
        ws.cell(5, 3 + j, y).alignment = RIGHT
    _row(ws, 7, "CYPS net budget", "£m", b.net_budget, MONEY)
    _row(ws, 8, "Pressure: demand / demographic", "£m", b.pressures["demand"], MONEY)
    _row(ws, 9, "Pressure: loss of reserve support", "£m", b.pressures["reserve"], MONEY)
    _row(ws, 11, "MTFS funding gap before this update (new each year)", "£m",
         case.mtfs.base_gap, MONEY)  # fmt: skip
    _row(ws, 12, "First year's extra funding is one-off, from reserves", "TRUE/FALSE",
         [case.mtfs.current_year_funded_from_reserves], "General")  # fmt: skip
    _row(ws, 14, "Avoided cost of care per child", "£ a year",
         [a.avoided_cost_per_child_per_year], POUNDS)  # fmt: skip
    _row(ws, 15, "Part-year factor in the year of prevention", "fraction",
         [a.part_year_factor], "0.00")  # fmt: skip
    _row(ws, 16, "Weeks in a year", "weeks", [a.weeks_per_year], "0.00")
    _row(ws, 17, "Discount rate (Green Book)", "a year", [a.discount_rate], "0.0%")
    _row(ws, 18, "Looked-after children (October 2016)", "children", [b.lac_numbers], "0")
    _row(ws, 19, "Looked-after children: trend growth", "children a year",
         [b.lac_trend_growth_per_year], "0")  # fmt: skip
    _row(ws, 21, "Case name", "text", [case.name], "@")
    _row(ws, 22, "Authority", "text", [case.authority], "@")
    _row(ws, 23, "Directorate", "text", [case.directorate], "@")
    _row(ws, 34, "Folder of returned bid templates", "folder", ["returned bids"], "@")
    ws.cell(25, 1, "Other directorates' proposals (levels, £m)").font = BOLD
    ws.cell(26, 1, "label").font = BOLD
    ws.cell(26, 2, "unit").font = BOLD
    for j, y in enumerate(case.mtfs_years):
        ws.cell(26, 3 + j, y).font = BOLD
        ws.cell(26, 3 + j).alignment = RIGHT
    for i, p in enumerate(case.other_proposals):
        _row(ws, 27 + i, p.label, "£m", p.levels, MONEY)
        ws.cell(27 + i, 1).fill = INPUT_FILL
    ws.column_dimensions["A"].width = 52
    ws.column_dimensions["B"].width = 16
    for col in "CDEFG":
        ws.column_dimensions[col].width = 12


_BID_HEAD = ("ref", "title", "service_area", "current_budget", "line", "unit")


def _bids_sheet(ws: Worksheet, case: Case) -> None:
    ws["A1"] = "Investment bids: one row per bid and line, years across (blank years are 0)"
    ws["A1"].font = Font(name="Calibri", bold=True, size=13)
    for j, h in enumerate((*_BID_HEAD, *case.years)):
        ws.cell(3, 1 + j, h).font = BOLD
    row = 4
    units = {"investment": "£m", "gross_saving": "£m", "prevented": "children"}
    for bid in case.bids:
        for line in ("investment", "gross_saving", "prevented"):
            values = getattr(bid, line)
            if values is None:
                continue
            ws.cell(row, 1, bid.ref)
            ws.cell(row, 2, bid.title).data_type = "s"
            ws.cell(row, 3, bid.service_area)
            if bid.current_budget is not None:
                ws.cell(row, 4, bid.current_budget).number_format = MONEY
            ws.cell(row, 5, line)
            ws.cell(row, 6, units[line])
            for t, v in enumerate(values):
                cell = ws.cell(row, 7 + t, v)
                cell.number_format = MONEY if line != "prevented" else "0"
                cell.fill = INPUT_FILL
            row += 1
    ws.column_dimensions["B"].width = 44
    ws.column_dimensions["C"].width = 24


def _mapping_sheet(ws: Worksheet) -> None:
    head = ("key", "range or name", "written by cypsxl (do not edit)", "what it is")
    for j, h in enumerate(head):
        ws.cell(1, 1 + j, h).font = BOLD
    for i, (key, ref, what) in enumerate(MAPPING, start=2):
        ws.cell(i, 1, key)
        ws.cell(i, 2, ref)
        ws.cell(i, 4, what)
    ws.column_dimensions["A"].width = 36
    ws.column_dimensions["B"].width = 20
    ws.column_dimensions["C"].width = 30
    ws.column_dimensions["D"].width = 60


def _what_if_sheet(ws: Worksheet, case: Case) -> None:
    n, m = case.n_years, case.n_mtfs
    last = openpyxl.utils.get_column_letter(2 + n)
    last_m = openpyxl.utils.get_column_letter(2 + m)
    ws["A1"] = "What if: live cypsxl functions (need Python and the xlwings add-in)"
    ws["A1"].font = Font(name="Calibri", bold=True, size=13)
    ws["A2"] = (
        "Without Python these cells show #NAME?; the tables on Outputs and Funding hold plain "
        "values. Blue cells are yours to change."
    )
    for j in range(n):
        ws.cell(4, 3 + j, f"=Inputs!{openpyxl.utils.get_column_letter(3 + j)}4")
    ws["A4"] = "Year"
    # placement cost of a cut in the average weekly unit cost (domain primer: £86 x 460)
    _put(ws, "A6", "Placements affected")
    _put(ws, "C6", "=Inputs!C18", "0")
    _put(ws, "A7", "Change in average weekly unit cost (£)")
    _put(ws, "C7", -86, POUNDS, inp=True)
    _put(ws, "A8", "Annual cost of the change (£)")
    _put(ws, "C8", "=cyps_placement_cost(C6,C7,Inputs!C16)", POUNDS)
    # looked-after children on trend
    _put(ws, "A10", "Looked-after children on trend")
    ws["C10"] = ArrayFormula(f"C10:{last}10", f"=cyps_lac_projection(Inputs!C18,Inputs!C19,{n})")
    # a new prevention bid
    _put(ws, "A12", "New bid: children prevented from entering care")
    for j, v in enumerate([0.0, 10.0, 20.0, 20.0, 20.0][:n] + [20.0] * max(0, n - 5)):
        _put(ws, f"{openpyxl.utils.get_column_letter(3 + j)}12", v, "0", inp=True)
    _put(ws, "A13", "New bid: investment (£m)")
    for j, v in enumerate([0.1, 0.25, 0.25, 0.25, 0.25][:n] + [0.25] * max(0, n - 5)):
        _put(ws, f"{openpyxl.utils.get_column_letter(3 + j)}13", v, MONEY, inp=True)
    _put(ws, "A14", "New bid: cost avoidance (£m)")
    ws["C14"] = ArrayFormula(
        f"C14:{last}14",
        f"=cyps_cost_avoidance(C12:{last}12,Inputs!C14/1000000,Inputs!C15)",
    )
    _put(ws, "A16", "New bid: net, then cumulative net (£m)")
    ws["C16"] = ArrayFormula(f"C16:{last}17", f"=cyps_bid_profile(C13:{last}13,C14:{last}14)")
    _put(ws, "A19", "Payback year (first year with a net saving)")
    _put(ws, "C19", f"=cyps_payback_year(C16:{last}16)")
    _put(ws, "A20", "Break-even year (cumulative net below zero)")
    _put(ws, "C20", f"=cyps_breakeven_year(C16:{last}16)")
    # the funding gap with extra recurring funding
    _put(ws, "A22", "MTFS year")
    for j in range(m):
        ws.cell(22, 3 + j, f"=Inputs!{openpyxl.utils.get_column_letter(3 + j)}5")
    _put(ws, "A23", "Extra recurring funding (£m)")
    for j in range(m):
        _put(ws, f"{openpyxl.utils.get_column_letter(3 + j)}23", 0.5 if j else 0, MONEY, inp=True)
    _put(ws, "A24", "Total additional funding with the extra (£m)")
    total_row = 1 + 2 + 2 + len(case.other_proposals)  # Funding: Table 3 total row
    for j in range(m):
        col = openpyxl.utils.get_column_letter(3 + j)
        out = openpyxl.utils.get_column_letter(2 + j)
        _put(ws, f"{col}24", f"=Funding!{out}{total_row}+{col}23", MONEY)
    _put(ws, "A25", "Revised funding gap (£m)")
    ws["C25"] = ArrayFormula(
        f"C25:{last_m}25", f"=cyps_funding_gap(Inputs!C11:{last_m}11,C24:{last_m}24,Inputs!C12)"
    )
    _put(ws, "A27", "Engine")
    _put(ws, "C27", "=cyps_version()")
    for row in (14, 16, 17, 25):
        for j in range(n + 2):
            ws.cell(row, 3 + j).number_format = MONEY
    ws.column_dimensions["A"].width = 48
    ws.column_dimensions["B"].width = 4


def _xlwings_conf(ws: Worksheet) -> None:
    ws["A1"] = "UDF Modules"
    ws["B1"] = "cypsxl.excel.functions"


def _formats(wb: Workbook) -> None:
    for name in ("Outputs", "Funding", "Bid summary"):
        ws = wb[name]
        ws.column_dimensions["A"].width = 40
        for row in ws.iter_rows(min_row=1, max_row=80, min_col=2, max_col=12):
            for cell in row:
                cell.number_format = MONEY
    widths = {
        "Outputs": {"A": 36, "B": 30, "C": 11, "D": 11, "E": 11, "F": 11, "G": 11, "H": 14,
                    "I": 16},
        "Funding": {"A": 36, "B": 11, "C": 11, "D": 11, "E": 11, "F": 11},
        "Bid summary": {"A": 10, "B": 50, "C": 36, "D": 12, "E": 13, "F": 11, "G": 14, "H": 16},
        "Checks": {"A": 68, "B": 11, "C": 9, "D": 2, "E": 21, "F": 34},
    }  # fmt: skip
    for name, cols in widths.items():
        for col, width in cols.items():
            wb[name].column_dimensions[col].width = width
    for ws in wb.worksheets:  # A4 landscape, one page wide, the sheet's name in the header
        print_setup(ws, "cypsxl demo MTFS workbook")
        ws.print_options.horizontalCentered = False


#: The outputs' rows ruled off as totals, counted from the foot of each table (1 = last).
_TOTALS = {
    "output_table1": (1, 2),
    "output_table2": (1,),
    "output_table3": (1,),
    "output_table4": (2,),
    "output_bid_summary": (1,),
}
#: Longest bid title Table 2's column B (30 wide, also a year column) shows on one line.
_TITLE_CHARS = 32
#: Leading label columns of each output (the rest are figures, their headings right-aligned).
_LABEL_COLS = {"output_table2": 2, "output_bid_summary": 3, "output_checks": 1}


def _style_outputs(wb: Workbook, written: dict[str, Area]) -> None:
    """Headings bold and ruled, figures' headings right-aligned, totals ruled off,
    long titles wrapped, payback years right-aligned - on the tables a refresh wrote."""
    for key, area in written.items():
        ws = wb[area.sheet]
        if key == "output_run_stamp":
            ws.cell(area.top, area.left).font = HEADING
            for r in range(area.top + 1, area.bottom + 1):
                ws.cell(r, area.left + 1).alignment = WRAP_TOP
                ws.cell(r, area.left).alignment = Alignment(vertical="top")
            ws.row_dimensions[area.top + 3].height = 30  # the 64-character hash, two lines
            continue
        if key == "output_checks":  # status: OK green, anything else red
            status = f"{get_column_letter(area.right)}{area.top + 1}:"
            status += f"{get_column_letter(area.right)}{area.bottom}"
            first = f"{get_column_letter(area.right)}{area.top + 1}"
            ws.conditional_formatting.add(
                status,
                FormulaRule(formula=[f'{first}="OK"'], fill=RAG_FILLS["green"], stopIfTrue=True),
            )
            ws.conditional_formatting.add(
                status, FormulaRule(formula=[f'{first}<>"OK"'], fill=RAG_FILLS["red"])
            )
        head = area.top if key == "output_checks" else area.top + 1
        if key != "output_checks":
            ws.cell(area.top, area.left).font = HEADING
        labels = _LABEL_COLS.get(key, 1)
        for c in range(area.left, area.right + 1):
            cell = ws.cell(head, c)
            cell.font = BOLD
            cell.border = Border(bottom=Side(style="thin"))
            if c >= area.left + labels:
                cell.alignment = Alignment(horizontal="right", wrap_text=True)
        for r in range(head + 1, area.bottom + 1):
            for c in range(area.left + labels, area.right + 1):
                ws.cell(r, c).alignment = Alignment(horizontal="right", vertical="top")
            ws.cell(r, area.left).alignment = Alignment(vertical="top")
            title = ws.cell(r, area.left + 1)
            if key == "output_table2" and len(str(title.value or "")) > _TITLE_CHARS:
                title.alignment = WRAP_TOP  # two lines in a column as wide as a year's 3
                ws.row_dimensions[r].height = 30
        for up in _TOTALS.get(key, ()):
            rule_total(ws, area.bottom + 1 - up, area.left, area.right)
        if key == "output_table2" and area.top > 1:  # Table 2 starts a page, kept whole
            ws.row_breaks.append(Break(id=area.top - 1))


def _charts_sheet(wb: Workbook, case: Case, written: dict[str, Area]) -> None:
    """Revised vs base funding gap (Table 4) and funding support (Table 1), linked to the
    tables on Outputs and Funding so a refresh moves them."""
    t1, t4 = written["output_table1"], written["output_table4"]
    out = wb[t1.sheet]
    m, n = case.n_mtfs, case.n_years
    gap = bar_chart("Funding gap by MTFS year: base and revised (£m)", "£m")
    for row in (t4.top + 2, t4.top + 4):  # base and revised rows of Table 4
        ref = Reference(wb[t4.sheet], min_col=1, min_row=row, max_col=1 + m, max_row=row)
        gap.add_data(ref, from_rows=True, titles_from_data=True)
    gap.set_categories(
        Reference(wb[t4.sheet], min_col=2, min_row=t4.top + 1, max_col=1 + m, max_row=t4.top + 1)
    )
    support = bar_chart("CYPS funding support by year (£m)", "£m")
    last = t1.bottom
    support.add_data(
        Reference(out, min_col=1, min_row=last, max_col=1 + n, max_row=last),
        from_rows=True,
        titles_from_data=True,
    )
    support.set_categories(
        Reference(out, min_col=2, min_row=t1.top + 1, max_col=1 + n, max_row=t1.top + 1)
    )
    chart_sheet(wb["Charts"], "Funding gap and funding support", [gap, support],
                "cypsxl demo MTFS workbook")  # fmt: skip


def build_demo(case: Case | None = None, wb: Workbook | None = None) -> Workbook:
    """The demo workbook, outputs filled by a refresh (into ``wb`` if given, e.g. a .xlsm)."""
    case = case or reference_case()
    sheets = [
        "Inputs", "Bids", "Outputs", "Funding", "Bid summary", "Checks", "What if", MAPPING_SHEET
    ]  # fmt: skip
    if wb is None:
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
    else:
        # xlwings' quickstart book: keep its two sheets (their VBA document modules,
        # Sheet1 and Sheet2) as Inputs and xlwings.conf, emptied
        for ws, name in zip(wb.worksheets[:2], ("Inputs", "xlwings.conf"), strict=False):
            ws.delete_rows(1, ws.max_row)
            ws.title = name
    for name in [*sheets, "xlwings.conf", "Charts"]:
        if name not in wb.sheetnames:
            wb.create_sheet(name)
    for i, name in enumerate([*sheets, "xlwings.conf", "Charts"]):
        wb.move_sheet(name, i - wb.sheetnames.index(name))
    _inputs_sheet(wb["Inputs"], case)
    _bids_sheet(wb["Bids"], case)
    _mapping_sheet(wb[MAPPING_SHEET])
    _what_if_sheet(wb["What if"], case)
    _xlwings_conf(wb["xlwings.conf"])
    _formats(wb)
    written = refresh(OpenpyxlBook(wb, name=f"{DEMO_NAME}.xlsx"), now=DEMO_TIME).written
    _style_outputs(wb, written)
    _charts_sheet(wb, case, written)
    wb.calculation.fullCalcOnLoad = True
    wb.properties.creator = "cypsxl"
    wb.properties.lastModifiedBy = "cypsxl"
    wb.properties.created = _DOC_TIME
    wb.properties.modified = _DOC_TIME
    wb.properties.title = "cypsxl demo MTFS workbook"
    return wb


def _quickstart_xlsm() -> Path | None:
    spec = importlib.util.find_spec("xlwings")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "quickstart.xlsm"
    return path if path.exists() else None


MODULE_TEXT = '''"""The demo workbook's module: the .xlsm's macro and "Import Functions" use it.

Its buttons run cypsxl.excel.scripts directly; xlwings' "Import Functions" imports the
functions from the module of the same name as the workbook.
"""

from cypsxl.excel.functions import *  # noqa: F403
from cypsxl.excel.scripts import main  # noqa: F401
'''


def write_demo_files(
    outdir: str | Path,
    name: str,
    build: Callable[[Workbook | None], Workbook],
    stamp: dt.datetime,
    module_text: str,
    sheet: str = "Inputs",
    buttons: Sequence[Button] = BUTTONS,
) -> list[Path]:
    """Write a demo into ``outdir``: ``name``.xlsx, ``name``.xlsm and ``name``.py.

    ``build(None)`` makes the .xlsx; the .xlsm (only when xlwings, and so its
    quickstart.xlsm with the VBA module, is installed) is ``build`` of that workbook, given
    ``buttons`` on ``sheet``. Both are saved dated ``stamp`` (same content, same bytes);
    ``name``.py holds ``module_text``. Returns the paths written, in that order.

    >>> import tempfile
    >>> def build(wb):
    ...     wb = wb or Workbook()
    ...     wb.active.title = "Inputs"
    ...     return wb
    >>> out = Path(tempfile.mkdtemp())
    >>> paths = write_demo_files(out, "x", build, _DOC_TIME, "# module")
    >>> [p.name for p in paths if p.suffix != ".xlsm"], (out / "x.py").read_text()
    (['x.xlsx', 'x.py'], '# module')
    """
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [save_deterministic(build(None), out / f"{name}.xlsx", stamp)]
    quickstart = _quickstart_xlsm()
    if quickstart is not None:
        wb = build(openpyxl.load_workbook(quickstart, keep_vba=True))
        paths.append(save_deterministic(wb, out / f"{name}.xlsm", stamp))
        add_buttons(paths[-1], stamp, sheet=sheet, buttons=buttons)
    module = out / f"{name}.py"
    module.write_text(module_text, "utf-8")
    paths.append(module)
    return paths


def write_demo(outdir: str | Path) -> list[Path]:
    """Write the demo workbook(s) and module into ``outdir``; return the paths written."""
    # the .xlsm's buttons on Inputs: Refresh, Import bids, New bid template
    return write_demo_files(outdir, DEMO_NAME, lambda wb: build_demo(wb=wb), _DOC_TIME, MODULE_TEXT)


def print_written(write: Callable[[str], list[Path]], argv: Sequence[str] | None) -> int:
    """Run ``write`` on the folder given first in ``argv`` (default ``workbooks``), print
    each path it wrote, and return 0: the ``main`` of the demo modules.

    >>> print_written(lambda folder: [Path(folder, "a.xlsx")], ["out"])
    out/a.xlsx
    0
    """
    args = list(sys.argv[1:] if argv is None else argv)
    for path in write(args[0] if args else "workbooks"):
        print(path)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m cypsxl.excel.demo [OUTDIR]`` (default ``workbooks``)."""
    return print_written(write_demo, argv)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
