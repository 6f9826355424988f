"""Investment-bid profiles: net, cumulative net, payback and break-even years.

Sign convention (the reference report's): investment and gross saving are positive
magnitudes; ``net = investment - gross_saving``, so a negative net is a net saving.
Years run along the last axis; a 2-D array is many bids in one call.
"""

from __future__ import annotations

import numpy as np

from ._arrays import ArrayLike, FloatArray, IntArray, as_float, is_negative, year_or_none

__all__ = [
    "breakeven_year",
    "breakeven_years",
    "cumulative_net",
    "first_negative_years",
    "net",
    "payback_year",
    "payback_years",
]


def net(investment: ArrayLike, gross_saving: ArrayLike) -> FloatArray:
    """Net cost by year: investment minus gross saving (negative = net saving).

    >>> net([0.0, 1.276, 1.718], [0.0, 1.374, 2.660]).round(3).tolist()
    [0.0, -0.098, -0.942]
    """
    return as_float(investment) - as_float(gross_saving)


def cumulative_net(net_by_year: ArrayLike) -> FloatArray:
    """Running total of net along the years.

    >>> cumulative_net([0.1, -0.001, -0.463]).round(3).tolist()
    [0.1, 0.099, -0.364]
    """
    return np.cumsum(as_float(net_by_year), axis=-1)


def first_negative_years(values: ArrayLike) -> IntArray:
    """1-based index of the first negative value along the last axis, 0 where none.

    Money is rounded to 9 decimals first (see ``MONEY_DECIMALS``).

    >>> first_negative_years([[0.1, -0.2, 0.3], [0.0, 0.0, 0.0]]).tolist()
    [2, 0]
    """
    neg = is_negative(values)
    first = np.argmax(neg, axis=-1) + 1
    return np.where(neg.any(axis=-1), first, 0).astype(np.int64)


def payback_years(net_by_year: ArrayLike) -> IntArray:
    """Payback year of many bids (the reference report's rule), 0 where never.

    >>> payback_years([[0.0, -0.098], [0.27, 0.27]]).tolist()
    [2, 0]
    """
    return first_negative_years(net_by_year)


def payback_year(net_by_year: ArrayLike) -> int | None:
    """The reference report's payback year: the first year whose net is negative.

    Counted from 1 for the first year of the profile; ``None`` if the net never turns
    negative. (Not the same as break-even: see :func:`breakeven_year`.)

    >>> payback_year([0.0, 0.185, -0.244, -0.838])   # CYPS_5: year 3 = 2018/19
    3
    >>> payback_year([0.0, 0.27, 0.27]) is None
    True
    """
    return year_or_none(first_negative_years(net_by_year))


def breakeven_years(net_by_year: ArrayLike) -> IntArray:
    """Break-even year of many bids (cumulative net first negative), 0 where never.

    >>> breakeven_years([[0.1, -0.001, -0.463], [0.0, -0.1, 0.0]]).tolist()
    [3, 2]
    """
    return first_negative_years(cumulative_net(net_by_year))


def breakeven_year(net_by_year: ArrayLike) -> int | None:
    """Cumulative break-even year: the first year the running total of net is negative.

    1-based; ``None`` if the bid never recovers its outlay within the profile.

    >>> breakeven_year([0.1, -0.001, -0.463])       # CYPS_2: 0.1, 0.099, -0.364
    3
    >>> breakeven_year([0.0, 0.166, 0.166, 0.0]) is None
    True
    """
    return year_or_none(breakeven_years(net_by_year))
