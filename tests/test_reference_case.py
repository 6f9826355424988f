"""The embedded reference case against what the Cabinet report printed.

Source: Rotherham MBC Cabinet report "MTFS Update", November 2016, as transcribed in
shared/reference/rotherham_2016_published.toml (printed to £1k; several printed totals
add rounded terms, so compare within its stated tolerance of 0.0016).
"""

from __future__ import annotations

import tomllib

import pytest

from cypsxl import load_case, run_case
from cypsxl.casefile import reference_case_text
from cypsxl.report import results_to_dict

ROOT_CASE = "../shared/reference/rotherham_2016.toml"


@pytest.fixture(scope="module")
def out():
    return results_to_dict(run_case(load_case()))


def close(got, want, tol):
    assert len(got) == len(want)
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        assert abs(g - w) <= tol, f"index {i}: got {g}, printed {w}"


def test_embedded_copy_is_the_shared_reference_unchanged(published):
    from pathlib import Path

    # tests/data keeps a copy of the shared transcription, so the comparison is made
    # whether or not the workspace's shared/ folder sits beside the repository
    copy = Path(__file__).resolve().parent / "data" / "rotherham_2016.toml"
    assert copy.read_text("utf-8") == reference_case_text()
    shared = Path(__file__).resolve().parents[2] / "shared" / "reference" / "rotherham_2016.toml"
    if shared.exists():  # in the workspace: the copy is the shared file unchanged
        assert shared.read_text("utf-8") == copy.read_text("utf-8")
    assert tomllib.loads(reference_case_text())["case"]["years"] == published["years"]


def test_the_published_figures_in_tests_data_are_the_shared_ones():
    from pathlib import Path

    here = Path(__file__).resolve()
    copy = here.parent / "data" / "rotherham_2016_published.toml"
    shared = here.parents[2] / "shared" / "reference" / "rotherham_2016_published.toml"
    figures = tomllib.loads(copy.read_text("utf-8"))
    # Table 4 as the report printed it (the engine gives 18.864 from unrounded terms)
    assert figures["table4"]["revised_gap_from_2017_18"] == [24.130, 7.854, 18.863]
    if shared.exists():
        assert shared.read_text("utf-8") == copy.read_text("utf-8")


def test_table1_cyps_budget(out, published):
    tol = published["tolerance"]
    for key in ("investment", "savings", "net_forecast", "funding_support"):
        close(out["cyps_budget"][key], published["table1_cyps_budget"][key], tol)


def test_table2_bid_net_rows_and_total(out, published):
    tol = published["tolerance"]
    for ref, row in published["table2_bid_net"].items():
        got = out["bid_total_net"] if ref == "total" else out["bids"][ref]["net"]
        close(got, row, tol)


def test_bid_gross_savings_cumulative_and_payback(out, published):
    tol = published["tolerance"]
    for ref, row in published["bid_gross_saving"].items():
        close(out["bids"][ref]["gross_saving"], row, tol)
    for ref, total in published["bid_cumulative_net_2016_21"].items():
        assert abs(out["bids"][ref]["cumulative_net"][-1] - total) <= tol, ref
    printed = published["bid_payback_year"]
    for ref, bid in out["bids"].items():
        assert bid["payback_year"] == printed.get(ref), ref  # absent = no payback


def test_table3_and_table4(out, published):
    tol = published["tolerance"]
    close(out["total_additional_funding"], published["table3"]["total_additional_funding"], tol)
    close(out["funding_gap"]["revised"][1:], published["table4"]["revised_gap_from_2017_18"], tol)
    assert out["funding_gap"]["revised"][0] == 0.0  # 2016/17 met from reserves
    # reserves drawn = CYPS demand pressure 7.848 + the transformation reserve 0.608
    want = (
        published["table4"]["reserve_funding_2016_17"]
        + published["table4"]["transformation_reserve_2016_17"]
    )
    assert abs(out["funding_gap"]["reserve_draw"] - want) <= tol


def test_hand_derived_figures_exact(out):
    """A handful of figures derived by hand from the domain rules, exact to 1e-9."""
    # CYPS_2 2018/19: (15 + 27 x 0.5) x 22,000 = 627,000 -> 0.627; net 0.164 - 0.627 = -0.463
    assert out["bids"]["CYPS_2"]["gross_saving"][2] == pytest.approx(0.627, abs=1e-9)
    assert out["bids"]["CYPS_2"]["net"][2] == pytest.approx(-0.463, abs=1e-9)
    # CYPS_3 investment from SGO allowances: 6 + 6 + 6 orders x £8,600 = 154,800 in 2019/20
    assert out["bids"]["CYPS_3"]["investment"][3] == pytest.approx(0.1548, abs=1e-9)
    # Table 1 investment 2016/17: CYPS_2 0.100 + CYPS_4 0.018 + CYPS_10 0.061 = 0.179
    assert out["cyps_budget"]["investment"][0] == pytest.approx(0.179, abs=1e-9)
    # savings 2017/18: 1.374 + 0.165 + 0.066 + 0.165 + 0.044 + 0.132 + 0.330 = 2.276
    assert out["cyps_budget"]["savings"][1] == pytest.approx(2.276, abs=1e-9)
    # Table 3 2016/17: pressures 7.848 + net investment 0.179 + adult 0.128 + corporate 0.301
    assert out["total_additional_funding"][0] == pytest.approx(8.456, abs=1e-9)
    # Table 4 2017/18: 13.125 + the whole 2017/18 level
    #   (8.346 + (3.607 - 2.276) + 0.481 + 0.847 = 11.005, with CYPS_10's 0.338945 and
    #   CYPS_3's 0.0516 unrounded: investment 3.606545 -> level 11.004545) = 24.129545
    assert out["funding_gap"]["revised"][1] == pytest.approx(24.129545, abs=1e-9)
    # MTFS lists run over the MTFS years only
    assert len(out["total_additional_funding"]) == 4 == len(out["funding_gap"]["revised"])
