"""The bid form read cell by cell: its years, rows of figures, single figures, outcome
measures, answers and date, and the warnings on what is read (docs/mutation.md, "The bid
reader and the file-safety checks").

Each test starts from a filled template cypsxl writes (the reference case's CYPS_2:
years 2016/17-2020/21 in C15:G15, funding sought in row 16, children prevented in row
18, avoided cost per child C19, part-year factor C20, gross saving typed in row 23),
changes a few cells and pins every problem the reader reports, word for word and at its
cell.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from support.bidfiles import BID_SHEET_PART, edit_cells, good_bid, rewrite, sub

from cypsxl.workbook import layout as L
from cypsxl.workbook import reader
from cypsxl.workbook.template import write_blank_template


def _problems(path: Path) -> list[tuple[str, str, str]]:
    return [(e.sheet, e.cell, e.message) for e in reader.read_bid_file(path).errors]


@pytest.fixture(scope="module")
def cyps2(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """CYPS_2 filled in, written once for the module (the code under test runs in each
    test)."""
    return good_bid(tmp_path_factory.mktemp("cyps2"))


def _edited(cyps2: Path, tmp_path: Path, values: dict[str, object]) -> Path:
    return edit_cells(cyps2, tmp_path / "edited.xlsx", values)


# --------------------------------------------------------------------------- years


def test_a_cleared_year_is_refused_at_its_cell(cyps2: Path, tmp_path: Path) -> None:
    """The third year (E15) cleared: an empty label is not a financial year, so
    "years: '' is not a financial year like '2016/17'" at Bid!E15 and nothing else is
    read (kills the blank cell read as "None" or "XXXX", and the sheet, row, column or
    message of the problem dropped)."""
    r = reader.read_bid_file(_edited(cyps2, tmp_path, {"Bid!E15": None}))
    assert (r.data, r.years) == (None, None)
    assert [(e.sheet, e.cell, e.message) for e in r.errors] == [
        ("Bid", "E15", "years: '' is not a financial year like '2016/17'")
    ]


def test_years_out_of_order_are_refused_at_the_first_year(cyps2: Path, tmp_path: Path) -> None:
    """E15 typed 2019/20 after 2017/18 (D15): each label is a year, but the run breaks,
    so "years: '2019/20' does not follow '2017/18'" at the first year's cell, Bid!C15."""
    assert _problems(_edited(cyps2, tmp_path, {"Bid!E15": "2019/20"})) == [
        ("Bid", "C15", "years: '2019/20' does not follow '2017/18'")
    ]


def test_a_year_typed_with_spaces_around_it_is_read(cyps2: Path, tmp_path: Path) -> None:
    """E15 typed " 2018/19 " with a space each side is the year 2018/19 (kills the strip
    dropped)."""
    r = reader.read_bid_file(_edited(cyps2, tmp_path, {"Bid!E15": " 2018/19 "}))
    assert r.errors == []
    assert r.years == ("2016/17", "2017/18", "2018/19", "2019/20", "2020/21")


def test_a_repeated_year_is_refused_at_the_first_year(cyps2: Path, tmp_path: Path) -> None:
    """D15 typed 2016/17 again after C15's 2016/17: "years: '2016/17' does not follow
    '2016/17'" at Bid!C15, the first year, where the whole row is reported (kills the
    row or column of that problem dropped or None)."""
    assert _problems(_edited(cyps2, tmp_path, {"Bid!D15": "2016/17"})) == [
        ("Bid", "C15", "years: '2016/17' does not follow '2016/17'")
    ]


# --------------------------------------------------------------------------- calculated cells


