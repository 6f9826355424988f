"""docs/drivers.md: its case example runs and gives the worked figures the page states."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cypsxl.cli import main

ROOT = Path(__file__).resolve().parents[1]
PAGE = (ROOT / "docs" / "drivers.md").read_text("utf-8")


def _case_example() -> str:
    blocks = re.findall(r"```text\n(.*?)```", PAGE, flags=re.S)
    return next(b for b in blocks if b.startswith("[register]"))


def test_the_documented_case_gives_the_worked_figures(tmp_path: Path, capsys) -> None:
    path = tmp_path / "drivers.toml"
    path.write_text(_case_example(), encoding="utf-8")
    args = ["placements", str(path), "--json", "--convert-agency", "2"]
    assert main([*args, "--convert-from", "2026-01-01"]) == 0
    doc = json.loads(capsys.readouterr().out)
    by_type = doc["register"]["by_type"]
    # the page's table: P1 21,400 / 15,100 / 36,500 / 36,500; P2 9,300 / 18,300 / 27,600 / 0
    assert [by_type["ifa"][k] for k in ("cost_to_date", "rest_of_year", "full_year")] == (
        pytest.approx([0.0214, 0.0151, 0.0365])
    )
    assert by_type["ifa"]["next_year"] == pytest.approx(0.0365)
    res = by_type["residential_external"]
    assert [res[k] for k in ("cost_to_date", "rest_of_year", "full_year", "next_year")] == (
        pytest.approx([0.0093, 0.0183, 0.0276, 0.0])
    )
    w = doc["workforce"]
    # 267,500 to date and 456,250 a year; agency 292,000; premium 109,500; 1 over the cap
    assert w["by_kind"]["permanent"]["cost_to_date"] == pytest.approx(0.2675)
    assert w["by_kind"]["permanent"]["full_year"] == pytest.approx(0.45625)
    assert w["by_kind"]["agency"]["full_year"] == pytest.approx(0.292)
    assert w["agency_premium"] == pytest.approx(0.1095)
    assert w["agency_over_cap"] == pytest.approx(1.0)
    # converting 2 from 1 January 2026: 13,500 this year, 54,750 a full year
    assert w["conversion"]["this_year"] == pytest.approx(0.0135)
    assert w["conversion"]["full_year"] == pytest.approx(0.05475)
    # 577 -> 612 = +6.07%; 612 at 6%: 612, 648.72, 687.6432
    assert doc["lac"]["growth"] == pytest.approx(35 / 577)
    assert doc["lac"]["projection"]["lac"] == pytest.approx([612, 648.72, 687.6432])
    # the cohort: 90,000 this year, 365,000 next
    cohort = doc["cohorts"]["Further placements, worst case"]
    assert (cohort["this_year"], cohort["next_year"]) == (pytest.approx(0.09), pytest.approx(0.365))


def test_the_example_file_is_the_documented_case_and_runs(capsys) -> None:
    example = (ROOT / "docs" / "examples" / "northshire_drivers_2025.toml").read_text("utf-8")
    assert example.endswith(_case_example())
    assert (
        main(["placements", str(ROOT / "docs" / "examples" / "northshire_drivers_2025.toml")]) == 0
    )
    assert "Placements 2025/26, as at 31/10/2025 (2 placements;" in capsys.readouterr().out
