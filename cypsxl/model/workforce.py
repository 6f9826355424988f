"""The workforce establishment: posts costed for the days they are filled in a window.

A post is a team, a role, a kind (permanent, agency or vacant), an FTE and a cost: an
``annual_cost`` (£ a year per FTE, with on-costs) or an agency ``weekly_rate`` (£ a
week per FTE), with optional ``start`` and ``end`` days (both inclusive). Its cost in a
window inside one financial year is::

    annual_cost x fte x days inside / days in that financial year   (365 or 366)
    weekly_rate x fte x days inside / 7

A vacant post costs nothing (its budget is the vacancy saving). The agency premium is
agency cost minus the same FTE at the permanent cost of the post: an agency post's own
``annual_cost`` (what the post costs when filled permanently) where given, otherwise the
FTE-weighted average annual cost of the establishment's permanent posts of the same role,
otherwise of all its permanent posts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ._arrays import ArrayLike, FloatArray, IntArray, as_float
from .dates import OPEN_END, fy_bounds
from .input_rules import FTE
from .register import days_inside

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = [
    "KINDS",
    "Establishment",
    "WorkforceSummary",
    "agency_conversion",
    "agency_premium",
    "conversion_saving",
    "post_costs",
    "summarise_workforce",
]

#: Kinds of post, in reporting order.
KINDS = ("permanent", "agency", "vacant")


@dataclass(frozen=True, slots=True, eq=False)
class Establishment:
    """Posts as parallel arrays. ``annual_cost`` or ``weekly_rate`` is NaN where not given."""

    team: tuple[str, ...]
    role: tuple[str, ...]
    kind: tuple[str, ...]
    fte: FloatArray
    annual_cost: FloatArray
    weekly_rate: FloatArray
    start: IntArray
    end: IntArray

    @classmethod
    def build(
        cls,
        team: Sequence[str],
        role: Sequence[str],
        kind: Sequence[str],
        fte: ArrayLike,
        annual_cost: ArrayLike = np.nan,
        weekly_rate: ArrayLike = np.nan,
        start: ArrayLike = -OPEN_END,
        end: ArrayLike = OPEN_END,
    ) -> Establishment:
        """An establishment from lists (NaN for a cost not given, no dates = all year).

        >>> e = Establishment.build(["A"], ["SW"], ["agency"], [1.0], weekly_rate=[1200])
        >>> len(e), e.annual_cost.tolist()
        (1, [nan])
        """
        n = len(team)
        for k in kind:
            if k not in KINDS:
                raise ValueError(f"unknown kind of post {k!r}; expected one of {KINDS}")

        def col(v: ArrayLike) -> FloatArray:
            return np.broadcast_to(as_float(v), (n,)).copy()

        def days(v: ArrayLike) -> IntArray:
            return np.broadcast_to(np.asarray(v, np.int64), (n,)).copy()

        return cls(
            tuple(team),
            tuple(role),
            tuple(kind),
            col(fte),
            col(annual_cost),
            col(weekly_rate),
            days(start),
            days(end),
        )

    def __len__(self) -> int:
        return len(self.team)

    def mask(self, kind: str) -> npt.NDArray[np.bool_]:
        """Posts of one kind."""
        return np.array([k == kind for k in self.kind], dtype=bool)

    def select(self, mask: npt.NDArray[np.bool_]) -> Establishment:
        """The posts where ``mask`` is true."""
        keep = [i for i, m in enumerate(mask) if m]
        return Establishment(
            tuple(self.team[i] for i in keep),
            tuple(self.role[i] for i in keep),
            tuple(self.kind[i] for i in keep),
            self.fte[mask],
            self.annual_cost[mask],
            self.weekly_rate[mask],
            self.start[mask],
            self.end[mask],
        )

    def filtered(
        self, teams: Sequence[str] | None = None, kinds: Sequence[str] | None = None
    ) -> Establishment:
        """The posts of the given teams and kinds (``None`` = all)."""
        keep = np.ones(len(self), dtype=bool)
        if teams is not None:
            keep &= np.array([t in teams for t in self.team], dtype=bool)
        if kinds is not None:
            keep &= np.array([k in kinds for k in self.kind], dtype=bool)
        return self.select(keep)

    def window_costs(
        self, window_from: IntArray, window_to: IntArray, days_in_year: int
    ) -> FloatArray:
        """Each post's cost (a row) in each window (a column) of one financial year: days
        ``window_from[k]`` to ``window_to[k]``, both counted (see :func:`post_costs`).

        >>> e = Establishment.build(["A", "A"], ["SW", "SW"], ["permanent", "agency"], [1, 2],
        ...                         annual_cost=[36_500, np.nan], weekly_rate=[np.nan, 700])
        >>> # 36,500 x 100 / 365 and 36,500 x 265 / 365; 2 x 700 x 100 / 7 and x 265 / 7
        >>> e.window_costs(np.array([0, 100]), np.array([99, 364]), 365).tolist()
        [[10000.0, 26500.0], [20000.0, 53000.0]]
        """
        return post_costs(
            self.fte[:, None],
            self.annual_cost[:, None],
            self.weekly_rate[:, None],
            self.start[:, None],
            self.end[:, None],
            window_from[None, :],
            window_to[None, :],
            days_in_year,
        )


def post_costs(
    fte: ArrayLike,
    annual_cost: ArrayLike,
    weekly_rate: ArrayLike,
    start: ArrayLike,
    end: ArrayLike,
    window_from: ArrayLike,
    window_to: ArrayLike,
    days_in_year: ArrayLike,
) -> FloatArray:
    """Cost of posts in a window inside one financial year (NaN costs count as 0).

    A post with a weekly rate is paid by the week; otherwise by its annual cost.

    >>> # a permanent social worker at £52,000 a year, 1 October 2025 - 31 March 2026:
    >>> # 182 days of 365 -> 52,000 x 182 / 365 = 25,928.77
    >>> round(float(post_costs(1, 52_000, np.nan, 0, 10**9, 183, 364, 365)), 2)
    25928.77
    >>> float(post_costs(0.5, np.nan, 1400, 0, 10**9, 0, 6, 365))   # 0.5 x 1400 x 7 / 7
    700.0
    """
    days = days_inside(start, end, window_from, window_to)
    weekly = as_float(weekly_rate)
    annual = as_float(annual_cost)
    by_week = np.where(np.isnan(weekly), 0.0, weekly) * days / 7.0
    by_year = np.where(np.isnan(annual), 0.0, annual) * days / as_float(days_in_year)
    result: FloatArray = as_float(fte) * np.where(np.isnan(weekly), by_year, by_week)
    return result


def agency_premium(
    fte: ArrayLike,
    weekly_rate: ArrayLike,
    permanent_annual_cost: ArrayLike,
    days_in_year: ArrayLike = 365,
) -> FloatArray:
    """A year of agency FTE less the same FTE at the permanent annual cost.

    >>> # 14 agency social workers at £1,400 a week against £52,000 a year permanent:
    >>> # 14 x (1,400 x 365 / 7 - 52,000) = 14 x (73,000 - 52,000)
    >>> float(agency_premium(14, 1_400, 52_000))
    294000.0
    """
    f = as_float(fte)
    result: FloatArray = f * (
        as_float(weekly_rate) * as_float(days_in_year) / 7.0 - as_float(permanent_annual_cost)
    )
    return result


def _permanent_equivalent(est: Establishment) -> FloatArray:
    """Annual cost per FTE each post would have if filled permanently (NaN if unknown)."""
    perm = est.mask("permanent") & ~np.isnan(est.annual_cost)
    fte = est.fte
    overall = (
        float(np.sum(est.annual_cost[perm] * fte[perm]) / np.sum(fte[perm]))
        if np.sum(fte[perm]) > 0
        else np.nan
    )
    by_role: dict[str, float] = {}
    for role in set(est.role):
        m = perm & np.array([r == role for r in est.role], dtype=bool)
        if np.sum(fte[m]) > 0:
            by_role[role] = float(np.sum(est.annual_cost[m] * fte[m]) / np.sum(fte[m]))
    average = np.array([by_role.get(r, overall) for r in est.role], dtype=np.float64)
    return np.where(np.isnan(est.annual_cost), average, est.annual_cost)


@dataclass(frozen=True, slots=True, eq=False)
class WorkforceSummary:
    """Posts summed up for a financial year at an as-at date, by kind (``KINDS`` order).

    ``fte`` counts posts filled (or vacant) on the as-at date; money is in the unit of
    the costs. ``agency_premium`` is the year's agency cost less the same FTE-days at the
    permanent cost (NaN when no permanent cost is known).
    """

    year: str
    as_at: int
    fte: FloatArray
    cost_to_date: FloatArray
    rest_of_year: FloatArray
    full_year: FloatArray
    vacancy_cost: float  # a year of the vacant posts at their annual cost (the budget held)
    agency_premium: float
    agency_cap: float | None
    agency_over_cap: float | None


def summarise_workforce(
    est: Establishment, year: str, as_at: int, agency_cap: float | None = None
) -> WorkforceSummary:
    """FTE at ``as_at``, costs to date, rest of year and full year by kind; agency premium.

    >>> from cypsxl.model.dates import day_number as d
    >>> e = Establishment.build(["A", "A"], ["SW", "SW"], ["permanent", "agency"], [1, 2],
    ...                         annual_cost=[52_000, np.nan], weekly_rate=[np.nan, 1_400])
    >>> s = summarise_workforce(e, "2025/26", d("2025-09-30"), agency_cap=1)
    >>> s.fte.tolist(), s.agency_over_cap
    ([1.0, 2.0, 0.0], 1.0)
    >>> # agency 2 x 1400 x 365 / 7 = 146,000; permanent 2 x 52,000 = 104,000
    >>> s.full_year.tolist(), s.agency_premium
    ([52000.0, 146000.0, 0.0], 42000.0)
    """
    first, last = fy_bounds(year)
    n_days = last - first + 1
    split = min(max(as_at, first - 1), last)
    frm = np.array([first, split + 1, first], np.int64)
    to = np.array([split, last, last], np.int64)
    filled = ~est.mask("vacant")
    costs = est.window_costs(frm, to, n_days) * filled[:, None]
    on = (est.start <= as_at) & (as_at <= est.end)
    kinds = np.array([[k == kind for k in est.kind] for kind in KINDS], dtype=np.float64)
    sums = kinds @ costs
    agency = est.mask("agency")
    perm_equiv = _permanent_equivalent(est)
    year_days = days_inside(est.start, est.end, first, last)
    as_permanent = perm_equiv * est.fte * year_days / n_days
    premium = float(np.sum(costs[agency, 2] - as_permanent[agency]))
    vacant = est.mask("vacant")
    vacancy = float(
        np.nansum(est.annual_cost[vacant] * est.fte[vacant] * year_days[vacant]) / n_days
    )
    fte = kinds @ (est.fte * on)
    over = None if agency_cap is None else max(0.0, float(fte[1]) - agency_cap)
    return WorkforceSummary(
        year=year,
        as_at=as_at,
        fte=fte,
        cost_to_date=sums[:, 0],
        rest_of_year=sums[:, 1],
        full_year=sums[:, 2],
        vacancy_cost=vacancy,
        agency_premium=premium,
        agency_cap=agency_cap,
        agency_over_cap=over,
    )


def conversion_saving(
    fte: ArrayLike,
    weekly_rate: ArrayLike,
    permanent_annual_cost: ArrayLike,
    from_day: int,
    year: str,
) -> tuple[FloatArray, FloatArray]:
    """Saving from converting ``fte`` agency posts to permanent from ``from_day``.

    Returns (this year, a full year): the agency cost less the permanent cost of the
    days from ``from_day`` to 31 March, and of a whole year of the same length.

    >>> from cypsxl.model.dates import day_number as d
    >>> # 14 agency FTE at £1,400 a week to permanent at £52,000 a year from 1 January 2026:
    >>> # 90 days; 14 x (1400 x 90 / 7 - 52000 x 90 / 365) = 14 x (18000 - 12821.92)
    >>> this, full = conversion_saving(14, 1400, 52_000, d("2026-01-01"), "2025/26")
    >>> round(float(this), 2), round(float(full), 2)    # full: 14 x (73000 - 52000)
    (72493.15, 294000.0)
    """
    first, last = fy_bounds(year)
    n_days = last - first + 1
    days = days_inside(from_day, OPEN_END, first, last)
    weekly = as_float(weekly_rate)
    annual = as_float(permanent_annual_cost)
    f = as_float(fte)
    this_year: FloatArray = f * (weekly * days / 7.0 - annual * days / n_days)
    full: FloatArray = f * (weekly * n_days / 7.0 - annual)
    return this_year, full


def agency_conversion(
    est: Establishment, n_fte: float, from_day: int, year: str
) -> tuple[float, float]:
    """Saving of converting ``n_fte`` of the establishment's agency FTE from ``from_day``.

    The converted FTE are priced at the FTE-weighted average agency weekly rate and the
    average permanent equivalent of the agency posts in place on ``from_day``. Raises
    ``ValueError`` when ``n_fte`` is not above 0, fewer agency FTE are in place or no
    permanent cost is known (the rules of ``CYPS_AGENCY_CONVERSION`` too).

    >>> from cypsxl.model.dates import day_number as d
    >>> e = Establishment.build(["A", "A", "B"], ["SW"] * 3, ["permanent", "agency", "agency"],
    ...                         [10, 3, 1], annual_cost=[52_000, np.nan, np.nan],
    ...                         weekly_rate=[np.nan, 1_400, 1_800])
    >>> # average rate (3 x 1400 + 1 x 1800) / 4 = 1,500; 90 days to 31 March:
    >>> # 2 x (1500 x 90/7 - 52000 x 90/365); full year 2 x (1500 x 365/7 - 52000)
    >>> [round(x, 2) for x in agency_conversion(e, 2, d("2026-01-01"), "2025/26")]
    [12927.59, 52428.57]
    """
    if not FTE.accepts(n_fte):
        raise ValueError(f"expected agency FTE > 0 to convert, got {n_fte:g}")
    on = est.mask("agency") & (est.start <= from_day) & (from_day <= est.end)
    have = float(np.sum(est.fte[on]))
    if n_fte > have + 1e-9:
        raise ValueError(f"{n_fte:g} agency FTE to convert, but {have:g} in place on that date")
    weights = est.fte[on]
    rate = float(np.sum(np.nan_to_num(est.weekly_rate[on]) * weights) / have) if have else 0.0
    equiv = _permanent_equivalent(est)[on]
    if np.isnan(equiv).any():
        raise ValueError("no permanent cost known for the agency posts' roles")
    annual = float(np.sum(equiv * weights) / have) if have else 0.0
    this, full = conversion_saving(n_fte, rate, annual, from_day, year)
    return float(this), float(full)
