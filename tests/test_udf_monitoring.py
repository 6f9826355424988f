"""The monitoring Excel functions through xlwings' real Office.js conversion layer, with
the figures worked by hand, and the case file's rules for bad arguments."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from xlcall import call

from cypsxl.excel._convert import ArgumentError
from cypsxl.model import monitoring as mon

TRANSPORT = [[1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1]]  # nothing spent in August


def test_forecast_outturn_one_cell_run_rate():
    # 7.9 / 7 x 12 = 13.542857142857...
    got = call("cyps_forecast_outturn", 7.9, 7)
    assert got[0][0] == pytest.approx(13.542857142857142, abs=1e-12)
    assert call("cyps_forecast_outturn", 7.9, 7, "run_rate") == got


def test_forecast_outturn_profile():
    # by September (period 6) 5 of the 11 weighted months: 2.5 / (5/11) = 5.5
    got = call("cyps_forecast_outturn", 2.5, 6, "profile", TRANSPORT)
    assert got[0][0] == pytest.approx(5.5, abs=1e-12)
    # the same profile given down a column
    down = [[v] for v in TRANSPORT[0]]
    assert call("cyps_forecast_outturn", 2.5, 6, "Profile", down)[0][0] == pytest.approx(5.5)


def test_forecast_outturn_a_column_of_lines_gives_a_column():
    # 7.9/7x12 = 13.542857; 3.5/7x12 = 6.0; profile: by October 4+0.2+2 = 6.2 of 11.2,
    # 4.15 / (6.2/11.2) = 7.496774...
    profile = [[1, 1, 1, 1, 0.2, 1, 1, 1, 1, 1, 1, 1]] * 3
    got = call(
        "cyps_forecast_outturn",
        [[7.9], [3.5], [4.15]],
        7,
        [["run_rate"], [None], ["profile"]],
        profile,
    )
    assert [r[0] for r in got] == pytest.approx([13.542857142857142, 6.0, 4.15 / (6.2 / 11.2)])
    assert len(got) == 3 and all(len(r) == 1 for r in got)


def test_variance_one_cell_and_column():
    # income budget -0.8, forecast -0.5: 0.3 overspend
    assert call("cyps_variance", -0.5, -0.8)[0][0] == pytest.approx(0.3)
    # 13.5 - 11.5 = 2.0; 6.0 - 6.2 = -0.2
    got = call("cyps_variance", [[13.5], [6.0]], [[11.5], [6.2]])
    assert [r[0] for r in got] == pytest.approx([2.0, -0.2])


def test_rag_defaults_and_own_thresholds():
    # 0.11 on 10 (1.1%) amber; 0.26 on 10 red by amount; 0.1 on 10 (exactly 1%) green;
    # -3 underspend green; 0.3 on income -0.8 (37.5%) red
    got = call(
        "cyps_rag",
        [[0.11], [0.26], [0.1], [-3.0], [0.3]],
        [[10.0], [10.0], [10.0], [10.0], [-0.8]],
    )
    assert got == [["amber"], ["red"], ["green"], ["green"], ["red"]]
    # amber 2%, red 10%, £1m: 0.15 on 10 green; 0.25 amber; 1.01 on 100 red by amount
    got = call("cyps_rag", [[0.15, 0.25, 1.01]], [[10.0, 10.0, 100.0]], 0.02, 0.1, 1.0)
    assert got == [["green", "amber", "red"]]


@pytest.mark.parametrize(
    ("func", "args", "message"),
    [
        ("cyps_forecast_outturn", (7.9, 13), r"'period': expected a whole number from 1 \(April\)"),
        ("cyps_forecast_outturn", (7.9, 6.5), "'period': expected a whole number"),
        ("cyps_forecast_outturn", (7.9, 7, "manual"), "a manual forecast is typed in the cell"),
        ("cyps_forecast_outturn", (7.9, 7, "placements"), 'expected "run_rate" or "profile"'),
        ("cyps_forecast_outturn", (7.9, 7, "profile"), "'profile': missing"),
        ("cyps_forecast_outturn", (7.9, 7, "profile", [[1, 1, 1]]), "has 3 values; expected 12"),
        (
            "cyps_forecast_outturn",
            (7.9, 7, "profile", [[1, 1, 1, 1, -1, 1, 1, 1, 1, 1, 1, 1]]),
            "expected 12 values >= 0",
        ),
        ("cyps_forecast_outturn", (7.9, 7, "profile", [[0] * 12]), "adds to 0"),
        (
            "cyps_forecast_outturn",
            (7.9, 2, "profile", [[0, 0] + [1] * 10]),
            r"spends nothing from April to May \(period 2\)",
        ),
        (
            "cyps_forecast_outturn",
            ("7.9", 7),
            "'actual_to_date' value 1: expected a number, got '7.9'",
        ),
        ("cyps_variance", ([[1.0], [2.0]], [[1.0]]), "'forecast' has 2 values and 'budget' 1"),
        ("cyps_rag", (0.1, 10.0, 0.1, 0.05), r"'red': thresholds out of order: amber 0.1"),
        ("cyps_rag", (0.1, 10.0, 1.5), "'amber': expected a share of the budget from 0 to 1"),
        ("cyps_rag", (0.1, 10.0, None, None, 0), "'red_amount': expected an amount in £m above 0"),
        ("cyps_rag", ("#N/A", 10.0), "'variance' value 1 is the Excel error #N/A"),
    ],
)
def test_bad_arguments_are_named(func, args, message):
    from cypsxl.excel import functions

    with pytest.raises(ArgumentError, match=message):
        getattr(functions, func)(*args)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.floats(-50, 50, allow_nan=False), min_size=1, max_size=8),
    st.integers(1, 12),
)
def test_column_in_column_out_agrees_with_the_model(actuals, period):
    got = call("cyps_forecast_outturn", [[a] for a in actuals], period)
    want = mon.run_rate(actuals, period)
    assert [r[0] for r in got] == pytest.approx(want.tolist(), abs=1e-12)
