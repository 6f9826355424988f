"""``cypsxl appraise`` and ``cypsxl scenarios``: tables, JSON shape, seeds and exit codes."""

from __future__ import annotations

import io
import json
import sys

import pytest

from cypsxl.casefile import reference_case_text
from cypsxl.cli import main

D1, D2, D3, D4 = 1.035, 1.035**2, 1.035**3, 1.035**4
# CYPS_7 (savings - investment 0, 0.042, 0.264, 0.264, 0.264), see tests/test_appraisal.py
CYPS_7_NPV = 0.042 / D1 + 0.264 / D2 + 0.264 / D3 + 0.264 / D4  # 0.755200

UNCERTAIN = """
[[uncertainty]]
input = "delivery"
distribution = "pert"
min = 0.4
mode = 0.8
max = 1.0
"""


def _json(capsys, *argv: str) -> dict:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_appraise_json_shape_and_hand_worked_values(capsys):
    d = _json(capsys, "appraise", "--json")
    run = _json(capsys, "run", "--json")
    assert list(d["bids"]) == list(run["bids"])  # the same bid refs as cypsxl run --json
    assert d["rate"] == 0.035
    b7 = d["bids"]["CYPS_7"]
    assert b7["npv"] == pytest.approx(CYPS_7_NPV, abs=1e-9)
    assert b7["discounted_payback_year"] == 2
    assert b7["adjusted"]["npv"] == b7["npv"]  # no optimism bias in the reference case
    for key in ("bcr", "irr", "switching_saving_cut", "switching_payback_cut"):
        assert key in b7 and key in b7["adjusted"]
    assert d["bids"]["CYPS_6"]["bcr"] is None  # no investment: no ratio
    assert d["programme"]["switching_delivery_share"] == pytest.approx(0.158, abs=1e-3)
    assert d["optimism_bias"]["case"]["saving_cut_percent"] == 0
    assert d["sensitivity"]["percent"] == 10
    assert (
        d["sensitivity"]["tornado"][0]["adjusted"]["key"] == d["sensitivity"]["tornado"][0]["key"]
    )


def test_appraise_text_tables(capsys):
    assert main(["appraise"]) == 0
    out = capsys.readouterr().out
    for title in ("Green Book measures", "Switching values", "Programme", "Sensitivity"):
        assert title in out
    assert "0.755" in out  # CYPS_7 NPV, worked above
    # each table says what its numbers mean: units, the years, the sign
    assert "Disc. payback after 2019/20" in out
    assert "cumulative net, 2016/17 to 2020/21 (£m; negative = more net saving)" in out
    assert "revised funding gap, 2019/20 (£m; positive = a larger gap)" in out


def test_appraise_with_optimism_bias_shows_both(tmp_path, capsys):
    path = tmp_path / "ob.toml"
    path.write_text(
        reference_case_text().replace(
            "weeks_per_year = 52 ", "optimism_bias = { investment_uplift_percent = 20 }\n#"
        ),
        "utf-8",
    )
    d = _json(capsys, "appraise", str(path), "--json", "--sensitivity", "0")
    b7 = d["bids"]["CYPS_7"]
    # investment 0.090 x 1.2 = 0.108 in 2017/18: NPV lower by 0.018 / 1.035
    assert b7["npv"] - b7["adjusted"]["npv"] == pytest.approx(0.018 / 1.035, abs=1e-12)
    assert all(r["cumulative_net_high"] == 0 for r in d["sensitivity"]["tornado"])


def test_scenarios_json_is_deterministic_for_a_seed(tmp_path, capsys):
    path = tmp_path / "mc.toml"
    path.write_text(reference_case_text() + UNCERTAIN, "utf-8")
    a = _json(capsys, "scenarios", str(path), "-n", "500", "--seed", "9", "--json")
    b = _json(capsys, "scenarios", str(path), "-n", "500", "--seed", "9", "--json")
    assert a == b
    assert (a["n"], a["seed"], a["payback_within_years"]) == (500, 9, 4)
    assert set(a["base"]["net_saving"]) == {"p10", "p50", "p90"}
    assert len(a["base"]["revised_gap"]["p50"]) == 4
    assert 0 <= a["base"]["bids"]["CYPS_2"]["prob_payback"] <= 1
    assert main(["scenarios", str(path), "-n", "200", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "P50" in out and "pert(0.4, 0.8, 1)" in out
    # payback within the 4 MTFS years counted from 2016/17: by 2019/20
    assert "Payback by 2019/20" in out and "repeat with --seed 3" in out


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["scenarios", "-n", "0"], "-n: expected a whole number of scenarios >= 1"),
        (["scenarios", "--seed", "-4"], "--seed"),
        (["scenarios", "--payback-years", "0"], "--payback-years"),
        (["appraise", "--sensitivity", "101"], "--sensitivity"),
    ],
)
def test_bad_options_exit_2(argv, words, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("replace", "key"),
    [
        (("weeks_per_year = 52 ", "discount_rate = -1\n#"), "'discount_rate'"),
        (
            ("weeks_per_year = 52 ", "optimism_bias = { saving_cut_percent = 120 }\n#"),
            "'saving_cut_percent'",
        ),
        (
            ("weeks_per_year = 52 ", "discount_rates = [0.035, -1.5, 0.03, 0.03, 0.03]\n#"),
            "'discount_rates'[1]: expected a rate > -1, got -1.5",
        ),
        (
            (
                'ref = "CYPS_7"',
                'ref = "CYPS_7"\noptimism_bias = { investment_uplift_percent = -5 }',
            ),
            "bid CYPS_7 optimism_bias: 'investment_uplift_percent'",
        ),
    ],
)
def test_bad_case_exits_2_naming_the_key(tmp_path, capsys, replace, key):
    path = tmp_path / "bad.toml"
    path.write_text(reference_case_text().replace(*replace), "utf-8")
    for command in ("appraise", "scenarios"):
        assert main([command, str(path)]) == 2
        err = capsys.readouterr().err
        assert key in err and str(path) in err


def test_impossible_distribution_exits_2(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text(
        reference_case_text()
        + UNCERTAIN.replace("min = 0.4", "min = 1.4")
        + "[scenarios]\nn = 0\n",
        "utf-8",
    )
    assert main(["scenarios", str(path)]) == 2
    err = capsys.readouterr().err
    assert "uncertainty #1: 'min'" in err and "[scenarios]: 'n'" in err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_scenarios_progress_on_a_terminal_only(tmp_path, capsys, monkeypatch):
    path = tmp_path / "mc.toml"
    path.write_text(reference_case_text() + UNCERTAIN, "utf-8")
    # redirected (capsys is not a terminal): no progress line
    assert main(["scenarios", str(path), "-n", "12000", "--seed", "1", "--json"]) == 0
    assert capsys.readouterr().err == ""
    # a terminal: one update per 10,000 scenarios, then the line is cleared
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["scenarios", str(path), "-n", "12000", "--seed", "1", "--json"]) == 0
    shown = terminal.getvalue()
    assert "\rscenarios: 10,000 / 12,000" in shown and "\rscenarios: 12,000 / 12,000" in shown
    assert shown.endswith("\r")
    json.loads(capsys.readouterr().out)  # stdout stays clean JSON
