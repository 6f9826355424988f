"""Monte Carlo scenarios: distributions, degenerate runs equal to the engine, seeds, case
file checks of [scenarios] and [[uncertainty]]."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import cases

from cypsxl.casefile import (
    case_from_dict,
    dump_case,
    load_case,
    parse_case,
    reference_case,
    reference_case_text,
)
from cypsxl.cli import main as cli_main
from cypsxl.errors import CaseError
from cypsxl.model import Uncertainty, monte_carlo, run_case, scenario_samples
from cypsxl.model.scenarios import CHUNK, pert, sample, triangular, uncertain_bids

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "northshire_2025.toml"

NEUTRAL = """
[[uncertainty]]
input = "delivery"
distribution = "fixed"
value = 1.0

[[uncertainty]]
input = "avoided_cost"
distribution = "triangular"
min = 22000
mode = 22000
max = 22000

[[uncertainty]]
input = "part_year_factor"
distribution = "pert"
min = 0.5
mode = 0.5
max = 0.5

[[uncertainty]]
input = "saving"
distribution = "uniform"
min = 1.0
max = 1.0

[[uncertainty]]
input = "investment"
distribution = "triangular"
min = 1.0
mode = 1.0
max = 1.0

[[uncertainty]]
input = "saving_delay"
distribution = "pert"
min = 0
mode = 0
max = 0

[[uncertainty]]
input = "pressure"
line = "demand"
distribution = "fixed"
value = 1.0
"""

UNCERTAIN = """
[scenarios]
n = 3000
seed = 11
payback_within_years = 3

[[uncertainty]]
input = "delivery"
distribution = "pert"
min = 0.4
mode = 0.8
max = 1.0

[[uncertainty]]
input = "saving_delay"
distribution = "triangular"
min = 0
mode = 0
max = 2
bids = ["CYPS_2", "CYPS_5"]

