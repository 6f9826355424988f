"""What the text outputs say in the cases where a careless word misleads.

A one-year case, a bid that invests nothing, a pressure line named with an acronym, a
case without bids, a case that never asks for reserves, and the sign of the scenarios'
net: each output line below is written out by hand.
"""

from __future__ import annotations

import json

import pytest

from cypsxl.cli import main

ONE_YEAR = """\
[case]
name = "One"
years = ["2018/19"]

[cyps_budget]
net_budget = [80.0]
pressure_demand = [3.0]
pressure_CCG_income = [1.0]

[[bid]]
ref = "A"
title = "Grant-funded, no investment"
investment = [0.0]
gross_saving = [0.2]

[mtfs]
base_gap = [1.0]
"""

NO_BIDS = """\
[case]
name = "Empty"
years = ["2018/19", "2019/20"]

[cyps_budget]
net_budget = [80.0, 81.0]

[mtfs]
base_gap = [1.0, 2.0]
"""


@pytest.fixture
def one_year(tmp_path):
    path = tmp_path / "one.toml"
    path.write_text(ONE_YEAR, "utf-8")
    return str(path)


def output(capsys, *argv: str) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def test_run_one_year_no_investment_acronym_and_no_reserves(one_year, capsys):
    out = output(capsys, "run", one_year)
    lines = [line.split() for line in out.splitlines()]
    assert ["Pressure:", "CCG", "income", "1.000"] in lines  # not "Ccg income"
    # A invests nothing: its first net saving is no payback
    assert ["A", "Grant-funded,", "no", "investment", "(0.200)", "no", "investment"] in lines
    # the case never asks for reserves: the first year is recurring, and no draw is named
    assert "Table 4: Revised funding gap (first year recurring)\n" in out
    assert "reserves" not in out.split("Table 4")[1]
    # recurring: 1.000 base + 3.800 level (80 + 3 + 1 - 0.2 - 80)
    assert ["Revised", "funding", "gap", "4.800"] in lines


def test_check_names_one_year_once(one_year, capsys):
    assert output(capsys, "check", one_year) == f"ok: {one_year}: 1 bid, 2018/19\n"


def test_appraise_one_year_and_no_investment(one_year, capsys):
    out = output(capsys, "appraise", one_year)
    assert "2018/19 to 2018/19" not in out
    assert "Cumulative net 2018/19 (investment - saving)" in out
    row = next(line for line in out.splitlines() if line.startswith("A "))
    # payback, OB, discounted payback, OB: nothing to pay back in any of them
    assert row.split()[-8:] == ["no", "investment"] * 4
    assert "no investment: nothing to pay back." in out


def test_scenarios_one_year_says_one_year(one_year, capsys):
    out = output(capsys, "scenarios", one_year, "-n", "20", "--seed", "1")
    assert "within 1 years" not in out
    assert "(within 1 year from 2018/19;" in out


def test_scenarios_without_bids_claim_no_chance(tmp_path, capsys):
    path = tmp_path / "empty.toml"
    path.write_text(NO_BIDS, "utf-8")
    out = output(capsys, "scenarios", str(path), "-n", "20", "--seed", "1")
    chance = next(line for line in out.splitlines() if line.startswith("Chance NPV > 0"))
    assert chance.split()[-6:] == ["-", "(no", "bids)", "-", "(no", "bids)"]


def test_scenarios_net_has_runs_sign(capsys):
    # The reference case has no [[uncertainty]]: every scenario is the central case, so
    # each percentile of the total net is run's Table 2 total, brackets and all.
    run_lines = output(capsys, "run").splitlines()
    t2 = run_lines.index(next(x for x in run_lines if x.startswith("Table 2")))
    total = next(x for x in run_lines[t2:] if x.startswith("Total")).split()[1:]
    assert total == ["0.179", "1.331", "(1.475)", "(4.534)", "(6.022)"]  # Table 2, printed
    out = output(capsys, "scenarios", "-n", "20", "--seed", "1")
    assert "Total net of all bids (investment - saving, as run's Table 2" in out
    lines = out.splitlines()
    start = lines.index(next(x for x in lines if x.startswith("Total net of all bids")))
    for label in ("P10", "P50", "P90", "P10 OB"):
        row = next(x for x in lines[start:] if x.startswith(label + " "))
        assert row.split()[-5:] == total, row
    # JSON keeps its explicitly named net *saving* (savings - investment)
    doc = json.loads(output(capsys, "scenarios", "-n", "20", "--seed", "1", "--json"))
    assert round(doc["base"]["net_saving"]["p10"][1], 3) == -1.331
