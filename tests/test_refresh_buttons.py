"""The bid buttons: import returned bid templates into the bids table; a new template.

Filled templates come from the template writer for the reference case, so importing
them into an emptied demo workbook and refreshing must give the engine's tables.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pytest
import xlwings as xw
from xlcall import json_book

from cypsxl import reference_case, run_case
from cypsxl.errors import CaseError
from cypsxl.excel import scripts
from cypsxl.excel.buttons import import_bids, new_template
from cypsxl.excel.demo import build_demo
from cypsxl.excel.refresh import refresh
from cypsxl.workbook.binding import OpenpyxlBook
from cypsxl.workbook.template import fill_templates

CASE = reference_case()
RESULTS = run_case(CASE)


def demo_with_folder(folder: Path, empty: bool = True) -> openpyxl.Workbook:
    wb = build_demo()
    wb["Inputs"]["C34"] = str(folder)  # the demo binds bid_folder to Inputs!C34
    if empty:
        bids = wb["Bids"]
        for r in range(4, bids.max_row + 1):
            for c in range(1, 12):
                bids.cell(r, c).value = None
    return wb


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("returned")
    fill_templates(CASE, folder)
    return folder


def test_import_then_refresh_gives_the_engines_tables(filled: Path) -> None:
    wb = demo_with_folder(filled)
    book = OpenpyxlBook(wb, name="demo.xlsx")
    result = import_bids(book, Path("."))
    assert sorted(result.added) == sorted(b.ref for b in CASE.bids)
    assert result.replaced == [] and result.rejected == []
    refresh(book)
    ws = wb["Outputs"]
    refs = [ws.cell(14 + i, 1).value for i in range(len(CASE.bids))]
    assert sorted(refs) == sorted(RESULTS.bids.refs)
    for i, ref in enumerate(refs):
        got = [ws.cell(14 + i, 3 + t).value for t in range(CASE.n_years)]
        np.testing.assert_allclose(got, RESULTS.bids.net[RESULTS.bids.row(ref)], atol=1e-9)
    # reference report, Table 4: revised gap 2017/18 = 24.130
    assert wb["Funding"]["C16"].value == pytest.approx(24.130, abs=0.0016)


def test_import_replaces_a_bid_of_the_same_reference(filled: Path, tmp_path: Path) -> None:
    import shutil

    one = tmp_path / "one"
    one.mkdir()
    src = next(p for p in filled.iterdir() if p.name.startswith("CYPS_2"))
    shutil.copy(src, one / src.name)
    (one / "notes.xlsx").write_bytes(b"a,b\n1,2\n")  # not a workbook: reported, not fatal
    wb = demo_with_folder(one, empty=False)
    before = [wb["Bids"].cell(r, 1).value for r in range(4, 40)]
    result = import_bids(OpenpyxlBook(wb, name="demo.xlsx"), Path("."))
    assert result.replaced == ["CYPS_2"] and result.added == []
    assert len(result.rejected) == 1 and result.rejected[0].startswith("notes.xlsx: ")
    after = [wb["Bids"].cell(r, 1).value for r in range(4, 40)]
    assert [r for r in after if r] == [r for r in before if r]  # same bids, same order


def test_import_that_does_not_fit_writes_nothing(filled: Path) -> None:
    wb = demo_with_folder(filled)
    ws = wb["cypsxl"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "bids")
    ws.cell(row, 2).value = "Bids!A3:K10"  # room for 7 rows
    with pytest.raises(CaseError, match="room for 7 rows and the import needs"):
        import_bids(OpenpyxlBook(wb, name="demo.xlsx"), Path("."))
    assert all(wb["Bids"].cell(r, 1).value is None for r in range(4, 11))


def test_new_template_takes_the_next_reference(tmp_path: Path) -> None:
    wb = demo_with_folder(tmp_path / "out", empty=False)
    book = OpenpyxlBook(wb, name="demo.xlsx")
    first = new_template(book, Path("."))
    second = new_template(book, Path("."))
    # the demo's highest reference is CYPS_10
    assert first.name == "CYPS_11 bid template.xlsx"
    assert second.name == "CYPS_11 bid template (2).xlsx"
    values = [
        c.value for ws in openpyxl.load_workbook(first) for row in ws.iter_rows() for c in row
    ]
    assert "CYPS_11" in values and "2020/21" in values


def test_folder_binding_missing_or_twice(tmp_path: Path) -> None:
    wb = build_demo()
    ws = wb["cypsxl"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "bid_folder")
    ws.cell(ws.max_row + 1, 1, "bid_folder")
    ws.cell(ws.max_row, 2, "Inputs!C35")
    with pytest.raises(CaseError, match=r"bound twice \(also row"):
        import_bids(OpenpyxlBook(wb, name="demo.xlsx"), tmp_path)
    ws.delete_rows(ws.max_row)
    ws.delete_rows(row)
    with pytest.raises(CaseError, match="missing binding"):
        import_bids(OpenpyxlBook(wb, name="demo.xlsx"), tmp_path)


def test_relative_folder_is_the_workbooks(tmp_path: Path) -> None:
    wb = build_demo()  # bid_folder "returned bids", next to the workbook
    with pytest.raises(CaseError) as err:
        import_bids(OpenpyxlBook(wb, name="demo.xlsx"), tmp_path)
    assert f"folder not found: {tmp_path / 'returned bids'}" in str(err.value)


def test_desktop_import_button_through_mock_caller(filled: Path) -> None:
    book = json_book(demo_with_folder(filled))
    book.set_mock_caller()
    try:
        scripts.import_bids_main()
    finally:
        del xw.Book._mock_caller
    actions = book.json()["actions"]
    assert [a["func"] for a in actions] == ["setValues", "alert"]
    write = actions[0]
    assert (write["sheet_position"], write["start_row"], write["start_column"]) == (1, 3, 0)
    assert write["row_count"] == 77  # the bound table Bids!A3:K80 less its header
    assert actions[1]["args"][0].startswith("Imported 11 bid(s): 11 new, 0 replaced.")


@pytest.mark.parametrize("key", ["years", "bids"])
def test_buttons_refuse_a_binding_too_big_to_read(filled: Path, key: str) -> None:
    # a whole sheet bound as the years or the bids table: named, and nothing is read
    wb = demo_with_folder(filled)
    ws = wb["cypsxl"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == key)
    ws.cell(row, 2).value = "Bids!A1:XFD1048576"
    for button in (import_bids, new_template):
        with pytest.raises(CaseError) as err:
            button(OpenpyxlBook(wb, name="demo.xlsx"), filled)
        (p,) = err.value.problems
        assert (p.where, p.key) == (f"cypsxl!B{row}", key)
        assert p.message.startswith("Bids!A1:XFD1048576 is 1,048,576 x 16,384 cells")
