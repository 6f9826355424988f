"""The ``cypsxl`` command line: run, JSON shape, exit codes, help, and unseen case shapes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from cypsxl import __version__
from cypsxl.cli import main

RECURRING = """\
[case]
name = "Northshire 2024"
years = ["2024/25", "2025/26", "2026/27"]
mtfs_years = ["2024/25", "2025/26", "2026/27"]

[assumptions]
avoided_cost_per_child_per_year = 60000
part_year_factor = 0.25

[cyps_budget]
net_budget = [100.0, 102.0, 104.0]
pressure_demand = [2.0, 3.0, 4.0]

[[bid]]
ref = "N1"
title = "Residential step-down"
investment = [0.5, 0.3, 0.3]
prevented = [4, 8, 0]

[[bid]]
ref = "N2"
title = "Agency conversion"
investment = [0.2, 0.0, 0.0]
gross_saving = [0.0, 0.4, 0.4]

[other_proposals.adults]
label = "Adult care"
levels = [1.0, 1.0, 0.5]

[mtfs]
base_gap = [5.0, 6.0, 7.0]
current_year_funded_from_reserves = false
"""


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cypsxl", *args], capture_output=True, text=True, timeout=60
    )


def test_run_reference_prints_the_four_tables():
    proc = cli("run")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for title in (
        "Table 1: CYPS budget",
        "Table 2: Investment bids",
        "Table 3: Total additional",
        "Table 4: Revised funding gap",
    ):
        assert title in out
    # savings in brackets, 3 decimals: Table 1 savings 2017/18 = 2.276
    assert "(2.276)" in out
    # Table 2 total 2019/20 printed -4.534 as a net saving
    assert "(4.534)" in out
    # Table 4 2017/18: 13.125 + 11.005 (11.004545 unrounded) = 24.130
    assert "24.130" in out
    assert "reserves drawn 8.456" in out


def test_run_json_shape_reference(capsys):
    assert main(["run", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert list(doc)[:5] == ["case", "years", "mtfs_years", "bids", "cyps_budget"]
    assert list(doc)[-2:] == ["total_additional_funding", "funding_gap"]
    assert doc["case"]["name"] == "Rotherham MTFS update, November 2016"
    assert set(doc["bids"]["CYPS_1A"]) >= {
        "title",
        "investment",
        "gross_saving",
        "net",
        "cumulative_net",
        "payback_year",
        "breakeven_year",
    }
    assert doc["bids"]["CYPS_1B"]["payback_year"] is None
    assert all(len(v) == 5 for v in doc["cyps_budget"].values() if isinstance(v, list))
    assert len(doc["total_additional_funding"]) == 4
    assert set(doc["funding_gap"]) >= {"base", "revised", "reserve_draw"}
    assert isinstance(doc["funding_gap"]["reserve_draw"], float)


def test_unseen_shape_recurring_first_year(tmp_path, capsys):
    path = tmp_path / "north.toml"
    path.write_text(RECURRING, "utf-8")
    assert main(["run", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    n1 = doc["bids"]["N1"]
    # N1 avoided: 4 x 0.25 = 1 child-year; 4 + 8 x 0.25 = 6; 12 - 0 = 12; x £60,000
    assert n1["gross_saving"] == pytest.approx([0.06, 0.36, 0.72], abs=1e-12)
    # net: 0.5 - 0.06 = 0.44; 0.3 - 0.36 = -0.06; 0.3 - 0.72 = -0.42
    assert n1["net"] == pytest.approx([0.44, -0.06, -0.42], abs=1e-12)
    # cumulative: 0.44, 0.38, -0.04 -> payback year 2, break-even year 3
    assert n1["cumulative_net"] == pytest.approx([0.44, 0.38, -0.04], abs=1e-12)
    assert (n1["payback_year"], n1["breakeven_year"]) == (2, 3)
    n2 = doc["bids"]["N2"]
    # net 0.2, -0.4, -0.4; cumulative 0.2, -0.2, -0.6
    assert (n2["payback_year"], n2["breakeven_year"]) == (2, 2)
    b = doc["cyps_budget"]
    # investment 0.7, 0.3, 0.3; savings 0.06, 0.76, 1.12
    assert b["investment"] == pytest.approx([0.7, 0.3, 0.3])
    assert b["savings"] == pytest.approx([0.06, 0.76, 1.12])
    # forecast 100 + 2 + 0.7 - 0.06 = 102.64; 102 + 3 + 0.3 - 0.76 = 104.54; 104 + 4 - 0.82
    assert b["net_forecast"] == pytest.approx([102.64, 104.54, 107.18])
    assert b["funding_support"] == pytest.approx([2.64, 2.54, 3.18])
    # levels: 2.64 + 1.0 = 3.64; 2.54 + 1.0 = 3.54; 3.18 + 0.5 = 3.68
    assert doc["total_additional_funding"] == pytest.approx([3.64, 3.54, 3.68])
    # recurring first year: 5 + 3.64 = 8.64; 6 + (3.54 - 3.64) = 5.90; 7 + (3.68 - 3.54) = 7.14
    assert doc["funding_gap"]["revised"] == pytest.approx([8.64, 5.90, 7.14])
    assert doc["funding_gap"]["reserve_draw"] == 0.0


def test_single_year_case_without_bids(tmp_path, capsys):
    path = tmp_path / "one.toml"
    path.write_text(
        '[case]\nname = "One"\nyears = ["2030/31"]\n[cyps_budget]\n'
        "net_budget = [10.0]\npressure_demand = [0.5]\n[mtfs]\nbase_gap = [1.0]\n",
        "utf-8",
    )
    assert main(["run", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["bids"] == {}
    # the case never asks for reserves: the first year is recurring, 1.0 + 0.5 = 1.5
    assert doc["funding_gap"]["revised"] == [1.5]
    assert doc["funding_gap"]["reserve_draw"] == 0.0
    assert main(["run", str(path)]) == 0
    assert "Table 4: Revised funding gap (first year recurring)\n" in capsys.readouterr().out
    # asked for: one-off first year from reserves, the gap stays 1.0, reserves meet the 0.5
    text = path.read_text("utf-8") + "current_year_funded_from_reserves = true\n"
    path.write_text(text, "utf-8")
    assert main(["run", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["funding_gap"]["revised"] == [1.0]
    assert doc["funding_gap"]["reserve_draw"] == 0.5
    assert main(["run", str(path)]) == 0
    out = capsys.readouterr().out
    assert "(first year one-off, from reserves; reserves drawn 0.500)\n" in out


def test_bad_input_exit_2_one_line_per_problem_no_traceback(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(
        RECURRING.replace("prevented = [4, 8, 0]", "prevented = [4, -8, 0]").replace(
            "base_gap = [5.0, 6.0, 7.0]", 'base_gap = [5.0, "six", 7.0]'
        ),
        "utf-8",
    )
    proc = cli("run", str(path))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines == [
        f"error: {path}:18: bid N1: 'prevented'[1]: expected a count >= 0, got -8",
        f"error: {path}:31: [mtfs]: 'base_gap'[1]: expected a number, got 'six'",
    ]
    assert proc.stdout == ""


def test_missing_file_exit_2(tmp_path):
    proc = cli("run", str(tmp_path / "missing.toml"))
    assert proc.returncode == 2
    assert (
        proc.stderr.strip() == f"error: {tmp_path / 'missing.toml'}: file not found; "
        "expected a case file (.toml)"
    )


def test_version_and_help():
    assert cli("--version").stdout.strip() == f"cypsxl {__version__}"
    helptext = cli("--help").stdout
    assert "examples:" in helptext and "cypsxl run" in helptext
    assert "cypsxl run mycase.toml --json" in cli("run", "--help").stdout
    assert cli().returncode == 2  # no command: help, and a usage exit code
    assert cli("run", "--nonsense").returncode == 2


def test_console_script_matches_module():
    # The script pip installed beside this interpreter, whatever PATH says.
    exe = Path(sysconfig.get_path("scripts")) / ("cypsxl.exe" if os.name == "nt" else "cypsxl")
    assert exe.is_file(), f"the console script is installed with the package: {exe}"
    direct = subprocess.run([exe, "run", "--json"], capture_output=True, text=True, timeout=60)
    assert direct.returncode == 0
    assert json.loads(direct.stdout) == json.loads(cli("run", "--json").stdout)


def test_model_imports_no_workbook_or_excel_library():
    code = (
        "import sys, cypsxl.model; "
        "print(sorted(m for m in ('openpyxl', 'xlwings') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stdout.strip() == "[]"


def test_check_reports_each_file(tmp_path, capsys):
    good = tmp_path / "good.toml"
    good.write_text(RECURRING, "utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(RECURRING.replace('ref = "N2"', 'ref = "N1"'), "utf-8")
    assert main(["check", str(good)]) == 0
    assert capsys.readouterr().out == f"ok: {good}: 2 bids, 2024/25-2026/27\n"
    assert main(["check", str(good), str(bad)]) == 2
    captured = capsys.readouterr()
    assert captured.out == f"ok: {good}: 2 bids, 2024/25-2026/27\n"
    assert captured.err == (
        f"error: {bad}:21: bid N1: 'ref': duplicate bid reference (also bid #1); "
        "expected each ref once\n"
    )
