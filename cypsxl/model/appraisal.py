"""Green Book appraisal: discounting, payback, benefit-cost ratio, IRR, optimism bias,
switching values and sensitivity (tornado).

Sign convention: investment and gross saving are positive magnitudes (£m by year, years
on the last axis, the first year is t = 0); a *net saving* is ``gross_saving -
investment`` (positive = net benefit), the opposite sign of the engine's ``net``. Each
function is vectorised over bids (leading axes); a single row in gives a number out.

Discount rates: one rate for every year (the Green Book's 3.5% real for years 0-30), or
a schedule with one rate per year where ``rates[t]`` discounts year t back to year t - 1
(``DF[0] = 1``, ``DF[t] = DF[t - 1] / (1 + rates[t])``; the first rate is not used).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy_financial as npf

from ._arrays import MONEY_DECIMALS, ArrayLike, FloatArray, IntArray, as_float, year_or_none
from ._levers import (
    CaseArrays,
    Levers,
    Outcome,
    case_arrays,
    delay_rows,
    evaluate,
    optimism_levers,
    totals,
)
from .bids import first_negative_years
from .case import Case, OptimismBias

__all__ = [
    "GREEN_BOOK_RATE",
    "Appraisal",
    "BidMeasures",
    "ProgrammeMeasures",
    "TornadoRow",
    "apply_optimism_bias",
    "appraise_case",
    "benefit_cost_ratio",
    "case_rate",
    "delay_savings",
    "discount_factors",
    "discounted_payback_year",
    "discounted_payback_years",
    "irr",
    "npv",
    "sensitivity",
    "switching_delivery_share",
    "switching_payback_cut",
    "switching_saving_cut",
]

#: HM Treasury Green Book real discount rate for years 0-30.
GREEN_BOOK_RATE = 0.035


def _out(values: FloatArray) -> float | FloatArray:
    """A 0-d result as a Python float (scalar in, scalar out)."""
    return float(values) if np.ndim(values) == 0 else values


def discount_factors(rate: ArrayLike, n_years: int) -> FloatArray:
    """Discount factor of each year, t = 0 for the first year (undiscounted).

    ``rate`` is one rate for all years (it may be a column, one rate per bid), or a
    schedule of ``n_years`` rates where ``rate[t]`` discounts year t to year t - 1.

    >>> discount_factors(0.035, 3).round(6).tolist()      # 1, 1/1.035, 1/1.035^2
    [1.0, 0.966184, 0.933511]
    >>> discount_factors([0.0, 0.10, 0.20], 3).round(6).tolist()   # 1, 1/1.1, 1/(1.1 x 1.2)
    [1.0, 0.909091, 0.757576]
    """
    r = as_float(rate)
    t = np.arange(n_years, dtype=np.float64)
    if r.ndim == 0 or r.shape[-1] == 1:
        return as_float((1.0 + r) ** -t)
    if r.shape[-1] != n_years:
        raise ValueError(f"a schedule of {r.shape[-1]} rates for {n_years} years")
    growth = 1.0 + r
    growth[..., 0] = 1.0
    return as_float(1.0 / np.cumprod(growth, axis=-1))


def npv(net_saving: ArrayLike, rate: ArrayLike = GREEN_BOOK_RATE) -> float | FloatArray:
    """Net present value: ``sum_t net_saving[t] / (1 + r)^t``, t = 0 for the first year.

    ``net_saving`` is gross saving minus investment (positive = net benefit); like
    ``numpy_financial.npv`` the first year is not discounted. Rows are bids.

    >>> npv([-1.0, 1.05], 0.05)                    # -1 + 1.05 / 1.05
    0.0
    >>> npv([[-0.1, 0.0], [0.0, 0.21]], 0.05).round(3).tolist()   # 0.21 / 1.05 = 0.2
    [-0.1, 0.2]
    """
    v = as_float(net_saving)
    return _out(np.sum(v * discount_factors(rate, v.shape[-1]), axis=-1))


def _discounted_cumulative(values: FloatArray, rate: ArrayLike) -> FloatArray:
    return np.cumsum(values * discount_factors(rate, values.shape[-1]), axis=-1)


def _present_values(
    investment: FloatArray, gross_saving: FloatArray, rate: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Present values of the investment and of the gross saving (summed over the years)."""
    df = discount_factors(rate, investment.shape[-1])
    return np.sum(investment * df, axis=-1), np.sum(gross_saving * df, axis=-1)


