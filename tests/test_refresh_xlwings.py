"""The refresh button through xlwings: the Office.js/Lite script on a JSON book snapshot of
the demo workbook, and the desktop ``main()`` through ``set_mock_caller``.

A snapshot is read-only: the refresh's writes come back as actions, which are asserted
exactly - and checked never to target a cell cypsxl does not own.
"""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
import pytest
import xlwings as xw
from xlcall import json_book
from xlwings.server import custom_scripts_call, custom_scripts_meta

from cypsxl import reference_case, run_case
from cypsxl.excel import scripts
from cypsxl.excel.demo import DEMO_TIME, build_demo
from cypsxl.workbook.binding import Area

RESULTS = run_case(reference_case())
SHEETS = [
    "Inputs", "Bids", "Outputs", "Funding", "Bid summary", "Checks", "What if", "cypsxl",
    "xlwings.conf", "Charts",
]  # fmt: skip


def run_script(book: xw.Book) -> list[dict[str, Any]]:
    book = asyncio.run(
        custom_scripts_call(scripts, "cyps_refresh", typehint_to_value={xw.Book: book})
    )
    return book.json()["actions"]


def target(action: dict[str, Any]) -> Area:
    """The cells an action writes or clears."""
    return Area.at(
        SHEETS[action["sheet_position"]],
        action["start_row"] + 1,
        action["start_column"] + 1,
        action["row_count"],
        action["column_count"],
    )


def owned(wb) -> list[Area]:
    """What cypsxl owns: each output's recorded area and column C of its mapping row."""
    ws = wb["cypsxl"]
    out = []
    for r in range(2, ws.max_row + 1):
        if str(ws.cell(r, 1).value).startswith("output_") and ws.cell(r, 3).value:
            out += [Area.parse(ws.cell(r, 3).value), Area.at("cypsxl", r, 3, 1, 1)]
    return out


def inside(area: Area, areas: list[Area]) -> bool:
    return any(
        all(a.sheet == area.sheet and a.contains(r, c) for r, c in area.cells()) for a in areas
    )


def cells(wb, area: Area) -> list[list[Any]]:
    ws = wb[area.sheet]
    return [
        [
            "" if ws.cell(r, c).value is None else ws.cell(r, c).value
            for c in range(area.left, area.right + 1)
        ]
        for r in range(area.top, area.bottom + 1)
    ]


EXPECTED = [  # (sheet position, first row, first column, rows, columns), 0-based as Office.js
    (2, 0, 0, 9, 6),  # Table 1 at Outputs!A1: title, header, budget, 2 pressures, 4 lines
    (2, 11, 0, 14, 9),  # Table 2 at Outputs!A12: title, header, 11 bids, total; 9 columns
    (3, 0, 0, 7, 5),  # Table 3 at Funding!A1: title, header, 2 CYPS + 2 other lines, total
    (3, 11, 0, 6, 5),  # Table 4 at Funding!A12
    (4, 0, 0, 14, 8),  # bid summary at 'Bid summary'!A1
    (5, 0, 0, 11, 3),  # checks at Checks!A1: a header and 10 checks
    (5, 0, 4, 5, 2),  # run stamp at Checks!E1
]


def test_script_actions_on_the_demo_workbook() -> None:
    wb = build_demo()
    actions = run_script(json_book(wb))
    got = [
        (a["sheet_position"], a["start_row"], a["start_column"], a["row_count"], a["column_count"])
        for a in actions
    ]
    assert [a["func"] for a in actions] == ["setValues"] * 7
    assert got == EXPECTED
    # the same cells the closed-file refresh wrote (openpyxl built the demo)
    for a in actions:
        assert a["values"] == cells(wb, target(a)), target(a)
    # and the engine's numbers: Table 1 funding support; Table 4 revised gap
    np.testing.assert_allclose(
        actions[0]["values"][8][1:], RESULTS.budget.funding_support, atol=1e-12
    )
    np.testing.assert_allclose(actions[3]["values"][4][1:], RESULTS.gap.revised, atol=1e-12)
    assert actions[6]["values"][1] == ["Time (UTC)", DEMO_TIME]  # inputs unchanged: time kept
    assert actions[5]["values"][1][1].startswith("=ROUND(SUMPRODUCT(ABS('Outputs'!$B$8:$F$8-(")


def test_no_action_targets_a_cell_cypsxl_does_not_own() -> None:
    wb = build_demo()
    ws = wb["Bids"]
    row = ws.max_row + 1
    for j, v in enumerate(["CYPS_11", "New bid", "Early Help", None, "investment", "£m", 0.1]):
        ws.cell(row, 1 + j, v)
    before = owned(wb)
    actions = run_script(json_book(wb))
    funcs = [a["func"] for a in actions]
    # Table 2 and the bid summary grow a row: old areas cleared, new ones written, recorded
    assert funcs.count("rangeClearContents") == 2 and funcs.count("setValues") == 7 + 2
    writes = [target(a) for a in actions]
    grown = [Area.parse("Outputs!A12:I26"), Area.parse("'Bid summary'!A1:H15")]
    for area in writes:
        assert inside(area, before) or area in grown, area
    records = [a["values"] for a in actions if SHEETS[a["sheet_position"]] == "cypsxl"]
    assert records == [[["Outputs!A12:I26"]], [["'Bid summary'!A1:H15"]]]
    # the cells the tables grow into were empty: nothing of the user's is covered
    for area in grown:
        extra = Area(area.sheet, area.bottom, area.left, area.bottom, area.right)
        assert all(v == "" for v in cells(build_demo(), extra)[0])


