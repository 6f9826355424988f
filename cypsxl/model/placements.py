"""Placement costs of looked-after children: children x weekly unit cost x weeks.

Money comes out in the unit of the weekly cost (normally £); divide by 1e6 for £m.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

import numpy as np

from ._arrays import ArrayLike, FloatArray, as_float

__all__ = [
    "DEFAULT_WEEKS_PER_YEAR",
    "PlacementType",
    "lac_projection",
    "mix_change_cost",
    "placement_cost",
    "placement_mix_cost",
    "price_projection",
]

#: The reference report turns weekly costs into annual ones with 52 weeks; some
#: councils use 52.14 (365/7). Always an assumption in the case, never buried.
DEFAULT_WEEKS_PER_YEAR = 52.0


class PlacementType(StrEnum):
    """Kinds of placement, cheapest first in a typical authority."""

    IN_HOUSE_FOSTERING = "in_house_fostering"
    SGO = "sgo"
    IFA = "ifa"
    RESIDENTIAL = "residential"
    OTHER = "other"


def placement_cost(
    children: ArrayLike, weekly_cost: ArrayLike, weeks: ArrayLike = DEFAULT_WEEKS_PER_YEAR
) -> FloatArray:
    """Annual cost of ``children`` placements at ``weekly_cost`` for ``weeks`` weeks.

    Broadcasts: a row of children by year and one weekly cost give a row of costs.
    A cut in the average unit cost is a negative ``weekly_cost`` change.

    >>> float(placement_cost(460, 86))          # £86 a week over 460 placements
    2057120.0
    >>> float(placement_cost(6, 1667))          # six placements at £1,667 a week
    520104.0
    >>> placement_cost([10, 12], 800, 52.14).round(2).tolist()
    [417120.0, 500544.0]
    """
    return as_float(children) * as_float(weekly_cost) * as_float(weeks)


def placement_mix_cost(
    counts: Mapping[str, ArrayLike],
    weekly_costs: Mapping[str, ArrayLike],
    weeks: ArrayLike = DEFAULT_WEEKS_PER_YEAR,
) -> FloatArray:
    """Total cost of a mix of placements: the sum over types of count x weekly cost x weeks.

    Every type counted must have a weekly cost.

    >>> float(placement_mix_cost({"ifa": 10, "residential": 2},
    ...                          {"ifa": 800, "residential": 3500}))
    780000.0
    """
    missing = sorted(set(counts) - set(weekly_costs))
    if missing:
        raise KeyError(f"no weekly cost for placement type(s): {', '.join(missing)}")
    total: FloatArray = np.zeros(())
    for kind, count in counts.items():
        total = total + placement_cost(count, weekly_costs[kind], weeks)
    return total


def mix_change_cost(
    before: Mapping[str, ArrayLike],
    after: Mapping[str, ArrayLike],
    weekly_costs: Mapping[str, ArrayLike],
    weeks: ArrayLike = DEFAULT_WEEKS_PER_YEAR,
) -> FloatArray:
    """Cost of moving from one placement mix to another (negative = a saving).

    >>> # two children move from residential (£3,500/wk) to IFA (£800/wk)
    >>> float(mix_change_cost({"ifa": 10, "residential": 4}, {"ifa": 12, "residential": 2},
    ...                       {"ifa": 800, "residential": 3500}))
    -280800.0
    """
    kinds = set(before) | set(after)
    zero = 0.0
    return placement_mix_cost(
        {k: as_float(after.get(k, zero)) - as_float(before.get(k, zero)) for k in kinds},
        weekly_costs,
        weeks,
    )


def lac_projection(start: float, growth_per_year: ArrayLike, n_years: int) -> FloatArray:
    """Looked-after children by year: ``start`` in the first year, then trend growth.

    ``growth_per_year`` is one number (the same each year) or one per later year
    (``n_years - 1`` values). Counts never fall below zero.

    >>> lac_projection(460, 48, 4).tolist()
    [460.0, 508.0, 556.0, 604.0]
    >>> lac_projection(100, [-60, -60], 3).tolist()
    [100.0, 40.0, 0.0]
    """
    if n_years < 1:
        raise ValueError("n_years must be at least 1")
    growth = np.broadcast_to(as_float(growth_per_year), (n_years - 1,))
    path = float(start) + np.concatenate(([0.0], np.cumsum(growth)))
    return np.maximum(path, 0.0)


def price_projection(
    numbers: ArrayLike,
    shares: Mapping[str, float],
    weekly_costs: Mapping[str, ArrayLike],
    weeks: ArrayLike = DEFAULT_WEEKS_PER_YEAR,
) -> FloatArray:
    """Price projected numbers of children with a placement mix (shares summing to 1).

    >>> price_projection([100, 110], {"in_house_fostering": 0.5, "ifa": 0.5},
    ...                  {"in_house_fostering": 400, "ifa": 800}).tolist()
    [3120000.0, 3432000.0]
    """
    total_share = sum(shares.values())
    if not np.isclose(total_share, 1.0):
        raise ValueError(f"placement shares must add up to 1, not {total_share:g}")
    n = as_float(numbers)
    return placement_mix_cost({k: n * s for k, s in shares.items()}, weekly_costs, weeks)
