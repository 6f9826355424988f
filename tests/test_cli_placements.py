"""``cypsxl placements``: the summary by hand, and one test per kind of error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ssda903_synth import COSTS_CSV

from cypsxl.cli import main

CASE = """
[register]
year = "2025/26"
as_at = 2025-10-31              # 214 days gone (1 April - 31 October), 151 to come

[[placement]]
ref = "P1"
type = "ifa"
weekly_cost = 700
start = 2025-04-01              # open

[[placement]]
ref = "P2"
type = "secure"
weekly_cost = 7000
start = 2025-10-01
end = 2025-11-30
health_share = 0.5

[[post]]
team = "Safeguarding"
role = "Social worker"
kind = "permanent"
fte = 2
annual_cost = 36500

[[post]]
team = "Safeguarding"
role = "Social worker"
kind = "agency"
fte = 1
weekly_rate = 1400

[workforce]
agency_cap = 0.5

[[cohort]]
name = "Worst case"
children = 10
weekly_cost = 700
from = 2026-01-01
risk = true

[demand]
lac_start = 577
lac_now = 612
growth_rate = 0.05
years = 3
"""


def _run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def case(tmp_path: Path) -> Path:
    path = tmp_path / "drivers.toml"
    path.write_text(CASE, encoding="utf-8")
    return path


def test_json_summary_by_hand(case: Path, capsys) -> None:
    code, out, err = _run(["placements", str(case), "--json"], capsys)
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert doc["as_at"] == "2025-10-31" and doc["year"] == "2025/26"
    ifa = doc["register"]["by_type"]["ifa"]
    # P1: £700 a week: to date 700 x 214 / 7 = £21,400; rest 700 x 151 / 7 = £15,100;
    # next year (2026/27, 365 days) 700 x 365 / 7 = £36,500
    assert ifa["children"] == 1
    assert ifa["cost_to_date"] == pytest.approx(0.0214)
    assert ifa["rest_of_year"] == pytest.approx(0.0151)
    assert ifa["next_year"] == pytest.approx(0.0365)
    secure = doc["register"]["by_type"]["secure"]
    # P2: £7,000 a week, half paid by health: October 31 days -> 7,000 x 31 / 7 x 0.5
    # = £15,500; November 30 days -> £15,000; nothing next year
    assert secure["cost_to_date"] == pytest.approx(0.0155)
    assert secure["rest_of_year"] == pytest.approx(0.015)
    assert secure["next_year"] == 0.0
    assert doc["register"]["total"]["gross_full_year"] == pytest.approx(0.0365 + 0.061)
    # LAC from [demand]: 577 -> 612 = +35/577; projection 612, x 1.05, x 1.05^2
    assert doc["lac"]["growth"] == pytest.approx(35 / 577)
    assert doc["lac"]["projection"]["lac"] == pytest.approx([612, 642.6, 674.73])
    w = doc["workforce"]["by_kind"]
    # permanent 2 x £36,500: to date 2 x 36,500 x 214 / 365 = £42,800
    assert w["permanent"]["cost_to_date"] == pytest.approx(0.0428)
    # agency 1 x 1,400 x 365 / 7 = £73,000 a year; premium 73,000 - 36,500 = £36,500
    assert w["agency"]["full_year"] == pytest.approx(0.073)
    assert doc["workforce"]["agency_premium"] == pytest.approx(0.0365)
    assert doc["workforce"]["agency_over_cap"] == pytest.approx(0.5)
    # cohort: 10 x 700 x 90 / 7 = £90,000 this year; 10 x 700 x 365 / 7 = £365,000 next
    c = doc["cohorts"]["Worst case"]
    assert (c["this_year"], c["next_year"], c["risk"]) == (
        pytest.approx(0.09),
        pytest.approx(0.365),
        True,
    )
    # months: P2 starts in October, its last day is 30 November (in placement then)
    months = doc["months"]
    assert months["admissions"][6] == 1 and months["discharges"][7] == 1
    assert months["looked_after_at_month_end"][6:9] == [2, 2, 1]


def test_text_summary(case: Path, capsys) -> None:
    code, out, _ = _run(["placements", str(case)], capsys)
    assert code == 0
    assert "Placements 2025/26, as at 31/10/2025 (2 placements;" in out
    # £m to 3 decimals, halves up: 0.0214, 0.0151, 0.0365, 0.0365; secure 0.0155 -> 0.016
    assert (
        "Independent fostering agency         1    0.021         0.015      0.037    0.037" in out
    )
    assert (
        "Secure                               1    0.016         0.015      0.031    0.000" in out
    )
    assert "Looked-after children: 577 on 1 April, 612 on 31/10/2025 (+6.1%)" in out
    assert "Agency FTE 1.0 against a cap of 0.5: 0.5 over the cap" in out


def test_conversion_of_agency_posts(case: Path, capsys) -> None:
    code, out, _ = _run(
        [
            "placements",
            str(case),
            "--json",
            "--convert-agency",
            "1",
            "--convert-from",
            "2026-01-01",
        ],
        capsys,
    )
    assert code == 0
    conv = json.loads(out)["workforce"]["conversion"]
    # 90 days: 1,400 x 90 / 7 - 36,500 x 90 / 365 = 18,000 - 9,000 = £9,000;
    # a full year 73,000 - 36,500 = £36,500
    assert conv["this_year"] == pytest.approx(0.009)
    assert conv["full_year"] == pytest.approx(0.0365)


def test_an_ssda903_csv_with_costs_and_a_dirty_row_exits_3(tmp_path: Path, capsys) -> None:
    episodes = tmp_path / "episodes.csv"
    episodes.write_text(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC\n"
        "A,01/04/2025,S,C2,N1,U6,PR4,,\n"
        "B,01/04/2025,S,C2,N1,U6,PR4,31/03/2025,E11\n",
        encoding="utf-8",
    )
    costs = tmp_path / "costs.csv"
    costs.write_text(COSTS_CSV, encoding="utf-8")
    code, out, err = _run(
        ["placements", str(episodes), "--costs", str(costs), "--as-at", "31/10/2025", "--json"],
        capsys,
    )
    assert code == 3
    doc = json.loads(out)
    # A: U6 with PR4 = IFA at £900: to date 900 x 214 / 7
    assert doc["register"]["by_type"]["ifa"]["cost_to_date"] == pytest.approx(0.0275142857)
    assert doc["rows"] == {"read": 1, "rejected": 1}
    assert doc["rejected"][0]["where"] == "row 3" and doc["rejected"][0]["key"] == "DEC"
    assert err.startswith(f"rejected: {episodes}: row 3: 'DEC': DEC 31/03/2025 is before DECOM")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("weekly_cost = 700\n", 'weekly_cost = "700"\n'), "'weekly_cost': expected £ a week >= 0"),
        (("[[cohort]]", "[[cohorts]]"), "'cohorts': unknown table; did you mean 'cohort'?"),
        (("agency_cap = 0.5", "agency_cap = -1"), "'agency_cap': expected an FTE >= 0, got -1"),
        (('year = "2025/26"', 'year = "2025/27"'), "'year': '2025/27': the second part"),
        (("growth_rate = 0.05", "growth_rate = -2"), "'growth_rate': expected a fraction a year"),
        (("children = 10", "children = 0"), "cohort Worst case: 'children': expected a number"),
    ],
)
def test_a_bad_case_exits_2_with_located_errors(tmp_path: Path, capsys, change, message) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(CASE.replace(*change), encoding="utf-8")
    code, out, err = _run(["placements", str(path)], capsys)
    assert code == 2 and out == ""
    assert message in err, err
    assert err.startswith(f"error: {path}:")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["nope.toml"], "nope.toml: file not found"),
        (["nope.csv"], "nope.csv: file not found; expected a CSV file"),
        (["CASE", "--as-at", "31/13/2025"], "--as-at: expected a date such as 2025-10-31"),
        (["CASE", "--as-at", "2026-05-01"], "as-at date 01/05/2026 is outside 2025/26"),
        (["CASE", "--year", "2025-26"], "--year: '2025-26' is not a financial year"),
        (["CASE", "--costs", "c.csv"], "--costs is for an SSDA903 CSV"),
        (["CASE", "--convert-agency", "3"], "--convert-agency: 3 agency FTE to convert, but 1"),
        (["CASE", "--convert-agency", "-1"], "--convert-agency: expected agency FTE > 0 to"),
        (["CASE", "--convert-agency", "0"], "--convert-agency: expected agency FTE > 0 to"),
    ],
)
def test_usage_errors_exit_2(case: Path, capsys, argv, message) -> None:
    argv = [str(case) if a == "CASE" else a for a in argv]
    code, out, err = _run(["placements", *argv], capsys)
    assert code == 2 and out == ""
    assert message in err, err
    assert "Traceback" not in err


def test_a_case_without_drivers_exits_2(tmp_path: Path, capsys) -> None:
    path = tmp_path / "monitoring.toml"
    path.write_text('[monitoring]\nyear = "2025/26"\nperiod = 7\n', encoding="utf-8")
    code, out, err = _run(["placements", str(path)], capsys)
    assert (code, out) == (2, "")
    assert "no placements or posts to summarise" in err


def test_a_csv_of_another_kind_exits_2(tmp_path: Path, capsys) -> None:
    path = tmp_path / "other.csv"
    path.write_text("name,amount\nA,1\n", encoding="utf-8")
    code, _, err = _run(["placements", str(path)], capsys)
    assert code == 2
    assert "is not an SSDA903 episodes file (CHILD, DECOM, ...), a placement register" in err


def test_check_reads_a_file_of_cost_drivers_only(case: Path, capsys) -> None:
    # CASE: 2 placements (P1, P2), 2 posts (permanent and agency), 1 cohort
    code, out, err = _run(["check", str(case)], capsys)
    assert (code, err) == (0, "")
    assert out == f"ok: {case}: cost drivers 2025/26, 2 placements, 2 posts, 1 cohort\n"


def test_check_reports_every_problem_of_a_drivers_file(tmp_path: Path, capsys) -> None:
    path = tmp_path / "posts.toml"
    # line 1-5: a permanent post without its annual cost; line 6: a misspelt table
    path.write_text(
        '[[post]]\nteam = "A"\nrole = "SW"\nkind = "permanent"\nfte = 1\n[registr]\n',
        encoding="utf-8",
    )
    code, out, err = _run(["check", str(path)], capsys)
    assert (code, out) == (2, "")
    lines = err.splitlines()
    assert len(lines) == 2, err
    assert lines[0].startswith(f"error: {path}:6: 'registr': unknown table; did you mean")
    assert lines[1] == (
        f"error: {path}:1: post #1 (A): 'annual_cost': missing; a permanent post needs its "
        "annual cost (£ per FTE)"
    )


def test_check_lists_the_rows_a_driver_csv_would_lose(tmp_path: Path, capsys) -> None:
    (tmp_path / "register.csv").write_text(
        "ref,type,weekly_cost,start\nP1,ifa,700,2025-04-01\nP2,ifa,lots,2025-05-01\n",
        encoding="utf-8",
    )
    path = tmp_path / "drivers.toml"
    path.write_text('[register]\nyear = "2025/26"\ncsv = "register.csv"\n', encoding="utf-8")
    code, out, err = _run(["check", str(path)], capsys)
    assert (code, out) == (2, "")
    # row 3 of the CSV (P2): text where £ a week is expected; row 2 (P1) is whole
    csv = tmp_path / "register.csv"
    assert err == f"error: {csv}: row 3: 'weekly_cost': expected £ a week >= 0, got 'lots'\n"