[[uncertainty]]
input = "pressure"
line = "demand"
distribution = "uniform"
min = 0.95
max = 1.1
"""


def _case(extra: str):
    return parse_case(reference_case_text() + extra)


def _equal(a, b) -> bool:
    return all(
        np.array_equal(getattr(a, f.name), getattr(b, f.name), equal_nan=True)
        for f in dataclasses.fields(a)
    )


def test_degenerate_distributions_equal_the_deterministic_run_exactly():
    case = _case(NEUTRAL)
    r = run_case(case)
    s = scenario_samples(case, n=50, seed=5)
    for k in range(50):
        assert np.array_equal(s.funding_support[k], r.budget.funding_support)
        assert np.array_equal(s.revised_gap[k], r.gap.revised)
        assert np.array_equal(s.net_saving[k], -r.bids.net.sum(axis=0))
        assert np.array_equal(s.payback_year[k], r.bids.payback_year)


def _point(kind: str, dist: str, value: float) -> dict:
    if dist == "fixed":
        return {"input": kind, "distribution": dist, "value": value}
    if dist == "uniform":
        return {"input": kind, "distribution": dist, "min": value, "max": value}
    return {"input": kind, "distribution": dist, "min": value, "mode": value, "max": value}


@settings(max_examples=40, deadline=None)
@given(cases(min_bids=1), st.lists(st.sampled_from(["triangular", "pert", "uniform", "fixed"])))
def test_degenerate_distributions_equal_the_deterministic_run_for_any_case(doc, dists):
    # every input made "uncertain" at its central value, in any case (bids with their own
    # avoided cost and part-year factor included): each scenario is the engine's run
    d = (dists + ["pert"] * 7)[:7]
    a = doc["assumptions"]
    doc["uncertainty"] = [
        _point("delivery", d[0], 1.0),
        _point("saving", d[3], 1.0),
        _point("investment", d[4], 1.0),
        _point("saving_delay", d[5], 0.0),
        {**_point("pressure", d[6], 1.0), "line": "demand"},
    ]
    for kind, key, dist in (
        ("avoided_cost", "avoided_cost_per_child_per_year", d[1]),
        ("part_year_factor", "part_year_factor", d[2]),
    ):
        # the case-wide value where bids use it; each bid's own value, listed by ref
        if any(key not in b for b in doc["bid"]):
            doc["uncertainty"].append(_point(kind, dist, a[key]))
        doc["uncertainty"] += [
            {**_point(kind, dist, b[key]), "bids": [b["ref"]]} for b in doc["bid"] if key in b
        ]
    case = case_from_dict(doc)
    r = run_case(case)
    s = scenario_samples(case, n=4, seed=2)
    assert np.array_equal(s.revised_gap, np.tile(r.gap.revised, (4, 1)))
    assert np.array_equal(s.funding_support, np.tile(r.budget.funding_support, (4, 1)))
    assert np.array_equal(s.net_saving, np.tile(-r.bids.net.sum(axis=0), (4, 1)))
    assert np.array_equal(s.payback_year, np.tile(r.bids.payback_year, (4, 1)))


def test_case_wide_avoided_cost_keeps_a_bids_own_cost():
    # Northshire: [assumptions] £58,000 a child-year; NCC_2 its own £215,000 (residential).
    # Avoided cost fixed at £40,000 applies to NCC_1 only (NCC_3 has no children):
    # NCC_1 prevented 0, 10, 12, 12, half a year at first:
    #   at £58k: 0, 10 x 0.5 x 58k = 0.290, (10 + 12 x 0.5) x 58k = 0.928, (22 + 6) x 58k = 1.624
    #   at £40k: 0, 0.200, 0.640, 1.120 -> net saving lower by 0, 0.090, 0.288, 0.504
    text = EXAMPLE.read_text("utf-8")
    extra = '\n[[uncertainty]]\ninput = "avoided_cost"\ndistribution = "fixed"\nvalue = 40000\n'
    case = parse_case(text + extra)
    assert uncertain_bids(case, case.scenarios.uncertainties[0]) == ("NCC_1",)
    central = -run_case(load_case(EXAMPLE)).bids.net.sum(axis=0)
    s = scenario_samples(case, n=2, seed=1)
    assert s.net_saving[0] == pytest.approx(central - [0.0, 0.090, 0.288, 0.504], abs=1e-12)
    # listing NCC_2 as well (a second table) moves its cost too, and does not clash:
    # NCC_2 prevented 2, 4, 4, 0: at £215k 0.215, 0.860, 1.720, 2.150; at £200k
    # 2 x 0.5 x 200k = 0.200, (2 + 2) x 200k = 0.800, (6 + 2) x 200k = 1.600, 10 x 200k = 2.000
    both = parse_case(text + extra + extra.replace("40000", '200000\nbids = ["NCC_2"]'))
    s2 = scenario_samples(both, n=2, seed=1)
    ncc_2 = np.array([0.015, 0.060, 0.120, 0.150])
    assert s2.net_saving[0] == pytest.approx(
        central - [0.0, 0.090, 0.288, 0.504] - ncc_2, abs=1e-12
    )


THROUGH_CHILDREN = """
[[uncertainty]]
input = "delivery"
distribution = "pert"
min = 0.5
mode = 0.8
max = 1.0

[[uncertainty]]
input = "avoided_cost"
distribution = "triangular"
min = 50000
mode = 58000
max = 66000

