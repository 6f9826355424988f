"""``cypsxl report MONITORING_CASE``: the monitoring report workbook, figures worked by
hand from docs/examples/northshire_monitoring_2025.toml, RAG fills and colours, and
looked-after children by month from a placement register."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from cypsxl.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "docs" / "examples" / "northshire_monitoring_2025.toml"
MTFS = ROOT / "docs" / "examples" / "northshire_2025.toml"
RED, AMBER, GREEN = "FFC7CE", "FFEB9C", "C6EFCE"


@pytest.fixture(scope="module")
def wb(tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    out = tmp_path_factory.mktemp("m") / "p7.xlsx"
    assert main(["report", str(EXAMPLE), "-o", str(out), "--date", "2025-11-05"]) == 0
    return openpyxl.load_workbook(out)


def _rows(ws) -> dict[str, int]:
    return {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value}


def test_sheets_and_cover(wb):
    assert wb.sheetnames == [
        "Cover", "Summary", "Risks and savings", "Variance by line", "Forecast by period",
        "Charts",
    ]  # fmt: skip
    cover = wb["Cover"]
    labels = {cover.cell(r, 1).value: cover.cell(r, 2).value for r in range(1, 13)}
    assert labels["Period"] == "7 (October)" and labels["As at"] == "31 October 2025"
    assert labels["Date"] == "5 November 2025"
    # 39.4 budget (11.5 + 6.2 + 9.8 - 0.8 + 7.4 + 4.1 + 1.2); forecast 41.882: £41.9m
    sentences = [cover.cell(r, 1).value for r in range(14, 18)]
    assert sentences[0] == (
        "Children's Services is forecast to spend £41.9m against an approved budget of "
        "£39.4m, an overspend of £2.5m."
    )


def test_summary_lines_totals_and_rag(wb):
    ws = wb["Summary"]
    rows = _rows(ws)
    agency = rows["Agency placements"]
    # run rate: 7.9 / 7 x 12 = 13.542857; variance 13.542857 - 11.5 = 2.042857, 17.8% of
    # 11.5: red (above 5%); movement 13.542857 - 13.1 = 0.442857
    assert ws.cell(agency, 4).value == pytest.approx(7.9 / 7 * 12, abs=1e-12)
    assert ws.cell(agency, 5).value == pytest.approx(7.9 / 7 * 12 - 11.5, abs=1e-12)
    assert ws.cell(agency, 6).value == pytest.approx((7.9 / 7 * 12 - 11.5) / 11.5, abs=1e-12)
    assert (ws.cell(agency, 7).value, ws.cell(agency, 7).fill.fgColor.rgb[-6:]) == ("Red", RED)
    assert ws.cell(agency, 8).value == pytest.approx(7.9 / 7 * 12 - 13.1, abs=1e-12)
    # in-house fostering: 3.5 / 7 x 12 = 6.0, 0.2 under 6.2: an underspend is green
    fostering = rows["In-house fostering"]
    assert ws.cell(fostering, 5).value == pytest.approx(-0.2, abs=1e-12)
    assert ws.cell(fostering, 7).fill.fgColor.rgb[-6:] == GREEN
    # home to school transport: 4.15 / (6.2 / 11.2 of the profile) = 7.496774, 0.097 over
    # 7.4 = 1.3%: amber (above 1%, not above 5% or £0.25m)
    transport = rows["Home to school transport"]
    assert ws.cell(transport, 4).value == pytest.approx(4.15 / (6.2 / 11.2), abs=1e-12)
    assert ws.cell(transport, 7).fill.fgColor.rgb[-6:] == AMBER
    assert ws.cell(rows["Social work teams"], 8).value == "-"  # no last forecast
    total = rows["General Fund total"]
    assert ws.cell(total, 2).value == pytest.approx(39.4, abs=1e-12)
    assert (ws.cell(total, 2).border.top.style, ws.cell(total, 2).border.bottom.style) == (
        "thin",
        "double",
    )
    # the ring-fenced deficit: 12.0 brought forward + (50.0 - 42.0) = 20.0 carried forward
    assert ws.cell(rows["Deficit carried forward"], 5).value == pytest.approx(20.0)
    assert ws.cell(rows["Ring-fenced total"], 5).value == pytest.approx(8.0)


def test_risks_and_savings(wb):
    ws = wb["Risks and savings"]
    rows = _rows(ws)
    # GF forecast 41.882 + 2.3 + 0.4 of risks = 44.582
    gf = ws.cell(rows["General Fund forecast outturn"], 3).value
    assert ws.cell(rows["Forecast with risks"], 3).value == pytest.approx(gf + 2.7, abs=1e-12)
    # NCC_2: 0.215 planned, 0.15 forecast: 0.065 short, 30% of planned: red
    ncc2 = rows["NCC_2"]
    assert ws.cell(ncc2, 5).value == pytest.approx(0.065, abs=1e-12)
    assert (ws.cell(ncc2, 6).value, ws.cell(ncc2, 6).fill.fgColor.rgb[-6:]) == ("Red", RED)
    assert ws.cell(rows["NCC_3"], 6).fill.fgColor.rgb[-6:] == GREEN
    # cost avoided beside the forecast, not in it: 1.2 + 0.6 = 1.8
    assert ws.cell(rows["Total cost avoided"], 3).value == pytest.approx(1.8, abs=1e-12)


def test_variance_chart_points_take_the_rag_colour(wb):
    (variance, movement) = wb["Charts"]._charts
    assert variance.type == "bar" and len(variance.series) == 1
    fills = [p.graphicalProperties.solidFill for p in variance.series[0].dPt]
    colours = [f.srgbClr if isinstance(f.srgbClr, str) else f.srgbClr.val for f in fills]
    # agency red, fostering green, social work red, health red, transport amber, early
    # help green, management green, high needs red (the Summary's RAG column)
    assert colours == [
        "C00000", "00B050", "C00000", "C00000", "FFC000", "00B050", "00B050", "C00000"
    ]  # fmt: skip
    assert variance.series[0].val.numRef.f == "'Variance by line'!$C$5:$C$12"
    assert len(movement.series) == 2  # last period and this, for the 3 lines with both


def test_mtfs_savings_and_errors(tmp_path: Path, capsys):
    out = tmp_path / "m.xlsx"
    args = ["report", str(EXAMPLE), "-o", str(out), "--mtfs", str(MTFS), "--date", "2025-11-05"]
    assert main(args) == 0
    assert main(["report", "-o", str(tmp_path / "r.xlsx"), "--mtfs", str(MTFS)]) == 2
    assert "--mtfs is for a monitoring case" in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text(EXAMPLE.read_text("utf-8").replace("period = 7 ", "period = 13 "), "utf-8")
    assert main(["report", str(bad), "-o", str(tmp_path / "b.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "bad.toml" in err and "period" in err and not (tmp_path / "b.xlsx").exists()
