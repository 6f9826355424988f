"""The refresh on a closed workbook (openpyxl adapter) and ``cypsxl refresh``.

The demo workbook (workbooks/cypsxl_demo.xlsx) is built from the reference case, so its
output tables must hold the engine's figures and the published report's.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from support.recalc import cell_values as values

from cypsxl import reference_case, run_case
from cypsxl.cli import main as cli
from cypsxl.errors import CaseError
from cypsxl.excel.demo import DEMO_TIME, build_demo
from cypsxl.excel.refresh import inputs_hash, read_case, refresh
from cypsxl.workbook.binding import Area, OpenpyxlBook, open_workbook

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "workbooks" / "cypsxl_demo.xlsx"
RESULTS = run_case(reference_case())


def book(wb: openpyxl.Workbook | None = None) -> OpenpyxlBook:
    return OpenpyxlBook(wb or build_demo(), name="demo.xlsx")


def block(wb: openpyxl.Workbook, ref: str) -> list[list[object]]:
    area = Area.parse(ref)
    ws = wb[area.sheet]
    return [
        [ws.cell(r, c).value for c in range(area.left, area.right + 1)]
        for r in range(area.top, area.bottom + 1)
    ]


def mapping_row(wb: openpyxl.Workbook, key: str) -> int:
    ws = wb["cypsxl"]
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == key)


# --------------------------------------------------------------------------- figures


def test_demo_outputs_are_the_engines_figures(published) -> None:
    wb = openpyxl.load_workbook(DEMO)
    t1 = block(wb, "Outputs!B3:F9")
    b = RESULTS.budget
    want = [
        b.net_budget,
        *RESULTS.pressures_by_line.values(),
        b.investment,
        -b.savings,  # savings are shown negative, as the report prints them in brackets
        b.net_forecast,
        b.funding_support,
    ]
    np.testing.assert_allclose(np.array(t1, dtype=float), np.array(want), rtol=0, atol=1e-9)
    # reference report, Table 1: funding support 8.027, 9.677, 8.928, 7.924, 7.492
    np.testing.assert_allclose(
        t1[-1], published["table1_cyps_budget"]["funding_support"], atol=published["tolerance"]
    )
    # Table 2: one row per bid, payback as printed in the report
    t2 = block(wb, "Outputs!A14:I24")
    for r in t2:
        np.testing.assert_allclose(
            r[2:7], published["table2_bid_net"][r[0]], atol=published["tolerance"]
        )
        year = published["bid_payback_year"].get(r[0])  # 2 -> "2 (2017/18)", the 2nd year
        assert r[7] == (f"{year} ({RESULTS.case.years[year - 1]})" if year else "none")
    # Table 4 revised gap, 2017/18-2019/20: 24.130, 7.854, 18.863 (reference report)
    np.testing.assert_allclose(
        block(wb, "Funding!C16:E16")[0],
        published["table4"]["revised_gap_from_2017_18"],
        atol=published["tolerance"],
    )
    np.testing.assert_allclose(block(wb, "Funding!B16:E16")[0], RESULTS.gap.revised, atol=1e-9)


def test_run_stamp() -> None:
    wb = openpyxl.load_workbook(DEMO)
    stamp = dict(block(wb, "Checks!E2:F5"))
    case, _, _ = read_case(OpenpyxlBook(wb))
    assert stamp["Time (UTC)"] == DEMO_TIME
    assert stamp["Engine version"] == "0.1.0"
    assert stamp["Inputs hash (SHA-256)"] == inputs_hash(case)


def test_the_workbook_case_is_the_reference_case_for_the_tables() -> None:
    # the workbook carries no bid variants, outcomes or SGO notes: the tables agree
    case, _, _ = read_case(OpenpyxlBook(openpyxl.load_workbook(DEMO)))
    ref = reference_case()
    assert case.years == ref.years and case.mtfs_years == ref.mtfs_years
    assert [b.ref for b in case.bids] == [b.ref for b in ref.bids]
    r = run_case(case)
    np.testing.assert_allclose(r.bids.net, RESULTS.bids.net, rtol=0, atol=1e-12)
    np.testing.assert_allclose(r.gap.revised, RESULTS.gap.revised, rtol=0, atol=1e-12)


# Table 3 totals by MTFS year, reference report: 8.456, 11.005, 10.200, 8.986; base gap
# 0, 13.125, 8.659, 20.077. All recurring, the revised gap = base + change in the level:
# 0 + 8.456 = 8.456; 13.125 + (11.005 - 8.456) = 15.674; 8.659 + (10.200 - 11.005) = 7.854;
# 20.077 + (8.986 - 10.200) = 18.863 (the first year one-off: 0, 24.130, 7.854, 18.863)
RECURRING_GAP = [8.456, 15.674, 7.854, 18.863]


def _unbind_reserves_flag(wb: openpyxl.Workbook) -> None:
    wb["cypsxl"].delete_rows(mapping_row(wb, "current_year_funded_from_reserves"))


def _blank_reserves_flag(wb: openpyxl.Workbook) -> None:
    wb["Inputs"]["C12"] = None


@pytest.mark.parametrize("unset", [_unbind_reserves_flag, _blank_reserves_flag])
def test_reserves_are_drawn_only_when_the_workbook_says_so(unset) -> None:
    # an unbound or blank flag is a case file without the key: no reserves
    wb = build_demo()
    unset(wb)
    refresh(book(wb))
    case, _, _ = read_case(book(wb))
    assert case.mtfs.current_year_funded_from_reserves is False
    assert wb["Funding"]["A12"].value == "Table 4: revised funding gap (£m; first year recurring)"
    assert wb["Funding"]["A16"].value == "Revised funding gap"
    np.testing.assert_allclose(block(wb, "Funding!B16:E16")[0], RECURRING_GAP, atol=0.002)
    # no reserves drawn, so no row saying so: the table ends at its revised gap
    assert block(wb, "Funding!A17:E17") == [[None] * 5]
    row = mapping_row(wb, "output_table4")
    assert wb["cypsxl"].cell(row, 3).value == "Funding!A12:E16"


def test_reserves_row_when_the_first_year_is_one_off() -> None:
    # the demo binds TRUE: the reserves meet the first year's 8.456 (Table 3, 2016/17)
    wb = build_demo()
    refresh(book(wb))
    assert wb["Funding"]["A17"].value == "Reserves drawn (first year)"
    assert wb["Funding"]["B17"].value == pytest.approx(8.456, abs=0.002)
    assert block(wb, "Funding!C17:E17") == [[None] * 3]


def test_pressure_labels_keep_acronyms() -> None:
    # the same labels as the text report: "CCG income", not "Ccg income"
    wb = build_demo()
    wb["cypsxl"].cell(mapping_row(wb, "pressure_reserve"), 1).value = "pressure_CCG_income"
    refresh(book(wb))
    assert block(wb, "Outputs!A4:A5") == [["Pressure: Demand"], ["Pressure: CCG income"]]


# --------------------------------------------------------------------------- idempotence


def test_refreshing_twice_gives_the_same_workbook() -> None:
    wb = build_demo()
    before = values(wb)
    result = refresh(book(wb))  # no fixed time: the stamp keeps its time, inputs unchanged
    assert result.time == DEMO_TIME and not result.cleared and not result.records
    assert values(wb) == before
    refresh(book(wb))
    assert values(wb) == before


def test_changed_inputs_restamp_the_time() -> None:
    wb = build_demo()
    wb["Inputs"]["D8"] = 8.0  # demand pressure 2017/18 from 7.346 to 8.0
    result = refresh(book(wb), now="2026-01-05 10:00:00 UTC")
    assert wb["Checks"]["F2"].value == "2026-01-05 10:00:00 UTC"
    assert wb["Checks"]["F4"].value == result.inputs_hash
    # Table 1 pressure row: 8.0 - 7.346 = 0.654 more in 2017/18; funding support follows
    assert wb["Outputs"]["C4"].value == 8.0
    assert wb["Outputs"]["C9"].value == pytest.approx(RESULTS.budget.funding_support[1] + 0.654)


# --------------------------------------------------------------------------- ownership


def _add_bid(wb: openpyxl.Workbook) -> None:
    ws = wb["Bids"]
    row = ws.max_row + 1
    for j, v in enumerate(["CYPS_11", "Extra bid", "Early Help", None, "investment", "£m"]):
        ws.cell(row, 1 + j, v)
    for t in range(5):
        ws.cell(row, 7 + t, 0.1)


def test_output_that_would_cover_a_cell_it_does_not_own_stops_everything() -> None:
    wb = build_demo()
    _add_bid(wb)  # Table 2 (Outputs!A12:I25) grows by a row, to row 26
    wb["Outputs"]["C26"] = "my note"
    before = values(wb)
    with pytest.raises(CaseError) as err:
        refresh(book(wb))
    (problem,) = err.value.problems
    assert problem.where == "Outputs!C26" and problem.key == "output_table2"
    assert "'my note'" in problem.message and "Nothing was written" in problem.message
    assert values(wb) == before  # not one cell written
    # once the cell is cleared the table grows into it and the record follows
    wb["Outputs"]["C26"] = None
    refresh(book(wb))
    assert wb["Outputs"]["A26"].value == "Total"
    assert wb["cypsxl"].cell(mapping_row(wb, "output_table2"), 3).value == "Outputs!A12:I26"
    assert wb["Outputs"]["G26"].value == pytest.approx(RESULTS.bids.net.sum(axis=0)[-1] + 0.1)


def test_a_shrinking_table_clears_only_what_it_owned() -> None:
    wb = build_demo()
    ws = wb["Bids"]
    last = ws.max_row
    assert ws.cell(last, 1).value == "CYPS_10"
    ws.delete_rows(last)  # CYPS_10 has one line: the bid goes
    wb["Outputs"]["A27"] = "kept"
    result = refresh(book(wb))
    # Table 2 and the bid summary each lose a row: their old areas are cleared, then written
    assert result.cleared == [Area.parse("Outputs!A12:I25"), Area.parse("'Bid summary'!A1:H14")]
    assert wb["Outputs"]["A24"].value == "Total" and wb["Outputs"]["A25"].value is None
    assert wb["Outputs"]["A27"].value == "kept"


@pytest.mark.parametrize(
    ("record", "why"),
    [
        # column C edited to cover the inputs: Inputs!C7:G7 is net_budget
        ("Inputs!A1:G20", "covers input years at Inputs!C4:G4"),
        ("cypsxl!A1:D30", "is on the cypsxl sheet"),
        ("Outputs!A1:XFD1048576", "is 1,048,576 x 16,384 cells, larger than any table"),
        # records pointing at the user's own cells elsewhere: not provably cypsxl's
        ("'What if'!A1:F9", "does not start with the title cypsxl writes there"),
        ("'xlwings.conf'!A1:B1", "does not start with the title cypsxl writes there"),
        ("Outputs!A13:E20", "does not start with the title cypsxl writes there"),
    ],
)
def test_a_tampered_record_is_refused_not_cleared(record: str, why: str) -> None:
    wb = build_demo()
    row = mapping_row(wb, "output_table3")
    wb["cypsxl"].cell(row, 3).value = record
    before = values(wb)
    with pytest.raises(CaseError) as err:
        refresh(book(wb))
    (p,) = err.value.problems
    assert (p.where, p.key) == (f"cypsxl!C{row}", "output_table3")
    assert why in p.message and "Correct the record" in p.message
    assert values(wb) == before


def test_clears_come_before_writes() -> None:
    # Table 3 was last written at Outputs!A20 (its record, starting at its title) and is
    # now bound to Funding!A1 (empty): the old area reaches over Table 2 (Outputs!A12:I25),
    # which is written before Table 3 - every clear comes first, so Table 2 is whole
    wb = build_demo()
    wb["Outputs"]["A20"] = wb["Funding"]["A1"].value  # Table 3's title
    for row in wb["Funding"]["A1:E7"]:
        for cell in row:
            cell.value = None
    wb["cypsxl"].cell(mapping_row(wb, "output_table3"), 3).value = "Outputs!A20:E40"
    result = refresh(book(wb))
    assert result.cleared == [Area.parse("Outputs!A20:E40")]
    assert wb["Outputs"]["A20"].value == "CYPS_6"  # Table 2's 7th bid, written again
    assert wb["Outputs"]["A25"].value == "Total"  # Table 2's last row, Outputs!A12:I25
    assert wb["Funding"]["A1"].value.startswith("Table 3")


def test_outputs_may_not_overlap_inputs_or_each_other() -> None:
    wb = build_demo()
    wb["cypsxl"].cell(mapping_row(wb, "output_table4"), 2).value = "Inputs!A8"
    wb["cypsxl"].cell(mapping_row(wb, "output_checks"), 2).value = "Outputs!B1"
    with pytest.raises(CaseError) as err:
        refresh(book(wb))
    found = [(p.where, p.key, p.message) for p in err.value.problems]
    assert found[0] == (
        "Outputs!B1:D11",
        "output_checks",
        "would overlap output_table1 at Outputs!A1:F9; move one of them",
    )
    # Table 4 needs 6 rows x 5 columns from A8: A8:E13 covers four bound inputs
    assert [f[2].split(" at ")[0] for f in found[1:]] == [
        f"would overwrite input {k}"
        for k in (
            "pressure_demand",
            "pressure_reserve",
            "base_gap",
            "current_year_funded_from_reserves",
        )
    ]
    assert {f[0] for f in found[1:]} == {"Inputs!A8:E13"}


# --------------------------------------------------------------------------- bad input


def test_bad_values_are_located_by_sheet_and_cell() -> None:
    wb = build_demo()
    wb["Inputs"]["D7"] = "abc"
    wb["Inputs"]["C15"] = 1.5
    wb["Bids"]["H4"] = -1  # CYPS_1A investment 2017/18
    with pytest.raises(CaseError) as err:
        refresh(book(wb))
    found = {(p.where, p.key): p.message for p in err.value.problems}
    assert found[("Inputs!D7", "net_budget")] == "expected a number, got 'abc'"
    assert found[("Inputs!C15", "part_year_factor")].startswith("expected a fraction from 0 to 1")
    assert found[("Bids!H4", "investment")] == "expected a number >= 0, got -1"
    assert str(err.value.problems[0]).startswith("demo.xlsx: ")


def test_blank_input_cell() -> None:
    wb = build_demo()
    wb["Inputs"]["E11"] = None
    with pytest.raises(CaseError) as err:
        refresh(book(wb))
    (p,) = err.value.problems
    assert (p.where, p.key, p.message) == (
        "Inputs!E11",
        "base_gap",
        "expected a number, got a blank cell",
    )


def test_missing_binding() -> None:
    wb = build_demo()
    wb["cypsxl"].delete_rows(mapping_row(wb, "net_budget"))
    with pytest.raises(CaseError) as err:
        refresh(book(wb))
    (p,) = err.value.problems
    assert p.key == "net_budget" and "missing binding" in p.message


def test_no_mapping_sheet_at_all() -> None:
    wb = build_demo()
    wb.remove(wb["cypsxl"])
    with pytest.raises(CaseError, match="no binding: add a sheet named 'cypsxl'"):
        refresh(book(wb))


def test_mapping_that_points_nowhere() -> None:
    wb = build_demo()
    row = mapping_row(wb, "base_gap")
    wb["cypsxl"].cell(row, 2).value = "Nowhere!C11:F11"
    wb["cypsxl"].cell(row + 1, 1).value = "base_gaps"
    with pytest.raises(CaseError) as err:
        refresh(book(wb))
    found = {(p.where, p.key): p.message for p in err.value.problems}
    assert "which the workbook does not have" in found[(f"cypsxl!B{row}", "base_gap")]
    assert found[(f"cypsxl!A{row + 1}", "base_gaps")].startswith("unknown key")


def test_inputs_bound_by_defined_names() -> None:
    from openpyxl.workbook.defined_name import DefinedName

    wb = build_demo()
    wb["cypsxl"].delete_rows(mapping_row(wb, "base_gap"))
    wb.defined_names["cypsxl.base_gap"] = DefinedName(
        "cypsxl.base_gap", attr_text="Inputs!$C$11:$F$11"
    )
    refresh(book(wb))
    assert wb["Funding"]["C16"].value == pytest.approx(RESULTS.gap.revised[1])
    # a mapping row may name a range instead of an address
    wb.defined_names["NetBudget"] = DefinedName("NetBudget", attr_text="Inputs!$C$7:$G$7")
    wb["cypsxl"].cell(mapping_row(wb, "net_budget"), 2).value = "NetBudget"
    refresh(book(wb))
    assert wb["Outputs"]["B3"].value == 56.468  # reference case net budget 2016/17


def test_text_that_looks_like_a_formula_is_written_as_text() -> None:
    wb = build_demo()
    wb["Bids"]["B4"] = '=HYPERLINK("http://example.invalid","x")'
    refresh(book(wb))
    cell = wb["Outputs"]["B14"]
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"


def test_formula_inputs_without_saved_results(tmp_path: Path) -> None:
    wb = build_demo()
    wb["Inputs"]["C7"] = "=56.468"
    path = tmp_path / "f.xlsx"
    wb.save(path)  # openpyxl saves no results for formulas
    with pytest.raises(CaseError) as err:
        refresh(open_workbook(path))
    (p,) = err.value.problems
    assert p.where == "Inputs!C7" and "no saved result" in p.message


# --------------------------------------------------------------------------- the command


def test_cli_refresh_in_place_keeps_a_backup(tmp_path: Path, capsys) -> None:
    path = tmp_path / "MTFS.xlsx"
    shutil.copy(DEMO, path)
    wb = openpyxl.load_workbook(path)
    wb["Inputs"]["D8"] = 8.0
    wb.save(path)
    original = path.read_bytes()
    assert cli(["refresh", str(path)]) == 0
    assert (tmp_path / "MTFS.bak.xlsx").read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["MTFS.bak.xlsx", "MTFS.xlsx"]
    assert openpyxl.load_workbook(path)["Outputs"]["C4"].value == 8.0
    assert "refreshed" in capsys.readouterr().out


def test_cli_refresh_to_another_file(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out.xlsx"
    before = DEMO.read_bytes()
    assert cli(["refresh", str(DEMO), "-o", str(out), "--json"]) == 0
    assert DEMO.read_bytes() == before
    import json

    report = json.loads(capsys.readouterr().out)
    assert report["backup"] is None and report["written"]["output_table1"] == "Outputs!A1:F9"
    assert block(openpyxl.load_workbook(out), "Outputs!A14:A14") == [["CYPS_1A"]]


def test_cli_refresh_xlsm_keeps_macros(tmp_path: Path) -> None:
    path = tmp_path / "demo.xlsm"
    shutil.copy(DEMO.with_suffix(".xlsm"), path)
    assert cli(["refresh", str(path)]) == 0
    import zipfile

    with zipfile.ZipFile(path) as z:
        assert "xl/vbaProject.bin" in z.namelist()


def test_cli_bad_input_exit_code_and_nothing_written(tmp_path: Path, capsys) -> None:
    path = tmp_path / "MTFS.xlsx"
    wb = build_demo()
    wb["Inputs"]["D7"] = "abc"
    wb.save(path)
    before = path.read_bytes()
    assert cli(["refresh", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Inputs!D7: 'net_budget': expected a number, got 'abc'" in err
    assert "Traceback" not in err
    assert path.read_bytes() == before and not (tmp_path / "MTFS.bak.xlsx").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"a,b\n1,2\n", "is not an Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "legacy .xls or a password-protected"),
    ],
)
def test_cli_not_a_workbook(tmp_path: Path, capsys, content: bytes, message: str) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(content)
    assert cli(["refresh", str(path)]) == 2
    assert message in capsys.readouterr().err
    assert cli(["refresh", str(tmp_path / "missing.xlsx")]) == 2
    assert "file not found" in capsys.readouterr().err


def test_the_command_does_not_import_xlwings() -> None:
    code = (
        "import sys, cypsxl.commands.refresh, cypsxl.excel.refresh, cypsxl.excel.demo; "
        "assert 'xlwings' not in sys.modules, 'xlwings imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


# --------------------------------------------------------------------------- hostile workbooks


def _rebind(key: str, ref: str):
    def edit(wb: openpyxl.Workbook) -> None:
        wb["cypsxl"].cell(mapping_row(wb, key), 2).value = ref

    return edit


def _set(sheet: str, cell: str, value: object):
    def edit(wb: openpyxl.Workbook) -> None:
        wb[sheet][cell] = value

    return edit


def _unbind(key: str):
    def edit(wb: openpyxl.Workbook) -> None:
        wb["cypsxl"].delete_rows(mapping_row(wb, key))

    return edit


HOSTILE = {
    # a whole sheet bound as one input: refused before a cell of it is read
    "whole sheet as a row": (
        _rebind("net_budget", "Inputs!A1:XFD1048576"),
        "cypsxl!B7: 'net_budget': Inputs!A1:XFD1048576 is 1,048,576 x 16,384 cells; expected "
        "one row or one column of at most 100 cells",
    ),
    "a row of 16,382 cells": (
        _rebind("years", "Inputs!C4:XFD4"),
        "cypsxl!B5: 'years': Inputs!C4:XFD4 is 1 x 16,382 cells",
    ),
    "a range for one number": (
        _rebind("part_year_factor", "Inputs!C15:XFD1048576"),
        "cypsxl!B13: 'part_year_factor': Inputs!C15:XFD1048576 is 1,048,562 x 16,382 cells; "
        "expected one cell",
    ),
    "a bids table of a whole sheet": (
        _rebind("bids", "Bids!A1:XFD1048576"),
        "cypsxl!B19: 'bids': Bids!A1:XFD1048576 is 1,048,576 x 16,384 cells; expected a table "
        "of at most 10,000 rows and 200 columns",
    ),
    "a formula with no saved result": (
        _set("Inputs", "D7", "=C7*1.02"),
        "Inputs!D7: 'net_budget': a formula with no saved result",
    ),
    "text in a number": (
        _set("Inputs", "E9", "1,5"),
        "Inputs!E9: 'pressure_reserve': expected a number, got '1,5'",
    ),
    "an error cell in a number": (
        _set("Inputs", "C14", "#DIV/0!"),
        "Inputs!C14: 'avoided_cost_per_child_per_year': expected £ per child per year >= 0, "
        "got '#DIV/0!'",
    ),
    "a missing key": (_unbind("base_gap"), "'base_gap': missing binding"),
    # merged cells inside Table 1 (Outputs!A1:F9): not writable, so refused up front
    "merged cells where a table goes": (
        lambda wb: wb["Outputs"].merge_cells("B3:C3"),
        "Outputs!B3:C3: 'output_table1': is merged cells, and output_table1 needs "
        "Outputs!A1:F9: unmerge them or move the output. Nothing was written",
    ),
}


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_cli_hostile_workbook_exit_2_and_the_file_untouched(
    tmp_path: Path, capsys, kind: str
) -> None:
    edit, message = HOSTILE[kind]
    wb = build_demo()
    edit(wb)
    path = tmp_path / "MTFS.xlsx"
    wb.save(path)
    before = path.read_bytes()
    assert cli(["refresh", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: " in err and message in err, err
    assert "Traceback" not in err
    # the original's bytes are unchanged, and no backup or temporary file was left
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["MTFS.xlsx"]


def test_cli_conflict_with_a_cell_it_does_not_own_writes_nothing(tmp_path: Path, capsys) -> None:
    # a new bid grows Table 2 (Outputs!A12:I25) by a row, into A26:I26, where the user
    # has a note: stop, name the cell, leave the file as it was
    wb = build_demo()
    ws = wb["Bids"]
    row = ws.max_row + 1
    for j, v in enumerate(["CYPS_11", "New bid", "Early Help", None, "investment", "£m", 0.1]):
        ws.cell(row, 1 + j, v)
    wb["Outputs"]["B26"] = "note to self"
    path = tmp_path / "MTFS.xlsx"
    wb.save(path)
    before = path.read_bytes()
    assert cli(["refresh", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Outputs!B26: 'output_table2': is not empty and cypsxl does not own it" in err
    assert "Nothing was written" in err
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["MTFS.xlsx"]


def test_a_defined_name_over_a_whole_sheet_is_refused_too() -> None:
    from openpyxl.workbook.defined_name import DefinedName

    wb = build_demo()
    wb["cypsxl"].delete_rows(mapping_row(wb, "base_gap"))
    wb.defined_names["cypsxl.base_gap"] = DefinedName(
        "cypsxl.base_gap", attr_text="Inputs!$A$1:$XFD$1048576"
    )
    with pytest.raises(CaseError) as err:
        refresh(book(wb))
    (p,) = err.value.problems
    assert (p.where, p.key) == ("name cypsxl.base_gap", "base_gap")
    assert p.message.startswith("Inputs!A1:XFD1048576 is 1,048,576 x 16,384 cells")


def test_cli_output_naming_the_workbook_itself_keeps_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "MTFS.xlsx"
    shutil.copy(DEMO, path)
    original = path.read_bytes()
    assert cli(["refresh", str(path), "-o", str(tmp_path / "." / "MTFS.xlsx")]) == 0
    assert (tmp_path / "MTFS.bak.xlsx").read_bytes() == original


def test_cli_keeps_the_workbooks_permissions(tmp_path: Path) -> None:
    # the temporary file is private to its writer; a shared workbook must stay shared
    path = tmp_path / "MTFS.xlsx"
    shutil.copy(DEMO, path)
    path.chmod(0o664)
    assert cli(["refresh", str(path)]) == 0
    assert path.stat().st_mode & 0o777 == 0o664


def test_cli_cannot_write_the_output(tmp_path: Path, capsys) -> None:
    (tmp_path / "out.xlsx").mkdir()  # a folder where the file should go
    assert cli(["refresh", str(DEMO), "-o", str(tmp_path / "out.xlsx")]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'out.xlsx'}: cannot be written" in err and "Traceback" not in err
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]  # no temporary file left
