"""docs/examples/northshire_2025.toml: placements, a recurring first year, four years."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from oracle import tables

from cypsxl import load_case, run_case
from cypsxl.report import render_tables, results_to_dict

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "northshire_2025.toml"


@pytest.fixture(scope="module")
def out():
    return results_to_dict(run_case(load_case(EXAMPLE)))


def test_placements_priced_by_type(out):
    p = out["placements"]
    # 230 x £480 x 52.14 = 5,756,256; 180 x £1,100 x 52.14 = 10,323,720;
    # 45 x £5,200 x 52.14 = 12,200,760; 65 x £190 x 52.14 = 643,929
    assert p["by_type"]["in_house_fostering"]["annual_cost"] == pytest.approx(5.756256)
    assert p["by_type"]["ifa"]["annual_cost"] == pytest.approx(10.32372)
    assert p["by_type"]["residential"]["annual_cost"] == pytest.approx(12.20076)
    assert p["by_type"]["sgo"]["annual_cost"] == pytest.approx(0.643929)
    assert p["annual_cost"] == pytest.approx(28.924665)  # the sum of the four


def test_lac_projection_priced_at_todays_mix(out):
    p = out["placements"]
    # 520 children now, +25 a year
    assert p["lac_numbers"] == [520.0, 545.0, 570.0, 595.0]
    # same mix and unit costs: cost scales with numbers, 28.924665 x 545 / 520 = 30.315274...
    assert p["projected_cost"][0] == pytest.approx(28.924665)
    assert p["projected_cost"][1] == pytest.approx(28.924665 * 545 / 520)


def test_bid_with_its_own_avoided_cost(out):
    # NCC_2: 2 prevented at £215,000, half a year: 1 x 0.215 = 0.215; then 2 + 4 x 0.5 = 4
    # child-years = 0.86; then 6 + 2 = 8 -> 1.72; then 10 -> 2.15
    assert out["bids"]["NCC_2"]["gross_saving"] == pytest.approx([0.215, 0.86, 1.72, 2.15])
    # net 0.3 - 0.215 = 0.085 (cost) in year 1, a saving from year 2
    assert out["bids"]["NCC_2"]["payback_year"] == 2


def test_whole_case_agrees_with_the_oracle(out):
    want = tables(tomllib.loads(EXAMPLE.read_text("utf-8")))
    assert out["funding_gap"]["revised"] == pytest.approx(want["funding_gap"]["revised"])
    assert out["total_additional_funding"] == pytest.approx(want["total_additional_funding"])
    assert out["funding_gap"]["reserve_draw"] == 0.0  # first year recurring
    for ref, bid in want["bids"].items():
        assert out["bids"][ref]["net"] == pytest.approx(bid["net"]), ref


def test_text_output_shows_placements():
    text = render_tables(run_case(load_case(EXAMPLE)))
    assert "IFA: 180 x £1,100 x 52.14 wk" in text
    assert "28.925" in text  # 28.924665 to 3 decimals
