"""``cypsxl monitor``: the printed report line by line, the JSON shape, --mtfs, and one
test per kind of bad input (exit 2, one located line, never a traceback)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cypsxl.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "docs" / "examples" / "northshire_monitoring_2025.toml"
MTFS = ROOT / "docs" / "examples" / "northshire_2025.toml"

# The example case worked by hand (period 7, so run rate = actual / 7 x 12):
#   Agency placements   7.9 / 7 x 12 = 13.542857; 13.543 - 11.5 = 2.043 (17.8%, red);
#                       movement 13.542857 - 13.1 = 0.443
#   In-house fostering  3.5 / 7 x 12 = 6.000; -0.200 (3.2% under: green); 6.0 - 6.1 = (0.100)
#   Social work teams   5.9 / 7 x 12 = 10.114286; +0.314 (3.2%: above £0.25m, red)
#   Health contribs     typed -0.5 against -0.8: +0.300 (37.5%, red); -0.5 - -0.6 = 0.100
#   Home to school      profile: by October 4 + 0.2 + 2 = 6.2 of 11.2 weighted months;
#                       4.15 / (6.2 / 11.2) = 7.496774; +0.097 (1.3%: amber)
#   Early help          2.35 / 7 x 12 = 4.028571; (0.071) (1.7% under, green)
#   Directorate mgmt    typed 1.2 against 1.2: 0.000, green
#   Children's Social Care: 11.5 + 6.2 + 9.8 - 0.8 = 26.7 budget, 7.9 + 3.5 + 5.9 - 0.3 =
#   17.0 actual, 13.542857 + 6 + 10.114286 - 0.5 = 29.157143 forecast, variance 2.457143
#   Education and Inclusion: 11.5, 6.5, 7.496774 + 4.028571 = 11.525346, 0.025346
#   General Fund: 26.7 + 11.5 + 1.2 = 39.4; 17.0 + 6.5 + 0.72 = 24.22;
#   29.157143 + 11.525346 + 1.2 = 41.882488; variance 2.482488 (headline £41.9m, £39.4m, £2.5m)
#   High needs (ring-fenced): 50 - 42 = 8.0 (19.0%), deficit 12 + 8 = 20 carried forward
#   Risks 2.3 + 0.4 = 2.7; forecast with risks 41.882488 + 2.7 = 44.582488
#   Savings: NCC_2 0.215 - 0.15 = 0.065 short (30%: red); NCC_3 0.2 - 0.2 = 0 (green);
#   totals 0.415 planned, 0.350 forecast, 0.065 short
#   Cost avoided (beside the forecast, not in it): 1.2 + 0.6 = 1.8
EXPECTED = ROOT / "tests" / "data" / "monitoring_northshire_2025.txt"  # golden, checked by hand


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_report_line_by_line(capsys):
    code, out, err = _run(capsys, "monitor", str(EXAMPLE))
    assert code == 0 and err == ""
    got, expected = out.splitlines(), EXPECTED.read_text("utf-8").splitlines()
    for i, (g, e) in enumerate(zip(got, expected, strict=False), start=1):
        assert g == e, f"line {i}"
    assert len(got) == len(expected)


def test_json_shape_and_values(capsys):
    code, out, _ = _run(capsys, "monitor", str(EXAMPLE), "--json")
    assert code == 0
    doc = json.loads(out)
    assert list(doc)[:8] == [
        "monitoring",
        "lines",
        "groups",
        "general_fund",
        "ring_fenced",
        "risks",
        "forecast_with_risks",
        "savings",
    ]
    assert list(doc["monitoring"])[:4] == ["authority", "year", "period", "as_at"]
    assert doc["monitoring"]["as_at"] == "2025-10-31"  # last day of October
    line = doc["lines"]["Agency placements"]
    assert list(line)[:9] == [
        "group",
        "budget",
        "actual_to_date",
        "forecast_outturn",
        "variance",
        "variance_pct",
        "rag",
        "movement",
        "ring_fenced",
    ]
    assert line["forecast_outturn"] == pytest.approx(7.9 / 7 * 12, abs=1e-12)
    assert line["rag"] == "red" and line["ring_fenced"] is False
    assert doc["lines"]["Social work teams"]["movement"] is None  # no previous forecast
    assert list(doc["groups"]["Education and Inclusion"]) == [
        "budget",
        "actual_to_date",
        "forecast_outturn",
        "variance",
    ]
    assert doc["general_fund"]["budget"] == pytest.approx(39.4)
    assert list(doc["ring_fenced"])[:5] == [
        "budget",
        "forecast_outturn",
        "variance",
        "opening_deficit",
        "closing_deficit",
    ]
    assert doc["ring_fenced"]["closing_deficit"] == pytest.approx(20.0)  # 12 + 8
    assert doc["risks"] == {
        "Further placements, worst case": 2.3,
        "Asylum-seeking children grant shortfall": 0.4,
    }
    # 41.882488... + 2.3 + 0.4
    assert doc["forecast_with_risks"] == pytest.approx(41.882488479262676 + 2.7)
    assert doc["savings"]["NCC_2"] == {
        "planned": 0.215,
        "forecast": 0.15,
        "shortfall": pytest.approx(0.065),
        "rag": "red",
    }


def test_variance_pct_is_null_on_a_zero_budget(tmp_path, capsys):
    case = tmp_path / "zero.toml"
    case.write_text(
        '[monitoring]\nauthority = "N"\nyear = "2025/26"\nperiod = 6\n'
        '[[line]]\nname = "New grant"\ngroup = "G"\nbudget = 0\nactual_to_date = 0.6\n',
        "utf-8",
    )
    code, out, _ = _run(capsys, "monitor", str(case), "--json")
    line = json.loads(out)["lines"]["New grant"]
    # 0.6 / 6 x 12 = 1.2 on a zero budget: no percentage, and red (above 5% of 0)
    assert code == 0 and line["variance_pct"] is None and line["rag"] == "red"
    assert line["forecast_outturn"] == pytest.approx(1.2)


def test_mtfs_takes_planned_savings_from_the_bids(tmp_path, capsys):
    text = EXAMPLE.read_text("utf-8")
    # without the planned figures: --mtfs supplies them
    stripped = re.sub(r"(?m)^planned = .*\n", "", text)
    case = tmp_path / "m.toml"
    case.write_text(stripped, "utf-8")
    code, _, err = _run(capsys, "monitor", str(case))
    assert code == 2 and "'planned': missing" in err
    code, out, err = _run(capsys, "monitor", str(case), "--json", "--mtfs", str(MTFS))
    assert code == 0, err
    s = json.loads(out)["savings"]
    # NCC_2 2025/26: 2 children prevented x 0.5 (part year) x £215,000 = £0.215m
    # NCC_3 2025/26: gross saving typed as 0.2
    assert s["NCC_2"]["planned"] == pytest.approx(0.215)
    assert s["NCC_3"]["planned"] == pytest.approx(0.2)
    assert s["NCC_3"]["shortfall"] == pytest.approx(0.0)
    # the example's own planned figures agree with the MTFS case
    code, _, err = _run(capsys, "monitor", str(EXAMPLE), "--mtfs", str(MTFS))
    assert code == 0, err


BASE = """\
[monitoring]
authority = "Northshire"
year = "2025/26"
period = 7

