"""What the engine's inputs must be: one set of rules for the case file and the Excel functions.

Each :class:`Rule` says which numbers it accepts and, in words, what it expected, so the
case-file checker (``[assumptions]``, ``[[bid]]``, ``[cyps_budget]``) and the functions in
:mod:`cypsxl.excel.functions` refuse the same values with the same words:

>>> WEEKS_PER_YEAR.accepts(52.14), WEEKS_PER_YEAR.accepts(60), WEEKS_PER_YEAR.accepts(0)
(True, False, False)
>>> first_refused(CHILDREN, [0, 15, -37])
(2, -37.0)
>>> first_refused(CHILDREN, [0, 15, 27]) is None
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

__all__ = [
    "AVOIDED_COST",
    "CHILDREN",
    "FTE",
    "PART_YEAR_FACTOR",
    "WEEKS_PER_YEAR",
    "Rule",
    "first_refused",
]


@dataclass(frozen=True)
class Rule:
    """A test a number must pass, and what was expected, in words for an error message."""

    test: Callable[[float], bool]
    expected: str

    def accepts(self, value: float) -> bool:
        """Whether ``value`` is a finite number that passes the rule."""
        return math.isfinite(value) and self.test(value)


#: Weeks in a year for a placement's annual cost (52, or 52.14 = 365/7).
WEEKS_PER_YEAR = Rule(lambda v: 0 < v <= 53, "weeks from 0 to 53, such as 52 or 52.14")
#: Share of a year's cost avoided in the year a child is kept out of care.
PART_YEAR_FACTOR = Rule(lambda v: 0 <= v <= 1, "a fraction from 0 to 1")
#: A year's cost of care avoided per child, £.
AVOIDED_COST = Rule(lambda v: v >= 0, "£ per child per year >= 0")
#: Children: in placements, looked after, or prevented from entering care.
CHILDREN = Rule(lambda v: v >= 0, "a count of children >= 0")
#: Agency full-time equivalents converted to permanent posts.
FTE = Rule(lambda v: v > 0, "an FTE > 0")


def first_refused(rule: Rule, values: Iterable[float]) -> tuple[int, float] | None:
    """The index and value of the first of ``values`` that ``rule`` refuses, or None."""
    for i, value in enumerate(values):
        if not rule.accepts(float(value)):
            return i, float(value)
    return None
