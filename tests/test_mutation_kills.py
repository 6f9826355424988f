"""Model checks that kill mutants which survived every other test (docs/mutation.md).

Each test names the change it catches. Figures are worked out by hand in the comments.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cypsxl import load_case, parse_case, run_case
from cypsxl.model import (
    ScenarioSamples,
    additional_funding,
    apply_optimism_bias,
    benefit_cost_ratio,
    discount_factors,
    irr,
    lac_projection,
    mix_change_cost,
    payback_years,
    placement_mix_cost,
    switching_saving_cut,
)
from cypsxl.model.bids import breakeven_years
from cypsxl.model.scenarios import monte_carlo, scenario_samples, summarise

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "northshire_2025.toml"
NORTHSHIRE = EXAMPLE.read_text("utf-8")


# --------------------------------------------------------------------------- placements


def test_placement_projection_priced_at_todays_mix():
    p = run_case(load_case(EXAMPLE)).placements
    assert p is not None and p.lac_numbers is not None and p.projected_cost is not None
    # 520 looked-after children, +25 a year (the case's own numbers, not the placements')
    assert p.lac_numbers.tolist() == [520.0, 545.0, 570.0, 595.0]
    assert p.types == ("in_house_fostering", "ifa", "residential", "sgo")
    assert p.counts.tolist() == [230.0, 180.0, 45.0, 65.0]
    assert p.weekly_cost.tolist() == [480.0, 1100.0, 5200.0, 190.0]
    # average weekly cost = (230 x 480 + 180 x 1,100 + 45 x 5,200 + 65 x 190) / 520
    #                     = (110,400 + 198,000 + 234,000 + 12,350) / 520 = 554,750 / 520
    # projected = children x average x 52.14 / 1e6; 520 children: 554,750 x 52.14 / 1e6
    first = 554_750 * 52.14 / 1e6  # = 28.924665, Table "annual cost" of today's mix
    want = [first * n / 520 for n in (520, 545, 570, 595)]
    assert p.projected_cost.tolist() == pytest.approx(want, rel=1e-12)
    assert float(p.annual_cost.sum()) == pytest.approx(first, rel=1e-12)


def test_placement_projection_starts_from_the_placements_without_a_lac_count():
    text = NORTHSHIRE.replace("lac_numbers = 520\n", "")
    p = run_case(parse_case(text)).placements
    assert p is not None and p.lac_numbers is not None
    # no LAC count in the case: start from the 230 + 180 + 45 + 65 = 520 placements
    assert p.lac_numbers.tolist() == [520.0, 545.0, 570.0, 595.0]
    text = NORTHSHIRE.replace("lac_numbers = 520\n", "lac_numbers = 600\n")
    p = run_case(parse_case(text)).placements
    assert p is not None and p.lac_numbers is not None
    assert p.lac_numbers.tolist() == [600.0, 625.0, 650.0, 675.0]


def test_no_projection_without_growth_or_without_placements():
    p = run_case(parse_case(NORTHSHIRE.replace("lac_trend_growth_per_year = 25\n", ""))).placements
    assert p is not None and p.lac_numbers is None and p.projected_cost is None
    # the types are still priced: 45 residential x £5,200 x 52.14 = 12,200,760
    assert p.types[2] == "residential" and p.annual_cost[2] == pytest.approx(12.20076)
    assert p.counts.tolist() == [230.0, 180.0, 45.0, 65.0]
    assert p.weekly_cost.tolist() == [480.0, 1100.0, 5200.0, 190.0]
    no_children = NORTHSHIRE
    for n in ("230", "180", "45", "65"):
        no_children = no_children.replace(f"count = {n}\n", "count = 0\n")
    p = run_case(parse_case(no_children)).placements
    assert p is not None and p.projected_cost is None and p.counts.sum() == 0


def test_placement_count_missing_is_zero_children():
    text = NORTHSHIRE.replace("count = 65\n", "")  # SGO priced, no count given
    p = run_case(parse_case(text)).placements
    assert p is not None and p.counts.tolist() == [230.0, 180.0, 45.0, 0.0]
    assert p.annual_cost[3] == 0.0


def test_placement_mix_cost_needs_a_cost_for_every_type_and_uses_the_weeks():
    # 10 IFA x £800 x 52.14 + 2 residential x £3,500 x 52.14 = 417,120 + 364,980 = 782,100
    got = placement_mix_cost(
        {"ifa": 10, "residential": 2}, {"ifa": 800, "residential": 3500}, 52.14
    )
    assert float(got) == pytest.approx(782_100.0)
    with pytest.raises(KeyError, match=r"no weekly cost for placement type\(s\): ifa, sgo"):
        placement_mix_cost({"sgo": 1, "ifa": 2, "residential": 1}, {"residential": 3500})


def test_mix_change_counts_a_type_on_one_side_only():
    # 3 children leave residential (£3,500) for a type the old mix did not have (SGO £190):
    # 3 x 190 x 52 - 3 x 3,500 x 52 = 29,640 - 546,000 = -516,360
    before = {"residential": 5}
    after = {"residential": 2, "sgo": 3}
    costs = {"residential": 3500, "sgo": 190}
    assert float(mix_change_cost(before, after, costs)) == pytest.approx(-516_360.0)
    # and the reverse move costs the same the other way, at 52.14 weeks when asked
    assert float(mix_change_cost(after, before, costs, 52.14)) == pytest.approx(
        3 * 3500 * 52.14 - 3 * 190 * 52.14
    )


def test_lac_projection_of_one_year_is_the_start():
    assert lac_projection(460, 48, 1).tolist() == [460.0]
    with pytest.raises(ValueError, match="n_years must be at least 1"):
        lac_projection(460, 48, 0)


# --------------------------------------------------------------------------- engine


def test_a_case_without_pressure_lines_or_other_directorates():
    case = parse_case(
        '[case]\nname = "Bare"\nyears = ["2024/25", "2025/26"]\n'
        "[cyps_budget]\nnet_budget = [10.0, 10.0]\n"
        '[[bid]]\nref = "B"\ntitle = "t"\ninvestment = [0.5, 0.0]\ngross_saving = [0.0, 0.8]\n'
        "[mtfs]\nbase_gap = [1.0, 2.0]\n"
    )
    r = run_case(case)
    assert r.budget.pressures.tolist() == [0.0, 0.0]
    # levels = net investment alone: 0.5, -0.8; recurring: 1 + 0.5 = 1.5; 2 + (-0.8 - 0.5)
    assert r.additional.total.tolist() == [0.5, -0.8]
    assert r.gap.revised.tolist() == pytest.approx([1.5, 0.7])


def test_additional_funding_sums_other_directorates_row_by_row():
    # two directorates over two years: 0.1 + 0.3 = 0.4 and 0.2 + 0.4 = 0.6 added per year
    got = additional_funding([1.0, 2.0], [0.5, 0.5], [[0.1, 0.2], [0.3, 0.4]])
    assert got.tolist() == pytest.approx([1.9, 3.1])


def test_payback_and_breakeven_years_are_whole_numbers():
    years = payback_years([[0.1, -0.2], [0.1, 0.2]])
    assert years.dtype.kind == "i" and years.tolist() == [2, 0]
    assert breakeven_years([[0.1, -0.2]]).dtype.kind == "i"


# --------------------------------------------------------------------------- scenarios


def _samples() -> ScenarioSamples:
    """Four scenarios, two years, two bids, written out by hand."""
    return ScenarioSamples(
        net_saving=np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [4.0, 40.0]]),
        funding_support=np.array([[4.0, 0.0], [3.0, 0.0], [2.0, 0.0], [1.0, 8.0]]),
        revised_gap=np.array([[5.0, 6.0], [5.0, 7.0], [5.0, 8.0], [5.0, 9.0]]),
        programme_npv=np.array([-1.0, 0.0, 1e-12, 2.0]),
        bid_npv=np.array([[1.0, -1.0], [2.0, 0.0], [3.0, -2.0], [4.0, 5e-13]]),
        payback_year=np.array([[0, 1], [1, 2], [2, 3], [3, 0]]),
        discounted_payback_year=np.array([[2, 0], [2, 0], [0, 0], [0, 2]]),
    )


def test_summarise_percentiles_by_column_and_chances():
    m = summarise(_samples(), payback_within=2, base_gap_last=7.0)
    # np.percentile, linear: of 1, 2, 3, 4 the P10 is 1.3, P50 2.5, P90 3.7 (x 10 for year 2)
    np.testing.assert_allclose(m.net_saving, [[1.3, 13.0], [2.5, 25.0], [3.7, 37.0]])
    # year 1 of funding support 4, 3, 2, 1 (unsorted): same 1.3, 2.5, 3.7; year 2: 0,0,0,8
    np.testing.assert_allclose(m.funding_support, [[1.3, 0.0], [2.5, 0.0], [3.7, 5.6]])
    np.testing.assert_allclose(m.revised_gap, [[5.0, 6.3], [5.0, 7.5], [5.0, 8.7]])
    # programme NPV -1, 0, 1e-12, 2: P50 halfway between 0 and 1e-12
    assert m.programme_npv.tolist() == pytest.approx([-0.7, 0.5e-12, 1.4])
    # bid 1: 1, 2, 3, 4 -> 1.3, 2.5, 3.7; bid 2: -2, -1, 0, 5e-13 sorted -> -1.7, -0.5, ~0
    assert m.bid_npv[:, 0].tolist() == pytest.approx([1.3, 2.5, 3.7])
    assert m.bid_npv[:, 1].tolist() == pytest.approx([-1.7, -0.5, 0.5e-13 * 3], abs=1e-12)
    # paid back within 2 years: bid 1 years 0, 1, 2, 3 -> 2 of 4; bid 2: 1, 2, 3, 0 -> 2 of 4
    assert m.prob_payback.tolist() == [0.5, 0.5]
    # discounted: bid 1 years 2, 2, 0, 0 -> 2 of 4; bid 2 only the last scenario (year 2)
    assert m.prob_discounted_payback.tolist() == [0.5, 0.25]
    # NPV > 0 after rounding to the penny's 1e-9: 5e-13 and 1e-12 are zero, not positive
    assert m.prob_npv_positive.tolist() == [1.0, 0.0]
    assert m.prob_programme_npv_positive == 0.25
    # last MTFS year's gap 6, 7, 8, 9 within the base 7: two of four
    assert m.prob_gap_within_base == 0.5
    # one year less: bid 1's year-2 paybacks no longer count
    assert summarise(_samples(), 1, 7.0).prob_payback.tolist() == [0.25, 0.25]


# --------------------------------------------------------------------------- appraisal


def test_discount_factors_for_a_schedule_and_one_rate_per_bid():
    # a schedule: year 1 at 10%, year 2 at 5%: 1, 1 / 1.1, 1 / (1.1 x 1.05)
    got = discount_factors([0.0, 0.10, 0.05], 3)
    assert got.tolist() == pytest.approx([1.0, 1 / 1.1, 1 / (1.1 * 1.05)])
    # one rate per bid (a column): each row its own rate
    rows = discount_factors([[0.10], [0.0]], 3)
    np.testing.assert_allclose(rows, [[1.0, 1 / 1.1, 1 / 1.21], [1.0, 1.0, 1.0]])
    # a schedule of two rates for two years (not a single rate)
    assert discount_factors([0.0, 0.25], 2).tolist() == pytest.approx([1.0, 0.8])
    with pytest.raises(ValueError, match="a schedule of 2 rates for 3 years"):
        discount_factors([0.1, 0.2], 3)


def test_irr_needs_a_change_of_sign():
    # an outlay of 1 and a return of 1.1: 10%
    assert irr([-1.0, 1.1]) == pytest.approx(0.1)
    # no outlay (0 then a return) and no return: no IRR
    assert np.isnan(irr([0.0, 1.0]))
    assert np.isnan(irr([-1.0, 0.0]))
    rows = irr([[-1.0, 1.1, 0.0], [1.0, 1.0, 1.0], [-2.0, 0.0, 2.42]])
    assert rows[0] == pytest.approx(0.1) and np.isnan(rows[1])
    assert rows[2] == pytest.approx(0.1)  # -2 + 2.42 / 1.1^2 = 0


def test_optimism_bias_defaults_change_nothing():
    inv, sav = apply_optimism_bias([0.1, 0.2], [0.0, 0.5])
    assert inv.tolist() == [0.1, 0.2] and sav.tolist() == [0.0, 0.5]
    # a cut and a delay given by name: 0.5 x 0.8 moved a year later (the last year lost)
    inv, sav = apply_optimism_bias([0.1, 0.0], [0.5, 0.0], saving_cut=0.2, saving_delay_years=1)
    assert inv.tolist() == [0.1, 0.0] and sav.tolist() == pytest.approx([0.0, 0.4])


def test_bcr_and_switching_cut_without_investment_or_saving():
    # no investment: no BCR; no saving: no switching cut
    assert np.isnan(benefit_cost_ratio([0.0, 0.0], [0.0, 1.0]))
    assert np.isnan(switching_saving_cut([1.0, 0.0], [0.0, 0.0]))
    # investment 1 now, saving 0.6 a year for two years at 0%: cut = 1 - 1 / 1.2 = 1/6
    assert switching_saving_cut([1.0, 0.0, 0.0], [0.0, 0.6, 0.6], 0.0) == pytest.approx(1 / 6)
    assert benefit_cost_ratio([1.0, 0.0, 0.0], [0.0, 0.6, 0.6], 0.0) == pytest.approx(1.2)


# --------------------------------------------------------------------------- uncertain inputs

TWO_BIDS = """\
[case]
name = "Two"
years = ["2024/25", "2025/26"]

