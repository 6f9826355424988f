"""Demand: looked-after children growth, cohort shocks, and the inverse questions.

- compound growth: ``start x (1 + rate) ** year`` (beside the absolute growth of
  :func:`cypsxl.model.placements.lac_projection`);
- growth implied by two counts: ``now / then - 1`` (577 on 1 April, 612 now: +6.07%);
- a cohort shock: ``children`` more placements from a day at a weekly cost - the part
  year to 31 March and the full following year, as a monitoring risk or an MTFS pressure;
- the weekly cost implied by "N placements cost £X a year", and how many placements
  must end on a day to save £X by 31 March.

Money is in the unit of the weekly cost (normally £).
"""

from __future__ import annotations

import math

import numpy as np

from ._arrays import ArrayLike, FloatArray, as_float
from .dates import OPEN_END, fy_bounds
from .register import days_inside, placement_cost_dates

__all__ = [
    "cohort_cost",
    "cohort_cost_by_year",
    "implied_growth",
    "implied_weekly_cost",
    "lac_growth",
    "placements_to_end",
]


def lac_growth(start: float, rate: ArrayLike, n_years: int) -> FloatArray:
    """Looked-after children by year with compound growth ``rate`` a year.

    ``rate`` is one fraction (0.05 = 5% a year) or one per later year.

    >>> lac_growth(577, 0.05, 3).round(4).tolist()     # 577; x 1.05; x 1.05^2
    [577.0, 605.85, 636.1425]
    >>> lac_growth(100, [0.1, -0.5], 3).round(6).tolist()
    [100.0, 110.0, 55.0]
    """
    if n_years < 1:
        raise ValueError("n_years must be at least 1")
    r = np.broadcast_to(as_float(rate), (n_years - 1,))
    if (r <= -1).any():
        raise ValueError("a growth rate must be above -1 (-100%)")
    return float(start) * np.concatenate(([1.0], np.cumprod(1.0 + r)))


def implied_growth(then: ArrayLike, now: ArrayLike) -> FloatArray:
    """Growth from one count to another, as a fraction (NaN from zero).

    >>> round(float(implied_growth(577, 612)), 6)      # (612 - 577) / 577 = 35 / 577
    0.060659
    """
    t = as_float(then)
    with np.errstate(divide="ignore", invalid="ignore"):
        result: FloatArray = np.where(t > 0, as_float(now) / np.where(t > 0, t, 1.0) - 1.0, np.nan)
    return result


def cohort_cost(
    children: ArrayLike, weekly_cost: ArrayLike, from_day: int, year: str
) -> tuple[FloatArray, FloatArray]:
    """A cohort of ``children`` placed from ``from_day``: cost this year and next year.

    This year: from ``from_day`` (or 1 April if earlier) to 31 March; next year: the whole
    following financial year (the full-year effect).

    >>> from cypsxl.model.dates import day_number as d
    >>> # 55 placements at £700 a week from 1 January 2026: 90 days to 31 March
    >>> # 55 x 700 x 90 / 7 = 495,000; next year 55 x 700 x 365 / 7 (2026/27: 365 days)
    >>> [float(x) for x in cohort_cost(55, 700, d("2026-01-01"), "2025/26")]
    [495000.0, 2007500.0]
    """
    first, last = fy_bounds(year)
    nxt = int(year[:4]) + 1
    n_first, n_last = fy_bounds(f"{nxt:04d}/{(nxt + 1) % 100:02d}")
    this = placement_cost_dates(weekly_cost, from_day, OPEN_END, first, last, children)
    following = placement_cost_dates(weekly_cost, from_day, OPEN_END, n_first, n_last, children)
    return this, following


def cohort_cost_by_year(
    children: float, weekly_cost: float, from_day: int, years: tuple[str, ...], share: float = 1.0
) -> FloatArray:
    """A cohort's cost in each financial year of ``years`` (0 before it starts).

    >>> from cypsxl.model.dates import day_number as d
    >>> # 2 children at £1,000 a week from 1 March 2026: 31 days, then whole years
    >>> cohort_cost_by_year(2, 1000, d("2026-03-01"), ("2025/26", "2026/27")).round(2).tolist()
    [8857.14, 104285.71]
    """
    bounds = np.array([fy_bounds(y) for y in years], dtype=np.int64).reshape(-1, 2)
    cost = placement_cost_dates(
        weekly_cost, from_day, OPEN_END, bounds[:, 0], bounds[:, 1], children
    )
    result: FloatArray = cost * share
    return result


def implied_weekly_cost(
    placements: ArrayLike, annual_cost: ArrayLike, weeks: ArrayLike = 52.0
) -> FloatArray:
    """The weekly cost of one placement when ``placements`` cost ``annual_cost`` a year.

    ``weeks`` in a year: 52 by default (the MTFS convention); 365/7 matches the register's
    day count.

    >>> float(implied_weekly_cost(6, 520_104))        # 520,104 / (6 x 52)
    1667.0
    """
    n = as_float(placements)
    with np.errstate(divide="ignore", invalid="ignore"):
        result: FloatArray = np.where(
            n > 0, as_float(annual_cost) / (np.where(n > 0, n, 1.0) * as_float(weeks)), np.nan
        )
    return result


def placements_to_end(saving: float, weekly_cost: float, end_day: int, year: str) -> int | None:
    """How many placements must end on ``end_day`` (their last day) to save ``saving`` by
    31 March: ``ceil(saving / (weekly_cost x days after end_day to 31 March / 7))``.

    ``None`` when ending then saves nothing this year (the last day is 31 March or later).

    >>> from cypsxl.model.dates import day_number as d
    >>> # save £610,000 by ending placements at £5,000 a week on 31 October 2025:
    >>> # 151 days left, 5000 x 151 / 7 = 107,857.14 each; 610,000 / 107,857.14 = 5.66 -> 6
    >>> placements_to_end(610_000, 5_000, d("2025-10-31"), "2025/26")
    6
    """
    first, last = fy_bounds(year)
    days = int(days_inside(end_day + 1, OPEN_END, first, last))
    each = weekly_cost * days / 7.0
    if each <= 0:
        return None
    if saving <= 0:
        return 0
    # round away the float noise of an exact multiple before taking the ceiling
    return math.ceil(round(saving / each, 9))
