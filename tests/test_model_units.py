"""Hand-worked checks of each model function (the arithmetic is in the comments)."""

from __future__ import annotations

import numpy as np
import pytest

from cypsxl.model import (
    FinancialYearError,
    additional_funding,
    breakeven_year,
    breakeven_years,
    budget_rollup,
    children_avoided,
    cost_avoidance,
    cumulative_net,
    funding_gap,
    fy_label,
    fy_range,
    lac_projection,
    mix_change_cost,
    net,
    parse_fy,
    payback_year,
    payback_years,
    placement_cost,
    placement_mix_cost,
    price_projection,
    validate_timeline,
    year_offset,
)

# ----------------------------------------------------------------------------- timeline


def test_financial_year_labels():
    assert parse_fy("2016/17") == 2016
    assert fy_label(2019) == "2019/20"
    assert fy_label(1999) == "1999/00"  # the century rolls over in the second part
    assert fy_range("2016/17", 3) == ["2016/17", "2017/18", "2018/19"]
    assert year_offset("2020/21", "2016/17") == 4


@pytest.mark.parametrize("label", ["2016-17", "2016/18", "16/17", "2016/17 ", "", "2016"])
def test_bad_financial_year_labels(label):
    if label == "2016/17 ":  # surrounding spaces are forgiven
        assert parse_fy(label) == 2016
        return
    with pytest.raises(FinancialYearError):
        parse_fy(label)


def test_timeline_rules():
    validate_timeline(["2016/17", "2017/18", "2018/19"], ["2016/17", "2017/18"])
    with pytest.raises(FinancialYearError, match="does not follow"):
        validate_timeline(["2016/17", "2018/19"])
    with pytest.raises(FinancialYearError, match="leading run"):
        validate_timeline(["2016/17", "2017/18"], ["2017/18"])
    with pytest.raises(FinancialYearError, match="at least one"):
        validate_timeline([])


# ----------------------------------------------------------------------------- placements


def test_placement_cost_worked_checks_from_domain_primer():
    # a cut of £86 a week across 460 placements: 86 x 460 x 52 = 2,057,120 -> £2.057m
    assert placement_cost(460, 86) == pytest.approx(2_057_120.0)
    assert round(float(placement_cost(460, 86)) / 1e6, 3) == 2.057
    # 6 fewer placements at £1,667 a week: 6 x 1,667 x 52 = 520,104 -> ~£0.520m
    assert round(float(placement_cost(6, 1667)) / 1e6, 3) == 0.520


def test_placement_cost_weeks_is_an_assumption():
    # 10 children x £800 x 52.14 weeks = 417,120
    assert placement_cost(10, 800, 52.14) == pytest.approx(417_120.0)
    # a row of children by year, one weekly cost: [1, 2] x 100 x 52 = [5,200, 10,400]
    assert placement_cost([1, 2], 100).tolist() == [5_200.0, 10_400.0]


def test_mix_cost_and_change():
    costs = {"in_house_fostering": 450, "ifa": 850, "residential": 3_500}
    mix = {"in_house_fostering": 200, "ifa": 100, "residential": 20}
    # 200 x 450 x 52 = 4,680,000; 100 x 850 x 52 = 4,420,000; 20 x 3,500 x 52 = 3,640,000
    assert placement_mix_cost(mix, costs) == pytest.approx(12_740_000.0)
    # move 5 from IFA to in-house: 5 x (450 - 850) x 52 = -104,000
    after = {"in_house_fostering": 205, "ifa": 95, "residential": 20}
    assert mix_change_cost(mix, after, costs) == pytest.approx(-104_000.0)
    with pytest.raises(KeyError, match="sgo"):
        placement_mix_cost({"sgo": 1}, costs)


def test_lac_projection_and_pricing():
    # reference report: 460 children in October 2016, +48 a year if trends continue
    assert lac_projection(460, 48, 5).tolist() == [460.0, 508.0, 556.0, 604.0, 652.0]
    assert lac_projection(10, [5, -20], 3).tolist() == [10.0, 15.0, 0.0]  # never below zero
    # 100 children, 60% in-house at £400, 40% IFA at £900: (60 x 400 + 40 x 900) x 52
    #   = (24,000 + 36,000) x 52 = 3,120,000
    priced = price_projection(
        [100], {"in_house_fostering": 0.6, "ifa": 0.4}, {"in_house_fostering": 400, "ifa": 900}
    )
    assert priced.tolist() == pytest.approx([3_120_000.0])
    with pytest.raises(ValueError, match="add up to 1"):
        price_projection([1], {"ifa": 0.5}, {"ifa": 1})


# ----------------------------------------------------------------------------- avoidance


def test_cost_avoidance_domain_example():
    # 15 prevented in 2017/18 and 27 in 2018/19 at £22,000, half a year at first:
    # 15 x 0.5 x 22,000 = 165,000; (15 + 27 x 0.5) x 22,000 = 627,000
    assert cost_avoidance([0, 15, 27], 22_000).tolist() == pytest.approx([0, 165_000, 627_000])


def test_cost_avoidance_reference_cyps_5():
    # CYPS_5 prevented [0, 15, 24, 30, 30] x £22,000 (in £m):
    #   2017/18: 15 x 0.5 = 7.5 -> 0.165; 2018/19: 15 + 12 = 27 -> 0.594;
    #   2019/20: 39 + 15 = 54 -> 1.188;   2020/21: 69 + 15 = 84 -> 1.848
    got = cost_avoidance([0, 15, 24, 30, 30], 0.022)
    assert got.tolist() == pytest.approx([0.0, 0.165, 0.594, 1.188, 1.848])


