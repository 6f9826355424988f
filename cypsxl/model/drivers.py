"""The cost drivers of a case together, and what they give a monitoring line or the MTFS.

A monitoring line forecast by ``placements`` is its ledger actual to date plus the
register's net cost from the day after the as-at date to 31 March; by ``workforce``,
the posts' cost over the same days. The driver's own cost to date beside the ledger's
actual is the line's reconciliation figure. A cohort shock is a risk (this year's part
year) or an MTFS pressure line (each plan year's cost). Money leaves here in £m.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import Problem
from ._arrays import FloatArray
from .case import POUNDS_PER_MILLION
from .dates import fy_bounds
from .demand import cohort_cost_by_year
from .episodes import Episodes
from .register import PlaceMapping, PlacementTypes, Register, register_costs
from .workforce import Establishment

__all__ = [
    "Cohort",
    "Demand",
    "Drivers",
    "cohort_pressures",
    "cohort_risks",
    "placements_line_cost",
    "workforce_line_cost",
]


@dataclass(frozen=True, slots=True)
class Cohort:
    """A cohort shock (``[[cohort]]``): ``children`` more placements from ``start``."""

    name: str
    children: float
    weekly_cost: float  # £ a week each
    start: int  # day number
    type: str = "other"
    share: float = 1.0  # the council's share (1 - health - education)
    risk: bool = False  # report as a monitoring risk
    pressure: str = ""  # add to MTFS pressure line pressure_<name>


@dataclass(frozen=True, slots=True)
class Demand:
    """``[demand]``: LAC counts and compound growth for the projection."""

    lac_start: float | None = None  # looked after on 1 April
    lac_now: float | None = None  # looked after at the as-at date
    growth_rate: float | None = None  # a year, compound (0.05 = 5%)
    years: int = 4


@dataclass(frozen=True, slots=True, eq=False)
class Drivers:
    """Everything the driver tables of a case give (see :mod:`cypsxl.casefile._drivers`)."""

    types: PlacementTypes
    mapping: PlaceMapping
    register: Register
    episodes: Episodes | None
    establishment: Establishment
    agency_cap: float | None
    cohorts: tuple[Cohort, ...]
    demand: Demand | None
    year: str | None
    as_at: int | None
    rejected: tuple[Problem, ...] = ()  # CSV rows rejected
    csv_rows: int = 0
    has_register: bool = False
    has_workforce: bool = False


def placements_line_cost(
    register: Register, year: str, as_at: int, types: Sequence[str] | None = None
) -> tuple[float, float]:
    """(remaining, to date) in £m: the register's net cost from the day after ``as_at`` to
    31 March, and from 1 April to ``as_at``, of the given types (``None`` = all).

    >>> from cypsxl.model.dates import day_number as d
    >>> t = PlacementTypes(("ifa", "secure"), ("IFA", "Secure"))
    >>> r = Register.build(t, ["A", "B"], ["ifa", "secure"], [700_000, 7_000_000], d("2026-03-01"))
    >>> # IFA only, as at 24 March: 7 days to come (25-31 March) x 700,000 / 7 = £0.7m;
    >>> # 24 days to date = £2.4m
    >>> placements_line_cost(r, "2025/26", d("2026-03-24"), ["ifa"])
    (0.7, 2.4)
    """
    chosen = register if types is None else register.of_types(types)
    first, last = fy_bounds(year)
    split = min(max(as_at, first - 1), last)
    costs = register_costs(chosen, [split + 1, first], [last, split]).sum(axis=0)
    return float(costs[0]) / POUNDS_PER_MILLION, float(costs[1]) / POUNDS_PER_MILLION


def workforce_line_cost(
    est: Establishment,
    year: str,
    as_at: int,
    teams: Sequence[str] | None = None,
    kinds: Sequence[str] | None = None,
) -> tuple[float, float]:
    """(remaining, to date) in £m of the posts of the given teams and kinds (vacant posts
    cost nothing).

    >>> from cypsxl.model.dates import day_number as d
    >>> e = Establishment.build(["A", "B"], ["SW", "SW"], ["agency", "permanent"], [1, 1],
    ...                         annual_cost=[np.nan, 365_000], weekly_rate=[70_000, np.nan])
    >>> # team A, as at 24 March 2026: 7 days x 70,000 / 7 = £0.07m; to date 358 days
    >>> [round(x, 6) for x in workforce_line_cost(e, "2025/26", d("2026-03-24"), ["A"])]
    [0.07, 3.58]
    """
    chosen = est.filtered(teams, kinds)
    chosen = chosen.select(~chosen.mask("vacant"))
    first, last = fy_bounds(year)
    split = min(max(as_at, first - 1), last)
    frm = np.array([split + 1, first], np.int64)
    to = np.array([last, split], np.int64)
    costs = chosen.window_costs(frm, to, last - first + 1).sum(axis=0)
    return float(costs[0]) / POUNDS_PER_MILLION, float(costs[1]) / POUNDS_PER_MILLION


def cohort_risks(cohorts: Sequence[Cohort], year: str) -> dict[str, float]:
    """Cohorts flagged ``risk``: this year's council cost from their start, £m.

    >>> from cypsxl.model.dates import day_number as d
    >>> c = Cohort("Worst case", 55, 700, d("2026-01-01"), risk=True)
    >>> cohort_risks([c], "2025/26")      # 55 x 700 x 90 / 7 = £495,000
    {'Worst case': 0.495}
    """
    return {
        c.name: float(cohort_cost_by_year(c.children, c.weekly_cost, c.start, (year,), c.share)[0])
        / POUNDS_PER_MILLION
        for c in cohorts
        if c.risk
    }


def cohort_pressures(cohorts: Sequence[Cohort], years: tuple[str, ...]) -> dict[str, FloatArray]:
    """Cohorts with a ``pressure`` line: their cost in each plan year, £m, summed by line.

    >>> from cypsxl.model.dates import day_number as d
    >>> c = Cohort("More IFA", 10, 700, d("2026-01-01"), pressure="demand")
    >>> # 10 x 700 x 90 / 7 = £90,000 in 2025/26; x 365 / 7 = £365,000 in 2026/27
    >>> {k: v.round(6).tolist() for k, v in cohort_pressures([c], ("2025/26", "2026/27")).items()}
    {'demand': [0.09, 0.365]}
    """
    out: dict[str, FloatArray] = {}
    for c in cohorts:
        if c.pressure:
            row = cohort_cost_by_year(c.children, c.weekly_cost, c.start, years, c.share)
            out[c.pressure] = out.get(c.pressure, np.zeros(len(years))) + row / POUNDS_PER_MILLION
    return out