def test_calculated_cells_typed_over_or_cleared_are_located(cyps2: Path, tmp_path: Path) -> None:
    """Child-years avoided for 2017/18 (D21) typed over with 7.5 and for 2018/19 (E21)
    cleared: each is reported at its cell with the formula the template put there
    (=SUM($C$18:D18)-(1-part_year_factor)*D18, one column on for E21), "holds the value
    '7.5'" for the first and "is empty" for the second (kills the wording, the blank
    test and each part of the problem dropped or None)."""
    path = _edited(cyps2, tmp_path, {"Bid!D21": 7.5, "Bid!E21": None})
    assert _problems(path) == [
        (
            "Bid",
            "D21",
            "calculated cell holds the value '7.5': its formula "
            "=SUM($C$18:D18)-(1-part_year_factor)*D18 was typed over",
        ),
        (
            "Bid",
            "E21",
            "calculated cell is empty: its formula =SUM($C$18:E18)-(1-part_year_factor)*E18 "
            "was typed over",
        ),
    ]


def test_a_changed_formula_is_quoted_to_80_characters(cyps2: Path, tmp_path: Path) -> None:
    """Cost avoidance for 2017/18 (D22) given the formula C18+C18+... (30 terms, 119
    characters): quoted to its first 80, twenty "C18+" (kills 81), with the formula
    expected there, at Bid!D22 (kills each part of the problem dropped or None)."""
    formula = "+".join(["C18"] * 30)
    assert _problems(_edited(cyps2, tmp_path, {"Bid!D22": "=" + formula})) == [
        (
            "Bid",
            "D22",
            "formula changed to =" + "C18+" * 20 + "; expected =D21*avoided_cost_per_child/1000000",
        )
    ]


# --------------------------------------------------------------------------- header fields


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        (1.0, "1899-12-31"),  # day 1 of Excel's calendar: 30 Dec 1899 + 1 day
        (45366.0, "2024-03-15"),  # 30 Dec 1899 + 45,366 days
        (2958465.0, "9999-12-31"),  # the last day Excel shows as a date
        (2958466.0, "2958466.0"),  # past it: kept as typed
        (0.5, "0.5"),  # before day 1: kept as typed
        ("next week", "next week"),
    ],
)
def test_the_date_submitted_is_an_iso_date_or_kept_as_typed(
    cyps2: Path, tmp_path: Path, typed: object, shown: str
) -> None:
    """Date submitted (C12) as Excel stores a date, a day count from 30 December 1899:
    day 1 is 1899-12-31; 45,366 is 2024-03-15 (to 30 Dec 2023 is 124 x 365 days + 30 leap
    days, 1904 to 2020, = 45,290; + 1 + 31 (January) + 29 (February) + 15 = 45,366);
    2,958,465 is 9999-12-31, the last date Excel has. A number outside 1 to 2,958,465
    and text are kept as typed (kills each bound moved, the epoch moved, days
    subtracted, and the value replaced)."""
    r = reader.read_bid_file(_edited(cyps2, tmp_path, {"Bid!C12": typed}))
    assert r.errors == []
    assert r.data is not None and r.data.notes == {"date": shown}


def test_no_date_submitted_gives_no_date_note(cyps2: Path) -> None:
    """CYPS_2 as written leaves the date (C12) blank, a formatted cell with no value: the
    bid has no notes at all (kills the blank cell read as the text "None")."""
    r = reader.read_bid_file(cyps2)
    assert r.errors == []
    assert r.data is not None and r.data.notes == {}


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("C" * 33, "Bid reference is 33 characters long; at most 32"),
        (
            "1AB",
            "Bid reference: expected a reference of letters, digits, '_' or '-' starting "
            "with a letter (at most 32), got '1AB'",
        ),
    ],
    ids=["too_long", "digit_first"],
)
def test_a_bid_reference_too_long_or_badly_formed_is_refused_at_its_cell(
    cyps2: Path, tmp_path: Path, ref: str, message: str
) -> None:
    """A reference (C6) of 33 letters is one past the 32 a reference may have, the rule
    collect and the case file apply too; "1AB" starts with a digit. Each is refused at
    Bid!C6 with the rule (kills the reference's own limit replaced by the 200 of other
    text, and the problem's sheet dropped)."""
    assert _problems(_edited(cyps2, tmp_path, {"Bid!C6": ref})) == [("Bid", "C6", message)]


