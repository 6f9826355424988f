"""One set of rules at two doors: a case file and an Excel function refuse the same values.

For each input the engine shares between the case file and a function - weeks a year,
the part-year factor, the avoided cost per child, counts of children - the property
tests below draw any number and check that the case file accepts it exactly when the
function does, and that both say the same thing about a refused one.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from cypsxl import CaseError, parse_case
from cypsxl.excel import functions
from cypsxl.excel._convert import ArgumentError
from cypsxl.model.input_rules import AVOIDED_COST, CHILDREN, PART_YEAR_FACTOR, WEEKS_PER_YEAR

CASE = """\
[case]
name = "Rules"
years = ["2024/25", "2025/26"]

[assumptions]
avoided_cost_per_child_per_year = {cost!r}
part_year_factor = {factor!r}
weeks_per_year = {weeks!r}

[cyps_budget]
net_budget = [10.0, 10.0]
lac_numbers = {lac!r}

[[bid]]
ref = "B1"
title = "Edge of care"
investment = [0.1, 0.1]
prevented = [{prevented!r}, 0]

[mtfs]
base_gap = [0.0, 1.0]
"""
GOOD = {"cost": 22000.0, "factor": 0.5, "weeks": 52.0, "lac": 460.0, "prevented": 3.0}


def case_problems(**values: float) -> list[str]:
    """The case checker's messages for the good case with ``values`` changed."""
    try:
        parse_case(CASE.format(**{**GOOD, **values}))
    except CaseError as exc:
        return [str(p) for p in exc.problems]
    return []


def function_problem(call, *args) -> str | None:
    try:
        call(*args)
    except ArgumentError as exc:
        return str(exc)
    return None


numbers = st.floats(min_value=-100, max_value=100_000, allow_nan=False) | st.sampled_from(
    [-1.0, -0.0, 0.0, 1e-9, 0.5, 1.0, 1.000001, 52.0, 52.14, 53.0, 53.0001, 60.0]
)


def agree(case_msgs: list[str], fn_msg: str | None, expected: str) -> None:
    """Both doors accept, or both refuse with the rule's words."""
    assert (fn_msg is None) == (case_msgs == []), (case_msgs, fn_msg)
    if fn_msg is not None:
        assert len(case_msgs) == 1 and f"expected {expected}, got" in case_msgs[0]
        assert f"expected {expected}, got" in fn_msg


@given(numbers)
@example(-5.0).via("CYPS_PLACEMENT_COST(1,100,-5)")
@example(60.0).via("CYPS_PLACEMENT_COST(1,100,60)")
def test_weeks_per_year(weeks):
    fn = function_problem(functions.cyps_placement_cost, 1, 100, weeks)
    agree(case_problems(weeks=weeks), fn, WEEKS_PER_YEAR.expected)


@given(numbers)
def test_part_year_factor(factor):
    fn = function_problem(functions.cyps_cost_avoidance, [[0, 15]], 22000, factor)
    agree(case_problems(factor=factor), fn, PART_YEAR_FACTOR.expected)


@given(numbers)
@example(-37.0).via("CYPS_COST_AVOIDANCE(-37, 22000) as the avoided cost")
def test_avoided_cost(cost):
    fn = function_problem(functions.cyps_cost_avoidance, [[0, 15]], cost)
    agree(case_problems(cost=cost), fn, AVOIDED_COST.expected)


@given(numbers)
@example(-37.0).via("CYPS_COST_AVOIDANCE(-37, 22000)")
def test_children_prevented(prevented):
    fn = function_problem(functions.cyps_cost_avoidance, [[prevented, 0]], 22000)
    msgs = case_problems(prevented=prevented)
    # the case file's row check words it per year ("a count >= 0"); the rule is the same
    assert (fn is None) == (msgs == []), (msgs, fn)
    if fn is not None:
        assert f"'prevented' value 1: expected {CHILDREN.expected}, got {prevented:g}" in fn


@given(numbers)
def test_children_in_placement_and_looked_after(count):
    fn = function_problem(functions.cyps_placement_cost, count, 800)
    agree(case_problems(lac=count), fn, CHILDREN.expected)
    assert (function_problem(functions.cyps_lac_projection, count, 0, 3) is None) == (fn is None)


@pytest.mark.parametrize(
    ("call", "args", "message"),
    [
        # the three calls seen accepted before: each now names its argument
        (
            functions.cyps_placement_cost,
            (1, 100, -5),
            "cyps_placement_cost: 'weeks': expected weeks from 0 to 53, such as 52 or 52.14, "
            "got -5",
        ),
        (
            functions.cyps_placement_cost,
            (1, 100, 60),
            "cyps_placement_cost: 'weeks': expected weeks from 0 to 53, such as 52 or 52.14, "
            "got 60",
        ),
        (
            functions.cyps_cost_avoidance,
            (-37, 22000),
            "cyps_cost_avoidance: 'prevented' value 1: expected a count of children >= 0, got -37",
        ),
        (
            functions.cyps_placement_cost,
            ([[4, -1]], 800),
            "cyps_placement_cost: 'children' value 2: expected a count of children >= 0, got -1",
        ),
        (
            functions.cyps_cost_avoidance,
            (3, -22000),
            "cyps_cost_avoidance: 'avoided_cost_per_child': expected £ per child per year >= 0, "
            "got -22000",
        ),
        (
            functions.cyps_lac_projection,
            (-460, 48, 4),
            "cyps_lac_projection: 'start': expected a count of children >= 0, got -460",
        ),
    ],
)
def test_refused_calls_name_the_argument(call, args, message):
    assert function_problem(call, *args) == message


def test_the_limits_themselves_are_accepted():
    # 53 weeks and a factor of 0 or 1 are inside the rules; 0 weeks is not (no year)
    assert functions.cyps_placement_cost(1, 100, 53) == [[5300.0]]  # 1 x 100 x 53
    # 15 prevented in year 1 at £22,000 with factor 1: 15 x 22,000 = 330,000
    assert functions.cyps_cost_avoidance([[15]], 22000, 1) == [[330000.0]]
    assert functions.cyps_cost_avoidance([[15]], 22000, 0) == [[0.0]]
    assert function_problem(functions.cyps_placement_cost, 1, 100, 0) is not None