def discounted_payback_years(
    investment: ArrayLike, gross_saving: ArrayLike, rate: ArrayLike = GREEN_BOOK_RATE
) -> IntArray:
    """Discounted payback year of many bids (1-based), 0 where never.

    The first year in which the discounted cumulative saving exceeds the discounted
    cumulative investment (money compared to 9 decimals, as the engine's payback).

    >>> discounted_payback_years([[0.1, 0.0], [0.5, 0.0]], [[0.0, 0.2], [0.0, 0.2]],
    ...                          0.05).tolist()    # 0.2/1.05 = 0.190 > 0.1; < 0.5
    [2, 0]
    """
    inv, gross = as_float(investment), as_float(gross_saving)
    return first_negative_years(_discounted_cumulative(inv - gross, rate))


def discounted_payback_year(
    investment: ArrayLike, gross_saving: ArrayLike, rate: ArrayLike = GREEN_BOOK_RATE
) -> int | None:
    """Discounted payback year of one bid (1-based; ``None`` if it never pays back).

    >>> # CYPS_2, savings - investment: -0.1, +0.001, +0.463; discounted running total
    >>> # -0.1 + 0.001/1.035 = -0.099 < 0, then -0.099 + 0.463/1.035^2 = 0.333 > 0: year 3
    >>> discounted_payback_year([0.1, 0.164, 0.164], [0.0, 0.165, 0.627])
    3
    """
    return year_or_none(discounted_payback_years(investment, gross_saving, rate))


def benefit_cost_ratio(
    investment: ArrayLike, gross_saving: ArrayLike, rate: ArrayLike = GREEN_BOOK_RATE
) -> float | FloatArray:
    """Benefit-cost ratio: PV of gross savings / PV of investment; NaN where no investment.

    >>> benefit_cost_ratio([0.1, 0.0], [0.0, 0.21], 0.05)     # (0.21 / 1.05) / 0.1
    2.0
    >>> import math; math.isnan(benefit_cost_ratio([0.0, 0.0], [0.0, 0.5]))
    True
    """
    pv_inv, pv_sav = _present_values(as_float(investment), as_float(gross_saving), rate)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(
            np.round(pv_inv, MONEY_DECIMALS) > 0, pv_sav / np.where(pv_inv > 0, pv_inv, 1.0), np.nan
        )
    return _out(ratio)


def irr(net_saving: ArrayLike) -> float | FloatArray:
    """Internal rate of return of each row (``numpy_financial.irr``); NaN where none.

    An IRR exists only where the net saving changes sign (an outlay, then a return).

    >>> round(irr([-1.0, 1.1]), 6)              # -1 + 1.1 / (1 + r) = 0 -> r = 10%
    0.1
    >>> import math; math.isnan(irr([0.0, 0.042, 0.264]))     # no outlay: no IRR
    True
    """
    v = as_float(net_saving)
    rows = v.reshape(-1, v.shape[-1])
    out = np.full(rows.shape[0], np.nan)
    for i, row in enumerate(rows):
        r = np.round(row, MONEY_DECIMALS)
        if (r < 0).any() and (r > 0).any():
            out[i] = float(npf.irr(row))
    return _out(out.reshape(v.shape[:-1]))


def delay_savings(gross_saving: ArrayLike, years: ArrayLike) -> FloatArray:
    """Move savings ``years`` whole years later (one per row); what passes the end is lost.

    >>> delay_savings([0.0, 0.132, 0.264], 1).tolist()
    [0.0, 0.0, 0.132]
    """
    return delay_rows(as_float(gross_saving), np.asarray(years, dtype=np.int64))