def test_a_reference_of_32_characters_is_accepted(cyps2: Path, tmp_path: Path) -> None:
    """32 characters, the most a reference may have, is read as typed."""
    r = reader.read_bid_file(_edited(cyps2, tmp_path, {"Bid!C6": "C" * 32}))
    assert r.errors == []
    assert r.data is not None and r.data.ref == "C" * 32


def test_each_row_and_the_budget_name_themselves_in_a_problem(cyps2: Path, tmp_path: Path) -> None:
    """CYPS_2 turned into a gross-saving bid (children prevented cleared) with -1 typed as
    the current budget (C17), the 2016/17 gross saving (C23) and FTE (C31), and 2.5
    agency workers released (C32): four problems in reading order, each naming its row
    and year, and 2.5 workers is not a whole number (kills each label changed and the
    whole-number rule on agency workers dropped)."""
    values: dict[str, object] = {f"Bid!{c}18": None for c in "CDEFG"}
    values |= {"Bid!C17": -1, "Bid!C23": -1, "Bid!C31": -1, "Bid!C32": 2.5}
    assert _problems(_edited(cyps2, tmp_path, values)) == [
        ("Bid", "C17", "current budget: expected a number >= 0, got -1"),
        ("Bid", "C23", "gross saving typed in 2016/17: expected a number >= 0, got -1"),
        ("Bid", "C31", "FTE 2016/17: expected a number >= 0, got -1"),
        ("Bid", "C32", "agency workers released 2016/17: expected a whole number >= 0, got 2.5"),
    ]


def test_an_avoided_cost_below_zero_names_itself(cyps2: Path, tmp_path: Path) -> None:
    """Avoided cost per child (C19) typed -1: "avoided cost per child: expected a number
    >= 0, got -1" at Bid!C19, and it is not also "missing", the cell being filled."""
    assert _problems(_edited(cyps2, tmp_path, {"Bid!C19": -1})) == [
        ("Bid", "C19", "avoided cost per child: expected a number >= 0, got -1")
    ]


def test_an_avoided_cost_missing_for_children_prevented_is_located(
    cyps2: Path, tmp_path: Path
) -> None:
    """CYPS_2 prevents children (row 18) but its avoided cost (C19) is cleared: the cost
    is needed, so the problem is at Bid!C19 (kills its sheet dropped)."""
    assert _problems(_edited(cyps2, tmp_path, {"Bid!C19": None})) == [
        (
            "Bid",
            "C19",
            "avoided cost per child (£ a year) is missing; needed for children prevented",
        )
    ]


def test_children_prevented_and_a_typed_gross_saving_together_are_located(
    cyps2: Path, tmp_path: Path
) -> None:
    """CYPS_2 (children prevented in row 18) with 0.1 also typed as its 2016/17 gross
    saving (C23): one problem, at the first cell of row 18 (kills its sheet dropped)."""
    assert _problems(_edited(cyps2, tmp_path, {"Bid!C23": 0.1})) == [
        (
            "Bid",
            "C18",
            "fill either children prevented (row 18) or gross saving typed in (row 23), not both",
        )
    ]


