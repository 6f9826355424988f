"""In-year monitoring checks that kill mutants which survived every other test.

Each test names what it pins: the exact text of the messages users read, the default
forecast method, the input rules' edge cases, driver lines after built-in ones, a case
without lines, and float results for whole-number inputs. Figures are worked out by hand
in the comments.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from cypsxl.model import monitoring
from cypsxl.model.monitoring import (
    DriverCost,
    MonitoringCase,
    MonitoringError,
    MonitoringLine,
    Saving,
    forecast_outturn,
    monitor,
    period_problem,
    profile_problem,
    rag_problem,
)

# --------------------------------------------------------------------------- driver lines


def test_driver_line_after_a_run_rate_line_gets_its_remaining_cost():
    """A driver line is costed even when a built-in line comes before it."""
    case = MonitoringCase(
        "N",
        "2025/26",
        6,
        (
            MonitoringLine("Fostering", "CSC", 10.0, 6.0),
            MonitoringLine("Placements", "CSC", 12.0, 5.0, forecast="placements"),
        ),
    )
    r = monitor(case, remaining={"Placements": DriverCost(4.5, 5.5)})
    # Fostering: 6.0 / 6 x 12 = 12.0; Placements: 5.0 actual + 4.5 remaining = 9.5
    assert r.lines.forecast_outturn.tolist() == [12.0, 9.5]
    # reconciliation: driver 5.5 to date - 5.0 ledger = 0.5; none for the run-rate line
    assert math.isnan(r.lines.reconciliation[0])
    assert r.lines.reconciliation[1] == pytest.approx(0.5, abs=1e-12)


def test_unknown_method_after_a_run_rate_line_is_refused_naming_every_method(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The message for a method nobody supplies lists the built-in methods, then the
    registered driver methods sorted, joined by ", "."""

    def flat(line: MonitoringLine, case: MonitoringCase) -> DriverCost:
        return DriverCost(1.0)

    monkeypatch.setattr(monitoring, "DRIVER_METHODS", {"zeta": flat, "alpha": flat})
    case = MonitoringCase(
        "N",
        "2025/26",
        6,
        (
            MonitoringLine("Fostering", "CSC", 10.0, 6.0),
            MonitoringLine("Transport", "CSC", 3.0, 1.0, forecast="buses"),
        ),
    )
    with pytest.raises(MonitoringError) as err:
        monitor(case)
    assert str(err.value) == (
        "line 'Transport': no cost for forecast method 'buses'; expected one of "
        "run_rate, profile, manual, alpha, zeta"
    )


# --------------------------------------------------------------------------- forecast_outturn


def test_forecast_outturn_default_method_is_run_rate():
    """Without a method every line is forecast at its run rate."""
    # 7.0 / 7 x 12 = 12.0; 1.5 / 3 x 12 = 6.0
    assert forecast_outturn([7.0], 7).tolist() == [12.0]
    assert forecast_outturn([1.5], 3).tolist() == [6.0]


def test_forecast_outturn_is_a_float_array_with_nan_for_a_manual_line_without_a_figure():
    """The forecast is float64 (NaN where a manual line has no figure), so np.isnan works."""
    out = forecast_outturn([3.0, 1.0], 6, ["run_rate", "manual"], manual=[0.0, math.nan])
    assert out.dtype == np.float64
    # 3.0 / 6 x 12 = 6.0; the manual line has no figure: NaN
    assert out[0] == 6.0
    assert np.isnan(out).tolist() == [False, True]


def test_profile_line_without_a_profile_message():
    """A profile line with no profile: the message names what is missing, exactly."""
    with pytest.raises(MonitoringError) as err:
        forecast_outturn([1.0], 7, "profile")
    assert str(err.value) == "a profile line needs a 12-value profile"


def test_manual_line_without_a_figure_message():
    """A manual line with no manual figures at all: the message, exactly."""
    with pytest.raises(MonitoringError) as err:
        forecast_outturn([1.0], 7, "manual")
    assert str(err.value) == "a manual line needs a forecast outturn"