def apply_optimism_bias(
    investment: ArrayLike,
    gross_saving: ArrayLike,
    investment_uplift: ArrayLike = 0.0,
    saving_cut: ArrayLike = 0.0,
    saving_delay_years: ArrayLike = 0,
) -> tuple[FloatArray, FloatArray]:
    """Green Book optimism bias: investment x (1 + uplift), savings x (1 - cut), delayed.

    Fractions (0.2 = 20%); the delay is in whole years. Parameters broadcast per bid.

    >>> inv, sav = apply_optimism_bias([0.0, 0.090, 0.0], [0.0, 0.132, 0.264], 0.5, 0.25, 1)
    >>> inv.round(3).tolist(), sav.round(3).tolist()   # 0.09 x 1.5; 0.132 x 0.75 a year later
    ([0.0, 0.135, 0.0], [0.0, 0.0, 0.099])
    """
    inv = as_float(investment) * (1.0 + as_float(investment_uplift))[..., None]
    sav = as_float(gross_saving) * (1.0 - as_float(saving_cut))[..., None]
    return inv, delay_savings(sav, saving_delay_years)


def switching_saving_cut(
    investment: ArrayLike, gross_saving: ArrayLike, rate: ArrayLike = GREEN_BOOK_RATE
) -> float | FloatArray:
    """Switching value: the cut in savings (a fraction) at which NPV falls to zero.

    NPV(cut) = PV savings x (1 - cut) - PV investment, so cut = NPV / PV savings.
    Negative where NPV is already below zero (savings must *rise*); NaN where no saving.

    >>> switching_saving_cut([0.1, 0.0], [0.0, 0.21], 0.05)   # NPV 0.1 / PV savings 0.2
    0.5
    """
    pv_inv, pv_sav = _present_values(as_float(investment), as_float(gross_saving), rate)
    with np.errstate(divide="ignore", invalid="ignore"):
        cut = np.where(pv_sav > 0, 1.0 - pv_inv / np.where(pv_sav > 0, pv_sav, 1.0), np.nan)
    return _out(cut)


def switching_payback_cut(
    investment: ArrayLike,
    gross_saving: ArrayLike,
    horizon: int,
    rate: ArrayLike | None = None,
) -> float | FloatArray:
    """Switching value: the cut in savings at which payback moves past ``horizon`` years.

    Without ``rate``, the report's payback (first year with net < 0): payback stays
    within the horizon while some year t < horizon has ``investment[t] < (1 - cut) x
    saving[t]``, so the switching cut is ``max_t (1 - investment[t] / saving[t])``. With
    ``rate``, discounted payback, the same on discounted cumulative sums. A negative cut
    means payback is already past the horizon; NaN where no saving within it.

    >>> # CYPS_5 to 2018/19: 1 - 0.35 / 0.594 = 0.4108 (2017/18 cannot: 0.35 > 0.165)
    >>> round(switching_payback_cut([0.0, 0.350, 0.350], [0.0, 0.165, 0.594], 3), 4)
    0.4108
    """
    inv, gross = as_float(investment), as_float(gross_saving)
    if rate is not None:
        inv = _discounted_cumulative(inv, rate)
        gross = _discounted_cumulative(gross, rate)
    inv, gross = inv[..., :horizon], gross[..., :horizon]
    with np.errstate(divide="ignore", invalid="ignore"):
        cuts = np.where(gross > 0, 1.0 - inv / np.where(gross > 0, gross, 1.0), -np.inf)
    best = cuts.max(axis=-1, initial=-np.inf)
    return _out(np.where(np.isfinite(best), best, np.nan))


# --------------------------------------------------------------------------- a whole case