[assumptions]
avoided_cost_per_child_per_year = 40000
part_year_factor = 0.5
discount_rate = 0.0

[cyps_budget]
net_budget = [10.0, 10.0]
pressure_demand = [1.0, 2.0]

[[bid]]
ref = "B1"
title = "Prevention"
investment = [0.1, 0.1]
prevented = [5, 0]

[[bid]]
ref = "B2"
title = "Same again"
investment = [0.1, 0.1]
prevented = [5, 0]

[mtfs]
base_gap = [0.0, 1.0]
"""


def _fixed(input_: str, value: float, extra: str = "") -> str:
    return TWO_BIDS + (
        f'\n[[uncertainty]]\ninput = "{input_}"\ndistribution = "fixed"\nvalue = {value}\n{extra}'
    )


def _net_saving(text: str) -> list[float]:
    s = scenario_samples(parse_case(text), n=3, seed=1)
    assert (s.net_saving == s.net_saving[0]).all()  # fixed: every scenario the same
    return s.net_saving[0].tolist()


def test_each_uncertain_input_moves_what_it_names():
    # central: each bid saves 5 x 0.5 x 40,000 = 0.1 in year 1, 5 x 40,000 = 0.2 in year 2;
    # net saving of both: 2 x (0.1 - 0.1) = 0.0 and 2 x (0.2 - 0.1) = 0.2
    assert _net_saving(TWO_BIDS) == pytest.approx([0.0, 0.2])
    # investment x 2: 2 x (0.1 - 0.2) = -0.2; 2 x (0.2 - 0.2) = 0
    assert _net_saving(_fixed("investment", 2.0)) == pytest.approx([-0.2, 0.0])
    # savings x 0.5: 2 x (0.05 - 0.1) = -0.1; 2 x (0.1 - 0.1) = 0
    assert _net_saving(_fixed("saving", 0.5)) == pytest.approx([-0.1, 0.0])
    # savings a year later: year 1 none, year 2 the first year's 0.1: -0.2 and 0
    assert _net_saving(_fixed("saving_delay", 1)) == pytest.approx([-0.2, 0.0])
    # part-year factor 1: 5 x 40,000 = 0.2 in year 1 too: 2 x 0.1 = 0.2 both years
    assert _net_saving(_fixed("part_year_factor", 1.0)) == pytest.approx([0.2, 0.2])
    # delivery 0.4: 2 children: 0.04 and 0.08 saved: 2 x (0.04 - 0.1), 2 x (0.08 - 0.1)
    assert _net_saving(_fixed("delivery", 0.4)) == pytest.approx([-0.12, -0.04])
    # avoided cost £20,000: half the saving: 2 x (0.05 - 0.1) = -0.1; 2 x (0.1 - 0.1) = 0
    assert _net_saving(_fixed("avoided_cost", 20000)) == pytest.approx([-0.1, 0.0])


def test_an_uncertain_pressure_line_moves_funding_support():
    s = scenario_samples(parse_case(_fixed("pressure", 1.5, 'line = "demand"')), n=2, seed=1)
    # support = pressures + investment - savings: 1.5 + 0.2 - 0.2 = 1.5; 3.0 + 0.2 - 0.4 = 2.8
    assert s.funding_support[0].tolist() == pytest.approx([1.5, 2.8])


def test_shared_draws_move_every_bid_together():
    draw = '\n[[uncertainty]]\ninput = "saving"\ndistribution = "uniform"\nmin = 0.0\nmax = 2.0\n'
    alone = scenario_samples(parse_case(TWO_BIDS + draw), n=200, seed=3).bid_npv
    shared = scenario_samples(parse_case(TWO_BIDS + draw + "shared = true\n"), n=200, seed=3)
    # the two bids are the same: one draw for both gives the same NPV in every scenario,
    # a draw each gives different ones
    assert np.array_equal(shared.bid_npv[:, 0], shared.bid_npv[:, 1])
    assert not np.array_equal(alone[:, 0], alone[:, 1])


def test_monte_carlo_refuses_nonsense_and_reports_its_settings():
    case = parse_case(TWO_BIDS)
    with pytest.raises(ValueError, match="payback"):
        monte_carlo(case, n=10, seed=1, payback_within=0)
    r = monte_carlo(case, n=10, seed=1, payback_within=1)
    assert (r.n, r.seed, r.payback_within) == (10, 1, 1)
    assert monte_carlo(case, seed=1).n == case.scenarios.n  # the case's n by default


# --------------------------------------------------------------------------- whole numbers


def test_whole_number_rows_from_python_give_float_results():
    """A case built in Python with whole numbers (ints, not floats) gives the same float
    arrays as the case file, which reads every figure as a float."""
    import dataclasses

    from cypsxl.model import funding_gap

    case = load_case(EXAMPLE)
    budget = dataclasses.replace(case.budget, pressures={"demand": (4, 5, 6, 7)})
    others = (dataclasses.replace(case.other_proposals[0], levels=(1, 1, 2)),)
    case = dataclasses.replace(case, budget=budget, other_proposals=others)
    r = run_case(case)
    # the pressure line as given, as floats: [4.0, 5.0, 6.0, 7.0]
    demand = r.pressures_by_line["demand"]
    assert demand.dtype == np.float64 and demand.tolist() == [4.0, 5.0, 6.0, 7.0]
    adult = r.additional.others["adult_care"]
    assert adult.dtype == np.float64 and adult.tolist() == [1.0, 1.0, 2.0]
    # CYPS pressures over the 3 MTFS years: 4, 5, 6 (one line only)
    assert r.additional.cyps_pressures.tolist() == [4.0, 5.0, 6.0]
    # no plan years at all: nothing to revise, and no reserves drawn for a first year
    empty = funding_gap([], [], current_year_one_off=True)
    assert empty.revised.tolist() == [] and empty.reserve_draw == 0.0


def test_as_float_turns_whole_numbers_into_floats():
    from cypsxl.model._arrays import as_float

    out = as_float([1, 2])
    assert out.dtype == np.float64 and out.tolist() == [1.0, 2.0]
    # a float array is returned as it is, not copied
    x = np.array([0.5, 1.5])
    assert as_float(x) is x
