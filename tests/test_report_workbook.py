"""``cypsxl report``: the report workbook's figures against the published Cabinet report,
its print set-up and charts, and the command's errors.

Expected figures come from tests/data/rotherham_2016_published.toml (the `published`
fixture): what the Rotherham MBC Cabinet report "MTFS Update" (November 2016) printed,
to 3 decimals, compared within its 0.0016 rounding tolerance.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from cypsxl import load_case, run_case
from cypsxl.cli import main
from cypsxl.workbook.report import ReportInfo, build_report

TABLE_YEARS = ["2016/17", "2017/18", "2018/19", "2019/20", "2020/21"]


@pytest.fixture(scope="module")
def wb() -> openpyxl.Workbook:
    info = ReportInfo(dt.date(2016, 11, 23), "9.9.9", "0" * 64)
    return build_report(run_case(load_case()), info)


def _row(ws, label: str, col: int = 1) -> int:
    rows = [c.row for c in ws[openpyxl.utils.get_column_letter(col)] if c.value == label]
    assert len(rows) == 1, f"{ws.title}: {label!r} found in rows {rows}"
    return rows[0]


def _values(ws, row: int, first_col: int, n: int) -> list[float]:
    return [ws.cell(row, first_col + k).value for k in range(n)]


def _close(got: list[float], want: list[float], tol: float) -> None:
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert abs(g - w) <= tol, (got, want)


def test_table1_matches_the_published_report(wb, published):
    ws, tol, p = wb["Table 1"], published["tolerance"], published["table1_cyps_budget"]
    assert [ws.cell(4, 2 + k).value for k in range(5)] == TABLE_YEARS  # years as text
    # reference report, Table 1: investment 0.179, 3.607, ...; savings printed as
    # magnitudes there and as negatives (in brackets) here
    _close(_values(ws, _row(ws, "Investment (bids)"), 2, 5), p["investment"], tol)
    _close(_values(ws, _row(ws, "Savings (bids)"), 2, 5), [-s for s in p["savings"]], tol)
    _close(_values(ws, _row(ws, "Net forecast"), 2, 5), p["net_forecast"], tol)
    _close(_values(ws, _row(ws, "Funding support"), 2, 5), p["funding_support"], tol)


def test_table2_rows_paybacks_and_total(wb, published):
    ws, tol = wb["Table 2"], published["tolerance"]
    for ref, net in published["table2_bid_net"].items():
        if ref == "total":
            _close(_values(ws, _row(ws, "Total"), 3, 5), net, tol)
            continue
        _close(_values(ws, _row(ws, ref), 3, 5), net, tol)
    # payback column H: "2 (2017/18)" for the report's payback year 2 (1 = 2016/17)
    paybacks = published["bid_payback_year"]
    for ref in published["table2_bid_net"]:
        if ref == "total":
            continue
        got = ws.cell(_row(ws, ref), 8).value
        year = paybacks.get(ref)
        assert got == (f"{year} ({TABLE_YEARS[year - 1]})" if year else "-"), ref
    assert ws.cell(4, 8).value == "Payback year"
    assert ws.cell(_row(ws, "CYPS_5"), 8).value == "3 (2018/19)"  # the report: 3


def test_tables_3_and_4_and_cumulative_net(wb, published):
    tol = published["tolerance"]
    t3 = wb["Table 3"]
    _close(
        _values(t3, _row(t3, "Total additional funding"), 2, 4),
        published["table3"]["total_additional_funding"],
        tol,
    )
    t4 = wb["Table 4"]
    # reference report: revised gap 24.130, 7.854, 18.863 in 2017/18-2019/20 (column C-E);
    # the engine gives 18.864 for 2019/20, within the report's rounding of added terms
    _close(
        _values(t4, _row(t4, "Revised funding gap"), 3, 3),
        published["table4"]["revised_gap_from_2017_18"],
        tol,
    )
    prof = wb["Bid profiles"]  # cumulative net first (rows 5-15), gross savings below
    refs = [prof.cell(r, 1).value for r in range(5, 16)]
    assert refs == list(published["bid_cumulative_net_2016_21"])
    for row, (ref, total) in enumerate(published["bid_cumulative_net_2016_21"].items(), 5):
        assert abs(prof.cell(row, 7).value - total) <= tol, ref


def test_cover_and_print_setup(wb):
    cover = wb["Cover"]
    labels = {cover.cell(r, 1).value: cover.cell(r, 2).value for r in range(1, 15)}
    assert labels["Authority"] == "Rotherham Metropolitan Borough Council"
    assert labels["Date"] == "23 November 2016"
    assert labels["Produced by"] == "cypsxl 9.9.9"
    assert labels["Case hash (SHA-256 of the inputs)"] == "0" * 64
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert int(ws.page_setup.paperSize) == 9, ws.title  # A4
        assert ws.page_setup.fitToWidth == 1, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.oddFooter.right.text == "Page &P of &N", ws.title
        assert "Medium Term Financial Strategy" in ws.oddHeader.left.text, ws.title
    t2 = wb["Table 2"]
    assert t2.print_title_rows == "$1:$4"
    total = _row(t2, "Total")
    for col in range(1, 10):  # ruled off: a thin rule above, a double rule below
        cell = t2.cell(total, col)
        assert (cell.border.top.style, cell.border.bottom.style) == ("thin", "double")
    assert t2.cell(total, 3).number_format == '#,##0.000;(#,##0.000);"-"'


def test_charts_reference_the_tables(wb):
    charts = {ws.title: ws._charts for ws in wb.worksheets if ws._charts}
    assert sorted(charts) == ["Bid charts", "Funding charts"]
    lines = charts["Bid charts"][0]
    # one line a bid (11 rows, CYPS_1 in two parts) and the programme
    assert len(lines.series) == 12
    assert lines.series[-1].tx.strRef.f == "'Bid profiles'!$A$16"
    assert lines.series[0].val.numRef.f == "'Bid profiles'!$C$5:$G$5"
    stacked = charts["Bid charts"][1]
    assert stacked.grouping == "stacked"
    # net budget, two pressure lines, investment, savings: Table 1 rows 5-9
    assert stacked.series[0].val.numRef.f == "'Table 1'!$B$5:$F$5"
    assert len(stacked.series) == 5


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cypsxl", *args], capture_output=True, text=True, timeout=120
    )


def test_report_command_writes_a_workbook(tmp_path: Path):
    out = tmp_path / "report.xlsx"
    assert main(["report", "-o", str(out), "--date", "2016-11-23"]) == 0
    wb = openpyxl.load_workbook(out)
    assert wb["Cover"]["B8"].value == "23 November 2016"
    again = tmp_path / "again.xlsx"
    assert main(["report", "-o", str(again), "--date", "2016-11-23"]) == 0
    assert again.read_bytes() == out.read_bytes()  # same case and date, same bytes


def test_report_is_dated_by_its_date_not_the_clock(tmp_path: Path):
    # Two runs a second apart must give the same bytes: both times in docProps/core.xml
    # are the report's date at 09:00, never the moment openpyxl made the workbook.
    out = tmp_path / "report.xlsx"
    assert main(["report", "-o", str(out), "--date", "2016-11-23"]) == 0
    with zipfile.ZipFile(out) as z:
        core = z.read("docProps/core.xml").decode()
    stamps = re.findall(r"<dcterms:(created|modified)[^>]*>([^<]*)<", core)
    assert stamps == [("created", "2016-11-23T09:00:00Z"), ("modified", "2016-11-23T09:00:00Z")]


def test_report_errors_exit_2(tmp_path: Path, monkeypatch, capsys):
    assert main(["report", "-o", str(tmp_path / "r.csv")]) == 2
    assert "must end in .xlsx" in capsys.readouterr().err
    assert main(["report", "-o", str(tmp_path / "r.xlsx"), "--pdf", str(tmp_path / "r")]) == 2
    assert "must end in .pdf" in capsys.readouterr().err
    monkeypatch.setattr("cypsxl.commands.report.soffice", lambda: None)
    code = main(["report", "-o", str(tmp_path / "r.xlsx"), "--pdf", str(tmp_path / "r.pdf")])
    err = capsys.readouterr().err
    assert code == 2 and "needs LibreOffice (soffice)" in err
    assert not (tmp_path / "r.xlsx").exists()  # nothing half-done
    proc = cli("report", str(tmp_path / "missing.toml"), "-o", str(tmp_path / "x.xlsx"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    proc = cli("report", "-o", str(tmp_path / "x.xlsx"), "--date", "23/11/2016")
    assert proc.returncode == 2 and "not a date like 2016-11-23" in proc.stderr


def test_report_pdf(tmp_path: Path):
    out, pdf = tmp_path / "report.xlsx", tmp_path / "report.pdf"
    assert main(["report", "-o", str(out), "--pdf", str(pdf), "--date", "2016-11-23"]) == 0
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "Pages:           8" in info  # a page a sheet: cover, 4 tables, profiles, 2 charts


def test_placements_sheet_of_a_case_with_placements(tmp_path: Path):
    out = tmp_path / "ns.xlsx"
    case = Path(__file__).parents[1] / "docs" / "examples" / "northshire_2025.toml"
    assert main(["report", str(case), "-o", str(out), "--date", "2025-11-05"]) == 0
    ws = openpyxl.load_workbook(out)["Placements"]
    assert [ws.cell(4, c).value for c in range(1, 5)] == [
        "Placement type", "Children", "Weekly cost (£)", "£m a year"
    ]  # fmt: skip
    # in-house fostering: 230 children x £480 x 52.14 weeks = £5,756,256 = £5.756256m
    assert (ws["A5"].value, ws["B5"].value, ws["C5"].value) == ("In-house fostering", 230, 480)
    assert ws["D5"].value == pytest.approx(230 * 480 * 52.14 / 1e6, abs=1e-9)
    # total children 230 + 180 + 45 + 65 = 520, the trend's first year
    assert (ws["A9"].value, ws["B9"].value) == ("Total placements now", 520)
    assert ws["A13"].value == "Looked-after children" and ws["B13"].value == 520


def test_reserves_line_only_when_the_case_funds_the_first_year_from_reserves(wb):
    # Rotherham funds 2016/17 one-off from reserves: its Table 3 total, 8.456
    t4 = wb["Table 4"]
    row = _row(t4, "Reserves drawn in the first year")
    assert t4.cell(row, 2).value == pytest.approx(8.456, abs=0.0016)
    # Northshire funds every year recurrently: no reserves, so no line about them
    northshire = Path(__file__).parents[1] / "docs" / "examples" / "northshire_2025.toml"
    info = ReportInfo(dt.date(2025, 11, 5), "9.9.9", "0" * 64)
    ns = build_report(run_case(load_case(northshire)), info)["Table 4"]
    labels = [c.value for c in ns["A"] if isinstance(c.value, str)]
    assert "Revised funding gap" in labels
    assert not [text for text in labels if "eserve" in text]


def test_column_charts_start_at_zero(wb):
    gap, support = wb["Funding charts"]._charts
    # funding support 8.027 ... 7.492 and the gaps are all >= 0: the axis starts at 0
    assert gap.y_axis.scaling.min == 0 and support.y_axis.scaling.min == 0