def test_a_conflict_alerts_and_writes_nothing() -> None:
    wb = build_demo()
    ws = wb["Bids"]
    row = ws.max_row + 1
    for j, v in enumerate(["CYPS_11", "New bid", "Early Help", None, "investment", "£m", 0.1]):
        ws.cell(row, 1 + j, v)
    wb["Outputs"]["C26"] = "my note"
    actions = run_script(json_book(wb))
    assert [a["func"] for a in actions] == ["alert"]
    message = actions[0]["args"][0]
    assert message.startswith("Nothing was written.\nMTFS.xlsx: Outputs!C26: 'output_table2'")
    assert actions[0]["args"][1] == "cypsxl refresh"


def test_bad_input_alert_names_the_cell() -> None:
    wb = build_demo()
    wb["Inputs"]["D7"] = "abc"
    (alert,) = run_script(json_book(wb))
    assert "MTFS.xlsx: Inputs!D7: 'net_budget': expected a number, got 'abc'" in alert["args"][0]


def test_text_that_looks_like_a_formula_goes_in_as_text() -> None:
    wb = build_demo()
    wb["Bids"]["B4"] = "=1+1"  # CYPS_1A's title
    actions = run_script(json_book(wb))
    assert actions[1]["values"][2][:2] == ["CYPS_1A", "'=1+1"]


def test_desktop_main_through_mock_caller() -> None:
    book = json_book(build_demo())
    book.set_mock_caller()
    try:
        scripts.main()
    finally:
        del xw.Book._mock_caller
    actions = book.json()["actions"]
    got = [
        (a["sheet_position"], a["start_row"], a["start_column"], a["row_count"], a["column_count"])
        for a in actions
    ]
    assert got == EXPECTED


def test_script_registration() -> None:
    meta = custom_scripts_meta(scripts)
    assert [m["function_name"] for m in meta] == ["cyps_refresh"]


@pytest.mark.parametrize("name", ["cyps_refresh"])
def test_script_is_still_a_plain_function(name: str) -> None:
    assert callable(getattr(scripts, name).__wrapped__)


def test_an_error_cell_in_a_bid_year_is_located_not_read_as_zero() -> None:
    # a blank bid year is zero; #N/A (a broken link, say) must not be: Office.js sends
    # error cells as their text, which xlwings' default reading turns into a blank
    wb = build_demo()
    wb["Bids"]["H4"] = "#N/A"  # CYPS_1A investment 2017/18
    (alert,) = run_script(json_book(wb))
    assert alert["func"] == "alert"
    assert (
        "MTFS.xlsx: Bids!H4: 'investment': expected a number >= 0, got '#N/A'" in (alert["args"][0])
    )


def test_an_error_cell_where_an_output_goes_is_not_empty() -> None:
    # Outputs!A27 lies below Table 2 (Outputs!A12:I25); a new bid grows it by one row
    # into A26:I26, so an error the user has in C26 is theirs and stops the refresh
    wb = build_demo()
    ws = wb["Bids"]
    row = ws.max_row + 1
    for j, v in enumerate(["CYPS_11", "New bid", "Early Help", None, "investment", "£m", 0.1]):
        ws.cell(row, 1 + j, v)
    wb["Outputs"]["C26"] = "#REF!"
    (alert,) = run_script(json_book(wb))
    assert (
        "Outputs!C26: 'output_table2': is not empty and cypsxl does not own it"
        in (alert["args"][0])
    )


def _mapping_row(wb, key: str) -> int:
    ws = wb["cypsxl"]
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == key)


@pytest.mark.parametrize("edit", ["missing binding", "whole sheet bound", "text in a number"])
def test_the_button_and_the_command_report_the_same_problems(edit: str) -> None:
    from cypsxl.errors import CaseError
    from cypsxl.excel.refresh import refresh
    from cypsxl.workbook.binding import OpenpyxlBook

    wb = build_demo()
    if edit == "missing binding":
        wb["cypsxl"].delete_rows(_mapping_row(wb, "net_budget"))
    elif edit == "whole sheet bound":
        wb["cypsxl"].cell(_mapping_row(wb, "bids"), 2).value = "Bids!A1:XFD1048576"
    else:
        wb["Inputs"]["D7"] = "abc"
    with pytest.raises(CaseError) as err:
        refresh(OpenpyxlBook(wb, name="MTFS.xlsx"))
    (alert,) = run_script(json_book(wb))
    assert alert["args"][0].split("\n") == ["Nothing was written."] + [
        str(p) for p in err.value.problems
    ]
