"""pandas views of a run: every figure of the results, where a notebook user expects it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cypsxl import load_case, run_case

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "northshire_2025.toml"


@pytest.fixture(scope="module")
def results():
    return run_case(load_case())


def test_tidy_frame_holds_every_figure_once(results):
    f = results.to_frame()
    assert list(f.columns) == ["table", "line", "year", "value"]
    assert not f.duplicated(["table", "line", "year"]).any()
    # reference case: 5 plan years, 4 MTFS years, 11 bid rows (CYPS_1 in two parts),
    # 2 pressure lines, 2 other directorates:
    #   Table 1: (net budget + 2 pressures + 4) x 5 = 35; bids: 4 rows x 11 x 5 = 220;
    #   Table 3: (2 + 2 others + total) x 4 = 20; Table 4: 3 x 4 = 12  -> 287
    assert len(f) == 35 + 220 + 20 + 12
    assert f.groupby("table").size().to_dict() == {
        "additional_funding": 20,
        "bid_cumulative_net": 55,
        "bid_gross_saving": 55,
        "bid_investment": 55,
        "bid_net": 55,
        "budget": 35,
        "funding_gap": 12,
    }


def test_figures_are_the_reports(results):
    f = results.to_frame().set_index(["table", "line", "year"]).value.sort_index()
    # Table 1 investment 2016/17: CYPS_2 0.100 + CYPS_4 0.018 + CYPS_10 0.061 = 0.179
    assert f["budget", "investment", "2016/17"] == pytest.approx(0.179, abs=1e-9)
    # Table 3 2016/17: pressures 7.848 + net investment 0.179 + adult 0.128 + corporate 0.301
    assert f["additional_funding", "total", "2016/17"] == pytest.approx(8.456, abs=1e-9)
    # Table 2, CYPS_5 as printed: 0.000, 0.185, (0.244), (0.838), (1.498)
    cyps5 = f["bid_net", "CYPS_5"].round(3).tolist()
    assert cyps5 == [0.0, 0.185, -0.244, -0.838, -1.498]
    # Table 4 as printed (2016/17 met from reserves)
    assert f["funding_gap", "revised"].round(3).tolist() == [0.0, 24.13, 7.854, 18.864]


def test_wide_frames_lay_out_the_tables(results):
    frames = results.frames()
    t1 = frames["budget"]
    assert list(t1.columns) == list(results.case.years)
    assert list(t1.index) == [
        "net_budget",
        *(f"pressure:{k}" for k in results.pressures_by_line),
        "investment",
        "savings",
        "net_forecast",
        "funding_support",
    ]
    # net forecast = net budget + pressures + investment - savings, in every year
    lines = t1.drop(index=["net_forecast", "funding_support"])
    pressures = lines.filter(like="pressure:", axis=0).sum()
    want = lines.loc["net_budget"] + pressures + lines.loc["investment"] - lines.loc["savings"]
    np.testing.assert_allclose(t1.loc["net_forecast"], want, atol=1e-12)
    # the tidy frame pivots back to the wide one
    tidy = results.to_frame()
    back = tidy[tidy.table == "funding_gap"].pivot(index="line", columns="year", values="value")
    pd.testing.assert_frame_equal(
        back.loc[["base", "change", "revised"]], frames["funding_gap"], check_names=False
    )


def test_bid_summary_years_and_none(results):
    s = results.frames()["bid_summary"]
    assert s.index.name == "ref" and len(s) == 11
    # CYPS_5: first negative net in year 3, first negative cumulative in year 3
    assert s.loc["CYPS_5", "payback_year"] == 3 and s.loc["CYPS_5", "breakeven_year"] == 3
    # CYPS_1B never saves (0, 0.27 x 4): no payback, shown as missing, not 0
    assert s.loc["CYPS_1B", "payback_year"] is pd.NA
    # CYPS_5's net over the five years: 0 + 0.185 - 0.244 - 0.838 - 1.498 = -2.395
    assert s.loc["CYPS_5", "net"] == pytest.approx(-2.395, abs=0.0005)


def test_placements_frame_when_the_case_has_them():
    frames = run_case(load_case(EXAMPLE)).frames()
    # 520 looked-after children growing by 25 a year
    assert frames["placements"].loc["lac_numbers"].tolist() == [520, 545, 570, 595]
    assert "placements" not in run_case(load_case()).frames()