@dataclass(frozen=True, slots=True)
class BidMeasures:
    """Appraisal of every bid (arrays over bids; money in £m; years 1-based, 0 = none)."""

    refs: tuple[str, ...]
    investment: FloatArray  # bids x years
    gross_saving: FloatArray  # bids x years
    pv_investment: FloatArray
    pv_saving: FloatArray
    npv: FloatArray
    bcr: FloatArray  # NaN where no investment
    irr: FloatArray  # NaN where none
    payback_year: IntArray
    breakeven_year: IntArray
    discounted_payback_year: IntArray
    switching_saving_cut: FloatArray  # NPV = 0
    switching_payback_cut: FloatArray  # payback past the MTFS horizon
    switching_discounted_payback_cut: FloatArray


@dataclass(frozen=True, slots=True)
class ProgrammeMeasures:
    """Appraisal of all bids together, and the MTFS effect of the last MTFS year."""

    net_saving: FloatArray  # by year: savings - investment
    pv_investment: float
    pv_saving: float
    npv: float
    bcr: float
    irr: float
    discounted_payback_year: int  # 0 = none
    cumulative_net: float  # investment - saving over every year (the report's sign)
    revised_gap_last: float  # revised funding gap, last MTFS year
    base_gap_last: float
    switching_delivery_share: float  # share of prevented children for revised <= base gap


@dataclass(frozen=True, slots=True)
class TornadoRow:
    """Effect of moving one input group down and up by the stated share (£m)."""

    key: str
    label: str
    cumulative_net_low: float  # change in the programme's cumulative net
    cumulative_net_high: float
    revised_gap_low: float  # change in the last MTFS year's revised gap
    revised_gap_high: float

    @property
    def swing(self) -> float:
        """Size for sorting: the larger absolute effect on either measure."""
        return max(
            abs(self.cumulative_net_low),
            abs(self.cumulative_net_high),
            abs(self.revised_gap_low),
            abs(self.revised_gap_high),
        )


@dataclass(frozen=True, slots=True)
class Appraisal:
    """Base and optimism-bias-adjusted appraisal of a case, side by side."""

    case: Case
    rate: float | tuple[float, ...]
    discount_factors: FloatArray
    optimism_bias: tuple[OptimismBias, ...]  # the bias applied to each bid
    base: tuple[BidMeasures, ProgrammeMeasures]
    adjusted: tuple[BidMeasures, ProgrammeMeasures]
    sensitivity_share: float
    tornado_base: tuple[TornadoRow, ...]
    tornado_adjusted: tuple[TornadoRow, ...]


def case_rate(case: Case) -> float | tuple[float, ...]:
    """The case's discount rate: its schedule by year if given, else the single rate."""
    a = case.assumptions
    return a.discount_rates if a.discount_rates is not None else a.discount_rate


def _bid_measures(refs: tuple[str, ...], out: Outcome, rate: ArrayLike, m: int) -> BidMeasures:
    inv, gross = out.investment[0], out.gross_saving[0]
    pv_inv, pv_sav = _present_values(inv, gross, rate)
    net = out.net[0]
    return BidMeasures(
        refs=refs,
        investment=inv,
        gross_saving=gross,
        pv_investment=pv_inv,
        pv_saving=pv_sav,
        npv=np.asarray(npv(gross - inv, rate)),
        bcr=np.asarray(benefit_cost_ratio(inv, gross, rate)),
        irr=np.asarray(irr(gross - inv)),
        payback_year=first_negative_years(net),
        breakeven_year=first_negative_years(np.cumsum(net, axis=-1)),
        discounted_payback_year=discounted_payback_years(inv, gross, rate),
        switching_saving_cut=np.asarray(switching_saving_cut(inv, gross, rate)),
        switching_payback_cut=np.asarray(switching_payback_cut(inv, gross, m)),
        switching_discounted_payback_cut=np.asarray(switching_payback_cut(inv, gross, m, rate)),
    )


