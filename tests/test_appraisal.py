"""Green Book appraisal: NPV, discounted payback, BCR, IRR, optimism bias, switching values
and the tornado. Expected values are worked by hand below (Green Book rate 3.5%)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import cases, money, rows

from cypsxl.casefile import case_from_dict, parse_case, reference_case, reference_case_text
from cypsxl.model import (
    OptimismBias,
    apply_optimism_bias,
    appraise_case,
    benefit_cost_ratio,
    bid_table,
    discount_factors,
    discounted_payback_year,
    discounted_payback_years,
    irr,
    npv,
    run_case,
    sensitivity,
    switching_delivery_share,
    switching_payback_cut,
    switching_saving_cut,
)

# Two reference bids (reference report, Appendix 1; £22,000 a child-year, half a year at
# first). CYPS_7: 12 children home in 2017/18: 12 x 0.5 x 22,000 = 0.132 then 12 x 22,000
# = 0.264 a year. CYPS_2: 15, 27, 30, 30 prevented: 15 x 0.5 x 22k = 0.165;
# (15 + 27 x 0.5) x 22k = 0.627; (42 + 30 x 0.5) x 22k = 1.254; (72 + 15) x 22k = 1.914.
CYPS_7_INV = [0.000, 0.090, 0.000, 0.000, 0.000]
CYPS_7_SAV = [0.000, 0.132, 0.264, 0.264, 0.264]
CYPS_2_INV = [0.100, 0.164, 0.164, 0.164, 0.164]
CYPS_2_SAV = [0.000, 0.165, 0.627, 1.254, 1.914]
D1, D2, D3, D4 = 1.035, 1.035**2, 1.035**3, 1.035**4  # 1.035, 1.071225, 1.108718, 1.147523

# CYPS_7, savings - investment = 0, 0.042, 0.264, 0.264, 0.264:
# 0.042/1.035 + 0.264/1.071225 + 0.264/1.108718 + 0.264/1.147523
# = 0.040580 + 0.246447 + 0.238113 + 0.230061 = 0.755200
CYPS_7_NPV = 0.042 / D1 + 0.264 / D2 + 0.264 / D3 + 0.264 / D4
# PV savings 0.132/1.035 + 0.755200 - 0.040580 = 0.127536 + 0.714620 = 0.842156;
# PV investment 0.090/1.035 = 0.086957; BCR = 0.842156 / 0.086957 = 9.685
CYPS_7_BCR = (0.132 / D1 + 0.264 / D2 + 0.264 / D3 + 0.264 / D4) / (0.090 / D1)
# CYPS_2, savings - investment = -0.100, 0.001, 0.463, 1.090, 1.750:
# -0.1 + 0.000966 + 0.432216 + 0.983120 + 1.525024 = 2.841326
CYPS_2_NPV = -0.1 + 0.001 / D1 + 0.463 / D2 + 1.090 / D3 + 1.750 / D4
# PV savings 0.159420 + 0.585311 + 1.131035 + 1.667942 = 3.543708;
# PV investment 0.1 + 0.164 x (1/1.035 + ... + 1/1.035^4 = 3.673079) = 0.702385; BCR 5.045
CYPS_2_BCR = (0.165 / D1 + 0.627 / D2 + 1.254 / D3 + 1.914 / D4) / (
    0.1 + 0.164 * (1 / D1 + 1 / D2 + 1 / D3 + 1 / D4)
)


def test_hand_worked_npv_of_two_reference_bids():
    assert npv(np.subtract(CYPS_7_SAV, CYPS_7_INV), 0.035) == pytest.approx(CYPS_7_NPV, abs=1e-12)
    assert abs(CYPS_7_NPV - 0.755200) < 5e-7
    assert npv(np.subtract(CYPS_2_SAV, CYPS_2_INV)) == pytest.approx(CYPS_2_NPV, abs=1e-12)
    assert abs(CYPS_2_NPV - 2.841326) < 5e-6


def test_hand_worked_discounted_payback_of_two_reference_bids():
    # CYPS_7: 2016/17 nothing; 2017/18 0.090/1.035 < 0.132/1.035 -> year 2 (2017/18)
    assert discounted_payback_year(CYPS_7_INV, CYPS_7_SAV) == 2
    # CYPS_2: discounted running total of savings - investment: -0.1; -0.1 + 0.000966 =
    # -0.099034; -0.099034 + 0.432216 = 0.333182 > 0 -> year 3 (2018/19)
    assert discounted_payback_year(CYPS_2_INV, CYPS_2_SAV) == 3
    # the report's payback for both is year 2 (reference report, Table 2)
    both = discounted_payback_years([CYPS_7_INV, CYPS_2_INV], [CYPS_7_SAV, CYPS_2_SAV])
    assert both.tolist() == [2, 3]


def test_hand_worked_bcr_of_two_reference_bids():
    assert benefit_cost_ratio(CYPS_7_INV, CYPS_7_SAV) == pytest.approx(CYPS_7_BCR, rel=1e-12)
    assert abs(CYPS_7_BCR - 9.685) < 5e-4
    assert benefit_cost_ratio(CYPS_2_INV, CYPS_2_SAV) == pytest.approx(CYPS_2_BCR, rel=1e-12)
    assert abs(CYPS_2_BCR - 5.045) < 5e-4


def test_case_appraisal_matches_the_hand_worked_bids():
    bids, _ = appraise_case(reference_case()).base
    i7, i2 = bids.refs.index("CYPS_7"), bids.refs.index("CYPS_2")
    assert bids.npv[i7] == pytest.approx(CYPS_7_NPV, abs=1e-9)
    assert bids.npv[i2] == pytest.approx(CYPS_2_NPV, abs=1e-9)
    assert bids.bcr[i7] == pytest.approx(CYPS_7_BCR, rel=1e-9)
    assert bids.bcr[i2] == pytest.approx(CYPS_2_BCR, rel=1e-9)
    assert bids.discounted_payback_year[[i7, i2]].tolist() == [2, 3]
    # reference report, bid payback column: CYPS_7 2, CYPS_2 2
    assert bids.payback_year[[i7, i2]].tolist() == [2, 2]
    # CYPS_6 (MST) has no investment: no BCR; CYPS_7 never has an outlay: no IRR
    assert math.isnan(bids.bcr[bids.refs.index("CYPS_6")])
    assert math.isnan(bids.irr[i7])


def test_switching_values_of_cyps_7_by_hand():
    # NPV = 0 when savings fall by NPV / PV savings = 0.755200 / 0.842156 = 89.67%
    pv_sav = 0.132 / D1 + 0.264 / D2 + 0.264 / D3 + 0.264 / D4
    assert switching_saving_cut(CYPS_7_INV, CYPS_7_SAV) == pytest.approx(CYPS_7_NPV / pv_sav)
    # payback past 2019/20 (4 MTFS years): 2018/19 has no investment, so only a 100% cut
    assert switching_payback_cut(CYPS_7_INV, CYPS_7_SAV, 4) == 1.0
    # within 2 years only 2017/18 counts: 1 - 0.090 / 0.132 = 31.8%
    assert switching_payback_cut(CYPS_7_INV, CYPS_7_SAV, 2) == pytest.approx(1 - 0.090 / 0.132)


def test_irr_solves_npv_zero_for_cyps_2():
    r = irr(np.subtract(CYPS_2_SAV, CYPS_2_INV))
    assert r > 0
    assert npv(np.subtract(CYPS_2_SAV, CYPS_2_INV), r) == pytest.approx(0.0, abs=1e-9)


def test_optimism_bias_by_hand_on_cyps_7():
    # +20% investment, -25% savings, one year later:
    # investment 0.090 x 1.2 = 0.108; savings x 0.75 = 0, 0.099, 0.198, 0.198 moved a year
    inv, sav = apply_optimism_bias(CYPS_7_INV, CYPS_7_SAV, 0.2, 0.25, 1)
    assert inv.tolist() == pytest.approx([0.0, 0.108, 0.0, 0.0, 0.0])
    assert sav.tolist() == pytest.approx([0.0, 0.0, 0.099, 0.198, 0.198])
    text = reference_case_text().replace(
        'ref = "CYPS_7"',
        'ref = "CYPS_7"\noptimism_bias = { investment_uplift_percent = 20,'
        " saving_cut_percent = 25, saving_delay_years = 1 }",
    )
    ap = appraise_case(parse_case(text))
    i = ap.base[0].refs.index("CYPS_7")
    # -0.108/1.035 + 0.099/1.035^2 + 0.198/1.035^3 + 0.198/1.035^4
    expected = -0.108 / D1 + 0.099 / D2 + 0.198 / D3 + 0.198 / D4
    assert ap.adjusted[0].npv[i] == pytest.approx(expected, abs=1e-12)
    assert ap.base[0].npv[i] == pytest.approx(CYPS_7_NPV, abs=1e-12)
    # the other bids have no bias: adjusted = base; the programme moves by CYPS_7's change
    j = ap.base[0].refs.index("CYPS_2")
    assert ap.adjusted[0].npv[j] == ap.base[0].npv[j]
    assert ap.adjusted[1].npv - ap.base[1].npv == pytest.approx(expected - CYPS_7_NPV)


def test_case_wide_optimism_bias_applies_unless_a_bid_has_its_own():
    text = reference_case_text().replace(
        "weeks_per_year = 52 ",
        "optimism_bias = { saving_cut_percent = 10 }\nweeks_per_year = 52 ",
    )
    text = text.replace(
        'ref = "CYPS_7"', 'ref = "CYPS_7"\noptimism_bias = { saving_cut_percent = 0 }'
    )
    ap = appraise_case(parse_case(text))
    bids, adj = ap.base[0], ap.adjusted[0]
    i7, i2 = bids.refs.index("CYPS_7"), bids.refs.index("CYPS_2")
    assert adj.npv[i7] == bids.npv[i7]
    # CYPS_2 savings 10% lower: NPV falls by 10% of PV savings 3.543708
    pv_sav = 0.165 / D1 + 0.627 / D2 + 1.254 / D3 + 1.914 / D4
    assert bids.npv[i2] - adj.npv[i2] == pytest.approx(0.1 * pv_sav, abs=1e-12)


def test_discount_schedule():
    # a schedule of equal rates is the single rate
    assert discount_factors([0.035] * 5, 5) == pytest.approx(discount_factors(0.035, 5))
    # rates[t] discounts year t to t - 1: 1, 1/1.035, 1/(1.035 x 1.03)
    assert discount_factors([0.9, 0.035, 0.03], 3).tolist() == pytest.approx(
        [1.0, 1 / 1.035, 1 / (1.035 * 1.03)]
    )
    text = reference_case_text().replace(
        "weeks_per_year = 52 ", "discount_rates = [0.035, 0.035, 0.035, 0.03, 0.03]\n#"
    )
    bids, _ = appraise_case(parse_case(text)).base
    i = bids.refs.index("CYPS_7")
    # 0.042/1.035 + 0.264/1.035^2 + 0.264/(1.035^2 x 1.03) + 0.264/(1.035^2 x 1.03^2)
    assert bids.npv[i] == pytest.approx(
        0.042 / D1 + 0.264 / D2 + 0.264 / (D2 * 1.03) + 0.264 / (D2 * 1.03**2), abs=1e-12
    )


def test_programme_switching_delivery_share():
    # 2019/20 (reference report, Table 4): revised gap 18.863 vs base 20.077; prevented
    # savings of all bids rise 1.815 -> 3.256 from 2018/19 (CYPS_2 0.627 -> 1.254, CYPS_3
    # 0.198 -> 0.330, CYPS_5 0.594 -> 1.188, CYPS_6 0.132 -> 0.220, CYPS_7 0.264 -> 0.264),
    # so with none delivered the gap would be 18.864 + 1.441 = 20.305; the share needed is
    # (20.305 - 20.077) / 1.441 = 0.158
    case = reference_case()
    share = switching_delivery_share(case)
    assert share == pytest.approx((20.305 - 20.077) / 1.441, abs=1e-3)
    # delivering exactly that share puts the revised gap on the base gap
    scaled = dataclasses.replace(
        case,
        bids=tuple(
            dataclasses.replace(b, prevented=tuple(p * share for p in b.prevented))
            if b.prevented
            else b
            for b in case.bids
        ),
    )
    assert run_case(scaled).gap.revised[-1] == pytest.approx(case.mtfs.base_gap[-1], abs=1e-9)


def test_tornado_demand_pressure_by_hand():
    rows_ = {r.key: r for r in sensitivity(reference_case(), 0.1)}
    # demand 8.402 (2018/19) -> 9.458 (2019/20): the 2019/20 gap moves by 10% of 1.056
    assert rows_["pressure:demand"].revised_gap_high == pytest.approx(0.1056, abs=1e-12)
    assert rows_["pressure:demand"].revised_gap_low == pytest.approx(-0.1056, abs=1e-12)
    # CYPS_7 investment (0.090 in 2017/18 only): cumulative net -/+0.009, gap 2019/20 unmoved
    r = rows_["investment:CYPS_7"]
    assert (r.cumulative_net_low, r.cumulative_net_high) == pytest.approx((-0.009, 0.009))
    assert r.revised_gap_high == 0.0
    swings = [r.swing for r in sensitivity(reference_case(), 0.1)]
    assert swings == sorted(swings, reverse=True)


@pytest.mark.parametrize("share", [-0.1, 1.5, float("nan")])
def test_sensitivity_share_outside_0_to_1_is_refused(share):
    with pytest.raises(ValueError, match="from 0 to 1"):
        sensitivity(reference_case(), share)


def test_sensitivity_at_zero_percent_is_zero():
    for r in sensitivity(reference_case(), 0.0):
        assert (r.cumulative_net_low, r.cumulative_net_high) == (0.0, 0.0)
        assert (r.revised_gap_low, r.revised_gap_high) == (0.0, 0.0)


# --------------------------------------------------------------------------- properties


@settings(max_examples=60, deadline=None)
@given(cases(min_bids=1))
def test_npv_at_zero_rate_is_minus_the_cumulative_net(doc):
    doc["assumptions"]["discount_rate"] = 0.0
    case = case_from_dict(doc)
    bids, programme = appraise_case(case, 0.0).base
    table = bid_table(case)
    assert bids.npv == pytest.approx(-table.cumulative_net[:, -1], abs=1e-9)
    assert programme.npv == pytest.approx(-table.cumulative_net[:, -1].sum(), abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(cases(min_bids=1))
def test_optimism_bias_of_zero_changes_nothing(doc):
    doc["assumptions"]["optimism_bias"] = {
        "investment_uplift_percent": 0,
        "saving_cut_percent": 0,
        "saving_delay_years": 0,
    }
    for bid in doc["bid"]:
        bid["optimism_bias"] = {"saving_cut_percent": 0}
    case = case_from_dict(doc)
    ap = appraise_case(case, 0.1)
    for base, adj in zip(ap.base, ap.adjusted, strict=True):
        for f in dataclasses.fields(base):
            x, y = getattr(base, f.name), getattr(adj, f.name)
            if f.name == "refs":
                assert x == y
            else:
                assert np.array_equal(x, y, equal_nan=True), f.name
    table = bid_table(case)
    inv, sav = apply_optimism_bias(table.investment, table.gross_saving, 0.0, 0.0, 0)
    assert np.array_equal(inv, table.investment) and np.array_equal(sav, table.gross_saving)


@settings(max_examples=40, deadline=None)
@given(cases(min_bids=1))
def test_sensitivity_at_zero_is_zero_for_any_case(doc):
    for r in sensitivity(case_from_dict(doc), 0.0):
        assert r.swing == 0.0


@given(
    st.integers(1, 10).flatmap(lambda n: st.tuples(rows(n), rows(n))),
    st.floats(0.0, 0.2),
)
def test_npv_is_zero_at_the_switching_cut(pair, rate):
    inv, sav = (np.array(x) for x in pair)
    cut = switching_saving_cut(inv, sav, rate)
    if math.isnan(cut):
        assert npv(sav, rate) == pytest.approx(0.0, abs=1e-12)
    else:
        assert npv(sav * (1 - cut) - inv, rate) == pytest.approx(0.0, abs=1e-7)


@given(
    st.integers(1, 8).flatmap(lambda n: st.tuples(rows(n), rows(n), st.integers(1, n))),
    st.one_of(st.none(), st.floats(0.0, 0.2)),
)
def test_payback_moves_past_the_horizon_at_the_switching_cut(triple, rate):
    # a cut a hair above the switching value: no payback within the horizon; a hair
    # below: payback within it (the report's rule without a rate, discounted with one)
    inv, sav, horizon = (np.array(triple[0]), np.array(triple[1]), triple[2])
    cut = switching_payback_cut(inv, sav, horizon, rate)
    d_inv, d_sav = inv, sav
    if rate is not None:
        d_inv = np.cumsum(inv * discount_factors(rate, len(inv)))
        d_sav = np.cumsum(sav * discount_factors(rate, len(sav)))
    if math.isnan(cut):  # nothing saved within the horizon: no cut can matter
        assert not (d_sav[:horizon] > 0).any()
        return
    eps = 1e-6 * max(1.0, abs(cut))

    def net(c: float) -> np.ndarray:
        return (d_inv - (1 - c) * d_sav)[:horizon]

    assert (net(cut + eps) >= 0).all()
    assert (net(cut - eps) < 0).any()


@given(st.integers(1, 10).flatmap(lambda n: rows(n, money)), st.floats(-0.5, 0.5))
def test_npv_scalar_in_scalar_out_and_rows(values, rate):
    one = npv(values, rate)
    assert isinstance(one, float)
    two = npv([values, values], rate)
    assert two.shape == (2,) and two[0] == pytest.approx(one)


def test_optimism_bias_dataclass_default_is_none():
    assert OptimismBias() == OptimismBias(0.0, 0.0, 0)
