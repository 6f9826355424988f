"""Generate the standard investment-bid workbook with openpyxl (blank or filled from a case).

The layout, defined names, formulas and checks come from :mod:`.layout`; this module only
places and styles them. Output is deterministic: fixed document timestamps and zip entry
dates, so the same inputs give the same bytes, and the blank template committed under
``templates/`` can be checked for being up to date.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.chart import LineChart, Reference, Series
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.formatting.rule import Rule
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from ..model import Bid, Case
from ..model.limits import MAX_REF_CHARS
from ..model.timeline import validate_timeline
from . import files
from . import layout as L
from .printing import AMBER, FONT, GREEN, RED, wrap_columns

__all__ = [
    "DEFAULT_DIRECTORATES",
    "DEFAULT_SERVICE_AREAS",
    "FIXED_TIMESTAMP",
    "TemplateValues",
    "bid_values",
    "build_workbook",
    "fill_templates",
    "safe_filename",
    "save_deterministic",
    "write_bid_template",
    "write_blank_template",
]

#: Document created/modified time of every generated workbook (output is deterministic).
FIXED_TIMESTAMP = dt.datetime(2016, 4, 1, 0, 0, 0)

DEFAULT_SERVICE_AREAS = (
    "Children's Social Care",
    "Early Help",
    "Children's Social Care / Early Help",
    "Education and Inclusion",
    "Special Educational Needs and Disabilities",
    "Commissioning, Performance and Quality",
    "Safeguarding",
    "Other",
)
DEFAULT_DIRECTORATES = (
    "Children and Young People's Services",
    "Adult Care and Housing",
    "Regeneration and Environment",
    "Finance and Customer Services",
    "Assistant Chief Executive",
    "Public Health",
)

# Number formats: every number and formula cell gets one (LibreOffice adds its own otherwise).
FMT_MONEY = '#,##0.000;(#,##0.000);"-"'
FMT_COUNT = "#,##0"
FMT_DECIMAL = "#,##0.0"
FMT_POUNDS = '"£"#,##0'
FMT_FACTOR = "0.00"
FMT_YEAR = "0"
FMT_DATE = "dd/mm/yyyy"
FMT_CHARS = '#,##0" characters"'
FMT_TEXT = "@"

_FORMATS = {
    "money_row": FMT_MONEY,
    "money": FMT_MONEY,
    "count_row": FMT_COUNT,
    "fte_row": FMT_DECIMAL,
    "pounds": FMT_POUNDS,
    "factor": FMT_FACTOR,
    "calc_year": FMT_YEAR,
    "date": FMT_DATE,
}
_CALC_FORMATS = {"children_avoided": FMT_DECIMAL}

_NAVY = "1F3864"
_SECTION_FILL = PatternFill("solid", fgColor="D9E1F2")
_TITLE_FONT = Font(name=FONT, bold=True, size=16, color=_NAVY)
_SECTION_FONT = Font(name=FONT, bold=True, size=12, color=_NAVY)
_BOLD = Font(name=FONT, bold=True)
_NOTE_FONT = Font(name=FONT, italic=True, color="595959")
#: Check results and the status: OK / ready in green, required problems red, advised amber.
_GOOD = DifferentialStyle(
    font=Font(color="006100", bold=True), fill=PatternFill("solid", bgColor=GREEN)
)
_BAD = DifferentialStyle(
    font=Font(color="9C0006", bold=True), fill=PatternFill("solid", bgColor=RED)
)
_ADVISED = DifferentialStyle(
    font=Font(color="9C5700", bold=True), fill=PatternFill("solid", bgColor=AMBER)
)
#: Narrative answer box: as tall as MAX_ANSWER_CHARS of text at its width shows whole
#: (0.9 column units a character, 15 points a line, two lines to spare).
_ANSWER_WIDTH = 110
_ANSWER_HEIGHT = 15.0 * (math.ceil(L.MAX_ANSWER_CHARS * 0.9 / (_ANSWER_WIDTH - 2)) + 2)
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")
_UNLOCKED = Protection(locked=False)
_LOCKED = Protection(locked=True)
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


@dataclass(frozen=True, slots=True)
class TemplateValues:
    """What a filled template holds in its input cells (``None`` = left blank)."""

    ref: str = ""
    title: str = ""
    service_area: str = ""
    directorate: str = ""
    cabinet_member: str = ""
    contact: str = ""
    investment: tuple[float | None, ...] | None = None
    current_budget: float | None = None
    prevented: tuple[float | None, ...] | None = None
    avoided_cost_per_child: float | None = None
    part_year_factor: float | None = 0.5
    gross_saving_entered: tuple[float | None, ...] | None = None
    fte: tuple[float | None, ...] | None = None
    agency_released: tuple[float | None, ...] | None = None
    outcomes: tuple[tuple[str, str, tuple[float | None, ...]], ...] = ()
    answers: tuple[str, ...] = field(default_factory=tuple)


#: Outcome key that maps to the staffing row "agency workers released".
AGENCY_OUTCOME = "agency_workers_released"
#: Bid notes that map to the narrative answers and contact.
ANSWER_NOTES = tuple(f"answer_{i}" for i in range(1, len(L.QUESTIONS) + 1))


def bid_values(bid: Bid, case: Case) -> TemplateValues:
    """The input cells of a bid's template: the bid's rows and the case's assumptions.

    The avoided cost per child and the part-year factor are the bid's own when it has
    them, else the case's.

    >>> from cypsxl.casefile import reference_case
    >>> case = reference_case()
    >>> v = bid_values(case.bids[2], case)
    >>> v.ref, v.prevented, v.avoided_cost_per_child, v.part_year_factor
    ('CYPS_2', (0.0, 15.0, 27.0, 30.0, 30.0), 22000.0, 0.5)
    """
    a = case.assumptions
    cost = bid.avoided_cost_per_child_per_year
    factor = bid.part_year_factor
    outcomes = tuple(
        (key, "", tuple(row)) for key, row in bid.outcomes.items() if key != AGENCY_OUTCOME
    )
    if len(outcomes) > L.N_OUTCOMES:
        raise ValueError(
            f"bid {bid.ref} has {len(outcomes)} outcome measures; the template holds {L.N_OUTCOMES}"
        )
    agency = bid.outcomes.get(AGENCY_OUTCOME)
    return TemplateValues(
        ref=bid.ref,
        title=bid.title,
        service_area=bid.service_area,
        directorate=bid.directorate,
        cabinet_member=bid.cabinet_member,
        contact=str(bid.notes.get("contact", "")),
        investment=tuple(bid.investment),
        current_budget=bid.current_budget,
        prevented=None if bid.prevented is None else tuple(bid.prevented),
        avoided_cost_per_child=a.avoided_cost_per_child_per_year if cost is None else cost,
        part_year_factor=a.part_year_factor if factor is None else factor,
        gross_saving_entered=None if bid.gross_saving is None else tuple(bid.gross_saving),
        fte=None if bid.fte is None else tuple(bid.fte),
        agency_released=None if agency is None else tuple(agency),
        outcomes=outcomes,
        answers=tuple(str(bid.notes.get(k, "")) for k in ANSWER_NOTES),
    )


# --------------------------------------------------------------------------- cell helpers


def put_text(cell: Cell, text: str) -> None:
    """Write ``text`` as a string cell, never a formula (text may start with ``=``).

    >>> from openpyxl import Workbook
    >>> c = Workbook().active["A1"]
    >>> put_text(c, "=1+1"); (c.value, c.data_type)
    ('=1+1', 's')
    """
    cell.value = _ILLEGAL.sub("", text)
    cell.data_type = "s"


def _input(cell: Cell, fmt: str | None = None) -> None:
    cell.style = "Input"
    cell.protection = _UNLOCKED
    if fmt:
        cell.number_format = fmt


def _calc(cell: Cell, formula: str, fmt: str) -> None:
    cell.value = formula
    cell.style = "Calculation"
    cell.protection = _LOCKED
    cell.number_format = fmt


def _validation(
    ws: Worksheet,
    kind: str,
    cells: str,
    error: str,
    prompt: str,
    operator: str | None = None,
    formula1: str | None = None,
    formula2: str | None = None,
) -> None:
    dv = DataValidation(
        type=kind,
        operator=operator,
        formula1=formula1,
        formula2=formula2,
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorTitle="Not accepted",
        error=error,
        promptTitle="Enter",
        prompt=prompt,
    )
    dv.add(cells)
    ws.add_data_validation(dv)


def _merge_across(ws: Worksheet, row: int, col: int, last_col: int) -> None:
    """Merge ``row`` from ``col`` to ``last_col`` (nothing when there is one column)."""
    if last_col > col:
        ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=last_col)


def _name(wb: Workbook, name: str, area: L.Area) -> None:
    wb.defined_names[name] = DefinedName(name, attr_text=area.qualified())


# --------------------------------------------------------------------------- the sheets


def _section(ws: Worksheet, row: int, title: str, last_col: int) -> None:
    for col in range(1, last_col + 1):
        ws.cell(row, col).fill = _SECTION_FILL
    ws.cell(row, 1, title).font = _SECTION_FONT


def _row_label(ws: Worksheet, area: L.Area, f: L.Field) -> None:
    ws.cell(area.row, 1, f.label)
    ws.cell(area.row, 2, f.unit).font = _NOTE_FONT


def _put_number_row(ws: Worksheet, area: L.Area, values: Sequence[float | None] | None) -> None:
    for k in range(area.width):
        value = None if values is None or k >= len(values) else values[k]
        ws.cell(area.row, area.col + k).value = None if value is None else float(value)


def _header(ws: Worksheet, lay: L.Layout, v: TemplateValues, last_col: int) -> None:
    _section(ws, L.ROW_HEADER_SECTION, "1. The bid", last_col)
    texts = {
        "bid_ref": v.ref,
        "bid_title": v.title,
        "service_area": v.service_area,
        "directorate": v.directorate,
        "cabinet_member": v.cabinet_member,
        "contact": v.contact,
    }
    for f in L.HEADER:
        area = lay[f.name]
        _row_label(ws, area, f)
        cell = ws.cell(area.row, area.col)
        _input(cell, FMT_DATE if f.kind == "date" else FMT_TEXT)
        cell.alignment = Alignment(horizontal="left")
        if area.width == 1:
            _merge_across(ws, area.row, area.col, last_col)
        if texts.get(f.name):
            put_text(cell, texts[f.name])
    ref_cell = lay["bid_ref"].ref(absolute=False)
    _validation(
        ws,
        "textLength",
        ref_cell,
        f"A letter, then letters, digits, _ or -: at most {MAX_REF_CHARS} characters.",
        "The bid reference, e.g. CYPS_1.",
        "between",
        "1",
        str(MAX_REF_CHARS),
    )
    for name in ("bid_title", "cabinet_member", "contact"):
        _validation(
            ws,
            "textLength",
            lay[name].ref(absolute=False),
            f"At most {L.MAX_TEXT_CHARS} characters.",
            "Text.",
            "lessThanOrEqual",
            str(L.MAX_TEXT_CHARS),
        )
    _validation(
        ws,
        "list",
        lay["service_area"].ref(absolute=False),
        "Choose a service area from the list.",
        "Choose from the list.",
        formula1="list_service_areas",
    )
    _validation(
        ws,
        "list",
        lay["directorate"].ref(absolute=False),
        "Choose a directorate from the list.",
        "Choose from the list.",
        formula1="list_directorates",
    )
    _validation(
        ws,
        "date",
        lay["bid_date"].ref(absolute=False),
        "Enter a date such as 01/10/2016.",
        "The date you send the bid.",
        "greaterThan",
        "36526",
    )


_ROW_INPUTS = {
    "investment": ("decimal", "greaterThanOrEqual", "0", None, "£m, 0 or more; 0 where none."),
    "current_budget": ("decimal", "greaterThanOrEqual", "0", None, "£m, 0 or more."),
    "prevented": ("whole", "greaterThanOrEqual", "0", None, "A whole number of children."),
    "avoided_cost_per_child": (
        "decimal",
        "greaterThanOrEqual",
        "0",
        None,
        "£ a year per child, e.g. 22000.",
    ),
    "part_year_factor": ("decimal", "between", "0", "1", "From 0 to 1; 0.5 = half a year."),
    "gross_saving_entered": (
        "decimal",
        "greaterThanOrEqual",
        "0",
        None,
        "£m, 0 or more; leave blank if you give children prevented.",
    ),
    "fte": ("decimal", "greaterThanOrEqual", "0", None, "Full-time equivalent posts."),
    "agency_released": ("whole", "greaterThanOrEqual", "0", None, "A whole number of workers."),
}


def _finance(ws: Worksheet, lay: L.Layout, v: TemplateValues, years: Sequence[str]) -> None:
    last_col = lay["years"].last_col
    _section(ws, L.ROW_FINANCE_SECTION, "2. Financial summary (£m unless stated)", last_col)
    yrs = lay["years"]
    ws.cell(yrs.row, 1, "Financial year").font = _BOLD
    ws.cell(yrs.row, 2, "Unit").font = _BOLD
    for k, label in enumerate(years):
        cell = ws.cell(yrs.row, yrs.col + k, label)
        cell.font = _BOLD
        cell.alignment = Alignment(horizontal="right")
    rows = {
        "investment": v.investment,
        "prevented": v.prevented,
        "gross_saving_entered": v.gross_saving_entered,
        "fte": v.fte,
        "agency_released": v.agency_released,
    }
    singles = {
        "current_budget": v.current_budget,
        "avoided_cost_per_child": v.avoided_cost_per_child,
        "part_year_factor": v.part_year_factor,
    }
    formulas = L.expected_formulas(lay)
    for f in (*L.FINANCE, *L.STAFFING):
        area = lay[f.name]
        _row_label(ws, area, f)
        if f.kind.startswith("calc"):
            fmt = _CALC_FORMATS.get(f.name, _FORMATS.get(f.kind, FMT_MONEY))
            for r, c in area.cells():
                _calc(ws.cell(r, c), formulas[(area.sheet, r, c)], fmt)
            continue
        for r, c in area.cells():
            _input(ws.cell(r, c), _FORMATS[f.kind])
        if f.name in rows:
            _put_number_row(ws, area, rows[f.name])
        elif singles.get(f.name) is not None:
            ws.cell(area.row, area.col).value = float(singles[f.name])  # type: ignore[arg-type]
        kind, op, f1, f2, prompt = _ROW_INPUTS[f.name]
        _validation(ws, kind, area.ref(absolute=False), prompt, prompt, op, f1, f2)
    for name in ("payback_fy", "breakeven_fy"):  # right-aligned: "3" and "2018/19" apart
        area = lay[name]
        _calc(ws.cell(area.row, area.col), formulas[(area.sheet, area.row, area.col)], FMT_TEXT)
        ws.cell(area.row, area.col).alignment = Alignment(horizontal="right")
    _section(ws, L.ROW_STAFF_SECTION, "3. Staffing", last_col)


def _outcomes(ws: Worksheet, lay: L.Layout, v: TemplateValues) -> None:
    last_col = lay["years"].last_col
    _section(ws, L.ROW_OUTCOME_SECTION, "4. Outcome measures (how success is monitored)", last_col)
    ws.cell(L.ROW_OUTCOME_HEAD, 1, "Measure (describe it)").font = _BOLD
    ws.cell(L.ROW_OUTCOME_HEAD, 2, "Unit").font = _BOLD
    names, units, values = lay["outcome_names"], lay["outcome_units"], lay["outcome_values"]
    for i in range(names.height):
        _input(ws.cell(names.row + i, names.col), FMT_TEXT)
        _input(ws.cell(units.row + i, units.col), FMT_TEXT)
        for k in range(values.width):
            _input(ws.cell(values.row + i, values.col + k), "#,##0.###")
        if i < len(v.outcomes):
            name, unit, row = v.outcomes[i]
            put_text(ws.cell(names.row + i, names.col), name)
            if unit:
                put_text(ws.cell(units.row + i, units.col), unit)
            for k, value in enumerate(row[: values.width]):
                if value is not None:
                    ws.cell(values.row + i, values.col + k).value = float(value)
    for area in (names, units):
        _validation(
            ws,
            "textLength",
            area.ref(absolute=False),
            f"At most {L.MAX_TEXT_CHARS} characters.",
            "Describe the measure.",
            "lessThanOrEqual",
            str(L.MAX_TEXT_CHARS),
        )
    _validation(
        ws,
        "decimal",
        values.ref(absolute=False),
        "Enter a number.",
        "The measure's value in each year.",
        "between",
        "-1000000000000",
        "1000000000000",
    )


def _checks(ws: Worksheet, lay: L.Layout) -> None:
    last_col = lay["years"].last_col
    _section(
        ws, L.ROW_CHECK_SECTION, "5. Checks (fix every Required item before you send)", last_col
    )
    for col, text in ((1, "Check"), (2, "Level"), (3, "Result")):
        ws.cell(L.ROW_CHECK_HEAD, col, text).font = _BOLD
    levels, results = lay["check_levels"], lay["check_results"]
    for i, check in enumerate(L.CHECKS):
        row = levels.row + i
        ws.cell(row, 1, check.label)
        ws.cell(row, levels.col, "Required" if check.required else "Advised")
        cell = ws.cell(row, results.col)
        _calc(cell, check.formula, FMT_TEXT)
        _merge_across(ws, row, results.col, last_col)
    status = lay["checks_status"]
    ws.cell(status.row, 1, "Status").font = _BOLD
    _calc(ws.cell(status.row, status.col), L.status_formula(), FMT_TEXT)
    ws.cell(status.row, status.col).font = _BOLD
    _merge_across(ws, status.row, status.col, last_col)
    _traffic_lights(ws, lay)
    ws.row_breaks.append(Break(id=L.ROW_CHECK_SECTION - 1))  # section 5 starts a page, whole


def _rule(formula: str, style: DifferentialStyle) -> Rule:
    rule = Rule(type="expression", dxf=style, stopIfTrue=True)
    rule.formula = [formula]
    return rule


def _traffic_lights(ws: Worksheet, lay: L.Layout) -> None:
    """Check results green when "OK", red when a required check fails, amber when an
    advised one does; the status green when ready to send, red otherwise."""
    results, levels, status = lay["check_results"], lay["check_levels"], lay["checks_status"]
    first = results.ref(absolute=False).split(":")[0]
    level = f"${get_column_letter(levels.col)}{levels.row}"
    area = f"{first}:{get_column_letter(results.col)}{results.last_row}"
    ws.conditional_formatting.add(area, _rule(f'{first}="OK"', _GOOD))
    ws.conditional_formatting.add(area, _rule(f'{level}="Required"', _BAD))
    ws.conditional_formatting.add(area, _rule(f'{first}<>"OK"', _ADVISED))
    cell = status.ref(absolute=False)
    ws.conditional_formatting.add(cell, _rule(f'LEFT({cell},13)="Ready to send"', _GOOD))
    ws.conditional_formatting.add(cell, _rule(f'LEFT({cell},13)<>"Ready to send"', _BAD))


def _chart(ws: Worksheet, lay: L.Layout) -> None:
    """A line chart of net and cumulative net by year, below the checks.

    Both axes are written as shown (``delete = False``: Excel hides an axis whose
    ``delete`` is left out), the years are text categories, and their labels sit below
    the plot so lines that turn negative do not cross them; lines are straight.
    """
    chart = LineChart()
    chart.title = "Net and cumulative net by year (£m)"
    chart.y_axis.title = "£m (below 0 = net saving)"
    chart.x_axis.title = "Financial year"
    chart.y_axis.number_format = "#,##0.0"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.x_axis.tickLblPos = "low"
    chart.x_axis.axPos = "b"
    chart.height, chart.width = 7.5, 18.0
    yrs = lay["years"]
    categories = AxDataSource(strRef=StrRef(f=yrs.qualified()))
    for name, title in (("net", "Net"), ("cumulative_net", "Cumulative net")):
        a = lay[name]
        ref = Reference(ws, min_col=a.col, min_row=a.row, max_col=a.last_col, max_row=a.row)
        series = Series(ref, title=title)
        series.cat = categories
        series.smooth = False  # straight lines between years, not a fitted curve
        chart.series.append(series)
    ws.add_chart(chart, f"A{lay['check_results'].last_row + 3}")


def _print_setup(ws: Worksheet, ref: str, last_row: int, last_col: int, title_rows: str) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = title_rows
    ws.print_area = f"A1:{get_column_letter(last_col)}{last_row}"
    ws.oddHeader.left.text = f"Investment bid {ref}".strip() if ref else "Investment bid"
    ws.oddHeader.right.text = "&A"
    ws.oddFooter.right.text = "Page &P of &N"
    ws.print_options.gridLines = False


def _bid_sheet(ws: Worksheet, lay: L.Layout, v: TemplateValues, years: Sequence[str]) -> None:
    last_col = lay["years"].last_col
    ws.title = L.BID_SHEET
    ws.cell(L.ROW_TITLE, 1, "Investment bid").font = _TITLE_FONT
    ws.cell(
        L.ROW_INTRO,
        1,
        "Fill in the input cells (orange); the grey cells calculate. "
        "Money in £m. See the Guidance sheet.",
    ).font = _NOTE_FONT
    _header(ws, lay, v, last_col)
    _finance(ws, lay, v, years)
    _outcomes(ws, lay, v)
    _checks(ws, lay)
    _chart(ws, lay)
    ws.column_dimensions["A"].width = 58
    ws.column_dimensions["B"].width = 22
    for col in range(lay["years"].col, last_col + 1):
        ws.column_dimensions[get_column_letter(col)].width = 13
    ws.freeze_panes = "C4"
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    last_row = lay["check_results"].last_row + 18
    _print_setup(ws, v.ref, last_row, last_col, f"{L.ROW_TITLE}:{L.ROW_STATUS}")


def _narrative_sheet(ws: Worksheet, lay: L.Layout, v: TemplateValues) -> None:
    ws.cell(1, 1, "Narrative: the six questions of the bid form").font = _TITLE_FONT
    ws.cell(
        2,
        1,
        f"Answer each question in the orange box: plain English, about 150-300 "
        f"words, at most {L.MAX_ANSWER_CHARS:,} characters.",
    ).font = _NOTE_FONT
    for i, (question, guide) in enumerate(L.QUESTIONS, start=1):
        area = lay[f"answer_{i}"]
        ws.cell(area.row - 1, 1, f"Q{i}").font = _SECTION_FONT
        ws.cell(area.row - 1, area.col, question).font = _SECTION_FONT
        cell = ws.cell(area.row, area.col)
        _input(cell, FMT_TEXT)
        cell.alignment = _WRAP_TOP
        ws.row_dimensions[area.row].height = _ANSWER_HEIGHT
        if i % 2 == 1 and i > 1:  # two questions a page, each with its box
            ws.row_breaks.append(Break(id=area.row - 2))
        if i <= len(v.answers) and v.answers[i - 1]:
            put_text(cell, v.answers[i - 1])
        ws.cell(area.row + 1, area.col, f"Guide: {guide}").font = _NOTE_FONT
        count = ws.cell(area.row, area.col + 1)
        _calc(count, f"=LEN(answer_{i})", FMT_CHARS)
        count.alignment = Alignment(vertical="top")
        _validation(
            ws,
            "textLength",
            area.ref(absolute=False),
            f"At most {L.MAX_ANSWER_CHARS:,} characters.",
            guide,
            "lessThanOrEqual",
            str(L.MAX_ANSWER_CHARS),
        )
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = _ANSWER_WIDTH
    ws.column_dimensions["C"].width = 20
    ws.protection.sheet = True
    last = lay[f"answer_{len(L.QUESTIONS)}"].row + 1
    _print_setup(ws, v.ref, last, 3, "1:1")
    ws.page_setup.orientation = "portrait"


GUIDANCE = (
    ("How to fill in this bid", True),
    (
        "1. Bid sheet, section 1: the reference finance gave you (e.g. CYPS_4), a short title, "
        "the service area and directorate (choose from the lists), the responsible cabinet member "
        "and a contact.",
        False,
    ),
    (
        "2. Section 2: funding sought for every year in £m (0 where none). Give the saving ONE "
        "way: either the children prevented from entering care (or returned home) each year, "
        "with the avoided cost per child and the part-year factor, or the gross saving typed in "
        "(£m). Not both.",
        False,
    ),
    (
        "3. Children prevented: each year's new cohort avoids the part-year factor of a year's "
        "cost in its first year and a full year in every later year. Example with £22,000 and "
        "0.5: 15 children in year 2 and 27 in year 3 avoid 15 x 0.5 x 22,000 = £0.165m in year "
        "2 and (15 + 27 x 0.5) x 22,000 = £0.627m in year 3.",
        False,
    ),
    (
        "4. Net = funding sought - gross saving; a negative net is a net saving (shown in "
        "brackets). Payback year = the first year the net is negative (1 = the first year); "
        "break-even year = the first year the cumulative net is negative.",
        False,
    ),
    (
        "5. Sections 3 and 4: posts (FTE), agency workers released and up to four outcome "
        "measures by year.",
        False,
    ),
    ("6. Narrative sheet: answer the six questions.", False),
    (
        "7. Section 5 checks the form as you type. Fix every 'Required' item: the status at "
        "the top says 'Ready to send' when the bid can be accepted.",
        False,
    ),
    ("Cells", True),
    (
        "Orange cells are inputs; grey cells are calculated and locked. The sheets are "
        "protected without a password only to keep formulas safe: do not unprotect them or "
        "type over a grey cell - finance recalculate every figure and will return the bid.",
        False,
    ),
    ("Returning the bid", True),
    (
        "Save as an Excel Workbook (.xlsx, not .xlsm or .xls), keep the file name with your "
        "reference, and send it to your finance business partner.",
        False,
    ),
    ("Do not add macros, links to other workbooks or passwords: such files are refused.", False),
)


def _guidance_sheet(ws: Worksheet, ref: str) -> None:
    ws.cell(1, 1, "Guidance").font = _TITLE_FONT
    for i, (text, heading) in enumerate(GUIDANCE, start=3):
        cell = ws.cell(i, 1, text)
        if heading:
            cell.font = _SECTION_FONT
    wrap_columns(ws, {1: 68}, first_row=3)  # portrait width; rows as tall as their lines
    ws.cell(
        len(GUIDANCE) + 4,
        1,
        f"Template version {L.TEMPLATE_VERSION}, schema {L.SCHEMA_FINGERPRINT}.",
    ).font = _NOTE_FONT
    ws.protection.sheet = True
    _print_setup(ws, ref, len(GUIDANCE) + 4, 1, "1:1")
    ws.page_setup.orientation = "portrait"


def _lists_sheet(wb: Workbook, areas: Iterable[str], directorates: Iterable[str]) -> None:
    ws = wb.create_sheet(L.LISTS_SHEET)
    ws.sheet_state = "hidden"
    for col, (title, items, name) in enumerate(
        (
            ("Service areas", list(areas), "list_service_areas"),
            ("Directorates", list(directorates), "list_directorates"),
        ),
        start=1,
    ):
        ws.cell(1, col, title).font = _BOLD
        for i, item in enumerate(items, start=2):
            put_text(ws.cell(i, col), item)
        _name(wb, name, L.Area(L.LISTS_SHEET, 2, col, max(2, len(items) + 1), col))
    ws.protection.sheet = True


def _unique(*groups: Iterable[str]) -> list[str]:
    out: list[str] = []
    for group in groups:
        out += [x for x in group if x and x not in out]
    return out


def build_workbook(
    years: Sequence[str],
    values: TemplateValues | None = None,
    service_areas: Iterable[str] = DEFAULT_SERVICE_AREAS,
    directorates: Iterable[str] = DEFAULT_DIRECTORATES,
) -> Workbook:
    """The bid workbook in memory: Bid, Narrative, Guidance and a hidden Lists sheet.

    >>> wb = build_workbook(["2017/18", "2018/19"])
    >>> wb.sheetnames, wb.defined_names["net"].attr_text
    (['Bid', 'Narrative', 'Guidance', 'Lists'], 'Bid!$C$25:$D$25')
    """
    validate_timeline(list(years))
    v = values or TemplateValues()
    lay = L.default_layout(len(years))
    wb = Workbook()
    _bid_sheet(wb.active, lay, v, years)
    _narrative_sheet(wb.create_sheet(L.NARRATIVE_SHEET), lay, v)
    _guidance_sheet(wb.create_sheet(L.GUIDANCE_SHEET), v.ref)
    _lists_sheet(
        wb, _unique(service_areas, [v.service_area]), _unique(directorates, [v.directorate])
    )
    for name, area in lay.items():
        _name(wb, name, area)
    wb.active = 0
    props = wb.properties
    props.creator = "cypsxl"
    props.lastModifiedBy = "cypsxl"
    props.title = f"Investment bid {v.ref}".strip()
    props.subject = "Investment bid"
    props.created = FIXED_TIMESTAMP
    props.modified = FIXED_TIMESTAMP
    wb.custom_doc_props.append(
        StringProperty(name="cypsxl_template_version", value=L.TEMPLATE_VERSION)
    )
    wb.custom_doc_props.append(StringProperty(name="cypsxl_schema", value=L.SCHEMA_FINGERPRINT))
    return wb


# --------------------------------------------------------------------------- saving


def save_deterministic(wb: Workbook, path: str | Path) -> Path:
    """Save ``wb`` atomically, dated :data:`FIXED_TIMESTAMP` (same content, same bytes)."""
    return files.save_deterministic(wb, path, FIXED_TIMESTAMP)


# --------------------------------------------------------------------------- entry points


def _default_years() -> tuple[str, ...]:
    from ..casefile import reference_case

    return reference_case().years


def write_blank_template(
    path: str | Path, ref: str | None = None, years: Sequence[str] | None = None
) -> Path:
    """Write a blank bid template to ``path`` and return the path.

    ``years`` defaults to the reference case's plan years; ``ref`` pre-fills the bid
    reference (and the printed header). The part-year factor starts at the standard 0.5.

    >>> import tempfile, pathlib
    >>> p = write_blank_template(pathlib.Path(tempfile.mkdtemp()) / "bid.xlsx", "CYPS_12",
    ...                          ["2017/18", "2018/19"])
    >>> p.name
    'bid.xlsx'
    """
    yrs = tuple(years) if years is not None else _default_years()
    values = TemplateValues(ref=ref or "")
    return save_deterministic(build_workbook(yrs, values), path)


def write_bid_template(path: str | Path, bid: Bid, case: Case) -> Path:
    """Write the template of one bid of ``case``, filled in, to ``path``."""
    areas = _unique(DEFAULT_SERVICE_AREAS, (b.service_area for b in case.bids))
    dirs = _unique(DEFAULT_DIRECTORATES, [case.directorate], (b.directorate for b in case.bids))
    wb = build_workbook(case.years, bid_values(bid, case), areas, dirs)
    return save_deterministic(wb, path)


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(ref: str) -> str:
    """A file name for a bid reference (letters, digits, ``._-`` only).

    >>> safe_filename("CYPS_1A"), safe_filename("../x y")
    ('CYPS_1A.xlsx', 'x_y.xlsx')
    """
    stem = _UNSAFE.sub("_", ref).strip("._") or "bid"
    return f"{stem[:80]}.xlsx"


def fill_templates(case: Case, outdir: str | Path) -> list[Path]:
    """Write one filled template per bid of ``case`` into ``outdir``; return the paths."""
    out = Path(outdir)
    paths = []
    used: set[str] = set()
    for bid in case.bids:
        name = safe_filename(bid.ref)
        stem, n = name[:-5], 2
        while name.casefold() in used:
            name, n = f"{stem}_{n}.xlsx", n + 1
        used.add(name.casefold())
        paths.append(write_bid_template(out / name, bid, case))
    return paths