def test_posts_agency_workers_and_a_contact_are_carried_to_the_bid(
    cyps2: Path, tmp_path: Path
) -> None:
    """FTE 1.5, 2, 2, 2, 2 (C31:G31), agency workers released 1, 2, 0, 0, 3 (C32:G32) and a
    contact (C11): the bid carries the FTE, the workers as the outcome
    "agency_workers_released" and the contact as a note. CYPS_2 as written has none of
    them: no FTE, no such outcome, no contact note (kills the FTE always kept, the outcome
    or the note renamed, emptied or never added)."""
    values: dict[str, object] = {"Bid!C11": "J. Smith, 01709 000000"}
    values |= {f"Bid!{c}31": v for c, v in zip("CDEFG", (1.5, 2, 2, 2, 2), strict=True)}
    values |= {f"Bid!{c}32": v for c, v in zip("CDEFG", (1, 2, 0, 0, 3), strict=True)}
    data = reader.read_bid_file(_edited(cyps2, tmp_path, values)).data
    assert data is not None
    assert data.fte == (1.5, 2.0, 2.0, 2.0, 2.0)
    assert data.outcomes == {"agency_workers_released": (1.0, 2.0, 0.0, 0.0, 3.0)}
    assert data.notes == {"contact": "J. Smith, 01709 000000"}
    plain = reader.read_bid_file(cyps2).data
    assert plain is not None
    assert (plain.fte, plain.outcomes, plain.notes) == (None, {}, {})


# --------------------------------------------------------------------------- outcome measures


def test_a_second_outcome_measure_is_read_from_its_own_row(cyps2: Path, tmp_path: Path) -> None:
    """Outcome measure 2 (A37, unit B37) with values 1 to 5 (C37:G37), the first (row 36)
    left blank: the bid has that one measure with its own row's values (kills the row
    read as row 36 - 1 = 35, the years row)."""
    values: dict[str, object] = {"Bid!A37": "Children in care", "Bid!B37": "children"}
    values |= {f"Bid!{c}37": v for c, v in zip("CDEFG", (1, 2, 3, 4, 5), strict=True)}
    data = reader.read_bid_file(_edited(cyps2, tmp_path, values)).data
    assert data is not None
    assert data.outcomes == {"Children in care": (1.0, 2.0, 3.0, 4.0, 5.0)}


def test_a_second_outcome_unit_too_long_is_located(cyps2: Path, tmp_path: Path) -> None:
    """Outcome unit 2 (B37) of 201 characters, one past the 200 of any text: "outcome
    unit 2 is 201 characters long; at most 200" at Bid!B37 (kills the unit read from
    another sheet, row or column, row 36 - 1, its label or limit dropped)."""
    assert _problems(_edited(cyps2, tmp_path, {"Bid!B37": "u" * 201})) == [
        ("Bid", "B37", "outcome unit 2 is 201 characters long; at most 200")
    ]


# --------------------------------------------------------------------------- warnings


def _warnings(path: Path) -> list[tuple[str, str, str]]:
    r = reader.read_bid_file(path)
    assert r.errors == []
    return [(e.sheet, e.cell, e.message) for e in r.warnings]


def test_values_right_of_the_last_year_are_warned_in_year_and_outcome_rows_only(
    cyps2: Path, tmp_path: Path
) -> None:
    """The last year is in column G (7); the 30 columns after it, H (8) to AK (37), are
    looked at in the year rows (15, 16, 18, 23, 31, 32) and the outcome rows (36 to 39).
    Warned: 7 in AK16 (the 30th column), 5 in H36 (the first outcome row) and the text
    "note" in H39 (the last, quoted). Not warned: 8 in AL16 (the 31st column), 9 in H40
    (below the outcomes), 1 in H6 (a header row), empty text in H18 (kills the outcome
    rows or the last column moved, the header rows looked at, a blank cell warned, text
    shown as a number, and the sheet dropped)."""
    tail = "is right of the last year (G15) and is not read: this template has no column for it"
    values = {"Bid!AK16": 7, "Bid!AL16": 8, "Bid!H36": 5, "Bid!H39": "note", "Bid!H40": 9}
    values |= {"Bid!H6": 1, "Bid!H18": ""}
    assert _warnings(_edited(cyps2, tmp_path, values)) == [
        ("Bid", "AK16", f"7 {tail}"),
        ("Bid", "H36", f"5 {tail}"),
        ("Bid", "H39", f"'note' {tail}"),
    ]