[[line]]
name = "Agency placements"
group = "Children's Social Care"
budget = 11.5
actual_to_date = 7.9
"""


def _error(tmp_path, capsys, text: str, *extra: str) -> str:
    case = tmp_path / "case.toml"
    case.write_text(text, "utf-8")
    code, out, err = _run(capsys, "monitor", str(case), *extra)
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            BASE.replace("period = 7", "period = 13"),
            ":4: [monitoring]: 'period': expected a whole number from 1 (April) to 12 (March),"
            " got 13",
        ),
        (
            BASE.replace("period = 7", "period = 0"),
            ":4: [monitoring]: 'period': expected a whole number",
        ),
        (
            BASE + 'forecast = "profile"\nprofile = [1, 1, 1]\n',
            ":12: line \"Agency placements\": 'profile': has 3 values; expected 12",
        ),
        (
            BASE + 'forecast = "profile"\nprofile = [1, 1, 1, 1, -1, 1, 1, 1, 1, 1, 1, 1]\n',
            ":12: line \"Agency placements\": 'profile'[4]: expected a number >= 0, got -1",
        ),
        (
            BASE + 'forecast = "profile"\nprofile = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]\n',
            "'profile': adds to 0; expected 12 values >= 0 adding to more than 0",
        ),
        (
            BASE + 'forecast = "profile"\nprofile = [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1]\n',
            "'profile': spends nothing from April to October (period 7)",
        ),
        (
            BASE + 'forecast = "manual"\n',
            ":11: line \"Agency placements\": 'forecast_outturn': missing; a manual line needs"
            " its forecast",
        ),
        (
            BASE + BASE[BASE.index("[[line]]") :],
            ":12: line \"Agency placements\": 'name': duplicate line name; also line 1",
        ),
        (
            BASE.replace("budget = 11.5", 'budget = "11.5"'),
            ":9: line \"Agency placements\": 'budget': expected an amount in £m, got '11.5'",
        ),
        (
            BASE.replace("actual_to_date = 7.9", "actual_to_date = 7.9\nbugdet_note = 1"),
            ":11: line \"Agency placements\": 'bugdet_note': unknown key;",
        ),
        (
            BASE.replace("period = 7", "period = 7\nauthorty = 'x'"),
            ":5: [monitoring]: 'authorty': unknown key; did you mean 'authority'?",
        ),
        (
            BASE + "[rag]\namber = 0.1\nred = 0.05\n",
            ":13: [rag]: 'red': thresholds out of order: amber 0.1 must not exceed red 0.05",
        ),
        (
            BASE.replace('group = "Children\'s Social Care"\n', ""),
            "line \"Agency placements\": 'group': missing; expected text",
        ),
        (
            BASE + 'forecast = "run_rat"\n',
            ":11: line \"Agency placements\": 'forecast': did you mean 'run_rate'?",
        ),
        (
            BASE.replace("period = 7", "period = 7\nas_at = 2026-04-01"),
            ":5: [monitoring]: 'as_at': 2026-04-01 is outside 2025/26",
        ),
        (
            BASE.replace("period = 7", "period = 7\nas_at = '2025-10-31'"),
            ":5: [monitoring]: 'as_at': expected a TOML date such as 2025-10-31",
        ),
        (BASE + "budget = [", "not valid TOML"),
    ],
    ids=[
        "period-13",
        "period-0",
        "profile-length",
        "profile-negative",
        "profile-zero",
        "profile-nothing-yet",
        "manual-without-forecast",
        "duplicate-line",
        "text-in-money",
        "unknown-line-key",
        "unknown-key-suggested",
        "rag-out-of-order",
        "missing-group",
        "unknown-method",
        "as-at-outside-year",
        "as-at-text",
        "bad-toml",
    ],
)
def test_each_bad_input_is_one_located_error(tmp_path, capsys, text, expected):
    line = _error(tmp_path, capsys, text)
    assert line.startswith(f"error: {tmp_path / 'case.toml'}")
    assert expected in line


def test_saving_ref_not_a_bid_is_located(tmp_path, capsys):
    text = BASE + '\n[[saving]]\nref = "NCC_9"\nforecast = 0.1\n'
    line = _error(tmp_path, capsys, text, "--mtfs", str(MTFS))
    assert ":13: saving NCC_9: 'ref': is not a bid of the MTFS case" in line
    assert "expected one of NCC_1, NCC_2, NCC_3" in line


def test_year_not_in_the_mtfs_case_is_located(tmp_path, capsys):
    text = BASE.replace("2025/26", "2030/31") + '\n[[saving]]\nref = "NCC_2"\nforecast = 0.1\n'
    line = _error(tmp_path, capsys, text, "--mtfs", str(MTFS))
    assert ":3: [monitoring]: 'year': 2030/31 is not a year of the MTFS case" in line


def test_planned_differing_from_the_mtfs_is_located(tmp_path, capsys):
    text = BASE + '\n[[saving]]\nref = "NCC_2"\nplanned = 0.5\nforecast = 0.1\n'
    line = _error(tmp_path, capsys, text, "--mtfs", str(MTFS))
    assert "'planned': 0.5 differs from the MTFS case's gross saving for 2025/26, 0.215" in line


def test_an_mtfs_case_given_as_monitoring_is_told_apart(tmp_path, capsys):
    line = _error(tmp_path, capsys, MTFS.read_text("utf-8"))
    assert "is an MTFS case ([case]); a monitoring case has a [monitoring] table" in line


def test_missing_file(tmp_path, capsys):
    code, _, err = _run(capsys, "monitor", str(tmp_path / "nope.toml"))
    assert code == 2 and "file not found" in err and "Traceback" not in err


def test_check_tells_the_two_kinds_apart(capsys):
    code, out, _ = _run(capsys, "check", str(EXAMPLE), str(MTFS))
    assert code == 0
    assert f"ok: {EXAMPLE}: monitoring 2025/26 period 7, 8 lines" in out
    assert f"ok: {MTFS}: 3 bids" in out


def test_a_file_cannot_be_both_kinds(tmp_path, capsys):
    line = _error(tmp_path, capsys, BASE + '\n[case]\nname = "x"\n')
    assert "a monitoring case ([monitoring]) cannot also be an MTFS case ([case])" in line


def test_run_given_a_monitoring_case_says_so(capsys):
    code, _, err = _run(capsys, "run", str(EXAMPLE))
    assert code == 2
    assert err.strip() == (
        f"error: {EXAMPLE}:7: is a monitoring case ([monitoring]), not an MTFS case ([case]); "
        "run it with cypsxl monitor (see docs/monitoring.md)"
    )


def test_cost_avoided_is_reported_beside_the_forecast(capsys):
    code, out, _ = _run(capsys, "monitor", str(EXAMPLE), "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["cost_avoided"] == {
        "Edge of care: admissions to care prevented": 1.2,
        "In-house foster carers in place of agency placements": 0.6,
    }
    assert doc["cost_avoided_total"] == pytest.approx(1.8)  # 1.2 + 0.6
    # not in the forecast: the General Fund forecast is the lines' alone (41.882...)
    assert doc["general_fund"]["forecast_outturn"] == pytest.approx(41.882488479262676)
    assert doc["headline"][-1] == (
        "The initiatives have avoided £1.8m this year compared with doing nothing "
        "(not in the forecast)."
    )


def test_a_negative_cost_avoided_is_located(tmp_path, capsys):
    text = BASE + '\n[[cost_avoided]]\nname = "Edge of care"\namount = -1\n'
    line = _error(tmp_path, capsys, text)
    assert ":14: cost avoided 1: 'amount': expected an amount in £m >= 0, got -1" in line
