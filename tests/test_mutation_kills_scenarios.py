"""Monte Carlo edges that kill mutants which survived every other test (docs/mutation.md):
the bounds on the number of scenarios and the chunks they are worked in, progress as
reported by a run, each uncertain input drawn on its own and on top of an optimism bias,
savings delayed past the horizon, the summary's chances at their rounding edges and the
messages of impossible uncertain inputs. Small hand-built cases with `fixed` (degenerate)
draws, so every figure is worked out by hand in the comments.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from cypsxl.casefile import parse_case
from cypsxl.model import Uncertainty, monte_carlo, scenario_samples
from cypsxl.model._levers import Levers, case_arrays, delay_rows, evaluate, optimism_levers
from cypsxl.model.case import Case, ScenarioSettings
from cypsxl.model.scenarios import (
    ScenarioSamples,
    _check_n,
    _chunk,
    max_scenarios,
    sample,
    summarise,
    uncertain_bids,
)

# Three years, all in the MTFS. £10,000 a child-year, half a year in the year of prevention.
# A: 10 children prevented in 2024/25 and 10 in 2025/26:
#    gross saving 10 x 0.5 x 0.01 = 0.05; (10 + 10 x 0.5) x 0.01 = 0.15; 20 x 0.01 = 0.2
#    investment 0.1, 0.05, 0 -> net 0.05, -0.1, -0.2
# B: gross saving 0, 0.2, 0.3 (typed in); investment 0.2, 0, 0 -> net 0.2, -0.2, -0.3
# Together: gross 0.05, 0.35, 0.5; investment 0.3, 0.05, 0; net saving -0.25, 0.3, 0.5.
# Pressure (demand) 1, 2, 4. Additional funding = pressure + net of both bids:
#    1.25, 1.70, 3.50; with a base gap of 0 the revised gap is the change in that level:
#    1.25, 0.45, 1.80.
CASE = """
[case]
name = "Draws"
years = ["2024/25", "2025/26", "2026/27"]

[assumptions]
avoided_cost_per_child_per_year = 10000
part_year_factor = 0.5
discount_rate = 0.0
{bias}
[cyps_budget]
net_budget = [50.0, 50.0, 50.0]
pressure_demand = {pressure}

[mtfs]
base_gap = {base_gap}

[[bid]]
ref = "A"
title = "Edge of care"
investment = [0.1, 0.05, 0.0]
prevented = [10, 10, 0]