@pytest.mark.parametrize(
    ("budget", "warned"),
    [
        (1000.0, []),
        (
            250_000.0,
            [
                (
                    "Bid",
                    "C17",
                    "current budget £250,000m is more than £1,000m: is it in pounds? "
                    "This cell is in £m",
                )
            ],
        ),
    ],
    ids=["at_the_bound", "pounds"],
)
def test_money_above_a_thousand_million_is_warned_at_its_cell(
    cyps2: Path, tmp_path: Path, budget: float, warned: list[tuple[str, str, str]]
) -> None:
    """£1,000m is the largest plausible figure: funding sought of exactly 1,000 in
    2017/18 (D16) and a current budget (C17) of 1,000 are not warned (kills ``>=``); a
    budget of 250,000 (pounds typed where £m is asked) is warned at Bid!C17, word for
    word (kills the budget's cell, or any part of the warning, dropped)."""
    path = _edited(cyps2, tmp_path, {"Bid!D16": 1000.0, "Bid!C17": budget})
    assert _warnings(path) == warned


# --------------------------------------------------------------------------- shapes of names


def _renamed(src: Path, dst: Path, **names: str) -> Path:
    """A copy whose workbook-scoped names point elsewhere (``investment="Bid!$C$16"``)."""

    def edit(data: bytes) -> bytes:
        for name, text in names.items():
            tag = rb'(<definedName name="' + name.encode() + rb'">)[^<]*'
            data = sub(tag, rb"\g<1>" + text.encode())(data)
        return data

    return _workbook_xml(src, dst, edit)


@pytest.mark.parametrize(
    ("names", "problem"),
    [
        ({"years": "Bid!$C$15:$G$16"}, ("Bid", "C15:G16", "the years must be one row")),
        (
            {"investment": "Bid!$C$16:$F$16"},
            (
                "Bid",
                "C16:F16",
                "'investment' covers 1 x 4 cells; expected 1 x 5 (one per year: the years "
                "row does not match)",
            ),
        ),
        (
            {"bid_ref": "Bid!$C$6:$C$7"},
            ("Bid", "C6:C7", "'bid_ref' covers 2 x 1 cells; expected 1 x 1"),
        ),
    ],
    ids=["years_two_rows", "investment_four_years", "reference_two_cells"],
)
def test_a_name_of_the_wrong_shape_is_the_only_problem(
    cyps2: Path, tmp_path: Path, names: dict[str, str], problem: tuple[str, str, str]
) -> None:
    """The years (C15:G15) stretched to two rows; funding sought one year short, C16:F16
    (1 x 4 where the 5 years need 1 x 5; years come before funding among the fields, so
    the check goes on past the years); the reference two cells, C6:C7 (1 x 1 expected).
    Each is the one problem, at the area the name now covers, and nothing is read
    further (kills the problem's parts dropped or changed, the shape check stopping at
    the years, and a bad shape passed on to the later checks, which add their own)."""
    path = _renamed(cyps2, tmp_path / "n.xlsx", **names)
    r = reader.read_bid_file(path)
    assert r.data is None
    assert [(e.file, e.sheet, e.cell, e.message) for e in r.errors] == [(str(path), *problem)]


@pytest.mark.parametrize(
    ("years", "cells", "message"),
    [
        (["2017/18"], "C16:D16", "'investment' covers 1 x 2 cells; expected 1 x 1"),
        (
            ["2017/18", "2018/19"],
            "C16:E16",
            "'investment' covers 1 x 3 cells; expected 1 x 2 (one per year: the years row "
            "does not match)",
        ),
    ],
    ids=["one_year", "two_years"],
)
def test_the_years_row_is_named_in_a_shape_problem_from_two_years(
    tmp_path: Path, years: list[str], cells: str, message: str
) -> None:
    """Funding sought one column too wide. A template of one year (2017/18 in C15): one
    column is not "one per year", so no remark on the years row (kills the remark for a
    width of 1); of two years: the remark (kills it only from three)."""
    blank = write_blank_template(tmp_path / "t.xlsx", "CYPS_1", years)
    last = cells.split(":")[1]
    path = _renamed(blank, tmp_path / "n.xlsx", investment=f"Bid!$C$16:${last[0]}$16")
    r = reader.read_bid_file(path)
    assert [(e.sheet, e.cell, e.message) for e in r.errors] == [("Bid", cells, message)]


