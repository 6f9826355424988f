"""Green Book appraisal measures pinned on small hand-worked cases: every bid measure and
the programme's at a discount rate other than the Green Book's (so a measure discounted
at the wrong rate shows), payback judged over the MTFS years only, the delivery share's
three branches, the tornado's share and optimism bias as the appraisal passes them on,
IRR where money rounds to zero, per-bid discount schedules, and the placement helpers'
defaults and messages. The arithmetic is in the comments.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from cypsxl.casefile import parse_case
from cypsxl.model import (
    Placements,
    appraise_case,
    benefit_cost_ratio,
    discount_factors,
    discounted_payback_year,
    irr,
    lac_projection,
    npv,
    placement_table,
    price_projection,
    sensitivity,
    switching_delivery_share,
    switching_payback_cut,
    switching_saving_cut,
)

# Four plan years, the first three in the MTFS; a discount rate of 100% so that the
# discount factors are 1, 1/2, 1/4, 1/8 (exact in binary).
# A: investment 0.1, 0, 0, 0; saving 0, 0.4, 0, 0
# B: investment 0.2 a year; saving 0, 0.1, 0.4, 1.2
MEASURES = """
[case]
name = "Measures"
years = ["2024/25", "2025/26", "2026/27", "2027/28"]
mtfs_years = ["2024/25", "2025/26", "2026/27"]

[assumptions]
discount_rate = 1.0

[cyps_budget]
net_budget = [50.0, 50.0, 50.0, 50.0]
pressure_demand = [1.0, 1.0, 1.0, 1.0]

[mtfs]
base_gap = [0.0, 0.0, 0.0]

[[bid]]
ref = "A"
title = "Short"
investment = [0.1, 0.0, 0.0, 0.0]
gross_saving = [0.0, 0.4, 0.0, 0.0]

