"""Collecting filled templates: the round trip to `cypsxl run`, JSON, the consolidated
workbook, overrides, exit codes, the progress bar, and the parallel path."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest

from cypsxl.casefile import load_case, reference_case
from cypsxl.cli import main
from cypsxl.commands.bids import ProgressBar
from cypsxl.workbook import reader
from cypsxl.workbook.reader import collect_bids
from cypsxl.workbook.template import fill_templates

CASE = reference_case()


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("filled")
    fill_templates(CASE, out)
    return out


def _run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main(["run", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_round_trip_fill_collect_run_equals_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bids = tmp_path / "bids"
    assert main(["template", "fill", "-o", str(bids)]) == 0
    case_out = tmp_path / "case.toml"
    assert main(["bids", "collect", str(bids), "-q", "--case-out", str(case_out)]) == 0
    capsys.readouterr()
    again = _run_json(capsys, str(case_out))
    reference = _run_json(capsys)
    # without --case the written case borrows the reference case's budget and gap but is
    # not named after it
    assert again.pop("case")["name"] == "Collected bids" != reference.pop("case")["name"]
    assert again == reference
    # the published figure survives: revised funding gap 2017/18 = 24.130 (reference
    # report, Table 4)
    assert round(again["funding_gap"]["revised"][1], 3) == 24.13
    assert len(load_case(case_out).bids) == 11


def test_json_bids_have_the_run_keys_and_hand_figures(
    filled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bids", "collect", str(filled), "-q", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["rejected"] == [] and len(doc["bids"]) == 11
    b = doc["bids"]["CYPS_2"]
    assert set(b) >= {
        "title",
        "investment",
        "gross_saving",
        "net",
        "cumulative_net",
        "payback_year",
        "breakeven_year",
        "file",
    }
    # the same keys as `cypsxl run --json`, plus the file
    run_bid = _run_json(capsys)["bids"]["CYPS_2"]
    assert set(b) == set(run_bid) | {"file"}
    # (15 + 27 x 0.5) x 22,000 = 627,000 -> £0.627m in 2018/19
    assert b["gross_saving"][2] == pytest.approx(0.627, abs=1e-12)
    # net 2017/18 = 0.164 - 15 x 0.5 x 22,000 / 1e6 = 0.164 - 0.165 = -0.001: payback 2
    assert b["payback_year"] == 2 and b["breakeven_year"] == 3
    assert b["file"].endswith("CYPS_2.xlsx")
    # CYPS_8 nets 0.166 + 0.166 = 0.332 and never turns negative
    assert doc["bids"]["CYPS_8"]["payback_year"] is None


def test_avoided_cost_override_only_when_different(filled: Path, tmp_path: Path) -> None:
    src = filled / "CYPS_5.xlsx"
    wb = openpyxl.load_workbook(src)
    wb["Bid"]["C19"] = 30000  # avoided cost per child, £ a year
    wb.save(tmp_path / "CYPS_5.xlsx")
    got = collect_bids(
        [tmp_path / "CYPS_5.xlsx", filled / "CYPS_2.xlsx"], base=CASE.assumptions, workers=1
    )
    by_ref = {b.ref: b for b in got.bids}
    assert by_ref["CYPS_5"].avoided_cost_per_child_per_year == 30000
    assert by_ref["CYPS_2"].avoided_cost_per_child_per_year is None  # 22,000 as the case
    assert by_ref["CYPS_2"].part_year_factor is None


def test_consolidated_workbook(filled: Path, tmp_path: Path) -> None:
    bad = tmp_path / "returns"
    bad.mkdir()
    (bad / "notes.xlsx").write_text("not a workbook")
    out = tmp_path / "consolidated.xlsx"
    code = main(["bids", "collect", str(filled), str(bad), "-q", "-o", str(out)])
    assert code == 3  # one file rejected, the rest still consolidated
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Bids", "Profiles", "Tables", "Errors", "Chart"]
    assert set(wb["Bids"].tables) == {"Bids"} and set(wb["Profiles"].tables) == {"Profiles"}
    # the reference case's budget and MTFS gap are there: Tables 1-4
    assert set(wb["Tables"].tables) == {"Table1", "Table2", "Table3", "Table4"}
    bids = wb["Bids"]
    rows = {bids.cell(r, 1).value: r for r in range(2, bids.max_row + 1)}
    # CYPS_9 net over all years: (0.900 - 0.330) + (0.450 - 0.715) + (0 - 0.825) x 2
    # = 0.570 - 0.265 - 1.650 = -1.345
    assert bids.cell(rows["CYPS_9"], 8).value == pytest.approx(-1.345, abs=1e-9)
    errors = wb["Errors"]
    assert errors.cell(2, 1).value == "error" and "not an Excel workbook" in errors.cell(2, 5).value
    assert errors.cell(2, 6).hyperlink.target.endswith("returns/notes.xlsx")
    tables = wb["Tables"]
    assert tables["A4"].value.startswith("Table 1")
    t2 = {tables.cell(r, 1).value: r for r in range(1, tables.max_row + 1)}
    row = t2["CYPS_1A Foster Carer Payments Scheme, Support and Development"]  # whole title
    # CYPS_1A net 2017/18 = 1.276 - 1.374 = -0.098, the first negative year: payback 2
    assert tables.cell(row, 3).value == pytest.approx(-0.098, abs=1e-9)
    assert tables.cell(row, 7).value == "2 (2017/18)"
    assert tables.cell(t2["CYPS_1B Therapeutic Service"], 7).value == "-"  # never negative


def test_json_rejected_shape(filled: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """{"rejected": [{"file", "errors": [{"sheet", "cell", "message"}]}]}, as the issue."""
    wb = openpyxl.load_workbook(filled / "CYPS_4.xlsx")
    wb["Bid"]["E18"] = -3  # children prevented 2018/19
    wb.save(tmp_path / "CYPS_4.xlsx")
    (tmp_path / "empty.xlsx").write_bytes(b"")
    assert main(["bids", "collect", str(tmp_path), "-q", "--json"]) == 3
    doc = json.loads(capsys.readouterr().out)
    assert {"bids", "rejected"} <= set(doc) and doc["bids"] == {}
    assert [set(r) for r in doc["rejected"]] == [{"file", "errors"}] * 2
    by_name = {Path(r["file"]).name: r["errors"] for r in doc["rejected"]}
    assert by_name["empty.xlsx"] == [
        {"sheet": "", "cell": "", "message": "is empty (0 bytes); the upload may have failed"}
    ]
    assert by_name["CYPS_4.xlsx"] == [
        {
            "sheet": "Bid",
            "cell": "E18",
            "message": "children prevented 2018/19: expected a whole number >= 0, got -3",
        }
    ]


def test_errors_in_reading_order(filled: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(filled / "CYPS_3.xlsx")
    wb["Bid"]["E25"] = 0.5  # a value typed over the net formula
    wb["Bid"]["D16"] = "lots"
    wb["Bid"]["D16"].data_type = "s"
    wb.save(tmp_path / "CYPS_3.xlsx")
    result = collect_bids([tmp_path / "CYPS_3.xlsx"], workers=1)
    assert [(e.sheet, e.cell) for e in result.rejected[0].errors] == [
        ("Bid", "D16"),
        ("Bid", "E25"),
    ]


def test_errors_link_to_the_cell(filled: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(filled / "CYPS_2.xlsx")
    wb["Bid"]["D16"] = -1
    wb.save(tmp_path / "CYPS_2.xlsx")
    out = tmp_path / "c.xlsx"
    assert main(["bids", "collect", str(tmp_path / "CYPS_2.xlsx"), "-q", "-o", str(out)]) == 3
    ws = openpyxl.load_workbook(out)["Errors"]
    assert (ws.cell(2, 3).value, ws.cell(2, 4).value) == ("Bid", "D16")
    assert ws.cell(2, 6).hyperlink.target == "CYPS_2.xlsx#'Bid'!D16"


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bids", "collect", str(tmp_path), "-q"]) == 2
    assert "no workbooks found" in capsys.readouterr().err
    (tmp_path / "~$x.xlsx").write_bytes(b"lock")
    assert main(["bids", "collect", str(tmp_path), "-q"]) == 2
    assert main(["bids", "collect", str(tmp_path), "--case", str(tmp_path / "nope.toml")]) == 2


def test_progress_bar_on_a_terminal_only() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Tty()
    bar = ProgressBar(stream, enabled=True)
    bar(1, 4)
    bar(4, 4)
    bar.close()
    assert "[" + "#" * 30 + "] 4/4 files" in stream.getvalue()
    quiet = io.StringIO()
    bar = ProgressBar(quiet, enabled=False)
    bar(4, 4)
    bar.close()
    assert quiet.getvalue() == ""


def test_cli_progress_bar_on_a_terminal_unless_quiet(
    filled: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    for args, on_terminal, shown in (
        ([], True, True),
        (["--quiet"], True, False),
        ([], False, False),
    ):
        err = Tty() if on_terminal else io.StringIO()
        monkeypatch.setattr("sys.stderr", err)
        assert main(["bids", "collect", str(filled), "--json", *args]) == 0
        capsys.readouterr()
        # eleven reference bids: the bar ends at 11/11 on its own line
        assert ("] 11/11 files" in err.getvalue()) is shown, (args, on_terminal)
        assert err.getvalue().endswith("\n") or not shown


def test_progress_callback_and_parallel_path(filled: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[int, int]] = []
    serial = collect_bids([filled], workers=1, progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (11, 11) and len(calls) == 11
    monkeypatch.setattr(reader, "PARALLEL_FROM", 2)
    parallel = collect_bids([filled], workers=2)
    assert [b.ref for b in parallel.bids] == [b.ref for b in serial.bids]
    assert parallel.bids == serial.bids