# --------------------------------------------------------------------------- answers


def test_the_first_and_last_answers_are_kept_with_their_line_breaks(
    cyps2: Path, tmp_path: Path
) -> None:
    """Answers to question 1 (Narrative!B5) and question 6, the last (B25), the second
    on two lines: both are kept, the line break too (kills the questions counted from 2
    or to 4, an answer dropped or emptied, and line breaks turned into spaces)."""
    values = {"Narrative!B5": "Fewer children enter care.", "Narrative!B25": "Q1: 3\nQ2: 4"}
    data = reader.read_bid_file(_edited(cyps2, tmp_path, values)).data
    assert data is not None
    assert data.notes == {"answer_1": "Fewer children enter care.", "answer_6": "Q1: 3\nQ2: 4"}


def test_an_answer_longer_than_2000_characters_is_located(cyps2: Path, tmp_path: Path) -> None:
    """An answer to question 6 (Narrative!B25) of 2,001 characters, one past the 2,000 an
    answer may have: refused at its cell, naming the question (kills the label or the
    limit dropped)."""
    assert _problems(_edited(cyps2, tmp_path, {"Narrative!B25": "a" * 2001})) == [
        ("Narrative", "B25", "answer to question 6 is 2,001 characters long; at most 2,000")
    ]


def test_outcome_values_may_be_negative_and_name_their_measure_in_a_problem(
    cyps2: Path, tmp_path: Path
) -> None:
    """Outcome 1 "Change in LAC" (A36) with -2 in 2016/17 (C36) is kept: an outcome may
    fall (kills the rows' ``>= 0`` rule applied to outcomes). Outcome 2 has no name and
    the text "x" in 2016/17 (C37): the problem names it "outcome measure 2" (kills the
    name's fallback dropped or numbered from 0 or 2)."""
    values = {"Bid!A36": "Change in LAC", "Bid!C36": -2, "Bid!C37": "x"}
    r = reader.read_bid_file(_edited(cyps2, tmp_path, values))
    assert [(e.sheet, e.cell, e.message) for e in r.errors] == [
        ("Bid", "C37", "outcome measure 2 2016/17: expected a number, got text 'x'")
    ]
    values = {"Bid!A36": "Change in LAC", "Bid!C36": -2}
    data = reader.read_bid_file(_edited(cyps2, tmp_path, values)).data
    assert data is not None
    assert data.outcomes == {"Change in LAC": (-2.0, 0.0, 0.0, 0.0, 0.0)}


# --------------------------------------------------------------------------- names and properties


def _workbook_xml(src: Path, dst: Path, edit: Callable[[bytes], bytes]) -> Path:
    return rewrite(src, dst, {"xl/workbook.xml": edit})


def _file_wide(path: Path) -> list[str]:
    r = reader.read_bid_file(path)
    assert r.data is None
    assert all((e.file, e.sheet, e.cell) == (str(path), "", "") for e in r.errors)
    return [e.message for e in r.errors]


_FRESH = "fill in a fresh copy of the template"