[[bid]]
ref = "B"
title = "Long"
investment = [0.2, 0.2, 0.2, 0.2]
gross_saving = [0.0, 0.1, 0.4, 1.2]
"""


def measures_case():
    return parse_case(MEASURES)


def test_bid_present_values_npv_and_bcr_at_the_cases_rate():
    ap = appraise_case(measures_case())
    bids, _ = ap.base
    # A: PV investment 0.1; PV saving 0.4 / 2 = 0.2; NPV 0.1; BCR 0.2 / 0.1 = 2
    # B: PV investment 0.2 + 0.1 + 0.05 + 0.025 = 0.375;
    #    PV saving 0.1 / 2 + 0.4 / 4 + 1.2 / 8 = 0.05 + 0.1 + 0.15 = 0.3; NPV -0.075;
    #    BCR 0.3 / 0.375 = 0.8 (at 3.5% it would be about 1.85)
    assert bids.pv_investment.tolist() == pytest.approx([0.1, 0.375], abs=1e-12)
    assert bids.pv_saving.tolist() == pytest.approx([0.2, 0.3], abs=1e-12)
    assert bids.npv.tolist() == pytest.approx([0.1, -0.075], abs=1e-12)
    assert bids.bcr.tolist() == pytest.approx([2.0, 0.8], abs=1e-12)


def test_bid_irr_is_of_the_net_saving():
    bids, _ = appraise_case(measures_case()).base
    # A's net saving -0.1, 0.4, 0, 0: -0.1 + 0.4 / (1 + r) = 0 -> 1 + r = 4 -> r = 3
    assert float(bids.irr[0]) == pytest.approx(3.0, abs=1e-9)
    # B's net saving -0.2, -0.1, 0.2, 1.0 changes sign: its IRR r has, with x = 1/(1 + r),
    # -0.2 - 0.1x + 0.2x^2 + 1.0x^3 = 0; at r = 100% (x = 1/2) the NPV is -0.075 < 0, so
    # the IRR is below 100%
    r = float(bids.irr[1])
    x = 1.0 / (1.0 + r)
    assert -0.2 - 0.1 * x + 0.2 * x**2 + 1.0 * x**3 == pytest.approx(0.0, abs=1e-9)
    assert 0.0 < r < 1.0


def test_bid_payback_breakeven_and_discounted_payback_years():
    bids, _ = appraise_case(measures_case()).base
    # engine net (investment - saving): A 0.1, -0.4, 0, 0 -> payback year 2;
    # B 0.2, 0.1, -0.2, -1.0 -> year 3
    assert bids.payback_year.tolist() == [2, 3]
    # running totals, bid by bid: A 0.1, -0.3, -0.3, -0.3 -> year 2;
    # B 0.2, 0.3, 0.1, -0.9 -> year 4 (A and B added would be 0.3, -0.2: year 2)
    assert bids.breakeven_year.tolist() == [2, 4]
    # discounted running totals of investment - saving at 100%:
    # A 0.1, 0.1 - 0.4 / 2 = -0.1 -> year 2
    # B 0.2, 0.2 + 0.1 / 2 = 0.25, 0.25 - 0.2 / 4 = 0.2, 0.2 - 1.0 / 8 = 0.075 -> never (0)
    # (at 3.5%: 0.2, 0.297, 0.110, 0.110 - 1.0 / 1.035^3 < 0 -> year 4)
    assert bids.discounted_payback_year.tolist() == [2, 0]


def test_bid_switching_payback_cuts_look_at_the_mtfs_years_only():
    bids, _ = appraise_case(measures_case()).base
    # report's payback, years 1-3: A 1 - 0 / 0.4 = 1 in 2025/26;
    # B 1 - 0.2 / 0.1 = -1, 1 - 0.2 / 0.4 = 0.5 -> 0.5
    # (2027/28, outside the MTFS, would give 1 - 0.2 / 1.2 = 5/6)
    assert bids.switching_payback_cut.tolist() == pytest.approx([1.0, 0.5], abs=1e-12)
    # discounted: cumulative PV investment A 0.1, 0.1, 0.1; saving 0, 0.2, 0.2
    # -> 1 - 0.1 / 0.2 = 0.5. B investment 0.2, 0.3, 0.35 (0.375); saving 0, 0.05, 0.15
    # (0.3) -> 1 - 0.3 / 0.05 = -5, 1 - 0.35 / 0.15 = -4/3 -> -4/3
    # (2027/28 would give 1 - 0.375 / 0.3 = -0.25)
    assert bids.switching_discounted_payback_cut.tolist() == pytest.approx(
        [0.5, -4.0 / 3.0], abs=1e-12
    )
    # NPV = 0: A 1 - 0.1 / 0.2 = 0.5; B 1 - 0.375 / 0.3 = -0.25
    assert bids.switching_saving_cut.tolist() == pytest.approx([0.5, -0.25], abs=1e-12)


def test_programme_measures_at_the_cases_rate():
    _, prog = appraise_case(measures_case()).base
    # A + B: investment 0.3, 0.2, 0.2, 0.2; saving 0, 0.5, 0.4, 1.2
    assert prog.net_saving.tolist() == pytest.approx([-0.3, 0.3, 0.2, 1.0], abs=1e-12)
    # PV investment 0.3 + 0.1 + 0.05 + 0.025 = 0.475; saving 0.25 + 0.1 + 0.15 = 0.5
    assert prog.pv_investment == pytest.approx(0.475, abs=1e-12)
    assert prog.pv_saving == pytest.approx(0.5, abs=1e-12)
    assert prog.npv == pytest.approx(0.025, abs=1e-12)
    # BCR 0.5 / 0.475 = 20/19 (at 3.5% about 2.1)
    assert prog.bcr == pytest.approx(20.0 / 19.0, abs=1e-12)
    # discounted running total: 0.3, 0.3 - 0.15 = 0.15, 0.15 - 0.05 = 0.1,
    # 0.1 - 1.0 / 8 = -0.025 -> year 4 (at 3.5%: 0.3, 0.010, 0.010 - 0.187 < 0 -> year 3)
    assert prog.discounted_payback_year == 4
    # IRR: -0.3 + 0.3x + 0.2x^2 + 1.0x^3 = 0 (x = 1/(1 + r)); NPV at 100% is +0.025 so
    # the IRR is above 100%
    x = 1.0 / (1.0 + prog.irr)
    assert -0.3 + 0.3 * x + 0.2 * x**2 + 1.0 * x**3 == pytest.approx(0.0, abs=1e-9)
    assert prog.irr > 1.0


def test_appraisal_keeps_the_case_its_rate_and_discount_factors():
    case = measures_case()
    ap = appraise_case(case)
    assert ap.case is case
    assert ap.rate == 1.0
    # 1, 1/2, 1/4, 1/8
    assert ap.discount_factors.tolist() == [1.0, 0.5, 0.25, 0.125]


def test_discounted_payback_year_uses_the_rate_given():
    # investment 0.2, saving 0, 0.21: at 5% the discounted saving is 0.21 / 1.05 = 0.2,
    # exactly the investment: not yet paid back; at 3.5% 0.21 / 1.035 = 0.2029 > 0.2: year 2
    assert discounted_payback_year([0.2, 0.0], [0.0, 0.21], 0.05) is None
    assert discounted_payback_year([0.2, 0.0], [0.0, 0.21]) == 2


def test_a_single_bid_gives_python_floats():
    # -1 + 1.05 / 1.05 = 0
    got = npv([-1.0, 1.05], 0.05)
    assert isinstance(got, float) and got == 0.0
    # (0.21 / 1.05) / 0.1 = 2
    bcr = benefit_cost_ratio([0.1, 0.0], [0.0, 0.21], 0.05)
    assert isinstance(bcr, float) and bcr == pytest.approx(2.0)
    # 1 - 0.1 / 0.2 = 0.5
    cut = switching_saving_cut([0.1, 0.0], [0.0, 0.21], 0.05)
    assert isinstance(cut, float) and cut == pytest.approx(0.5)
    assert isinstance(switching_payback_cut([0.0, 0.1], [0.2, 0.2], 2), float)
    # -1 + 1.1 / (1 + r) = 0 -> r = 0.1
    rate = irr([-1.0, 1.1])
    assert isinstance(rate, float) and rate == pytest.approx(0.1)


def test_discount_schedules_one_per_bid():
    # row 1: 1, 1/1.1, 1/(1.1 x 1.2) = 1/1.32; row 2: 1, 1/1.0, 1/(1.0 x 1.25) = 0.8
    # (each row's first rate is not used)
    got = discount_factors([[0.5, 0.1, 0.2], [0.5, 0.0, 0.25]], 3)
    assert got.shape == (2, 3)
    assert got == pytest.approx(np.array([[1.0, 1 / 1.1, 1 / 1.32], [1.0, 1.0, 0.8]]))


def test_irr_needs_an_outlay_and_a_return_in_money_rounded_to_nine_decimals():
    # an outlay of 1e-12 rounds to nothing: no IRR (unrounded it would be about 1e12)
    assert math.isnan(irr([-1e-12, 1.0]))
    # a return of 1e-12 rounds to nothing: no IRR (unrounded about -1)
    assert math.isnan(irr([-1.0, 1e-12]))
    # a return smaller than one unit still counts: -1 + 0.5 / (1 + r) = 0 -> r = -0.5
    assert irr([-1.0, 0.5]) == pytest.approx(-0.5)


# --------------------------------------------------------------------------- delivery share

# Three years, all in the MTFS, rate 0. P prevents 10 children in 2026/27, £10,000 a
# child-year, a whole year at once (factor 1): saving 0, 0, 0.1 when all are delivered.
# The last year's revised gap = base gap + (level 2026/27 - level 2025/26), levels =
# pressures + the bids' net.
DELIVERY = """
[case]
name = "Delivery"
years = ["2024/25", "2025/26", "2026/27"]

