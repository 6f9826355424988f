"""The monitoring rules, each with a figure worked out by hand in the comment."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from cypsxl.model.monitoring import (
    DRIVER_METHODS,
    DriverCost,
    MonitoringCase,
    MonitoringError,
    MonitoringLine,
    RagThresholds,
    Risk,
    Saving,
    forecast_outturn,
    monitor,
    movement,
    period_end,
    profile_share,
    rag,
    register_driver_method,
    run_rate,
    savings_rag,
    variance,
    variance_pct,
)

SCHOOL_TRANSPORT = (1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1)  # nothing spent in August


def test_run_rate():
    # 7.9 / 7 x 12 = 13.542857142857...; at period 12 the run rate is the actual
    assert run_rate(7.9, 7) == pytest.approx(13.542857142857142, abs=1e-12)
    assert run_rate([6.0], 12).tolist() == [6.0]
    # income: -0.3 / 3 x 12 = -1.2
    assert run_rate(-0.3, 3) == pytest.approx(-1.2)


def test_profile_share_and_forecast():
    # by period 6 (September) 5 of the 11 weighted months are spent: 5/11
    assert profile_share(SCHOOL_TRANSPORT, 6)[0] == pytest.approx(5 / 11)
    # £2.5m spent by September: 2.5 / (5/11) = 5.5
    got = forecast_outturn([2.5], 6, "profile", profile=SCHOOL_TRANSPORT)
    assert got[0] == pytest.approx(5.5, abs=1e-12)
    # a flat profile is the run rate: 2.5 / (6/12) = 5.0
    assert forecast_outturn([2.5], 6, "profile", profile=[1.0] * 12)[0] == pytest.approx(5.0)
    # weights need not add to 1: [2]*6 + [1]*6 by period 6 = 12/18; 4.0 / (2/3) = 6.0
    assert forecast_outturn([4.0], 6, "profile", profile=[2] * 6 + [1] * 6)[0] == pytest.approx(6)


def test_profile_spending_nothing_by_the_period_is_refused():
    with pytest.raises(MonitoringError, match="spends nothing by period 2"):
        forecast_outturn([1.0], 2, "profile", profile=[0, 0] + [1] * 10)


def test_manual_and_driver_methods():
    got = forecast_outturn(
        [7.9, 1.0, 2.0],
        7,
        ["run_rate", "manual", "placements"],
        manual=[math.nan, -0.5, math.nan],
        remaining=[0.0, 0.0, 1.25],
    )
    # 13.542857...; the typed -0.5; 2.0 actual + 1.25 remaining = 3.25
    assert got.tolist() == pytest.approx([13.542857142857142, -0.5, 3.25])


def test_variance_pct_and_income():
    # income budget -0.8, forecast -0.5: 0.3 less income is a 0.3 overspend, 0.3/0.8 = 37.5%
    assert variance([-0.5], [-0.8])[0] == pytest.approx(0.3)
    assert variance_pct([0.3], [-0.8])[0] == pytest.approx(0.375)
    # 2.0 over on 11.5 = 17.391...%; budget 0: no percentage
    pct = variance_pct([2.0, 1.0], [11.5, 0.0])
    assert pct[0] == pytest.approx(2 / 11.5)
    assert math.isnan(pct[1])


@pytest.mark.parametrize(
    ("var", "budget", "expected"),
    [
        (0.10, 10.0, 0),  # exactly 1% of 10: not above amber, green
        (0.11, 10.0, 1),  # 1.1%: amber (below 5% and below £0.25m)
        (0.26, 10.0, 2),  # 2.6% but above £0.25m: red by amount
        (0.25, 10.0, 1),  # exactly £0.25m, 2.5%: amber
        (0.60, 10.0, 2),  # 6%: red
        (-3.0, 10.0, 0),  # underspend: green
        (0.0, 0.0, 0),  # nothing on nothing: green
        (0.001, 0.0, 2),  # any overspend on a zero budget: above 5% of 0, red
        (0.3, -0.8, 2),  # income: 0.3 > 5% of |-0.8| = 0.04, red
        (0.005, -0.8, 0),  # 0.005 < 1% of 0.8 = 0.008: green
    ],
)
def test_rag_defaults(var, budget, expected):
    assert rag([var], [budget]).tolist() == [expected]


def test_rag_without_an_amount_and_with_own_thresholds():
    inf = math.inf
    # 5% of 10 = 0.5: 0.5 is not above it (amber); 0.51 is (red)
    assert rag([0.5, 0.51], [10.0, 10.0], red_amount=inf).tolist() == [1, 2]
    # amber 2%, red 10%, £1m: 0.15 on 10 (1.5%) green, 0.25 (2.5%) amber, 1.01 red by amount
    got = rag([0.15, 0.25, 1.01], [10.0, 10.0, 100.0], 0.02, 0.10, 1.0)
    assert got.tolist() == [0, 1, 2]


def test_floating_point_noise_is_not_an_overspend():
    # 0.1 + 0.2 - 0.3 = 5.55e-17 on a zero budget: green, not red
    assert rag([0.1 + 0.2 - 0.3], [0.0]).tolist() == [0]


def test_savings_rag_and_shortfall():
    # CYPS_5: 0.594 planned, 0.41 forecast: 0.184 short = 31% of 0.594 > 5%: red
    # 0.3 planned, 0.298: 0.002 = 0.67% of 0.3: green; 0.295: 0.005 = 1.67%: amber
    # delivered more than planned (0.25 of 0.2): green
    assert savings_rag([0.594, 0.3, 0.3, 0.2], [0.41, 0.298, 0.295, 0.25]).tolist() == [2, 0, 1, 0]


def test_movement():
    # 13.54 - 13.0 = 0.54; no previous forecast: none
    got = movement([13.54, 2.0], [13.0, math.nan])
    assert got[0] == pytest.approx(0.54)
    assert math.isnan(got[1])


@pytest.mark.parametrize(
    ("year", "period", "expected"),
    [
        ("2025/26", 1, dt.date(2025, 4, 30)),
        ("2025/26", 7, dt.date(2025, 10, 31)),
        ("2025/26", 9, dt.date(2025, 12, 31)),
        ("2025/26", 10, dt.date(2026, 1, 31)),
        ("2025/26", 11, dt.date(2026, 2, 28)),
        ("2023/24", 11, dt.date(2024, 2, 29)),  # leap year
        ("2025/26", 12, dt.date(2026, 3, 31)),
    ],
)
def test_period_end(year, period, expected):
    assert period_end(year, period) == expected


def _case(**kw):
    lines = (
        MonitoringLine("Agency placements", "Children's Social Care", 11.5, 7.9),
        MonitoringLine(
            "Health contributions", "Children's Social Care", -0.8, -0.3, "manual", -0.5
        ),
        MonitoringLine(
            "Home to school transport",
            "Education",
            6.0,
            2.5,
            "profile",
            profile=SCHOOL_TRANSPORT,
            previous_forecast=5.2,
        ),
        MonitoringLine(
            "High needs",
            "Dedicated Schools Grant",
            42.0,
            29.0,
            "manual",
            50.0,
            ring_fenced=True,
            opening_deficit=12.0,
        ),
    )
    base = dict(
        authority="Northshire County Council",
        year="2025/26",
        period=6,
        lines=lines,
        risks=(Risk("Further placements, worst case", 2.3), Risk("Court costs", 0.2)),
        savings=(Saving("CYPS_5", 0.594, 0.41), Saving("CYPS_7", 0.3, 0.3)),
    )
    base.update(kw)
    return MonitoringCase(**base)


def test_monitor_whole_case_by_hand():
    r = monitor(_case())
    t = r.lines
    # agency: 7.9 / 6 x 12 = 15.8, +4.3 on 11.5 = 37.4%: red
    # health: -0.5 typed, +0.3 on -0.8: red (37.5%)
    # transport: 2.5 / (5/11) = 5.5, -0.5: green; movement 5.5 - 5.2 = 0.3
    # high needs: 50, +8: red, ring-fenced
    assert t.forecast_outturn.tolist() == pytest.approx([15.8, -0.5, 5.5, 50.0])
    assert t.variance.tolist() == pytest.approx([4.3, 0.3, -0.5, 8.0])
    assert t.rag_labels() == ("red", "red", "green", "red")
    assert math.isnan(t.movement[0]) and t.movement[2] == pytest.approx(0.3)
    # Children's Social Care: budget 11.5 - 0.8 = 10.7, actual 7.9 - 0.3 = 7.6,
    # forecast 15.8 - 0.5 = 15.3, variance 4.6
    csc = r.groups["Children's Social Care"]
    assert (csc.budget, csc.actual_to_date, csc.forecast_outturn, csc.variance) == pytest.approx(
        (10.7, 7.6, 15.3, 4.6)
    )
    assert list(r.groups) == ["Children's Social Care", "Education", "Dedicated Schools Grant"]
    # General Fund: 10.7 + 6.0 = 16.7 budget; 7.6 + 2.5 = 10.1 actual; 15.3 + 5.5 = 20.8
    # forecast; 4.6 - 0.5 = 4.1 variance (high needs left out)
    gf = r.general_fund
    assert (gf.budget, gf.actual_to_date, gf.forecast_outturn, gf.variance) == pytest.approx(
        (16.7, 10.1, 20.8, 4.1)
    )
    # ring-fenced: 42 budget, 50 forecast, +8; deficit 12 brought forward, 20 carried forward
    rf = r.ring_fenced
    assert (rf.budget, rf.forecast_outturn, rf.variance) == pytest.approx((42.0, 50.0, 8.0))
    assert (rf.opening_deficit, rf.closing_deficit) == pytest.approx((12.0, 20.0))
    # forecast with risks: 20.8 + 2.3 + 0.2 = 23.3
    assert r.forecast_with_risks == pytest.approx(23.3)
    # savings: 0.594 - 0.41 = 0.184 (red); 0.3 - 0.3 = 0 (green)
    assert r.savings.shortfall.tolist() == pytest.approx([0.184, 0.0])
    assert r.savings.rag_labels() == ("red", "green")


def test_monitor_uses_the_case_thresholds():
    # 15.8 on 11.5 is 37%: red under any thresholds; the transport underspend stays green;
    # with amber 50% and red 100% and no amount, health's 37.5% is green
    r = monitor(_case(rag=RagThresholds(0.5, 1.0, math.inf)))
    assert r.lines.rag_labels() == ("green", "green", "green", "green")
    # savings: CYPS_5 short 31% of planned, under amber 50%: green
    assert r.savings.rag_labels() == ("green", "green")


def test_driver_lines_take_remaining_costs_and_reconcile():
    lines = (MonitoringLine("Placements", "CSC", 11.5, 7.9, forecast="example_register"),)
    case = _case(lines=lines, period=7)
    with pytest.raises(MonitoringError, match="no cost for forecast method 'example_register'"):
        monitor(case)
    # 7.9 actual + 4.2 remaining = 12.1; driver to date 8.0 - ledger 7.9 = 0.1
    r = monitor(case, remaining={"Placements": DriverCost(4.2, 8.0)})
    assert r.lines.forecast_outturn[0] == pytest.approx(12.1)
    assert r.lines.reconciliation[0] == pytest.approx(0.1)
    # a bare float is the remaining cost, with no reconciliation
    r = monitor(case, remaining={"Placements": 4.2})
    assert r.lines.forecast_outturn[0] == pytest.approx(12.1)
    assert math.isnan(r.lines.reconciliation[0])


def test_driver_registry():
    seen = []

    def flat(line, case):
        seen.append((line.name, line.options.get("types"), case.as_at_date))
        return DriverCost(1.5)

    register_driver_method("test_flat", flat)
    try:
        line = MonitoringLine(
            "Posts", "CSC", 3.0, 1.0, forecast="test_flat", options={"types": ["x"]}
        )
        r = monitor(_case(lines=(line,), period=7))
        # 1.0 actual + 1.5 remaining = 2.5
        assert r.lines.forecast_outturn[0] == pytest.approx(2.5)
        assert seen == [("Posts", ["x"], dt.date(2025, 10, 31))]
    finally:
        del DRIVER_METHODS["test_flat"]
    with pytest.raises(MonitoringError, match="built-in"):
        register_driver_method("manual", flat)


def test_no_lines_of_a_kind_total_zero():
    r = monitor(_case(lines=_case().lines[:1], risks=(), savings=()))
    assert r.ring_fenced.closing_deficit == 0.0
    assert r.forecast_with_risks == pytest.approx(15.8)
    assert r.savings.refs == () and np.asarray(r.savings.rag).size == 0