def test_names_hidden_duplicated_or_missing_are_each_reported(cyps2: Path, tmp_path: Path) -> None:
    """Sheet-level names "bid_title" and "years" added (they hide the workbook's), "contact"
    and "fte" defined twice, "bid_date" and "prevented" removed: six problems, two of
    each kind, in the template's order of fields (kills stopping at the first of a kind)."""

    def edit(data: bytes) -> bytes:
        for name in ("bid_date", "prevented"):
            data = sub(rb'<definedName name="' + name.encode() + rb'">[^<]*</definedName>', b"")(
                data
            )
        extra = (
            b'<definedName name="bid_title" localSheetId="0">Bid!$C$7</definedName>'
            b'<definedName name="years" localSheetId="0">Bid!$C$15:$G$15</definedName>'
            b'<definedName name="contact">Bid!$C$11</definedName>'
            b'<definedName name="fte">Bid!$C$31:$G$31</definedName>'
        )
        return sub(rb"</definedNames>", extra + b"</definedNames>")(data)

    path = _workbook_xml(cyps2, tmp_path / "names.xlsx", edit)
    hides = "hides the template's workbook name (the workbook was altered); " + _FRESH
    missing = "is missing (the template was altered); " + _FRESH
    assert _file_wide(path) == [
        f"a sheet-level name 'bid_title' {hides}",
        "defined name 'contact' is defined 2 times; expected once",
        f"defined name 'bid_date' {missing}",
        f"a sheet-level name 'years' {hides}",
        f"defined name 'prevented' {missing}",
        "defined name 'fte' is defined 2 times; expected once",
    ]


def test_names_pointing_outside_the_workbook_are_each_reported(cyps2: Path, tmp_path: Path) -> None:
    """ "bid_ref" pointing at #REF! (its rows deleted) and "bid_title" at a sheet that is
    not in the workbook, named with 70 characters: two problems, the second quoting the
    name's first 60 characters (kills ``and`` for ``or``, 61, stopping at the first, and
    the message changed)."""
    sheet = "S" * 62
    path = _renamed(cyps2, tmp_path / "refs.xlsx", bid_ref="#REF!", bid_title=f"{sheet}!$C$7")
    tail = "not to cells of this workbook (rows or a sheet may have been deleted)"
    assert _file_wide(path) == [
        f"defined name 'bid_ref' refers to '#REF!', {tail}",
        f"defined name 'bid_title' refers to '{'S' * 60}', {tail}",
    ]


def _properties(src: Path, dst: Path, old: bytes, new: bytes) -> Path:
    return rewrite(src, dst, {"docProps/custom.xml": sub(old, new)})


def test_another_template_version_or_schema_is_refused_file_wide(
    cyps2: Path, tmp_path: Path
) -> None:
    """Template version 1.0 where this collection reads 1.1, and a schema fingerprint
    changed to "0000": each refused in one file-wide problem, word for word."""
    old = _properties(cyps2, tmp_path / "old.xlsx", b"<vt:lpwstr>1.1<", b"<vt:lpwstr>1.0<")
    assert _file_wide(old) == [
        f"is made from bid template version 1.0; this collection reads version "
        f"{L.TEMPLATE_VERSION}: copy the figures into the current template"
    ]
    fingerprint = L.SCHEMA_FINGERPRINT.encode()
    altered = _properties(cyps2, tmp_path / "schema.xlsx", fingerprint, b"0000")
    assert _file_wide(altered) == [
        f"template schema '0000' is not this version's {L.SCHEMA_FINGERPRINT!r}: "
        "the template was altered"
    ]


def test_names_out_of_place_on_both_sheets_are_each_reported(cyps2: Path, tmp_path: Path) -> None:
    """The title (C7) pointed at C13, below the date (C12), and the first answer
    (Narrative!B5) at B10, below the second (B9): each sheet's fields are compared in the
    template's order, so the field found out of order is the next one on that sheet -
    the service area (C8, above C13) and the second answer (B9, above B10) - one problem
    each, the cell written without $, and nothing is read (kills the sheets' fields
    compared as one list, stopping at the first sheet, and the years read after)."""
    path = _renamed(
        cyps2, tmp_path / "moved.xlsx", bid_title="Bid!$C$13", answer_1="Narrative!$B$10"
    )
    r = reader.read_bid_file(path)
    tail = "out of its place among the form's fields: the workbook was altered"
    assert (r.data, r.years) == (None, None)
    assert [e.message for e in r.errors] == [
        f"defined name 'service_area' points to Bid!C8, {tail}",
        f"defined name 'answer_2' points to Narrative!B9, {tail}",
    ]