[[uncertainty]]
input = "part_year_factor"
distribution = "uniform"
min = 0.25
max = 0.75
"""


def test_children_inputs_apply_only_to_bids_that_prevent_children(tmp_path, capsys):
    # Northshire: NCC_1 prevents children at the case's £58,000 a year; NCC_2 prevents
    # children at its own £215,000; NCC_3 types its gross saving (agency staff) and
    # prevents none, so delivery, avoided cost and part-year factor cannot move it
    path = tmp_path / "mixed.toml"
    path.write_text(EXAMPLE.read_text("utf-8") + THROUGH_CHILDREN, "utf-8")
    assert cli_main(["scenarios", str(path), "-n", "400", "--seed", "3", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [u["applies_to"] for u in doc["uncertainties"]] == [
        ["NCC_1", "NCC_2"],  # delivery: the bids with children
        ["NCC_1"],  # the case's avoided cost: NCC_2 keeps its own, NCC_3 has no children
        ["NCC_1", "NCC_2"],  # the case's part-year factor: both with children use it
    ]
    # the text says the same
    assert cli_main(["scenarios", str(path), "-n", "40", "--seed", "3"]) == 0
    text = capsys.readouterr().out
    assert "delivery: pert(0.5, 0.8, 1) - bids that prevent children: NCC_1, NCC_2\n" in text
    assert " - bids that prevent children and use the case's value: NCC_1\n" in text
    # listed by name, NCC_3 still has no children to deliver
    case = parse_case(path.read_text("utf-8"))
    listed = Uncertainty("delivery", "fixed", 0.5, 0.5, 0.5, bids=("NCC_2", "NCC_3"))
    assert uncertain_bids(case, listed) == ("NCC_2",)
    # NCC_3 net benefit -0.7, 0.4, 1.1, 1.1 (saving 0.2, 0.8, 1.1, 1.1 - investment 0.9,
    # 0.4, 0, 0); NPV at 3.5%, first year undiscounted:
    # -0.7 + 0.4 / 1.035 + 1.1 / 1.035^2 + 1.1 / 1.035^3 = 1.705472 - in every scenario
    want = -0.7 + 0.4 / 1.035 + 1.1 / 1.035**2 + 1.1 / 1.035**3
    ncc3 = doc["base"]["bids"]["NCC_3"]
    assert list(ncc3["npv"].values()) == pytest.approx([want] * 3, abs=1e-12)
    assert ncc3["prob_npv_positive"] == 1.0
    # the bids with children do move: NCC_1's NPV is spread
    ncc1 = doc["base"]["bids"]["NCC_1"]["npv"]
    assert ncc1["p10"] < ncc1["p50"] < ncc1["p90"]
    # every scenario keeps NCC_3's figures exactly
    s = scenario_samples(case, n=50, seed=3)
    assert np.ptp(s.bid_npv[:, 2]) == 0.0 and s.bid_npv[0, 2] == pytest.approx(want, abs=1e-12)


def test_case_wide_avoided_cost_with_every_bid_owning_one_is_an_error():
    own = "avoided_cost_per_child_per_year = 58000\n"
    text = (
        EXAMPLE.read_text("utf-8")
        .replace('ref = "NCC_1"\n', 'ref = "NCC_1"\n' + own)
        .replace('ref = "NCC_3"\n', 'ref = "NCC_3"\n' + own)
    )
    extra = '\n[[uncertainty]]\ninput = "avoided_cost"\ndistribution = "fixed"\nvalue = 40000\n'
    with pytest.raises(CaseError) as err:
        parse_case(text + extra, "case.toml")
    (problem,) = [p for p in err.value.problems if p.key == "bids"]
    assert "every bid has its own avoided_cost_per_child_per_year" in problem.message


def test_degenerate_half_delivery_equals_a_case_with_half_the_children():
    case = _case('\n[[uncertainty]]\ninput = "delivery"\ndistribution = "fixed"\nvalue = 0.5\n')
    half = dataclasses.replace(
        case,
        bids=tuple(
            dataclasses.replace(b, prevented=tuple(p * 0.5 for p in b.prevented))
            if b.prevented
            else b
            for b in case.bids
        ),
    )
    r = run_case(half)
    s = scenario_samples(case, n=4, seed=1)
    assert np.array_equal(s.revised_gap, np.tile(r.gap.revised, (4, 1)))
    assert np.array_equal(s.funding_support, np.tile(r.budget.funding_support, (4, 1)))


def test_no_uncertainty_gives_the_central_case_every_time():
    r = monte_carlo(reference_case(), n=20, seed=3)
    central = run_case(reference_case())
    for row in r.base.revised_gap:
        assert np.array_equal(row, central.gap.revised)
    # CYPS_5 pays back in 2018/19 (reference report: year 3): certain within 4 MTFS years
    i = [b.ref for b in reference_case().bids].index("CYPS_5")
    assert r.base.prob_payback[i] == 1.0
    assert monte_carlo(reference_case(), n=20, seed=3, payback_within=2).base.prob_payback[i] == 0


def test_same_seed_same_output_and_other_seed_differs():
    case = _case(UNCERTAIN)
    a, b = monte_carlo(case), monte_carlo(case)
    assert (a.n, a.seed, a.payback_within) == (3000, 11, 3)
    assert _equal(a.base, b.base)
    c = monte_carlo(case, seed=12)
    assert not np.array_equal(a.base.net_saving, c.base.net_saving)


def test_a_run_without_seed_reports_the_seed_it_used():
    case = _case(UNCERTAIN.replace("seed = 11\n", ""))
    first = monte_carlo(case, n=200)
    again = monte_carlo(case, n=200, seed=first.seed)
    assert _equal(first.base, again.base)


def test_chunks_a_longer_run_starts_with_the_shorter_one():
    case = _case(UNCERTAIN)
    short = scenario_samples(case, n=CHUNK, seed=4)
    long = scenario_samples(case, n=CHUNK + 7, seed=4)
    assert np.array_equal(long.revised_gap[:CHUNK], short.revised_gap)
    assert long.revised_gap.shape[0] == CHUNK + 7


def test_uncertainty_moves_results_the_expected_way():
    case = _case(UNCERTAIN)
    r = monte_carlo(case)
    central = run_case(case)
    p10, p50, p90 = r.base.revised_gap
    # Each P is what its name says of the very scenarios drawn (the same seed and n):
    # at least q% of them at or below it, at most q% (plus one scenario) strictly below.
    drawn = scenario_samples(case, n=3000, seed=11).revised_gap
    for q, row in ((10, p10), (50, p50), (90, p90)):
        assert ((drawn <= row + 1e-12).mean(axis=0) >= q / 100).all(), q
        assert ((drawn < row - 1e-12).mean(axis=0) <= q / 100 + 1 / 3000).all(), q
    # the demand and delivery draws spread every year after the one-off first year
    assert r.base.revised_gap[0, 0] == r.base.revised_gap[2, 0] == 0.0
    assert (p10[1:] < p90[1:]).all()
    # delivery at most as planned and savings only delayed: the net saving never beats plan
    assert (r.base.net_saving[-1] <= -central.bids.net.sum(axis=0) + 1e-9).all()


def test_optimism_bias_uses_the_same_draws():
    text = (
        reference_case_text()
        .replace("weeks_per_year = 52 ", "optimism_bias = { investment_uplift_percent = 0 }\n#")
        .replace('ref = "CYPS_7"', 'ref = "CYPS_7"\noptimism_bias = { saving_cut_percent = 0 }')
    )
    case = parse_case(text + UNCERTAIN)
    r = monte_carlo(case)
    # a bias of zero is no bias: nothing is applied and OB figures equal the base
    assert not r.has_optimism_bias and _equal(r.base, r.adjusted)
    biased = parse_case(
        reference_case_text().replace(
            "weeks_per_year = 52 ", "optimism_bias = { investment_uplift_percent = 20 }\n#"
        )
        + UNCERTAIN
    )
    rb = monte_carlo(biased)
    assert rb.has_optimism_bias
    # +20% investment only: every percentile of net saving is lower by at most 20% of the
    # total investment in the year (delivery draws identical with and without bias)
    total_inv = run_case(biased).budget.investment
    diff = rb.base.net_saving - rb.adjusted.net_saving
    assert np.allclose(diff, 0.2 * total_inv, atol=1e-9)


# --------------------------------------------------------------------------- distributions


def test_triangular_and_pert_moments():
    rng = np.random.default_rng(0)
    t = sample(rng, "triangular", 0.4, 0.8, 1.0, (200_000,))
    p = sample(rng, "pert", 0.4, 0.8, 1.0, (200_000,))
    assert t.min() >= 0.4 and t.max() <= 1.0 and p.min() >= 0.4 and p.max() <= 1.0
    assert t.mean() == pytest.approx((0.4 + 0.8 + 1.0) / 3, abs=2e-3)  # 0.7333
    assert p.mean() == pytest.approx((0.4 + 4 * 0.8 + 1.0) / 6, abs=2e-3)  # 0.7667


@given(
    st.floats(-1e6, 1e6),
    st.floats(0, 1e6),
    st.floats(0, 1),
    st.floats(0, 1),
)
def test_draws_stay_within_their_range(low, width, where, u):
    high = low + width
    mode = low + where * width
    x = triangular(np.array([u]), low, mode, high)[0]
    assert low - 1e-6 <= x <= high + 1e-6
    y = pert(np.random.default_rng(1), low, mode, high, (5,))
    assert (y >= low - 1e-6).all() and (y <= high + 1e-6).all()


@settings(max_examples=20, deadline=None)
@given(st.floats(0, 2), st.integers(0, 2))
def test_degenerate_draws_are_exact(value, delay):
    case = _case(
        f'\n[[uncertainty]]\ninput = "delivery"\ndistribution = "triangular"\n'
        f"min = {value!r}\nmode = {value!r}\nmax = {value!r}\n"
    )
    s = scenario_samples(case, n=3, seed=delay)
    assert np.array_equal(s.revised_gap[0], s.revised_gap[2])


# --------------------------------------------------------------------------- case file


def test_scenarios_round_trip_through_the_case_file():
    others = NEUTRAL.split("[[uncertainty]]")[2:5]  # avoided cost, part-year, saving
    case = _case(UNCERTAIN + "[[uncertainty]]" + "[[uncertainty]]".join(others))
    assert parse_case(dump_case(case)) == case
    assert case.scenarios.n == 3000 and case.scenarios.uncertainties[1].bids == (
        "CYPS_2",
        "CYPS_5",
    )


@pytest.mark.parametrize(
    ("extra", "key", "words"),
    [
        ("[scenarios]\nn = 0\n", "n", "whole number >= 1"),
        ("[scenarios]\nseed = -1\n", "seed", "whole number >= 0"),
        ("[scenarios]\nsensitivity_percent = 150\n", "sensitivity_percent", "0 to 100"),
        (
            '[[uncertainty]]\ninput = "delivery"\ndistribution = "pert"\n'
            "min = 1.0\nmode = 0.9\nmax = 0.5\n",
            "min",
            "expected min <= max",
        ),
        (
            '[[uncertainty]]\ninput = "delivery"\ndistribution = "triangular"\n'
            "min = 0.5\nmode = 1.2\nmax = 1.0\n",
            "mode",
            "from min 0.5 to max 1",
        ),
        (
            '[[uncertainty]]\ninput = "part_year_factor"\ndistribution = "uniform"\n'
            "min = 0.2\nmax = 1.5\n",
            "max",
            "fraction from 0 to 1",
        ),
        (
            '[[uncertainty]]\ninput = "kids"\ndistribution = "uniform"\nmin = 0\nmax = 1\n',
            "input",
            "expected one of",
        ),
        (
            '[[uncertainty]]\ninput = "saving"\ndistribution = "normal"\nmin = 0\nmax = 1\n',
            "distribution",
            "triangular, pert, uniform, fixed",
        ),
        (
            '[[uncertainty]]\ninput = "saving"\ndistribution = "pert"\nmin = 0\nmax = 1\n',
            "mode",
            "missing",
        ),
        (
            '[[uncertainty]]\ninput = "saving"\ndistribution = "fixed"\nvalue = 1\n'
            'bids = ["CYPS_99"]\n',
            "bids",
            "expected a bid ref",
        ),
        (
            '[[uncertainty]]\ninput = "pressure"\nline = "weather"\ndistribution = "fixed"\n'
            "value = 1\n",
            "line",
            "pressure line",
        ),
        (
            '[[uncertainty]]\ninput = "saving"\ndistribution = "fixed"\nvalue = 1\n'
            '[[uncertainty]]\ninput = "saving"\ndistribution = "fixed"\nvalue = 0.9\n'
            'bids = ["CYPS_2"]\n',
            "bids",
            "already uncertain in uncertainty #1",
        ),
    ],
)
def test_bad_scenario_settings_name_the_key(extra, key, words):
    with pytest.raises(CaseError) as err:
        parse_case(reference_case_text() + "\n" + extra, "case.toml")
    problems = [p for p in err.value.problems if p.key == key]
    assert problems, [str(p) for p in err.value.problems]
    assert words in problems[0].message
    assert problems[0].line is not None and problems[0].file == "case.toml"


def test_every_problem_is_reported_at_once():
    extra = (
        "[scenarios]\nn = 0\n"
        '[[uncertainty]]\ninput = "delivery"\ndistribution = "pert"\nmin = 2\nmode = 1\nmax = 0\n'
    )
    with pytest.raises(CaseError) as err:
        parse_case(reference_case_text() + "\n" + extra)
    assert {p.key for p in err.value.problems} >= {"n", "min"}


@pytest.mark.parametrize(
    ("dist", "low", "mode", "high", "words"),
    [
        ("triangular", 1.0, 0.9, 0.5, "min <= mode <= max, got 1, 0.9, 0.5"),
        ("pert", 0.5, 1.2, 1.0, "min <= mode <= max, got 0.5, 1.2, 1"),
        ("uniform", 2.0, 2.0, 1.0, "min <= max, got 2, 1"),
        ("pert", float("nan"), 0.5, 1.0, "got nan, 0.5, 1"),
    ],
)
def test_model_rejects_an_impossible_distribution(dist, low, mode, high, words):
    # a case built in Python (not read from a file) is checked when it is drawn
    case = reference_case()
    u = Uncertainty("delivery", dist, low, mode, high)
    bad = dataclasses.replace(
        case, scenarios=dataclasses.replace(case.scenarios, uncertainties=(u,))
    )
    with pytest.raises(ValueError, match=f"impossible {dist} distribution: expected .*{words}"):
        monte_carlo(bad, n=5, seed=1)


def test_model_rejects_n_below_one():
    with pytest.raises(ValueError, match="whole number >= 1"):
        scenario_samples(reference_case(), n=0)
    with pytest.raises(ValueError, match="N >= 1"):
        monte_carlo(reference_case(), n=5, seed=1, payback_within=0)