[[bid]]
ref = "B"
title = "Fostering"
investment = [0.2, 0.0, 0.0]
gross_saving = [0.0, 0.2, 0.3]
{extra}
"""

CENTRAL_NET_SAVING = [-0.25, 0.3, 0.5]

# Green Book optimism bias on every bid: investment +50%, savings -20%.
UPLIFT_AND_CUT = (
    "[assumptions.optimism_bias]\ninvestment_uplift_percent = 50\nsaving_cut_percent = 20\n"
)


def draws(
    extra: str = "",
    bias: str = "",
    pressure: str = "[1.0, 2.0, 4.0]",
    base_gap: str = "[0.0, 0.0, 0.0]",
) -> Case:
    return parse_case(CASE.format(extra=extra, bias=bias, pressure=pressure, base_gap=base_gap))


def fixed(kind: str, value: float, more: str = "") -> str:
    """An [[uncertainty]] table drawing ``kind`` at exactly ``value``."""
    return f'\n[[uncertainty]]\ninput = "{kind}"\ndistribution = "fixed"\nvalue = {value}\n{more}'


def with_uncertainties(case: Case, *u: Uncertainty) -> Case:
    """``case`` with uncertain inputs the case file would refuse (checked by the model)."""
    return dataclasses.replace(case, scenarios=ScenarioSettings(uncertainties=u))


def copies(case: Case, k: int) -> Case:
    """``case`` with its bids repeated ``k`` times under new refs (A0, B0, A1, B1, ...)."""
    bids = tuple(dataclasses.replace(b, ref=f"{b.ref}{i}") for i in range(k) for b in case.bids)
    return dataclasses.replace(case, bids=bids)


def message(excinfo: pytest.ExceptionInfo[ValueError]) -> str:
    return str(excinfo.value)


# --- the number of scenarios ------------------------------------------------------------


def test_one_scenario_runs_and_discounted_payback_accumulates_over_years_per_bid() -> None:
    s = scenario_samples(draws(), n=1, seed=0)
    assert s.net_saving == pytest.approx(np.array([CENTRAL_NET_SAVING]), abs=1e-12)
    # payback (first negative net): A 0.05, -0.1 -> year 2; B 0.2, -0.2 -> year 2
    assert s.payback_year.tolist() == [[2, 2]]
    # discounted payback at 0%: first negative cumulative net, year by year within a bid:
    # A 0.05, -0.05 -> year 2; B 0.2, 0.0, -0.3 -> year 3 (not summed across the bids)
    assert s.discounted_payback_year.tolist() == [[2, 3]]
    # NPV at 0% = minus the summed net: A 0.25, B 0.3, programme 0.55
    assert s.bid_npv == pytest.approx(np.array([[0.25, 0.3]]), abs=1e-12)
    assert s.programme_npv == pytest.approx(np.array([0.55]), abs=1e-12)


@pytest.mark.parametrize(("n", "shown"), [(True, "True"), (2.5, "2.5"), (0, "0")])
def test_scenarios_must_be_a_whole_number_of_at_least_one(n: Any, shown: str) -> None:
    # a bool or a float is refused, not taken as 1 or cut to 2
    with pytest.raises(ValueError) as e:
        scenario_samples(draws(), n=n, seed=0)
    assert message(e) == f"the number of scenarios must be a whole number >= 1, not {shown}"


def test_the_default_bound_on_scenarios_is_one_million() -> None:
    _check_n(1_000_000)  # the most allowed without a case
    with pytest.raises(ValueError) as e:
        _check_n(1_000_001)
    assert message(e) == (
        "1,000,001 scenarios is more than this case can run in bounded memory: at most "
        "1,000,000 (results are kept for every scenario to give exact percentiles)"
    )


def test_a_case_with_many_bids_is_bounded_below_one_million_scenarios() -> None:
    # 40 bids over 3 years keep 8 x (3 x 3 + 3 x 40 + 1) = 1,040 bytes a scenario:
    # 800,000,000 // 1,040 = 769,230 scenarios at most (769,230 x 1,040 = 799,999,200)
    big = copies(draws(), 20)
    assert max_scenarios(big) == 769_230
    want = (
        "1,000,001 scenarios is more than this case can run in bounded memory: at most "
        "769,230 (results are kept for every scenario to give exact percentiles)"
    )
    for run in (monte_carlo, scenario_samples):
        with pytest.raises(ValueError) as e:
            run(big, n=1_000_001, seed=0)
        assert message(e) == want, run.__name__


def test_a_case_too_big_for_the_memory_bound_still_runs_one_scenario() -> None:
    # 17,000,000 bids over 3 years: 8 x (9 + 51,000,000 + 1) = 408,000,080 bytes a
    # scenario; 800,000,000 // 408,000,080 = 1
    case = draws()
    huge = dataclasses.replace(case, bids=case.bids[:1] * 17_000_000)
    assert max_scenarios(huge) == 1


# --- chunks and progress ----------------------------------------------------------------


def test_scenarios_run_in_chunks_of_ten_thousand_and_report_each() -> None:
    # 2 bids x 3 years = 6 values a scenario: 2,000,000 // 6 is over 10,000, so chunks of
    # 10,000; 10,001 scenarios take two chunks, reported at 10,000 and 10,001 of 10,001
    calls: list[tuple[int, int]] = []
    s = scenario_samples(
        draws(), n=10_001, seed=0, progress=lambda done, n: calls.append((done, n))
    )
    assert calls == [(10_000, 10_001), (10_001, 10_001)]
    # every scenario is the central run: net saving -0.25, 0.3, 0.5
    assert s.net_saving.shape == (10_001, 3)
    assert s.net_saving[[0, -1]] == pytest.approx(np.array([CENTRAL_NET_SAVING] * 2), abs=1e-12)


def test_chunk_is_the_values_allowed_over_the_values_of_one_scenario() -> None:
    # 400,000 bids x 3 years = 1,200,000 values: 2,000,000 // 1,200,000 = 1
    case = draws()
    assert _chunk(dataclasses.replace(case, bids=case.bids[:1] * 400_000)) == 1
    # 350 bids x 3 = 1,050 values: 2,000,000 // 1,050 = 1,904 (not 2,000,000 // (350 / 3))
    assert _chunk(dataclasses.replace(case, bids=case.bids[:1] * 350)) == 1_904


def test_monte_carlo_progress_counts_both_runs_with_optimism_bias() -> None:
    # base run then the run with bias: 4 + 4 = 8 scenarios in all
    calls: list[tuple[int, int]] = []
    r = monte_carlo(
        draws(bias=UPLIFT_AND_CUT), n=4, seed=1, progress=lambda d, t: calls.append((d, t))
    )
    assert r.has_optimism_bias
    assert calls == [(4, 8), (8, 8)]
    # the base run has no bias: central net saving -0.25, 0.3, 0.5 in every percentile
    assert r.base.net_saving == pytest.approx(np.array([CENTRAL_NET_SAVING] * 3), abs=1e-12)


def test_monte_carlo_progress_counts_one_run_without_optimism_bias() -> None:
    calls: list[tuple[int, int]] = []
    r = monte_carlo(draws(), n=4, seed=1, progress=lambda d, t: calls.append((d, t)))
    assert not r.has_optimism_bias
    assert calls == [(4, 4)]


@pytest.mark.parametrize(
    ("pressure", "base_gap", "within"),
    [
        # levels 1.25, 1.70, 3.50: last year's gap rises by 1.80 over its base -> never
        # within (against 2025/26's base of 5 it would be)
        ("[1.0, 2.0, 4.0]", "[0.0, 5.0, 0.0]", 0.0),
        # pressure 1.5 in 2026/27: levels 1.25, 1.70, 1.00, the last gap falls by 0.70 ->
        # always within (against 2025/26's base of -5 it would not be)
        ("[1.0, 2.0, 1.5]", "[0.0, -5.0, 0.0]", 1.0),
    ],
)
def test_gap_within_base_compares_the_last_mtfs_year(
    pressure: str, base_gap: str, within: float
) -> None:
    r = monte_carlo(draws(pressure=pressure, base_gap=base_gap), n=2, seed=0)
    assert r.base.prob_gap_within_base == within


# --- each uncertain input ---------------------------------------------------------------


def test_pressure_drawn_first_does_not_stop_later_inputs() -> None:
    # saving x 0.5 after a pressure line: gross 0.025, 0.175, 0.25 less investment
    # 0.3, 0.05, 0 -> net saving -0.275, 0.125, 0.25
    extra = fixed("pressure", 1.0, 'line = "demand"\n') + fixed("saving", 0.5)
    s = scenario_samples(draws(extra), n=2, seed=0)
    assert s.net_saving == pytest.approx(np.array([[-0.275, 0.125, 0.25]] * 2), abs=1e-12)


@pytest.mark.parametrize("years", [0.6, 1.4])
def test_saving_delay_is_rounded_to_whole_years(years: float) -> None:
    # 0.6 and 1.4 both round to 1 year: gross A 0, 0.05, 0.15; B 0, 0, 0.2 -> 0, 0.05, 0.35
    # less investment 0.3, 0.05, 0 -> net saving -0.3, 0.0, 0.35
    s = scenario_samples(draws(fixed("saving_delay", years)), n=2, seed=0)
    assert s.net_saving == pytest.approx(np.array([[-0.3, 0.0, 0.35]] * 2), abs=1e-12)


def test_savings_delayed_past_the_horizon_are_lost() -> None:
    # a 4-year slip over 3 years: no saving at all, net saving = -investment -0.3, -0.05, 0
    s = scenario_samples(draws(fixed("saving_delay", 4)), n=2, seed=0)
    assert s.net_saving == pytest.approx(np.array([[-0.3, -0.05, 0.0]] * 2), abs=1e-12)
    rows = np.array([[1.0, 2.0, 3.0]])
    assert delay_rows(rows, 4).tolist() == [[0.0, 0.0, 0.0]]


def test_delay_given_as_whole_number_floats_moves_rows_like_integers() -> None:
    rows = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert delay_rows(rows, np.array([1.0, 0.0])).tolist() == [[0.0, 1.0, 2.0], [4.0, 5.0, 6.0]]


# C prevents 10 children in 2025/26 with its own part-year factor of 1:
# gross 0, 0.1, 0.1; no investment.
OWN_FACTOR = """
[[bid]]
ref = "C"
title = "Family group conferencing"
investment = [0.0, 0.0, 0.0]
prevented = [0, 10, 0]
part_year_factor = 1.0
"""


def test_case_wide_part_year_factor_keeps_a_bids_own_factor() -> None:
    case = draws(OWN_FACTOR + fixed("part_year_factor", 0.0))
    assert uncertain_bids(case, case.scenarios.uncertainties[0]) == ("A",)
    assert case_arrays(case).own_part_year_factor == (False, False, True)
    # A's factor 0: gross 0, 10 x 0.01 = 0.1, 0.2 (-0.05, -0.05, 0); C keeps its 0, 0.1, 0.1.
    # Net saving: central -0.25, 0.3, 0.5 + C's 0, 0.1, 0.1 - 0.05, 0.05, 0 -> -0.3, 0.35, 0.6
    s = scenario_samples(case, n=2, seed=0)
    assert s.net_saving == pytest.approx(np.array([[-0.3, 0.35, 0.6]] * 2), abs=1e-12)


def test_pressure_moves_no_bid() -> None:
    u = Uncertainty("pressure", "fixed", 1.0, 1.0, 1.0, line="demand")
    assert uncertain_bids(draws(), u) == ()


def test_unknown_bids_are_named_in_the_message() -> None:
    u = Uncertainty("saving", "fixed", 1.0, 1.0, 1.0, bids=("A", "X", "Y"))
    with pytest.raises(ValueError) as e:
        uncertain_bids(draws(), u)
    assert message(e) == "uncertainty 'saving': unknown bid(s) X, Y"


def test_a_pressure_line_the_case_lacks_is_named() -> None:
    case = with_uncertainties(
        draws(), Uncertainty("pressure", "fixed", 1.0, 1.0, 1.0, line="transport")
    )
    with pytest.raises(ValueError) as e:
        scenario_samples(case, n=2, seed=0)
    assert message(e) == "uncertainty 'pressure': no pressure line 'transport'"


def test_an_unknown_uncertain_input_is_named_with_the_inputs_allowed() -> None:
    case = with_uncertainties(draws(), Uncertainty("inflation", "fixed", 1.0, 1.0, 1.0))
    with pytest.raises(ValueError) as e:
        scenario_samples(case, n=2, seed=0)
    assert message(e) == (
        "unknown uncertain input 'inflation'; expected one of ('delivery', 'avoided_cost', "
        "'part_year_factor', 'saving', 'investment', 'saving_delay', 'pressure')"
    )


# --- optimism bias on top of the draws --------------------------------------------------


def test_optimism_bias_multiplies_drawn_saving_and_investment() -> None:
    case = draws(fixed("saving", 0.5) + fixed("investment", 2.0), bias=UPLIFT_AND_CUT)
    # without bias (the default): gross x 0.5 = 0.025, 0.175, 0.25; investment x 2 =
    # 0.6, 0.1, 0 -> net saving -0.575, 0.075, 0.25
    s = scenario_samples(case, n=2, seed=0)
    assert s.net_saving == pytest.approx(np.array([[-0.575, 0.075, 0.25]] * 2), abs=1e-12)
    # with bias: gross x 0.5 x 0.8 = x 0.4 -> 0.02, 0.14, 0.2; investment x 2 x 1.5 = x 3
    # -> 0.9, 0.15, 0 -> net saving -0.88, -0.01, 0.2
    s = scenario_samples(case, n=2, seed=0, optimism_bias=True)
    assert s.net_saving == pytest.approx(np.array([[-0.88, -0.01, 0.2]] * 2), abs=1e-12)


def test_optimism_bias_alone_cuts_savings_and_uplifts_investment() -> None:
    # no drawn saving or investment: gross x 0.8 = 0.04, 0.28, 0.4; investment x 1.5 =
    # 0.45, 0.075, 0 -> net saving -0.41, 0.205, 0.4
    s = scenario_samples(draws(bias=UPLIFT_AND_CUT), n=2, seed=0, optimism_bias=True)
    assert s.net_saving == pytest.approx(np.array([[-0.41, 0.205, 0.4]] * 2), abs=1e-12)


def test_optimism_delay_adds_to_a_drawn_delay() -> None:
    # 1 year drawn + 1 year of bias = 2: gross A 0, 0, 0.05; B 0, 0, 0 less investment
    # 0.3, 0.05, 0 -> net saving -0.3, -0.05, 0.05
    bias = "[assumptions.optimism_bias]\nsaving_delay_years = 1\n"
    s = scenario_samples(
        draws(fixed("saving_delay", 1), bias=bias), n=2, seed=0, optimism_bias=True
    )
    assert s.net_saving == pytest.approx(np.array([[-0.3, -0.05, 0.05]] * 2), abs=1e-12)


def test_drawn_cost_factor_and_pressure_still_apply_under_optimism_bias() -> None:
    extra = (
        fixed("avoided_cost", 20000)
        + fixed("part_year_factor", 1.0)
        + fixed("pressure", 0.5, 'line = "demand"\n')
    )
    bias = "[assumptions.optimism_bias]\ninvestment_uplift_percent = 50\n"
    s = scenario_samples(draws(extra, bias=bias), n=2, seed=0, optimism_bias=True)
    # A at £20,000 and a whole year: 10 x 0.02 = 0.2, 20 x 0.02 = 0.4, 0.4; B 0, 0.2, 0.3
    # gross 0.2, 0.6, 0.7; investment x 1.5 = 0.45, 0.075, 0 -> net saving -0.25, 0.525, 0.7
    assert s.net_saving == pytest.approx(np.array([[-0.25, 0.525, 0.7]] * 2), abs=1e-12)
    # pressure x 0.5 = 0.5, 1, 2 less net saving -> levels 0.75, 0.475, 1.3;
    # revised gap = change in level: 0.75, -0.275, 0.825
    assert s.revised_gap == pytest.approx(np.array([[0.75, -0.275, 0.825]] * 2), abs=1e-12)


def test_optimism_levers_default_to_one_variant() -> None:
    a = case_arrays(draws(bias=UPLIFT_AND_CUT + "saving_delay_years = 1\n"))
    ob = optimism_levers(a)
    assert ob.n == 1
    assert ob.investment is not None and ob.saving is not None and ob.delay is not None
    # 1 + 50% = 1.5, 1 - 20% = 0.8, 1 year, for each of the two bids
    assert ob.investment.tolist() == [[1.5, 1.5]]
    assert ob.saving.tolist() == [[0.8, 0.8]]
    assert ob.delay.tolist() == [[1, 1]]


# --- the engine's tables for variants ---------------------------------------------------


def test_evaluate_reports_pressures_and_additional_funding_per_variant() -> None:
    out = evaluate(case_arrays(draws()), Levers(n=2, pressure={"demand": np.array([1.0, 0.5])}))
    assert out.pressures.tolist() == [[1.0, 2.0, 4.0], [0.5, 1.0, 2.0]]
    # pressure + net of both bids (0.25, -0.3, -0.5): 1.25, 1.7, 3.5 and 0.75, 0.7, 1.5
    assert out.additional == pytest.approx(
        np.array([[1.25, 1.7, 3.5], [0.75, 0.7, 1.5]]), abs=1e-12
    )


def test_case_without_other_directorates_has_a_zero_row_for_them() -> None:
    others = case_arrays(draws()).others
    assert others.shape == (3,)
    assert others.tolist() == [0.0, 0.0, 0.0]


# --- distributions ----------------------------------------------------------------------


def test_uniform_ignores_the_mode_and_stays_within_min_and_max() -> None:
    x = sample(np.random.default_rng(5), "uniform", 2.0, 9.0, 4.0, (2000,))
    assert x.min() >= 2.0 and x.max() < 4.0
    assert abs(x.mean() - 3.0) < 0.1  # the middle of 2 and 4


def test_an_unknown_distribution_is_named_with_those_allowed() -> None:
    with pytest.raises(ValueError) as e:
        sample(np.random.default_rng(5), "lognormal", 1.0, 1.0, 2.0, (1,))
    assert message(e) == (
        "unknown distribution 'lognormal'; expected one of "
        "('triangular', 'pert', 'uniform', 'fixed')"
    )


# --- the summary's chances --------------------------------------------------------------


def test_chances_round_money_to_nine_decimals_and_use_the_last_mtfs_year() -> None:
    z = ScenarioSamples(
        net_saving=np.zeros((2, 3)),
        funding_support=np.zeros((2, 3)),
        revised_gap=np.array([[0.0, 9.0, 1.3], [0.0, 9.0, 1.0]]),
        programme_npv=np.array([0.3, -0.2]),
        bid_npv=np.array([[0.3, -0.4], [0.2, 0.6]]),
        payback_year=np.zeros((2, 2), dtype=np.int64),
        discounted_payback_year=np.zeros((2, 2), dtype=np.int64),
    )
    m = summarise(z, 3, 1.0)
    # NPV > 0 (£0.3m and £0.2m count, though under £0.5m): bid 1 both, bid 2 one of two
    assert m.prob_npv_positive.tolist() == [1.0, 0.5]
    # programme NPV 0.3 > 0, -0.2 not: one of two
    assert m.prob_programme_npv_positive == 0.5
    # last year's gap against the base of 1.0: 1.3 above it by 0.3, 1.0 within -> one of two
    # (2025/26's 9.0 is never within)
    assert m.prob_gap_within_base == 0.5
    # median programme NPV (0.3 - 0.2) / 2 = 0.05
    assert m.programme_npv == pytest.approx(np.array([-0.15, 0.05, 0.25]), abs=1e-12)