def test_names_moved_to_another_sheet_or_column_are_each_reported(
    cyps2: Path, tmp_path: Path
) -> None:
    """The title pointed at the hidden Lists sheet (Lists!C7) and the contact at column D
    (D11): two problems, each naming where the template puts the field (kills stopping at
    the first)."""
    path = _renamed(cyps2, tmp_path / "moved.xlsx", bid_title="Lists!$C$7", contact="Bid!$D$11")
    tail = "(the workbook was altered)"
    assert _file_wide(path) == [
        f"defined name 'bid_title' points to Lists!C7; the template puts it at Bid!C7 {tail}",
        f"defined name 'contact' points to Bid!D11; the template puts it at Bid!C11 {tail}",
    ]


# --------------------------------------------------------------------------- as Excel saves it


def _shared_strings(src: Path, dst: Path) -> Path:
    """A copy whose Bid sheet keeps its text in a shared string table, as Excel saves
    a workbook, instead of in the cells (as cypsxl writes the template)."""
    table: list[bytes] = []

    def edit(data: bytes) -> bytes:
        def share(m: re.Match[bytes]) -> bytes:
            table.append(m.group(2))
            return m.group(1) + b't="s"><v>' + str(len(table) - 1).encode() + b"</v></c>"

        pattern = rb'(<c [^>]*?)t="inlineStr"><is><t[^>]*>([^<]*)</t></is></c>'
        new, n = re.subn(pattern, share, data)
        assert n > 10
        return new

    rewrite(src, dst, {BID_SHEET_PART: edit})
    items = b"".join(b"<si><t>" + text + b"</t></si>" for text in table)
    sst = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + items
        + b"</sst>"
    )
    return rewrite(dst, dst.with_name("shared.xlsx"), {}, {"xl/sharedStrings.xml": sst})


def test_text_kept_in_a_shared_string_table_is_read(cyps2: Path, tmp_path: Path) -> None:
    """CYPS_2 with the Bid sheet's text moved to a shared string table (the reference
    "CYPS_2", its title and the years among it) reads as the same bid (kills the table
    not handed to the cell reader)."""
    plain = reader.read_bid_file(cyps2).data
    shared = reader.read_bid_file(_shared_strings(cyps2, tmp_path / "s.xlsx"))
    assert shared.errors == []
    assert shared.years == ("2016/17", "2017/18", "2018/19", "2019/20", "2020/21")
    assert shared.data == plain
    assert shared.data is not None and shared.data.ref == "CYPS_2"


@pytest.mark.parametrize(
    ("typed", "shown"), [("abc", "text 'abc'"), (True, "text 'True'")], ids=["text", "logical"]
)
def test_text_or_a_logical_in_a_number_cell_is_located(
    cyps2: Path, tmp_path: Path, typed: object, shown: str
) -> None:
    """Funding sought for 2016/17 (C16) typed as text, or as the logical TRUE: not a
    number, at Bid!C16 (kills the sheet dropped, and a logical taken for a number)."""
    assert _problems(_edited(cyps2, tmp_path, {"Bid!C16": typed})) == [
        ("Bid", "C16", f"funding sought 2016/17: expected a number, got {shown}")
    ]


def test_a_number_past_the_magnitude_bound_is_located(cyps2: Path, tmp_path: Path) -> None:
    """Funding sought for 2016/17 (C16) typed as 2,000,000,000, past the 1e9 any figure
    may have: refused at Bid!C16 (kills the sheet dropped)."""
    assert _problems(_edited(cyps2, tmp_path, {"Bid!C16": 2e9})) == [
        (
            "Bid",
            "C16",
            "funding sought 2016/17: expected a number, got 2e+09 (numbers larger than 1e+09 "
            "are refused)",
        )
    ]
