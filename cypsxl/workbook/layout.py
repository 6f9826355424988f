"""The bid template's reading contract: sheets, fields, defined names, formulas and checks.

One place describes every field of the form (its defined name, label, unit and kind),
where the generator puts it, the Excel formula of every calculated cell, and the checks.
The generator (:mod:`.template`) writes this layout; the reader (:mod:`.reader`) finds the
fields by their workbook-scoped defined names - so a budget holder who inserts rows does
not break anything - and rebuilds the formulas expected at the positions it found, to
spot a value or formula typed over a calculated cell.

No finance rules live here: the formulas mirror :mod:`cypsxl.model` (the part-year
cohort rule of ``cost_avoidance``, ``net``, ``cumulative_net``, the 9-decimal
``is_negative`` rule of payback and break-even), and the tests recalculate them with
LibreOffice and compare every cell with the engine.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from openpyxl.utils import get_column_letter

from ..model.limits import PLAUSIBLE_MONEY_M

__all__ = [
    "BID_SHEET",
    "CHECKS",
    "FIELDS",
    "LISTS_SHEET",
    "MAX_ANSWER_CHARS",
    "MAX_TEXT_CHARS",
    "NARRATIVE_SHEET",
    "N_OUTCOMES",
    "QUESTIONS",
    "SCHEMA_FINGERPRINT",
    "TEMPLATE_VERSION",
    "Area",
    "Check",
    "Field",
    "Layout",
    "default_layout",
    "expected_formulas",
    "normalise_formula",
]

#: Bumped whenever the reading contract changes; the reader refuses other versions.
TEMPLATE_VERSION = "1.1"

BID_SHEET = "Bid"
NARRATIVE_SHEET = "Narrative"
GUIDANCE_SHEET = "Guidance"
LISTS_SHEET = "Lists"

#: Outcome measure rows on the form.
N_OUTCOMES = 4
#: Longest header text (title, names) and narrative answer accepted, in characters.
MAX_TEXT_CHARS = 200
MAX_ANSWER_CHARS = 2000  # about 300 words: what the answer box shows whole

#: First column of the years (A = label, B = unit).
FIRST_YEAR_COL = 3


@dataclass(frozen=True, slots=True)
class Field:
    """One field of the form.

    ``kind`` says how it is read and validated: ``text``, ``date``, ``years``;
    ``money`` / ``pounds`` / ``factor`` (one number); ``money_row`` / ``count_row`` /
    ``fte_row`` / ``measure_row`` (a number per year, or per outcome and year for
    ``measure_block``); ``calc_row`` / ``calc_year`` / ``calc_label`` (formulas).
    """

    name: str
    label: str
    unit: str
    kind: str
    sheet: str = BID_SHEET
    required: bool = False


def _f(name: str, label: str, unit: str, kind: str, **kw: object) -> Field:
    return Field(name, label, unit, kind, **kw)  # type: ignore[arg-type]


#: Header fields, in form order (rows 6-12 of the Bid sheet).
HEADER = (
    _f("bid_ref", "Bid reference", "text, e.g. CYPS_1", "text", required=True),
    _f("bid_title", "Title", "text", "text", required=True),
    _f("service_area", "Service area", "choose from the list", "text"),
    _f("directorate", "Directorate", "choose from the list", "text"),
    _f("cabinet_member", "Responsible cabinet member", "text", "text"),
    _f("contact", "Contact (name, email, phone)", "text", "text"),
    _f("bid_date", "Date submitted", "date", "date"),
)

#: The financial summary, in form order (from row 16, after the years row).
FINANCE = (
    _f(
        "investment",
        "Funding sought (investment, net of other income)",
        "£m",
        "money_row",
        required=True,
    ),
    _f("current_budget", "Current budget of the line it adds to", "£m, current year", "money"),
    _f(
        "prevented",
        "Children prevented from entering care (or returned home)",
        "children",
        "count_row",
    ),
    _f("avoided_cost_per_child", "Avoided cost per child", "£ per child per year", "pounds"),
    _f(
        "part_year_factor",
        "Part-year factor (share of a year avoided in the first year)",
        "fraction 0-1",
        "factor",
    ),
    _f("children_avoided", "Child-years of care avoided", "child-years", "calc_row"),
    _f("cost_avoidance", "Cost avoidance from children prevented", "£m", "calc_row"),
    _f(
        "gross_saving_entered",
        "Gross saving typed in (only if not from children prevented)",
        "£m",
        "money_row",
    ),
    _f("gross_saving", "Gross saving / cost avoidance", "£m", "calc_row"),
    _f("net", "Net (investment - gross saving; negative = net saving)", "£m", "calc_row"),
    _f("cumulative_net", "Cumulative net", "£m", "calc_row"),
    _f(
        "payback_year",
        "Payback year (first year net is negative)",
        "year no. (1 = first)",
        "calc_year",
    ),
    _f(
        "breakeven_year",
        "Break-even year (first year cumulative net is negative)",
        "year no. (1 = first)",
        "calc_year",
    ),
)

STAFFING = (
    _f("fte", "Posts funded by the bid", "FTE", "fte_row"),
    _f("agency_released", "Agency workers released", "workers", "count_row"),
)

#: The six questions of the standard bid form and a guide to each answer.
QUESTIONS = (
    ("Why is the funding needed?", "The need or demand, with evidence (numbers, trends)."),
    ("What is the legal and statutory framework?", "Duties, legislation, inspection findings."),
    ("What has management done to reduce the bid?", "Alternatives tried, savings found first."),
    ("What are the consequences if the bid is not agreed?", "Risks to children, cost, duties."),
    ("What are the staffing implications (FTE)?", "Posts, grades, agency workers released."),
    (
        "What are the longer-term benefits and savings, and how will outcomes be monitored?",
        "The outcome measures on the Bid sheet, who reports them and how often.",
    ),
)

#: Every field with a defined name, and its kind (the schema).
FIELDS: tuple[Field, ...] = (
    *HEADER,
    _f("years", "Financial year", "", "years"),
    *FINANCE,
    _f("payback_fy", "Payback financial year", "", "calc_label"),
    _f("breakeven_fy", "Break-even financial year", "", "calc_label"),
    *STAFFING,
    _f("outcome_names", "Outcome measure", "text", "text_column"),
    _f("outcome_units", "Outcome unit", "text", "text_column"),
    _f("outcome_values", "Outcome values", "as stated", "measure_block"),
    *(
        _f(f"answer_{i}", q, "text", "answer", sheet=NARRATIVE_SHEET)
        for i, (q, _) in enumerate(QUESTIONS, start=1)
    ),
    _f("check_levels", "Check level", "", "check_column"),
    _f("check_results", "Check result", "", "check_column"),
    _f("checks_status", "Status", "", "calc_label"),
)

FIELD_BY_NAME: Mapping[str, Field] = {f.name: f for f in FIELDS}

#: Money, count and FTE inputs checked for text and negatives.
NUMBER_INPUTS = (
    "investment",
    "current_budget",
    "prevented",
    "avoided_cost_per_child",
    "part_year_factor",
    "gross_saving_entered",
    "fte",
    "agency_released",
)
NON_NEGATIVE = tuple(n for n in NUMBER_INPUTS if n != "part_year_factor")
#: Inputs in £m, checked for pounds typed where £m is asked.
MONEY_INPUTS = ("investment", "current_budget", "gross_saving_entered")
WHOLE = ("prevented", "agency_released")
ANSWERS = tuple(f"answer_{i}" for i in range(1, len(QUESTIONS) + 1))
LONG_TEXT = ("bid_ref", "bid_title", "service_area", "directorate", "cabinet_member", "contact")

_OK = '"OK"'
_TOL = "0.0000005"  # half of a £1 in £m: totals must tie to the pound


def _counta(names: tuple[str, ...]) -> str:
    return f"COUNTA({','.join(names)})"


def _count(names: tuple[str, ...]) -> str:
    return f"COUNT({','.join(names)})"


@dataclass(frozen=True, slots=True)
class Check:
    """One check of the form: an Excel formula giving "OK" or a message, and its level."""

    key: str
    label: str
    required: bool
    formula: str
    message: str  # what the formula shows when the check fails (for the reader's errors)


def _check(key: str, label: str, required: bool, condition: str, message: str) -> Check:
    """A check whose formula is ``IF(condition, "OK", message)``."""
    return Check(key, label, required, f'=IF({condition},{_OK},"{message}")', message)


CHECKS: tuple[Check, ...] = (
    _check("ref", "Bid reference entered", True, "LEN(TRIM(bid_ref))>0", "Enter the bid reference"),
    _check("title", "Title entered", True, "LEN(TRIM(bid_title))>0", "Enter the title"),
    _check(
        "service_area",
        "Service area chosen",
        False,
        "LEN(TRIM(service_area))>0",
        "Choose the service area",
    ),
    _check(
        "directorate",
        "Directorate chosen",
        False,
        "LEN(TRIM(directorate))>0",
        "Choose the directorate",
    ),
    _check(
        "cabinet_member",
        "Cabinet member named",
        False,
        "LEN(TRIM(cabinet_member))>0",
        "Name the responsible cabinet member",
    ),
    _check("contact", "Contact given", False, "LEN(TRIM(contact))>0", "Give a contact"),
    _check(
        "investment",
        "Funding sought entered for every year",
        True,
        "COUNT(investment)=COLUMNS(investment)",
        "Enter funding sought for every year (0 where none)",
    ),
    _check(
        "numbers",
        "Number cells hold numbers",
        True,
        f"{_counta(NUMBER_INPUTS)}={_count(NUMBER_INPUTS)}",
        "A number cell holds text: enter numbers only",
    ),
    _check(
        "negative",
        "No negative money, counts or FTE",
        True,
        "+".join(f'COUNTIF({n},"<0")' for n in NON_NEGATIVE) + "=0",
        "Money, counts and FTE cannot be negative",
    ),
    _check(
        "whole",
        "Counts are whole numbers",
        True,
        "IFERROR(" + "+".join(f"SUMPRODUCT(ABS({n}-INT({n})))" for n in WHOLE) + ",1)=0",
        "Children prevented and agency workers must be whole numbers",
    ),
    _check(
        "one_route",
        "Gross saving from one route only",
        True,
        "OR(COUNTA(prevented)=0,COUNTA(gross_saving_entered)=0)",
        "Fill either children prevented or gross saving typed in, not both",
    ),
    _check(
        "avoided_cost",
        "Avoided cost given for children prevented",
        True,
        "OR(COUNTA(prevented)=0,ISNUMBER(avoided_cost_per_child))",
        "Enter the avoided cost per child used for children prevented",
    ),
    _check(
        "part_year",
        "Part-year factor from 0 to 1",
        True,
        "OR(COUNTA(prevented)=0,AND(ISNUMBER(part_year_factor),"
        "part_year_factor>=0,part_year_factor<=1))",
        "Enter a part-year factor from 0 to 1 (0.5 = half a year)",
    ),
    _check(
        "ties_out",
        "Net and cumulative net tie out",
        True,
        f"AND(ABS(SUM(net)-SUM(investment)+SUM(gross_saving))<{_TOL},"
        f"ABS(INDEX(cumulative_net,1,COLUMNS(cumulative_net))-SUM(net))<{_TOL})",
        "Net does not tie out to investment - gross saving",
    ),
    _check(
        "text_length",
        f"Header text at most {MAX_TEXT_CHARS} characters",
        True,
        f"MAX({','.join(f'LEN({n})' for n in LONG_TEXT)})<={MAX_TEXT_CHARS}",
        f"A header text is longer than {MAX_TEXT_CHARS} characters",
    ),
    _check(
        "plausible",
        f"Money in £m (no figure over £{PLAUSIBLE_MONEY_M:,.0f}m)",
        False,
        "+".join(f'COUNTIF({n},">{PLAUSIBLE_MONEY_M:g}")' for n in MONEY_INPUTS) + "=0",
        f"A money figure is over £{PLAUSIBLE_MONEY_M:,.0f}m: enter £m (0.25 for £250,000)",
    ),
    _check(
        "answers",
        "All six questions answered",
        False,
        f"{_counta(ANSWERS)}={len(ANSWERS)}",
        "Answer every question on the Narrative sheet",
    ),
    _check(
        "answer_length",
        f"Answers at most {MAX_ANSWER_CHARS:,} characters",
        True,
        f"MAX({','.join(f'LEN({n})' for n in ANSWERS)})<={MAX_ANSWER_CHARS}",
        f"An answer on the Narrative sheet is longer than {MAX_ANSWER_CHARS:,} characters",
    ),
)


def _fingerprint() -> str:
    """A short hash of the schema: version, field names and kinds, check keys."""
    text = "|".join(
        [TEMPLATE_VERSION]
        + [f"{f.name}:{f.kind}:{f.sheet}" for f in FIELDS]
        + [f"check:{c.key}:{c.required}" for c in CHECKS]
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


SCHEMA_FINGERPRINT = _fingerprint()


@dataclass(frozen=True, slots=True)
class Area:
    """A rectangle of one sheet (1-based rows and columns, inclusive)."""

    sheet: str
    row: int
    col: int
    last_row: int
    last_col: int

    @property
    def width(self) -> int:
        """Columns in the area."""
        return self.last_col - self.col + 1

    @property
    def height(self) -> int:
        """Rows in the area."""
        return self.last_row - self.row + 1

    def row_at(self, i: int) -> Area:
        """Row ``i`` of the area (0 = the first), as an area of its own.

        >>> Area("Bid", 36, 3, 39, 7).row_at(1).ref(absolute=False)
        'C37:G37'
        """
        return Area(self.sheet, self.row + i, self.col, self.row + i, self.last_col)

    def cells(self) -> list[tuple[int, int]]:
        """(row, col) of every cell, row by row.

        >>> Area("Bid", 2, 3, 2, 4).cells()
        [(2, 3), (2, 4)]
        """
        return [
            (r, c)
            for r in range(self.row, self.last_row + 1)
            for c in range(self.col, self.last_col + 1)
        ]

    def ref(self, absolute: bool = True) -> str:
        """The A1 reference of the area, e.g. ``$C$16:$G$16``.

        >>> Area("Bid", 16, 3, 16, 7).ref()
        '$C$16:$G$16'
        >>> Area("Bid", 6, 3, 6, 3).ref(absolute=False)
        'C6'
        """
        d = "$" if absolute else ""
        first = f"{d}{get_column_letter(self.col)}{d}{self.row}"
        if self.width == 1 and self.height == 1:
            return first
        return f"{first}:{d}{get_column_letter(self.last_col)}{d}{self.last_row}"

    def qualified(self) -> str:
        """``Sheet!$A$1`` (the text of a defined name)."""
        sheet = (
            self.sheet
            if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", self.sheet)
            else ("'" + self.sheet.replace("'", "''") + "'")
        )
        return f"{sheet}!{self.ref()}"


Layout = dict[str, Area]

# Fixed rows of the Bid sheet (the generator's placement; readers use the names).
ROW_TITLE, ROW_STATUS, ROW_INTRO = 1, 2, 3
ROW_HEADER_SECTION, ROW_HEADER = 5, 6
ROW_FINANCE_SECTION, ROW_YEARS = 14, 15
ROW_STAFF_SECTION = ROW_YEARS + len(FINANCE) + 2
ROW_STAFF = ROW_STAFF_SECTION + 1
ROW_OUTCOME_SECTION = ROW_STAFF + len(STAFFING) + 1
ROW_OUTCOME_HEAD = ROW_OUTCOME_SECTION + 1
ROW_OUTCOMES = ROW_OUTCOME_HEAD + 1
ROW_CHECK_SECTION = ROW_OUTCOMES + N_OUTCOMES + 1
ROW_CHECK_HEAD = ROW_CHECK_SECTION + 1
ROW_CHECKS = ROW_CHECK_HEAD + 1
#: Narrative sheet: question i has its title at row 4 + 4 (i - 1), its answer one below.
NARRATIVE_FIRST_ROW = 4
NARRATIVE_STRIDE = 4
ANSWER_COL = 2

_SINGLE = {"text", "date", "money", "pounds", "factor", "calc_year"}


def default_layout(n_years: int) -> Layout:
    """Where the generator puts every field for ``n_years`` years.

    >>> lay = default_layout(5)
    >>> lay["investment"].ref(), lay["payback_fy"].ref(), lay["answer_1"].qualified()
    ('$C$16:$G$16', '$D$27', 'Narrative!$B$5')
    """
    first, last = FIRST_YEAR_COL, FIRST_YEAR_COL + n_years - 1
    out: Layout = {}
    for i, f in enumerate(HEADER):
        out[f.name] = Area(BID_SHEET, ROW_HEADER + i, first, ROW_HEADER + i, first)
    out["years"] = Area(BID_SHEET, ROW_YEARS, first, ROW_YEARS, last)
    for i, f in enumerate(FINANCE):
        row = ROW_YEARS + 1 + i
        wide = f.kind not in _SINGLE
        out[f.name] = Area(BID_SHEET, row, first, row, last if wide else first)
    out["payback_fy"] = Area(
        BID_SHEET, out["payback_year"].row, first + 1, out["payback_year"].row, first + 1
    )
    out["breakeven_fy"] = Area(
        BID_SHEET, out["breakeven_year"].row, first + 1, out["breakeven_year"].row, first + 1
    )
    for i, f in enumerate(STAFFING):
        out[f.name] = Area(BID_SHEET, ROW_STAFF + i, first, ROW_STAFF + i, last)
    last_outcome = ROW_OUTCOMES + N_OUTCOMES - 1
    out["outcome_names"] = Area(BID_SHEET, ROW_OUTCOMES, 1, last_outcome, 1)
    out["outcome_units"] = Area(BID_SHEET, ROW_OUTCOMES, 2, last_outcome, 2)
    out["outcome_values"] = Area(BID_SHEET, ROW_OUTCOMES, first, last_outcome, last)
    for i in range(len(QUESTIONS)):
        row = NARRATIVE_FIRST_ROW + NARRATIVE_STRIDE * i + 1
        out[f"answer_{i + 1}"] = Area(NARRATIVE_SHEET, row, ANSWER_COL, row, ANSWER_COL)
    last_check = ROW_CHECKS + len(CHECKS) - 1
    out["check_levels"] = Area(BID_SHEET, ROW_CHECKS, 2, last_check, 2)
    out["check_results"] = Area(BID_SHEET, ROW_CHECKS, first, last_check, first)
    out["checks_status"] = Area(BID_SHEET, ROW_STATUS, first, ROW_STATUS, first)
    return out


def _a1(row: int, col: int, abs_col: bool = False, abs_row: bool = False) -> str:
    return f"{'$' if abs_col else ''}{get_column_letter(col)}{'$' if abs_row else ''}{row}"


def _row_formulas(lay: Layout) -> dict[tuple[str, int, int], str]:
    """Formulas of the calculated year rows, cell by cell, at the positions in ``lay``."""
    out: dict[tuple[str, int, int], str] = {}
    prev, avoided, cost = lay["prevented"], lay["children_avoided"], lay["cost_avoidance"]
    entered, gross = lay["gross_saving_entered"], lay["gross_saving"]
    inv, net, cum = lay["investment"], lay["net"], lay["cumulative_net"]
    for k in range(avoided.width):
        # year t avoids every earlier cohort in full and f of its own (model.avoidance):
        # cumsum(prevented)[t] - (1 - f) * prevented[t]
        p_first = _a1(prev.row, prev.col, abs_col=True, abs_row=True)
        p_t = _a1(prev.row, prev.col + k)
        out[(avoided.sheet, avoided.row, avoided.col + k)] = (
            f"=SUM({p_first}:{p_t})-(1-part_year_factor)*{p_t}"
        )
        # child-years x avoided cost per child (£) / 1,000,000 = £m
        out[(cost.sheet, cost.row, cost.col + k)] = (
            f"={_a1(avoided.row, avoided.col + k)}*avoided_cost_per_child/1000000"
        )
        out[(gross.sheet, gross.row, gross.col + k)] = (
            f"={_a1(entered.row, entered.col + k)}+{_a1(cost.row, cost.col + k)}"
        )
        out[(net.sheet, net.row, net.col + k)] = (
            f"={_a1(inv.row, inv.col + k)}-{_a1(gross.row, gross.col + k)}"
        )
        n_first = _a1(net.row, net.col, abs_col=True, abs_row=True)
        out[(cum.sheet, cum.row, cum.col + k)] = f"=SUM({n_first}:{_a1(net.row, net.col + k)})"
    return out


#: First year whose value is negative after rounding to 9 decimals (model.is_negative).
PAYBACK = '=IFERROR(MATCH(TRUE,INDEX(ROUND(net,9)<0,0),0),"none")'
BREAKEVEN = '=IFERROR(MATCH(TRUE,INDEX(ROUND(cumulative_net,9)<0,0),0),"none")'


def _label_formula(year_name: str) -> str:
    return f'=IF(ISNUMBER({year_name}),INDEX(years,1,{year_name}),"none")'


def status_formula() -> str:
    """The status line: required checks open, advised items open, or ready to send."""
    req = 'COUNTIFS(check_levels,"Required",check_results,"<>OK")'
    adv = 'COUNTIF(check_results,"<>OK")'
    return (
        f'=IF({req}>0,{req}&" required item(s) to fix: see 5. Checks",'
        f'IF({adv}>0,"Ready to send ("&{adv}&" advised item(s) open)","Ready to send"))'
    )


def expected_formulas(lay: Layout) -> dict[tuple[str, int, int], str]:
    """Every calculated cell's formula, keyed by (sheet, row, col), at the positions in ``lay``.

    >>> f = expected_formulas(default_layout(2))
    >>> f[("Bid", 25, 4)]
    '=D16-D24'
    """
    out = _row_formulas(lay)
    for name, formula in (
        ("payback_year", PAYBACK),
        ("breakeven_year", BREAKEVEN),
        ("payback_fy", _label_formula("payback_year")),
        ("breakeven_fy", _label_formula("breakeven_year")),
        ("checks_status", status_formula()),
    ):
        a = lay[name]
        out[(a.sheet, a.row, a.col)] = formula
    checks = lay["check_results"]
    for i, check in enumerate(CHECKS[: checks.height]):
        out[(checks.sheet, checks.row + i, checks.col)] = check.formula
    return out


_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=4096)
def normalise_formula(text: str) -> str:
    """Formula text compared case- and ``$``-insensitively, without spaces or ``_xlfn.``.

    >>> normalise_formula("=SUM($C$25:D25) ") == normalise_formula("sum(C25:d25)")
    True
    >>> normalise_formula("MATCH(TRUE(),x,0)")
    'MATCH(TRUE,X,0)'
    """
    text = text.strip().lstrip("=")
    text = text.replace("$", "").replace("_xlfn.", "").replace("_xlws.", "")
    text = _SPACE.sub("", text).upper()
    return text.replace("TRUE()", "TRUE").replace("FALSE()", "FALSE")  # LibreOffice adds ()
