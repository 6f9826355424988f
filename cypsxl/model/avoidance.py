"""Cost avoidance from children kept out of care, with the part-year effect.

A child prevented from entering care (or returned home) during a year avoids
``part_year_factor`` of a year's cost in that year and the full annual cost in every
later year: each year's cohort carries forward.
"""

from __future__ import annotations

import numpy as np

from ._arrays import ArrayLike, FloatArray, as_float

__all__ = ["DEFAULT_PART_YEAR_FACTOR", "children_avoided", "cost_avoidance"]

#: The reference report assumes prevention happens on average half-way through a year.
DEFAULT_PART_YEAR_FACTOR = 0.5


def children_avoided(
    prevented: ArrayLike, part_year_factor: ArrayLike = DEFAULT_PART_YEAR_FACTOR
) -> FloatArray:
    """Child-years of care avoided in each year (last axis = years).

    Year t avoids every earlier cohort in full and ``part_year_factor`` of its own:
    ``cumsum(prevented)[t] - (1 - f) * prevented[t]``.

    >>> children_avoided([0, 15, 27, 30]).tolist()    # 0; 15 x 0.5; 15 + 27 x 0.5; ...
    [0.0, 7.5, 28.5, 57.0]
    """
    p = as_float(prevented)
    f = as_float(part_year_factor)
    return np.cumsum(p, axis=-1) - (1.0 - f) * p


def cost_avoidance(
    prevented: ArrayLike,
    avoided_cost_per_child: ArrayLike,
    part_year_factor: ArrayLike = DEFAULT_PART_YEAR_FACTOR,
) -> FloatArray:
    """Cost avoided by year, in the unit of ``avoided_cost_per_child`` (a year's cost).

    ``prevented`` holds the children prevented in each year, years on the last axis;
    a 2-D array (bids x years) is one call. The cost and factor broadcast (one per bid
    as a column, or one for all).

    >>> # 15 children in 2017/18, 27 in 2018/19, £22,000 a year, half a year at first:
    >>> cost_avoidance([0, 15, 27], 22_000).tolist()   # 15*0.5*22k; (15 + 27*0.5)*22k
    [0.0, 165000.0, 627000.0]
    >>> cost_avoidance([[0, 4, 4], [12, 0, 0]], 22_000, 1.0).tolist()
    [[0.0, 88000.0, 176000.0], [264000.0, 264000.0, 264000.0]]
    """
    return children_avoided(prevented, part_year_factor) * as_float(avoided_cost_per_child)
