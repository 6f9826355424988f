"""The CYPS budget roll-up, total additional funding and the revised MTFS funding gap.

All money in one unit (the case's £m). Years on the last axis.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._arrays import ArrayLike, FloatArray, as_float

__all__ = [
    "BudgetRollup",
    "FundingGap",
    "additional_funding",
    "budget_rollup",
    "funding_gap",
]


@dataclass(frozen=True, slots=True)
class BudgetRollup:
    """Table 1 of the report: the CYPS cash-limited budget and what it must fund."""

    net_budget: FloatArray
    pressures: FloatArray
    investment: FloatArray
    savings: FloatArray
    net_forecast: FloatArray
    funding_support: FloatArray


def budget_rollup(
    net_budget: ArrayLike, pressures: ArrayLike, investment: ArrayLike, savings: ArrayLike
) -> BudgetRollup:
    """Net forecast = net budget + pressures + investment - savings; support = forecast - budget.

    ``savings`` are positive magnitudes (the report prints them in brackets).

    >>> t = budget_rollup([56.468], [7.848], [0.179], [0.0])
    >>> round(float(t.net_forecast[0]), 3), round(float(t.funding_support[0]), 3)
    (64.495, 8.027)
    """
    nb, pr, inv, sav = (as_float(x) for x in (net_budget, pressures, investment, savings))
    forecast = nb + pr + inv - sav
    return BudgetRollup(
        net_budget=nb,
        pressures=pr,
        investment=inv,
        savings=sav,
        net_forecast=forecast,
        funding_support=forecast - nb,
    )


def additional_funding(
    pressures: ArrayLike, net_investment: ArrayLike, other_levels: ArrayLike = 0.0
) -> FloatArray:
    """Total additional funding by MTFS year: CYPS pressures + CYPS net investment + others.

    ``other_levels`` is one row per other directorate (2-D) or their sum (1-D); pass
    rows already cut to the MTFS years.

    >>> # 2016/17: 7.848 pressures + 0.179 net investment + 0.128 adult + 0.301 corporate
    >>> additional_funding([7.848], [0.179], [[0.128], [0.301]]).round(3).tolist()
    [8.456]
    """
    others = as_float(other_levels)
    if others.ndim > 1:
        others = others.sum(axis=0)
    return as_float(pressures) + as_float(net_investment) + others


@dataclass(frozen=True, slots=True)
class FundingGap:
    """Table 4: the base and revised incremental funding gap, and what reserves meet."""

    base: FloatArray
    change: FloatArray
    revised: FloatArray
    reserve_draw: float


def funding_gap(
    base_gap: ArrayLike, levels: ArrayLike, current_year_one_off: bool = False
) -> FundingGap:
    """Revise an incremental MTFS gap for additional recurring funding ``levels``.

    The gap is the *new* gap arising each year, so recurring funding raises a year's gap
    by the change in its level from the year before. When the current (first) year's
    funding is one-off from reserves, it leaves that year's gap alone and stays out of
    the base: the next year's gap rises by that year's whole level. The reserve draw is
    then the first-year level (0 when the first year is funded recurrently, the default:
    reserves are drawn only when the caller says so, as in a case file).

    >>> g = funding_gap([0.0, 13.125, 8.659, 20.077], [8.456, 11.005, 10.200, 8.986], True)
    >>> g.revised.round(3).tolist(), round(g.reserve_draw, 3)
    ([0.0, 24.13, 7.854, 18.863], 8.456)
    >>> funding_gap([1.0, 2.0], [0.5, 0.7]).revised.tolist()
    [1.5, 2.2]
    """
    base = as_float(base_gap)
    lv = as_float(levels)
    recurring = lv.copy()
    if current_year_one_off and lv.shape[-1] > 0:
        recurring[..., 0] = 0.0
    change = np.diff(recurring, axis=-1, prepend=0.0)
    reserve = float(lv[..., 0].sum()) if current_year_one_off and lv.shape[-1] else 0.0
    return FundingGap(base=base, change=change, revised=base + change, reserve_draw=reserve)