def switching_delivery_share(case: Case, optimism_bias: bool = False) -> float:
    """Share of the prevented children that must be delivered for the revised funding gap
    in the last MTFS year not to exceed the base gap (NaN if delivery cannot get there).

    The gap is linear in delivery, so two runs (none and all delivered) give it exactly:
    share = (gap(0) - base) / (gap(0) - gap(1)); 0 if the gap is within the base anyway.

    >>> from cypsxl.casefile import reference_case
    >>> # 2019/20: gap 20.305 with none delivered, 18.864 with all; base 20.077:
    >>> # (20.305 - 20.077) / (20.305 - 18.864) = 0.158
    >>> round(switching_delivery_share(reference_case()), 3)
    0.158
    """
    a = case_arrays(case)
    return _delivery_share(a, optimism_levers(a) if optimism_bias else Levers(n=1))


def _delivery_share(a: CaseArrays, lv: Levers) -> float:
    # ``lv`` is one variant: its levers broadcast over the two runs (none, all delivered)
    two = replace(lv, n=2, delivery=np.array([[0.0], [1.0]]))
    gaps = evaluate(a, two).revised_gap[:, -1]
    none, full, base = float(gaps[0]), float(gaps[1]), float(a.base_gap[-1])
    if round(none - base, MONEY_DECIMALS) <= 0:
        return 0.0
    if round(none - full, MONEY_DECIMALS) <= 0:
        return float("nan")
    return (none - base) / (none - full)


def _programme(a: CaseArrays, out: Outcome, rate: ArrayLike, levers: Levers) -> ProgrammeMeasures:
    inv = out.investment[0].sum(axis=0)
    gross = out.gross_saving[0].sum(axis=0)
    pv_inv, pv_sav = _present_values(inv, gross, rate)
    return ProgrammeMeasures(
        net_saving=gross - inv,
        pv_investment=float(pv_inv),
        pv_saving=float(pv_sav),
        npv=float(npv(gross - inv, rate)),
        bcr=float(benefit_cost_ratio(inv, gross, rate)),
        irr=float(irr(gross - inv)),
        discounted_payback_year=int(discounted_payback_years(inv, gross, rate)),
        cumulative_net=float(out.net[0].sum()),
        revised_gap_last=float(out.revised_gap[0, -1]),
        base_gap_last=float(a.base_gap[-1]),
        switching_delivery_share=_delivery_share(a, levers),
    )


def _tornado_groups(case: Case, a: CaseArrays) -> list[tuple[str, str]]:
    """(key, label) of every input group the tornado moves."""
    groups: list[tuple[str, str]] = []
    if a.prevented.any():
        groups.append(("avoided_cost", "Avoided cost per child"))
        groups.append(("part_year_factor", "Part-year factor"))
    for i, ref in enumerate(a.refs):
        if a.prevented[i].any():
            groups.append((f"prevented:{ref}", f"{ref} prevented children"))
        if a.explicit_saving[i].any():
            groups.append((f"saving:{ref}", f"{ref} gross saving"))
        if a.investment[i].any():
            groups.append((f"investment:{ref}", f"{ref} investment"))
    for line, values in a.pressures.items():
        if values.any():
            groups.append((f"pressure:{line}", f"Pressure: {line.replace('_', ' ')}"))
    return groups


