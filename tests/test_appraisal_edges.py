"""Appraisal edges that kill mutants which survived every other test (docs/mutation.md):
each tornado lever's low and high effect and the tornado's order, switching values of a
bid that never pays back, always pays back or has no saving, optimism bias combined
(case-wide and a bid's own) and the Monte Carlo memory bound. Small hand-built cases;
the arithmetic is in the comments.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from cypsxl.casefile import parse_case
from cypsxl.model import (
    TornadoRow,
    apply_optimism_bias,
    appraise_case,
    sensitivity,
    switching_payback_cut,
    switching_saving_cut,
)
from cypsxl.model.scenarios import _check_n, max_scenarios

# Three years, all in the MTFS. £10,000 a child-year, half a year in the first year.
# A: 10 children prevented in 2024/25 and 10 in 2025/26:
#    gross saving 10 x 0.5 x 0.01 = 0.05; (10 + 10 x 0.5) x 0.01 = 0.15; 20 x 0.01 = 0.2
#    investment 0.1, 0.05, 0 -> net 0.05, -0.1, -0.2
# B: gross saving 0, 0.2, 0.3; investment 0.2, 0, 0 -> net 0.2, -0.2, -0.3
# Pressure (demand) 1, 2, 4; base gap 0, 0, 0. Level = pressure + net of both bids:
#    1.25, 1.70, 3.50; revised gap 2026/27 = 0 + 3.50 - 1.70 = 1.80
CASE = """
[case]
name = "Edges"
years = ["2024/25", "2025/26", "2026/27"]

[assumptions]
avoided_cost_per_child_per_year = 10000
part_year_factor = 0.5
discount_rate = 0.0
{bias}
[cyps_budget]
net_budget = [50.0, 50.0, 50.0]
pressure_demand = [1.0, 2.0, 4.0]