def test_driver_line_without_remaining_message():
    """A driver line with no remaining-year cost: the message, exactly."""
    with pytest.raises(MonitoringError) as err:
        forecast_outturn([1.0], 7, "placements")
    assert str(err.value) == "a driver line needs its remaining-year cost"


# --------------------------------------------------------------------------- input rules


def test_period_problem_refuses_booleans():
    """True is not period 1: a bool is refused though Python counts it as an int."""
    assert period_problem(True) == (
        "expected a whole number from 1 (April) to 12 (March), got True"
    )
    # whole numbers 1-12, int or float, are fine
    assert period_problem(1) == ""
    assert period_problem(7.0) == ""


def test_profile_problem_negative_or_infinite_value_message():
    """A negative or non-finite monthly weight: the message, exactly."""
    assert profile_problem([-1.0] + [1.0] * 11) == "expected 12 values >= 0"
    assert profile_problem([math.inf] + [1.0] * 11) == "expected 12 values >= 0"


def test_profile_problem_nothing_spent_by_the_period_message():
    """A profile with nothing spent by the period: the whole message, month named."""
    # periods 1-3 are April, May, June; the profile starts spending in July
    assert profile_problem([0.0] * 3 + [1.0] * 9, 3) == (
        "spends nothing from April to June (period 3), so the spend to date cannot be "
        "scaled to a year; use run_rate or manual"
    )


def test_rag_problem_red_share_out_of_range_is_keyed_red():
    """A red share above 1 is reported against the key "red"."""
    assert rag_problem(0.01, 2.0) == (
        "red",
        "expected a share of the budget from 0 to 1, e.g. 0.05, got 2",
    )


def test_rag_problem_shares_of_exactly_one_are_allowed():
    """A share of 1 (the whole budget) is inside the range 0 to 1."""
    assert rag_problem(1.0, 1.0) is None
    assert rag_problem(0.0, 1.0) is None
    assert rag_problem(1.0, 1.0 + 1e-9) == (
        "red",
        "expected a share of the budget from 0 to 1, e.g. 0.05, got 1",
    )


# --------------------------------------------------------------------------- monitor


def test_case_without_lines_gives_zero_totals():
    """A period with no lines yet: empty line table, every total 0, no error."""
    r = monitor(MonitoringCase("N", "2025/26", 3, ()))
    assert r.lines.names == ()
    assert r.lines.ring_fenced.dtype == np.bool_
    assert r.groups == {}
    assert (r.general_fund.budget, r.general_fund.forecast_outturn) == (0.0, 0.0)
    assert (r.ring_fenced.budget, r.ring_fenced.closing_deficit) == (0.0, 0.0)
    assert r.forecast_with_risks == 0.0


def test_whole_number_inputs_give_float_line_arrays():
    """Budgets and actuals typed as whole numbers still give float64 arrays (the
    LineTable's FloatArray): ``tolist()`` gives floats, as for any other figures."""
    case = MonitoringCase("N", "2025/26", 6, (MonitoringLine("A", "G", 10, 6),))
    t = monitor(case).lines
    assert t.budget.dtype == np.float64
    assert t.actual_to_date.dtype == np.float64
    assert [type(v) for v in (*t.budget.tolist(), *t.actual_to_date.tolist())] == [float] * 2
    # forecast 6 / 6 x 12 = 12.0, variance 12 - 10 = 2.0
    assert (t.forecast_outturn.tolist(), t.variance.tolist()) == ([12.0], [2.0])


def test_whole_number_savings_give_float_savings_arrays():
    """Savings typed as whole numbers still give float64 planned and forecast arrays."""
    case = MonitoringCase(
        "N", "2025/26", 6, (MonitoringLine("A", "G", 10.0, 5.0),), savings=(Saving("S1", 2, 1),)
    )
    s = monitor(case).savings
    assert s.planned.dtype == np.float64
    assert s.forecast.dtype == np.float64
    assert s.shortfall.dtype == np.float64
    # shortfall 2 - 1 = 1, half the planned saving: red
    assert s.shortfall.tolist() == [1.0]
    assert s.rag_labels() == ("red",)