def _tornado_levers(a: CaseArrays, groups: Sequence[str], share: float, base: Levers) -> Levers:
    """Levers for the centre (row 0) then each case-wide group low and high (rows 2g+1,
    2g+2): the avoided cost, the part-year factor and the pressure lines."""
    s = 1 + 2 * len(groups)
    b = a.n_bids
    ones = np.ones((s, b))
    inv = ones * (1.0 if base.investment is None else base.investment[:1])
    sav = ones * (1.0 if base.saving is None else base.saving[:1])
    delay = np.broadcast_to(0 if base.delay is None else base.delay[:1], (s, b))
    cost = np.broadcast_to(a.avoided_cost[:, 0], (s, b)).copy()
    factor = np.broadcast_to(a.part_year_factor[:, 0], (s, b)).copy()
    pressure = {k: np.ones(s) for k in a.pressures}
    for g, key in enumerate(groups):
        for row, sign in ((2 * g + 1, -1.0), (2 * g + 2, 1.0)):
            scale = 1.0 + sign * share
            kind, _, name = key.partition(":")
            if kind == "avoided_cost":
                cost[row] = cost[row] * scale
            elif kind == "part_year_factor":
                factor[row] = np.clip(factor[row] * scale, 0.0, 1.0)
            else:
                pressure[name][row] = scale
    return Levers(
        n=s,
        delivery=np.ones((s, b)),
        avoided_cost=cost,
        part_year_factor=factor,
        saving=sav,
        investment=inv,
        delay=delay,
        pressure=pressure,
    )


_CASE_WIDE = ("avoided_cost", "part_year_factor", "pressure")


def _one_bid_moves(
    a: CaseArrays, groups: Sequence[str], share: float, base: Levers, centre: Outcome
) -> tuple[FloatArray, FloatArray]:
    """Change in cumulative net, and last-year revised gap, with each one-bid group moved
    down and up (rows 2g, 2g+1), in memory linear in the bids.

    A group moving one bid's prevented children, saving or investment changes that bid's
    row only: each moved row is evaluated as a bid of its own (one pass over 2 x groups
    "bids"), and the case totals are the centre's with that bid's row swapped.
    """
    rows = [a.refs.index(key.partition(":")[2]) for key in groups for _ in (0, 1)]
    idx = np.array(rows, dtype=np.int64)
    r = len(rows)
    mult = {"prevented": np.ones(r), "saving": np.ones(r), "investment": np.ones(r)}
    for g, key in enumerate(groups):
        kind = key.partition(":")[0]
        mult[kind][2 * g] = 1.0 - share
        mult[kind][2 * g + 1] = 1.0 + share
    sub = replace(
        a,
        refs=tuple(a.refs[i] for i in rows),
        investment=a.investment[idx],
        explicit_saving=a.explicit_saving[idx],
        prevented=a.prevented[idx],
        avoided_cost=a.avoided_cost[idx],
        part_year_factor=a.part_year_factor[idx],
        optimism_bias=tuple(a.optimism_bias[i] for i in rows),
        own_avoided_cost=(),
        own_part_year_factor=(),
    )

    def pick(lever: FloatArray | None) -> FloatArray | float:
        return 1.0 if lever is None else np.asarray(lever)[:1, idx]

    moved = evaluate(
        sub,
        Levers(
            n=1,
            delivery=mult["prevented"][None, :],
            saving=mult["saving"][None, :] * pick(base.saving),
            investment=mult["investment"][None, :] * pick(base.investment),
            delay=None if base.delay is None else np.asarray(base.delay)[:1, idx],
        ),
    )
    inv0, gross0 = centre.investment[0], centre.gross_saving[0]
    # the centre's totals plus each moved row's change (exactly the centre when unmoved)
    inv = inv0.sum(axis=0) + (moved.investment[0] - inv0[idx])
    gross = gross0.sum(axis=0) + (moved.gross_saving[0] - gross0[idx])
    cum = moved.net[0].sum(axis=-1) - centre.net[0][idx].sum(axis=-1)
    gap = totals(a, {}, r, inv, gross)[3][:, -1]
    return cum, gap