[assumptions]
avoided_cost_per_child_per_year = 10000
part_year_factor = 1.0
discount_rate = 0.0
{bias}
[cyps_budget]
net_budget = [50.0, 50.0, 50.0]
pressure_demand = {pressure}

[mtfs]
base_gap = [0.0, 0.0, 1.0]

[[bid]]
ref = "P"
title = "Edge of care"
investment = [0.0, 0.0, 0.0]
prevented = {prevented}
"""

CUT_HALF = "[assumptions.optimism_bias]\nsaving_cut_percent = 50\n"


def delivery_case(pressure: str, prevented: str = "[0, 0, 10]", bias: str = ""):
    return parse_case(DELIVERY.format(pressure=pressure, prevented=prevented, bias=bias))


def test_delivery_share_within_reach():
    # pressure 0, 0, 0.05: none delivered, gap 1 + 0.05; all, 1 + 0.05 - 0.1 = 0.95
    # share (1.05 - 1) / (1.05 - 0.95) = 0.5 (the gap moves by 0.1, less than one unit)
    case = delivery_case("[0.0, 0.0, 0.05]")
    assert switching_delivery_share(case) == pytest.approx(0.5, abs=1e-9)
    _, prog = appraise_case(case).base
    assert prog.switching_delivery_share == pytest.approx(0.5, abs=1e-9)


def test_delivery_share_zero_when_the_gap_is_below_the_base_anyway():
    # pressure 0, 0.1, 0.05: none delivered, gap 1 + 0.05 - 0.1 = 0.95 < 1 -> 0
    # (the formula would give (0.95 - 1) / 0.1 = -0.5)
    assert switching_delivery_share(delivery_case("[0.0, 0.1, 0.05]")) == 0.0


def test_delivery_share_zero_when_the_gap_is_exactly_the_base_without_children():
    # pressure 0, 0.05, 0.05 and no children: the gap is 1 + 0 = 1, exactly the base, with
    # or without delivery: 0 (delivery cannot move it, but it need not)
    case = delivery_case("[0.0, 0.05, 0.05]", prevented="[0, 0, 0]")
    assert switching_delivery_share(case) == 0.0


def test_delivery_share_nan_when_delivery_cannot_move_the_gap():
    # no children and the gap 1.05 above the base 1: NaN
    case = delivery_case("[0.0, 0.0, 0.05]", prevented="[0, 0, 0]")
    assert math.isnan(switching_delivery_share(case))


def test_delivery_share_with_and_without_optimism_bias():
    case = delivery_case("[0.0, 0.0, 0.05]", bias=CUT_HALF)
    # without bias (the default): 0.05 / 0.1 = 0.5
    assert switching_delivery_share(case) == pytest.approx(0.5, abs=1e-9)
    assert switching_delivery_share(case, optimism_bias=False) == pytest.approx(0.5, abs=1e-9)
    # savings cut by half: all delivered saves 0.05 -> 0.05 / 0.05 = 1
    assert switching_delivery_share(case, optimism_bias=True) == pytest.approx(1.0, abs=1e-9)
    ap = appraise_case(case)
    assert ap.adjusted[1].switching_delivery_share == pytest.approx(1.0, abs=1e-9)


# --------------------------------------------------------------------------- tornado


def prevented_row(rows) -> tuple[float, float, float, float]:
    (r,) = [r for r in rows if r.key == "prevented:P"]
    return (r.cumulative_net_low, r.cumulative_net_high, r.revised_gap_low, r.revised_gap_high)


def test_sensitivity_defaults_to_ten_percent():
    # P saves 0, 0, 0.1; 90% delivered saves 0.01 less in 2026/27: cumulative net +0.01,
    # last year's gap +0.01; 110% the opposite
    rows = sensitivity(delivery_case("[0.0, 0.0, 0.05]"))
    assert prevented_row(rows) == pytest.approx((0.01, -0.01, 0.01, -0.01), abs=1e-12)


def test_appraisal_tornado_at_the_share_given_with_and_without_bias():
    case = delivery_case("[0.0, 0.0, 0.05]", bias=CUT_HALF)
    ap = appraise_case(case, share=0.3)
    assert ap.sensitivity_share == 0.3
    # 70% delivered: 0.3 x 0.1 = 0.03 less saved in 2026/27
    assert prevented_row(ap.tornado_base) == pytest.approx((0.03, -0.03, 0.03, -0.03), abs=1e-12)
    # after the 50% cut P saves 0.05: 0.3 x 0.05 = 0.015
    assert prevented_row(ap.tornado_adjusted) == pytest.approx(
        (0.015, -0.015, 0.015, -0.015), abs=1e-12
    )
    # without a share the case's own (10% unless set): 0.01 and 0.005
    ap = appraise_case(case)
    assert ap.sensitivity_share == 0.1
    assert prevented_row(ap.tornado_adjusted) == pytest.approx(
        (0.005, -0.005, 0.005, -0.005), abs=1e-12
    )


def test_tornado_of_a_case_with_only_one_bid_groups():
    # no children prevented and no pressure: only the bid's saving and investment move.
    # X: investment 0.2, 0, 0; saving 0, 0.1, 0.3
    text = (
        DELIVERY.format(pressure="[0.0, 0.0, 0.0]", prevented="[0, 0, 0]", bias="")
        .replace("investment = [0.0, 0.0, 0.0]", "investment = [0.2, 0.0, 0.0]")
        .replace("prevented = [0, 0, 0]", "gross_saving = [0.0, 0.1, 0.3]")
    )
    rows = {
        r.key: (r.cumulative_net_low, r.cumulative_net_high, r.revised_gap_low, r.revised_gap_high)
        for r in sensitivity(parse_case(text), 0.1)
    }
    assert set(rows) == {"saving:P", "investment:P"}
    # saving x 0.9: 0, -0.01, -0.03 -> cumulative net +0.04; gap +0.03 - 0.01 = +0.02
    assert rows["saving:P"] == pytest.approx((0.04, -0.04, 0.02, -0.02), abs=1e-12)
    # investment x 0.9: -0.02 in 2024/25 -> cumulative -0.02; the last year's gap unmoved
    assert rows["investment:P"] == pytest.approx((-0.02, 0.02, 0.0, 0.0), abs=1e-12)


# --------------------------------------------------------------------------- placements


def test_lac_projection_needs_a_year():
    with pytest.raises(ValueError, match=r"^n_years must be at least 1$"):
        lac_projection(100, 5, 0)


def test_price_projection_uses_the_weeks_given():
    # 10 children, all in IFA at £500 a week for 50 weeks: 10 x 500 x 50 = 250,000
    # (52 weeks would give 260,000)
    got = price_projection([10.0], {"ifa": 1.0}, {"ifa": 500.0}, 50.0)
    assert got.tolist() == pytest.approx([250_000.0])


def test_a_placement_type_priced_but_not_counted_has_no_children():
    case = replace(
        delivery_case("[0.0, 0.0, 0.05]"),
        placements=Placements(
            weekly_cost={"ifa": 1000.0, "residential": 4000.0}, counts={"ifa": 2.0}
        ),
    )
    table = placement_table(case)
    assert table is not None
    assert table.counts.tolist() == [2.0, 0.0]
    # 2 x £1,000 x 52 weeks = £104,000 = 0.104 £m; residential none
    assert table.annual_cost.tolist() == pytest.approx([0.104, 0.0])