def test_cost_avoidance_returned_home_once():
    # CYPS_7: 12 children returned home in 2017/18 only: 6 x 0.022 = 0.132, then 12 x 0.022
    got = cost_avoidance([0, 12, 0, 0, 0], 0.022)
    assert got.tolist() == pytest.approx([0.0, 0.132, 0.264, 0.264, 0.264])


def test_cost_avoidance_vectorised_with_per_bid_parameters():
    prevented = np.array([[2, 2], [4, 0]])
    cost = np.array([[10.0], [100.0]])  # one cost per bid, as a column
    factor = np.array([[1.0], [0.25]])
    # bid 1: [2 x 1, 2 + 2] x 10 = [20, 40]; bid 2: [4 x 0.25, 4] x 100 = [100, 400]
    assert cost_avoidance(prevented, cost, factor).tolist() == [[20.0, 40.0], [100.0, 400.0]]
    # a factor of 0 avoids nothing in the year itself: [0, 2]
    assert children_avoided([2, 0], 0.0).tolist() == [0.0, 2.0]


# ----------------------------------------------------------------------------- bids


def test_net_cumulative_payback_breakeven_cyps_2():
    # CYPS_2: investment [0.100, 0.164, 0.164, 0.164, 0.164],
    #         saving     [0, 0.165, 0.627, 1.254, 1.914]
    inv = [0.100, 0.164, 0.164, 0.164, 0.164]
    sav = [0.0, 0.165, 0.627, 1.254, 1.914]
    n = net(inv, sav)
    # 0.100; 0.164 - 0.165 = -0.001; 0.164 - 0.627 = -0.463; -1.090; -1.750
    assert n.tolist() == pytest.approx([0.100, -0.001, -0.463, -1.090, -1.750])
    # cumulative: 0.100, 0.099, -0.364, -1.454, -3.204
    assert cumulative_net(n).tolist() == pytest.approx([0.100, 0.099, -0.364, -1.454, -3.204])
    assert payback_year(n) == 2  # first negative net: 2017/18 = year 2
    assert breakeven_year(n) == 3  # first negative cumulative: 2018/19 = year 3


def test_payback_none_and_zero_is_not_negative():
    assert payback_year([0.0, 0.27, 0.27]) is None
    assert breakeven_year([0.1, 0.0]) is None
    # 0.3 - (0.1 + 0.2) is -5.55e-17 in floating point: noise, not a saving
    noise = net([0.3, 0.715], [0.1 + 0.2, 0.715])
    assert noise[0] < 0  # the noise is really there ...
    assert payback_year(noise) is None  # ... and is not taken for a payback
    assert breakeven_year(noise) is None
    # while a real saving of a tenth of a pound (1e-7 £m) is one
    assert payback_year(net([0.3, 0.715], [0.3000001, 0.715])) == 1
    # many bids at once: 0 stands for "none"
    assert payback_years([[1.0, -1.0], [0.0, 0.0]]).tolist() == [2, 0]
    assert breakeven_years([[1.0, -1.0], [-1.0, 2.0]]).tolist() == [0, 1]


# ----------------------------------------------------------------------------- budget


def test_budget_rollup_reference_2017_18():
    # reference report Table 1, 2017/18: 55.017 + (7.346 + 1.000) + 3.607 - 2.276 = 64.694
    t = budget_rollup([55.017], [8.346], [3.607], [2.276])
    assert t.net_forecast.tolist() == pytest.approx([64.694])
    assert t.funding_support.tolist() == pytest.approx([9.677])  # 64.694 - 55.017


def test_additional_funding_rows_or_summed():
    # 2017/18: 8.346 + 1.331 + 0.481 + 0.847 = 11.005
    rows = additional_funding([8.346], [1.331], [[0.481], [0.847]])
    summed = additional_funding([8.346], [1.331], [1.328])
    assert rows.tolist() == pytest.approx([11.005])
    assert summed.tolist() == pytest.approx([11.005])
    assert additional_funding([1.0, 2.0], [0.5, 0.5]).tolist() == [1.5, 2.5]


def test_funding_gap_one_off_first_year():
    # levels 8.456, 11.005, 10.200, 8.986 (printed); base 0, 13.125, 8.659, 20.077
    g = funding_gap([0.0, 13.125, 8.659, 20.077], [8.456, 11.005, 10.200, 8.986], True)
    # 2016/17 met from reserves: 0; 13.125 + 11.005 = 24.130;
    # 8.659 + (10.200 - 11.005) = 7.854; 20.077 + (8.986 - 10.200) = 18.863
    assert g.revised.tolist() == pytest.approx([0.0, 24.130, 7.854, 18.863])
    assert g.reserve_draw == pytest.approx(8.456)


def test_funding_gap_recurring_first_year():
    # first year recurring: 1 + 0.5 = 1.5; 2 + (0.7 - 0.5) = 2.2; 3 + (0.7 - 0.7) = 3
    g = funding_gap([1.0, 2.0, 3.0], [0.5, 0.7, 0.7], current_year_one_off=False)
    assert g.revised.tolist() == pytest.approx([1.5, 2.2, 3.0])
    assert g.reserve_draw == 0.0
    # not told: recurring, as a case file without current_year_funded_from_reserves
    g = funding_gap([1.0, 2.0, 3.0], [0.5, 0.7, 0.7])
    assert g.revised.tolist() == pytest.approx([1.5, 2.2, 3.0])
    assert g.reserve_draw == 0.0


def test_funding_gap_single_year():
    # one MTFS year, one-off: the gap is untouched and reserves meet the level
    g = funding_gap([4.0], [1.5], current_year_one_off=True)
    assert g.revised.tolist() == [4.0]
    assert g.reserve_draw == 1.5