def sensitivity(
    case: Case, share: float = 0.1, optimism_bias: bool = False
) -> tuple[TornadoRow, ...]:
    """Tornado data: each input group moved down and up by ``share`` (0.1 = -/+10%).

    Groups: avoided cost per child, part-year factor, each bid's prevented children,
    gross saving and investment, each pressure line. Effects (£m) on the programme's
    cumulative net (investment - saving over every year) and on the last MTFS year's
    revised gap; sorted by size, largest first. One vectorised run for every group.

    >>> from cypsxl.casefile import reference_case
    >>> rows = {r.key: r for r in sensitivity(reference_case(), 0.1)}
    >>> # demand pressure -/+10%: 2019/20 gap moves by 10% of (9.458 - 8.402) = 0.1056
    >>> d = rows["pressure:demand"]
    >>> round(d.revised_gap_low, 4), round(d.revised_gap_high, 4), d.cumulative_net_low
    (-0.1056, 0.1056, 0.0)
    >>> # CYPS_1A savings -/+10%: cumulative net by 10% of 1.374 + 2.660 + 3.980 + 3.980
    >>> round(rows["saving:CYPS_1A"].cumulative_net_low, 4)
    1.1994
    """
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"the sensitivity share must be from 0 to 1 (0.1 = 10%), not {share!r}")
    a = case_arrays(case)
    groups = _tornado_groups(case, a)
    base = optimism_levers(a) if optimism_bias else Levers(n=1)
    wide = [k for k, _ in groups if k.partition(":")[0] in _CASE_WIDE]
    one = [k for k, _ in groups if k.partition(":")[0] not in _CASE_WIDE]
    out = evaluate(a, _tornado_levers(a, wide, share, base))
    cum = out.net.sum(axis=(-2, -1))
    gap = out.revised_gap[:, -1]
    change = {  # key: changes in cumulative net (low, high) and in the gap (low, high)
        key: (cum[2 * g + 1] - cum[0], cum[2 * g + 2] - cum[0], gap[2 * g + 1], gap[2 * g + 2])
        for g, key in enumerate(wide)
    }
    if one:
        cum_one, gap_one = _one_bid_moves(a, one, share, base, out)
        for g, key in enumerate(one):
            change[key] = (cum_one[2 * g], cum_one[2 * g + 1], gap_one[2 * g], gap_one[2 * g + 1])
    rows = [
        TornadoRow(
            key=key,
            label=label,
            cumulative_net_low=float(change[key][0]),
            cumulative_net_high=float(change[key][1]),
            revised_gap_low=float(change[key][2] - gap[0]),
            revised_gap_high=float(change[key][3] - gap[0]),
        )
        for key, label in groups
    ]
    return tuple(sorted(rows, key=lambda r: -r.swing))


def _measures(
    case: Case, a: CaseArrays, levers: Levers, rate: ArrayLike
) -> tuple[BidMeasures, ProgrammeMeasures]:
    out = evaluate(a, levers)
    return _bid_measures(a.refs, out, rate, case.n_mtfs), _programme(a, out, rate, levers)


def appraise_case(case: Case, share: float | None = None) -> Appraisal:
    """The Green Book appraisal of every bid and the programme, before and after optimism
    bias, with switching values and the tornado (``share`` defaults to the case's).

    >>> from cypsxl.casefile import reference_case
    >>> ap = appraise_case(reference_case())
    >>> bids, programme = ap.base
    >>> i = bids.refs.index("CYPS_7")
    >>> # 0.042/1.035 + 0.264/1.035^2 + 0.264/1.035^3 + 0.264/1.035^4
    >>> round(float(bids.npv[i]), 4), int(bids.discounted_payback_year[i])
    (0.7552, 2)
    """
    a = case_arrays(case)
    rate = case_rate(case)
    share = case.scenarios.sensitivity if share is None else share
    base = _measures(case, a, Levers(n=1), rate)
    has_bias = a.has_optimism_bias
    adjusted = _measures(case, a, optimism_levers(a), rate) if has_bias else base
    tornado = sensitivity(case, share)
    return Appraisal(
        case=case,
        rate=rate,
        discount_factors=discount_factors(rate, case.n_years),
        optimism_bias=a.optimism_bias,
        base=base,
        adjusted=adjusted,
        sensitivity_share=share,
        tornado_base=tornado,
        tornado_adjusted=sensitivity(case, share, optimism_bias=True) if has_bias else tornado,
    )
