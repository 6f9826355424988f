"""Discount-rate schedules: a rate for each band of years, spread over a plan's years."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ._arrays import FloatArray

__all__ = ["RateBand", "rate_schedule"]


@dataclass(frozen=True, slots=True)
class RateBand:
    """``rate`` from year ``first_year`` to ``last_year`` (0 = first year; None = no end)."""

    first_year: int
    last_year: int | None
    rate: float


def rate_schedule(bands: Sequence[RateBand], n_years: int) -> FloatArray:
    """One rate per year for ``n_years`` years from banded rates.

    Bands must start at year 0 and follow one another without gaps; the last may be
    open-ended.

    >>> bands = [RateBand(0, 1, 0.035), RateBand(2, None, 0.03)]
    >>> rate_schedule(bands, 4).tolist()
    [0.035, 0.035, 0.03, 0.03]
    """
    expected = 0
    for band in bands:
        if band.first_year != expected:
            raise ValueError(f"rate bands must follow on: expected a band from year {expected}")
        if band.last_year is None:
            expected = -1
            break
        expected = band.last_year + 1
    years = np.arange(n_years)
    out = np.full(n_years, np.nan)
    for band in bands:
        last = np.inf if band.last_year is None else band.last_year
        out[(years >= band.first_year) & (years <= last)] = band.rate
    if np.isnan(out).any():
        raise ValueError(f"the rate bands stop before year {n_years - 1}")
    return out
