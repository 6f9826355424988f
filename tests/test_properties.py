"""Invariants that hold for any valid case (hypothesis), checked against an oracle too."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracle import tables
from strategies import cases, money, rows

from cypsxl.casefile import case_from_dict
from cypsxl.model import (
    breakeven_year,
    cumulative_net,
    funding_gap,
    net,
    payback_year,
    run_case,
)
from cypsxl.report import results_to_dict

TOL = 1e-9


@given(st.integers(1, 12).flatmap(lambda n: st.tuples(rows(n), rows(n))))
def test_net_cumulative_and_payback_consistent(pair):
    inv, sav = pair
    n = net(inv, sav)
    assert np.allclose(n, np.array(inv) - np.array(sav), atol=0)
    assert np.allclose(cumulative_net(n), np.cumsum(n))
    pb, be = payback_year(n), breakeven_year(n)
    rounded = np.round(n, 9)
    if pb is None:
        assert (rounded >= 0).all()
    else:
        assert rounded[pb - 1] < 0 and (rounded[: pb - 1] >= 0).all()
    if be is not None and pb is not None:
        assert pb <= be  # the running total cannot turn negative before some year does
    if be is not None:
        assert pb is not None


@settings(max_examples=60, deadline=None)
@given(cases())
def test_engine_agrees_with_independent_oracle(doc):
    got = results_to_dict(run_case(case_from_dict(doc)))
    want = tables(doc)
    for ref, bid in want["bids"].items():
        for key in ("investment", "gross_saving", "net", "cumulative_net"):
            assert got["bids"][ref][key] == pytest.approx(bid[key], abs=TOL), (ref, key)
        assert got["bids"][ref]["payback_year"] == bid["payback_year"]
        assert got["bids"][ref]["breakeven_year"] == bid["breakeven_year"]
    for key, row in want["cyps_budget"].items():
        assert got["cyps_budget"][key] == pytest.approx(row, abs=TOL), key
    assert got["total_additional_funding"] == pytest.approx(
        want["total_additional_funding"], abs=TOL
    )
    assert got["funding_gap"]["revised"] == pytest.approx(want["funding_gap"]["revised"], abs=TOL)
    assert got["funding_gap"]["reserve_draw"] == pytest.approx(
        want["funding_gap"]["reserve_draw"], abs=TOL
    )


@settings(max_examples=60, deadline=None)
@given(cases())
def test_rollups_equal_sum_of_bids(doc):
    r = run_case(case_from_dict(doc))
    assert np.allclose(r.budget.investment, r.bids.investment.sum(axis=0), atol=TOL)
    assert np.allclose(r.budget.savings, r.bids.gross_saving.sum(axis=0), atol=TOL)
    assert np.allclose(r.bids.net, r.bids.investment - r.bids.gross_saving, atol=0)
    assert np.allclose(
        r.budget.net_forecast - r.budget.net_budget, r.budget.funding_support, atol=TOL
    )
    m = r.case.n_mtfs
    others = sum((np.asarray(p.levels) for p in r.case.other_proposals), np.zeros(m))
    assert np.allclose(
        r.additional.total,
        r.budget.pressures[:m] + r.bids.net.sum(axis=0)[:m] + others,
        atol=TOL,
    )


@settings(max_examples=60, deadline=None)
@given(cases())
def test_without_bids_gap_moves_by_pressures_only(doc):
    case = dataclasses.replace(case_from_dict(doc), bids=())
    r = run_case(case)
    m = case.n_mtfs
    levels = r.budget.pressures[:m] + sum(
        (np.asarray(p.levels) for p in case.other_proposals), np.zeros(m)
    )
    expect = funding_gap(case.mtfs.base_gap, levels, case.mtfs.current_year_funded_from_reserves)
    assert np.allclose(r.gap.revised, expect.revised, atol=TOL)
    # and written out: revised = base + the change in the recurring level
    one_off = case.mtfs.current_year_funded_from_reserves
    recurring = levels.copy()
    if one_off:
        recurring[0] = 0.0
    prev = np.concatenate(([0.0], recurring[:-1]))
    assert np.allclose(r.gap.revised, np.asarray(case.mtfs.base_gap) + recurring - prev)


@given(st.integers(1, 10).flatmap(lambda n: st.tuples(rows(n), rows(n), st.booleans())))
def test_gap_revisions_telescope(args):
    """Summed over the years, the revisions equal the last year's recurring level."""
    base, levels, one_off = args
    g = funding_gap(base, levels, one_off)
    last = levels[-1] if (len(levels) > 1 or not one_off) else 0.0
    assert float(np.sum(g.revised - np.asarray(base))) == pytest.approx(last, abs=1e-9)
    assert g.reserve_draw == (levels[0] if one_off else 0.0)


@given(money, st.integers(1, 8))
def test_constant_prevention_grows_linearly(cost, n):
    # k children prevented every year at full-year factor 1: year t avoids k x (t + 1)
    from cypsxl.model import cost_avoidance

    got = cost_avoidance([3] * n, cost, 1.0)
    assert np.allclose(got, [3 * cost * (t + 1) for t in range(n)])