[mtfs]
base_gap = [0.0, 0.0, 0.0]

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
{own}
"""


def edges(bias: str = "", own: str = ""):
    return parse_case(CASE.format(bias=bias, own=own))


def effects(rows) -> dict[str, tuple[float, float, float, float]]:
    return {
        r.key: (r.cumulative_net_low, r.cumulative_net_high, r.revised_gap_low, r.revised_gap_high)
        for r in rows
    }


def test_the_edges_case_by_hand():
    ap = appraise_case(edges())
    bids, programme = ap.base
    assert bids.gross_saving == pytest.approx(np.array([[0.05, 0.15, 0.2], [0.0, 0.2, 0.3]]))
    # cumulative net 0.05 - 0.1 - 0.2 + 0.2 - 0.2 - 0.3 = -0.55; revised gap 1.80 (above)
    assert programme.cumulative_net == pytest.approx(-0.55, abs=1e-12)
    assert programme.revised_gap_last == pytest.approx(1.80, abs=1e-12)


# Each group moved by -/+10%: (cumulative net low, high, revised gap 2026/27 low, high).
# The gap in the last year moves by (change in last year's net) - (change in the year before).
TORNADO = {
    # A's savings x 0.9: -0.005, -0.015, -0.02 -> cumulative net +0.04; the nets of 2025/26
    # and 2026/27 rise by 0.015 and 0.02 -> gap +0.02 - 0.015 = +0.005; x 1.1 the opposite
    "avoided_cost": (0.04, -0.04, 0.005, -0.005),
    # factor 0.45: A saves 10 x 0.45 x 0.01 = 0.045, (10 + 4.5) x 0.01 = 0.145, 0.2:
    # -0.005, -0.005, 0 -> cumulative +0.01; gap 0 - 0.005 = -0.005; 0.55 the opposite
    "part_year_factor": (0.01, -0.01, -0.005, 0.005),
    # 90% of A's children delivered: the same as A's avoided cost x 0.9
    "prevented:A": (0.04, -0.04, 0.005, -0.005),
    # A's investment x 0.9: -0.01, -0.005, 0 -> cumulative -0.015; gap 0 - (-0.005) = +0.005
    "investment:A": (-0.015, 0.015, 0.005, -0.005),
    # B's saving x 0.9: 0, -0.02, -0.03 -> cumulative +0.05; gap 0.03 - 0.02 = +0.01
    "saving:B": (0.05, -0.05, 0.01, -0.01),
    # B's investment x 0.9: -0.02 in 2024/25 only -> cumulative -0.02; 2026/27's gap is
    # unmoved (neither it nor 2025/26 changes)
    "investment:B": (-0.02, 0.02, 0.0, 0.0),
    # demand x 0.9: levels -0.1, -0.2, -0.4 -> gap -0.4 + 0.2 = -0.2; bids' net unmoved
    "pressure:demand": (0.0, 0.0, -0.2, 0.2),
}


def test_every_tornado_lever_low_and_high_by_hand():
    got = effects(sensitivity(edges(), 0.1))
    assert set(got) == set(TORNADO)
    for key, want in TORNADO.items():
        assert got[key] == pytest.approx(want, abs=1e-12), key


def test_tornado_sorted_by_swing_and_labelled():
    rows = sensitivity(edges(), 0.1)
    # swings 0.2, 0.05, 0.04, 0.04 (a tie keeps the groups' order: case-wide first),
    # 0.02, 0.015, 0.01
    assert [r.key for r in rows] == [
        "pressure:demand",
        "saving:B",
        "avoided_cost",
        "prevented:A",
        "investment:B",
        "investment:A",
        "part_year_factor",
    ]
    assert [r.swing for r in rows] == pytest.approx([0.2, 0.05, 0.04, 0.04, 0.02, 0.015, 0.01])
    labels = {r.key: r.label for r in rows}
    assert labels == {
        "avoided_cost": "Avoided cost per child",
        "part_year_factor": "Part-year factor",
        "prevented:A": "A prevented children",
        "investment:A": "A investment",
        "saving:B": "B gross saving",
        "investment:B": "B investment",
        "pressure:demand": "Pressure: demand",
    }


def test_tornado_at_thirty_percent_clips_nothing_and_scales_linearly():
    # factor 0.5 x 1.3 = 0.65 stays below 1: every effect is 3 times the 10% one
    got = effects(sensitivity(edges(), 0.3))
    for key, want in TORNADO.items():
        assert got[key] == pytest.approx([3 * w for w in want], abs=1e-12), key


def test_tornado_part_year_factor_clipped_at_one():
    # share 1: factor 0.5 x 0 = 0 and 0.5 x 2 = 1.0 (at the clip).
    # factor 0: A saves 0, 0.1, 0.2 -> -0.05, -0.05, 0 -> cumulative +0.1; gap 0 - 0.05
    # factor 1: A saves 0.1, 0.2, 0.2 -> +0.05, +0.05, 0 -> cumulative -0.1; gap +0.05
    got = effects(sensitivity(edges(), 1.0))["part_year_factor"]
    assert got == pytest.approx((0.1, -0.1, -0.05, 0.05), abs=1e-12)
    text = CASE.format(bias="", own="").replace("part_year_factor = 0.5", "part_year_factor = 0.8")
    # factor 0.8 x 1.5 = 1.2 clipped to 1: A saves 0.1, 0.2, 0.2 (was 0.08, 0.18, 0.2):
    # +0.02, +0.02, 0 -> cumulative -0.04, gap +0.02; low 0.8 x 0.5 = 0.4: 0.04, 0.14, 0.2
    # -> -0.04, -0.04, 0 -> cumulative +0.08, gap -0.04 (unclipped, so not symmetric)
    got = effects(sensitivity(parse_case(text), 0.5))["part_year_factor"]
    assert got == pytest.approx((0.08, -0.04, -0.04, 0.02), abs=1e-12)


def test_tornado_on_top_of_a_bids_own_optimism_bias():
    own = "optimism_bias = { saving_cut_percent = 50, investment_uplift_percent = 50 }"
    rows = effects(sensitivity(edges(own=own), 0.1, optimism_bias=True))
    # B after bias: saving 0, 0.1, 0.15; investment 0.3. Saving x 0.9: 0, -0.01, -0.015
    # -> cumulative +0.025, gap +0.015 - 0.01 = +0.005; investment x 0.9: -0.03
    assert rows["saving:B"] == pytest.approx((0.025, -0.025, 0.005, -0.005), abs=1e-12)
    assert rows["investment:B"] == pytest.approx((-0.03, 0.03, 0.0, 0.0), abs=1e-12)
    # A has no bias of its own: its levers are as without bias
    assert rows["investment:A"] == pytest.approx(TORNADO["investment:A"], abs=1e-12)
    assert rows["prevented:A"] == pytest.approx(TORNADO["prevented:A"], abs=1e-12)
    # without the bias switched on, B is as in the plain case
    plain = effects(sensitivity(edges(own=own), 0.1))
    assert plain["saving:B"] == pytest.approx(TORNADO["saving:B"], abs=1e-12)


def test_tornado_on_top_of_a_delay():
    own = "optimism_bias = { saving_delay_years = 1 }"
    rows = effects(sensitivity(edges(own=own), 0.1, optimism_bias=True))
    # B's saving a year later: 0, 0, 0.2 (0.3 passes the end). x 0.9: -0.02 in 2026/27
    # -> cumulative +0.02, gap +0.02
    assert rows["saving:B"] == pytest.approx((0.02, -0.02, 0.02, -0.02), abs=1e-12)


def test_a_bid_without_investment_or_children_has_no_such_groups():
    text = CASE.format(bias="", own="").replace(
        "investment = [0.2, 0.0, 0.0]", "investment = [0.0, 0.0, 0.0]"
    )
    keys = {r.key for r in sensitivity(parse_case(text), 0.1)}
    assert keys == set(TORNADO) - {"investment:B"}
    # no children prevented by any bid: no avoided cost, part-year factor or children group
    text = CASE.format(bias="", own="").replace("prevented = [10, 10, 0]", "prevented = [0, 0, 0]")
    keys = {r.key for r in sensitivity(parse_case(text), 0.1)}
    assert keys == {"investment:A", "saving:B", "investment:B", "pressure:demand"}


def test_a_pressure_line_labelled_in_words_and_a_zero_line_left_out():
    text = CASE.format(bias="", own="").replace(
        "pressure_demand = [1.0, 2.0, 4.0]",
        "pressure_demand = [1.0, 2.0, 4.0]\npressure_social_care = [0.0, 0.0, 0.5]\n"
        "pressure_reserve = [0.0, 0.0, 0.0]",
    )
    rows = {r.key: r for r in sensitivity(parse_case(text), 0.1)}
    assert "pressure:reserve" not in rows
    care = rows["pressure:social_care"]
    # 0.5 in 2026/27 only, x 0.9: level -0.05 -> gap -0.05; bids' net unmoved
    assert care.label == "Pressure: social care"
    assert (care.cumulative_net_low, care.cumulative_net_high) == (0.0, 0.0)
    assert (care.revised_gap_low, care.revised_gap_high) == pytest.approx((-0.05, 0.05))


def test_swing_is_the_largest_of_the_four_effects_whichever_it_is():
    # each of the four in turn the largest in size, the others smaller either way
    assert TornadoRow("k", "K", -0.4, 0.1, -0.2, 0.3).swing == 0.4
    assert TornadoRow("k", "K", 0.1, -0.4, -0.2, 0.3).swing == 0.4
    assert TornadoRow("k", "K", 0.1, -0.3, -0.4, 0.2).swing == 0.4
    assert TornadoRow("k", "K", 0.1, -0.3, -0.2, 0.4).swing == 0.4


# --------------------------------------------------------------------------- switching


def test_switching_saving_cut_edges():
    # rate 0 so PVs are sums. Always pays back: no investment -> cut 1 - 0 / 0.2 = 1
    assert switching_saving_cut([0.0, 0.0], [0.1, 0.1], 0.0) == 1.0
    # never pays back: investment 0.3, saving 0.1 -> 1 - 0.3 / 0.1 = -2 (must treble)
    assert switching_saving_cut([0.3, 0.0], [0.0, 0.1], 0.0) == pytest.approx(-2.0)
    # exactly breaking even: NPV 0 -> cut 0
    assert switching_saving_cut([0.2, 0.0], [0.0, 0.2], 0.0) == pytest.approx(0.0, abs=1e-15)
    # no saving at all: NaN (no cut can help), row by row
    out = switching_saving_cut([[0.3, 0.0], [0.1, 0.0]], [[0.0, 0.0], [0.0, 0.4]], 0.0)
    assert math.isnan(out[0]) and out[1] == pytest.approx(0.75)  # 1 - 0.1 / 0.4
    # discounted at 10%: PV saving 0.22 / 1.1 = 0.2, PV investment 0.1 -> 1 - 0.5 = 0.5
    assert switching_saving_cut([0.1, 0.0], [0.0, 0.22], 0.1) == pytest.approx(0.5)


def test_switching_payback_cut_edges():
    # payback within 2 years needs investment[t] < (1 - cut) x saving[t] in some year t < 2
    # always pays back: 2024/25 has no investment -> 1 - 0 / 0.2 = 1
    assert switching_payback_cut([0.0, 0.1], [0.2, 0.2], 2) == 1.0
    # never pays back: 1 - 0.3 / 0.1 = -2, 1 - 0.3 / 0.2 = -0.5 -> -0.5 (already past)
    assert switching_payback_cut([0.3, 0.3], [0.1, 0.2], 2) == pytest.approx(-0.5)
    # the horizon counts: one year sees only -2
    assert switching_payback_cut([0.3, 0.3], [0.1, 0.2], 1) == pytest.approx(-2.0)
    # savings only after the horizon: NaN; with the horizon at 3, 1 - 0.1 / 0.5 = 0.8
    assert math.isnan(switching_payback_cut([0.1, 0.1, 0.1], [0.0, 0.0, 0.5], 2))
    assert switching_payback_cut([0.1, 0.1, 0.1], [0.0, 0.0, 0.5], 3) == pytest.approx(0.8)
    # no saving at all, and a horizon of no years: NaN
    assert math.isnan(switching_payback_cut([0.1, 0.1], [0.0, 0.0], 2))
    assert math.isnan(switching_payback_cut([0.0, 0.1], [0.2, 0.2], 0))
    # rows: one bid each
    out = switching_payback_cut([[0.0, 0.1], [0.3, 0.3]], [[0.2, 0.2], [0.1, 0.2]], 2)
    assert out.tolist() == pytest.approx([1.0, -0.5])


def test_switching_discounted_payback_cut_edges():
    # at 10%: cumulative discounted investment 0.1, 0.1; saving 0, 0.22 / 1.1 = 0.2
    # -> 2024/25 has no saving; 2025/26: 1 - 0.1 / 0.2 = 0.5
    assert switching_payback_cut([0.1, 0.0], [0.0, 0.22], 2, 0.1) == pytest.approx(0.5)
    # within one year there is no saving: NaN
    assert math.isnan(switching_payback_cut([0.1, 0.0], [0.0, 0.22], 1, 0.1))
    # undiscounted, the same bid: 1 - 0 / 0.22 = 1 in 2025/26 (that year has no investment)
    assert switching_payback_cut([0.1, 0.0], [0.0, 0.22], 2) == 1.0
    # cumulative, never pays back: 0.3, 0.3 against 0.1, 0.1 + 0.11 / 1.1 = 0.2 -> -0.5
    assert switching_payback_cut([0.3, 0.0], [0.1, 0.11], 2, 0.1) == pytest.approx(-0.5)


def test_case_switching_values_by_hand():
    bids, _ = appraise_case(edges()).base
    # rate 0. A: PV investment 0.15, saving 0.4 -> 1 - 0.15 / 0.4 = 0.625
    # B: 0.2 against 0.5 -> 1 - 0.4 = 0.6
    assert bids.switching_saving_cut.tolist() == pytest.approx([0.625, 0.6])
    # payback: A 1 - 0.1 / 0.05 = -1, 1 - 0.05 / 0.15 = 2/3, 1 - 0 = 1 -> 1;
    # B: 2025/26 has no investment -> 1
    assert bids.switching_payback_cut.tolist() == pytest.approx([1.0, 1.0])
    # discounted (rate 0 = cumulative): A 0.1/0.05, 0.15/0.2, 0.15/0.4 -> 1 - 0.375 = 0.625
    # B: 0.2 / 0.2 = 1 -> 0; 0.2 / 0.5 -> 0.6
    assert bids.switching_discounted_payback_cut.tolist() == pytest.approx([0.625, 0.6])


# --------------------------------------------------------------------------- optimism bias


def test_optimism_bias_combined_per_bid():
    # row 1: +50%, -20%, 1 year later; row 2: +10%, -50%, no delay
    inv, sav = apply_optimism_bias(
        [[0.1, 0.05, 0.0], [0.2, 0.0, 0.0]],
        [[0.05, 0.15, 0.2], [0.0, 0.2, 0.3]],
        [0.5, 0.1],
        [0.2, 0.5],
        [1, 0],
    )
    # 0.1 x 1.5 = 0.15, 0.05 x 1.5 = 0.075; 0.2 x 1.1 = 0.22
    assert inv == pytest.approx(np.array([[0.15, 0.075, 0.0], [0.22, 0.0, 0.0]]))
    # 0.05 x 0.8 = 0.04, 0.15 x 0.8 = 0.12 a year later (0.2 x 0.8 passes the end);
    # 0.2 x 0.5 = 0.1, 0.3 x 0.5 = 0.15
    assert sav == pytest.approx(np.array([[0.0, 0.04, 0.12], [0.0, 0.1, 0.15]]))
    # a delay of two years leaves only the first year's saving, in the last year
    _, sav = apply_optimism_bias([0.1, 0.0, 0.0], [0.05, 0.15, 0.2], 0.0, 0.0, 2)
    assert sav.tolist() == pytest.approx([0.0, 0.0, 0.05])


def test_case_wide_bias_with_a_bids_own_replacing_it():
    bias = (
        "[assumptions.optimism_bias]\ninvestment_uplift_percent = 50\n"
        "saving_cut_percent = 20\nsaving_delay_years = 1\n"
    )
    own = "optimism_bias = { investment_uplift_percent = 10 }"
    ap = appraise_case(edges(bias=bias, own=own))
    adj, _ = ap.adjusted
    # A takes the case's: investment x 1.5, saving x 0.8 a year later (as above)
    # B its own only: investment 0.2 x 1.1 = 0.22; no cut, no delay (not added to the case's)
    assert adj.investment == pytest.approx(np.array([[0.15, 0.075, 0.0], [0.22, 0.0, 0.0]]))
    assert adj.gross_saving == pytest.approx(np.array([[0.0, 0.04, 0.12], [0.0, 0.2, 0.3]]))
    assert [
        (o.investment_uplift, o.saving_cut, o.saving_delay_years) for o in ap.optimism_bias
    ] == [
        pytest.approx((0.5, 0.2, 1)),
        pytest.approx((0.1, 0.0, 0)),
    ]
    # NPV at rate 0 = saving - investment: A 0.16 - 0.225 = -0.065; B 0.5 - 0.22 = 0.28
    assert adj.npv.tolist() == pytest.approx([-0.065, 0.28], abs=1e-12)
    # A's switching cut after bias: 1 - 0.225 / 0.16 = -0.40625 (never pays back)
    assert adj.switching_saving_cut[0] == pytest.approx(-0.40625)
    # A's payback, the report's rule: nets 0.15, 0.035, -0.12 -> year 3
    assert adj.payback_year.tolist() == [3, 2]
    # the base is untouched
    assert ap.base[0].investment == pytest.approx(np.array([[0.1, 0.05, 0.0], [0.2, 0.0, 0.0]]))


# --------------------------------------------------------------------------- memory bound


def many_bids(n: int):
    bids = "".join(
        f'\n[[bid]]\nref = "B{i}"\ntitle = "Bid {i}"\ninvestment = [0.1, 0.0, 0.0]\n'
        "gross_saving = [0.0, 0.1, 0.1]\n"
        for i in range(n)
    )
    head = CASE.split("[[bid]]")[0].format(bias="", own="")
    return parse_case(head + bids)


def test_max_scenarios_for_a_known_bid_count():
    # bytes kept per scenario: 8 x (3 x years + 3 x bids + 1). 3 years, 30 bids:
    # 8 x (9 + 90 + 1) = 800 -> 800,000,000 // 800 = 1,000,000, exactly the cap
    assert max_scenarios(many_bids(30)) == 1_000_000
    # 31 bids: 8 x (9 + 93 + 1) = 824 -> 800,000,000 // 824 = 970,873
    # (824 x 970,873 = 799,999,352; 824 x 970,874 = 800,000,176 is over)
    case = many_bids(31)
    assert max_scenarios(case) == 970_873
    _check_n(970_873, case)
    with pytest.raises(ValueError, match="at most 970,873"):
        _check_n(970_874, case)
    # 40 bids: 8 x (9 + 120 + 1) = 1,040 -> 769,230 (1,040 x 769,230 = 799,999,200)
    assert max_scenarios(many_bids(40)) == 769_230
    # 50 bids: 8 x (9 + 150 + 1) = 1,280, which divides the budget: 625,000 exactly
    assert max_scenarios(many_bids(50)) == 625_000
    # one bid: 8 x 13 = 104 bytes -> 7,692,307, capped at 1,000,000
    assert max_scenarios(edges()) == 1_000_000
    _check_n(1_000_000, edges())
