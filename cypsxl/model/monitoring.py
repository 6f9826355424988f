"""In-year budget monitoring: forecast outturn, variance, RAG, ring-fenced deficits, savings.

Pure and vectorised over the service lines (numpy only, no IO). Money is in £m; an
overspend is positive. Income lines carry negative budgets and actuals, as in the
ledger, so an income shortfall is an overspend. Periods count months elapsed in the
financial year: 1 = April ... 12 = March.

Rules (each a function below, all used by :func:`monitor`):

- forecast outturn: ``run_rate`` = actual to date / period x 12; ``profile`` = actual
  to date / (the share of a 12-month profile spent by the period); ``manual`` = the
  typed figure; a **driver** method = actual to date + the remaining-year cost a driver
  supplies (below);
- variance = forecast outturn - budget; variance % = variance / |budget| (NaN where the
  budget is 0); movement = forecast outturn - previous forecast (NaN where none);
- RAG: red where variance > red x |budget| or variance > red_amount, amber where
  variance > amber x |budget|, otherwise green (an underspend is green);
- General Fund totals leave ring-fenced lines out; the ring-fenced closing deficit =
  opening deficit + ring-fenced variance; forecast with risks = General Fund forecast +
  the risks;
- savings: shortfall = planned - forecast, red where it exceeds red x |planned|, amber
  where it exceeds amber x |planned|, else green;
- cost avoided by initiatives compared with doing nothing: reported beside the forecast
  (it is spending that did not happen, so it is in no variance).

Comparisons are made after rounding to :data:`~cypsxl.model._arrays.MONEY_DECIMALS`,
so that 1e-15 of floating-point noise is never an overspend.

How a cost driver plugs in
--------------------------
A line whose ``forecast`` is not one of :data:`FORECAST_METHODS` is a *driver* line
(e.g. ``"placements"``, ``"workforce"``). Its forecast outturn is its ledger actual to
date plus a remaining-year cost (£m, from the day after ``as_at`` to 31 March) that a
driver supplies as a :class:`DriverCost` - optionally with the driver's own cost to
date, which gives the line a **reconciliation** figure (driver cost to date - ledger
actual to date). Supply the costs either way:

1. directly: ``monitor(case, remaining={"Agency placements": DriverCost(3.2, 7.6)})``
   (a bare float is read as ``DriverCost(remaining=float)``); or
2. by a registered method: ``register_driver_method("placements", fn)`` where
   ``fn(line, case) -> DriverCost``; :func:`monitor` calls it for every line with
   ``forecast = "placements"`` not given in ``remaining``. The function finds its
   inputs in ``line.options`` (the line's extra keys, e.g. ``types``) and
   ``case.drivers`` (the parsed top-level tables of the case file, e.g. a placement
   register), which the case-file reader fills through its own driver registry
   (:mod:`cypsxl.casefile._monitoring`).

>>> case = MonitoringCase(
...     authority="Northshire", year="2025/26", period=7,
...     lines=(MonitoringLine("Agency placements", "Children's Social Care", 11.5, 7.9),),
... )
>>> r = monitor(case)
>>> round(float(r.lines.forecast_outturn[0]), 6)  # 7.9 / 7 x 12
13.542857
>>> r.lines.rag_labels()
('red',)
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ._arrays import MONEY_DECIMALS, ArrayLike, FloatArray, IntArray, as_float
from .case import frozen_map
from .timeline import parse_fy

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = [
    "DEFAULT_AMBER",
    "DEFAULT_DIRECTORATE",
    "DEFAULT_RED",
    "DEFAULT_RED_AMOUNT",
    "DRIVER_METHODS",
    "FORECAST_METHODS",
    "MONTHS",
    "RAG_LABELS",
    "CostAvoided",
    "DriverCost",
    "LineTable",
    "MonitoringCase",
    "MonitoringError",
    "MonitoringLine",
    "MonitoringResults",
    "RagThresholds",
    "RingFencedTotals",
    "Risk",
    "Saving",
    "SavingsTable",
    "Totals",
    "forecast_outturn",
    "monitor",
    "movement",
    "period_end",
    "period_problem",
    "profile_problem",
    "profile_share",
    "rag",
    "rag_problem",
    "register_driver_method",
    "run_rate",
    "savings_rag",
    "variance",
    "variance_pct",
]

#: Forecast methods built in; any other method name is a driver method.
FORECAST_METHODS = ("run_rate", "profile", "manual")
#: RAG codes as the JSON and the reports print them: 0 green, 1 amber, 2 red.
RAG_LABELS = ("green", "amber", "red")
DEFAULT_AMBER = 0.01  # share of |budget|
DEFAULT_RED = 0.05  # share of |budget|
DEFAULT_RED_AMOUNT = 0.25  # £m: a variance above this is red whatever its share
DEFAULT_DIRECTORATE = "Children's Services"
#: Month of each period, 1 = April ... 12 = March.
MONTHS = (
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "January",
    "February",
    "March",
)


class MonitoringError(ValueError):
    """Inputs the model cannot use (the case-file reader reports these, located, first)."""


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class RagThresholds:
    """``[rag]``: amber and red as shares of |budget|, and a red amount in £m."""

    amber: float = DEFAULT_AMBER
    red: float = DEFAULT_RED
    red_amount: float = DEFAULT_RED_AMOUNT  # math.inf: no amount test


@dataclass(frozen=True, slots=True)
class MonitoringLine:
    """One service line (``[[line]]``); money in £m, income negative."""

    name: str
    group: str
    budget: float
    actual_to_date: float
    forecast: str = "run_rate"  # run_rate | profile | manual | a driver method
    forecast_outturn: float | None = None  # manual lines
    profile: tuple[float, ...] | None = None  # 12 monthly weights, April first
    previous_forecast: float | None = None
    ring_fenced: bool = False
    opening_deficit: float = 0.0  # [line.reserve]: ring-fenced deficit brought forward
    options: Mapping[str, Any] = field(default_factory=frozen_map)  # driver keys, e.g. types


@dataclass(frozen=True, slots=True)
class Risk:
    """A risk not in the forecast (``[[risk]]``), £m (positive = would add cost)."""

    name: str
    amount: float


@dataclass(frozen=True, slots=True)
class CostAvoided:
    """Cost an initiative avoided this year compared with doing nothing (``[[cost_avoided]]``),
    £m. Reported beside the forecast, never in it: the spending did not happen."""

    name: str
    amount: float


@dataclass(frozen=True, slots=True)
class Saving:
    """An MTFS saving tracked in the year (``[[saving]]``), £m as positive amounts."""

    ref: str
    planned: float
    forecast: float
    title: str = ""


@dataclass(frozen=True, slots=True)
class MonitoringCase:
    """A monitoring period: ``[monitoring]`` and its lines, risks and savings."""

    authority: str
    year: str  # financial year, "2025/26"
    period: int  # months elapsed, 1-12
    lines: tuple[MonitoringLine, ...]
    as_at: dt.date | None = None  # default: the last day of the period's month
    directorate: str = DEFAULT_DIRECTORATE
    rag: RagThresholds = field(default_factory=RagThresholds)
    risks: tuple[Risk, ...] = ()
    savings: tuple[Saving, ...] = ()
    drivers: Mapping[str, Any] = field(default_factory=frozen_map)  # parsed driver tables
    cost_avoided: tuple[CostAvoided, ...] = ()

    @property
    def as_at_date(self) -> dt.date:
        """``as_at``, or the last day of the period's month."""
        return self.as_at or period_end(self.year, self.period)

    @property
    def year_end(self) -> dt.date:
        """31 March of the financial year."""
        return dt.date(parse_fy(self.year) + 1, 3, 31)


@dataclass(frozen=True, slots=True)
class DriverCost:
    """What a driver supplies for a line: the remaining-year cost, and its cost to date."""

    remaining: float  # £m, from the day after as_at to the year end
    to_date: float | None = None  # £m, the driver's own cost to as_at (for reconciliation)


DriverFunction = Callable[[MonitoringLine, MonitoringCase], DriverCost]
#: Driver methods by name (``forecast = "<name>"``), filled by :func:`register_driver_method`.
DRIVER_METHODS: dict[str, DriverFunction] = {}


def register_driver_method(name: str, function: DriverFunction) -> None:
    """Make ``forecast = "<name>"`` a driver method computed by ``function(line, case)``.

    >>> register_driver_method("example_flat", lambda line, case: DriverCost(1.0))
    >>> "example_flat" in DRIVER_METHODS
    True
    >>> del DRIVER_METHODS["example_flat"]
    """
    if name in FORECAST_METHODS:
        raise MonitoringError(f"{name!r} is a built-in forecast method")
    DRIVER_METHODS[name] = function


# --------------------------------------------------------------------------- input rules
# One set of rules for every door (case file, Excel functions, workbook refresh): each
# returns "" when the input is fine, else what was expected.


def period_problem(period: object) -> str:
    """Why ``period`` is not a month of the year ("" when it is).

    >>> period_problem(7), period_problem(13)
    ('', 'expected a whole number from 1 (April) to 12 (March), got 13')
    """
    number = isinstance(period, int | float) and not isinstance(period, bool)
    if number and period in range(1, 13):
        return ""
    return f"expected a whole number from 1 (April) to 12 (March), got {period!r}"


def profile_problem(profile: Sequence[float], period: int | None = None) -> str:
    """Why a monthly profile cannot scale the spend to date ("" when it can).

    >>> profile_problem([1] * 12, 7)
    ''
    >>> profile_problem([0] * 7 + [1] * 5, 7)[:50]
    'spends nothing from April to October (period 7), s'
    """
    if len(profile) != 12:
        return f"has {len(profile)} values; expected 12, one per month, April first"
    if any(not math.isfinite(v) or v < 0 for v in profile):
        return "expected 12 values >= 0"
    if sum(profile) <= 0:
        return "adds to 0; expected 12 values >= 0 adding to more than 0"
    if period is not None and sum(profile[:period]) <= 0:
        return (
            f"spends nothing from April to {MONTHS[period - 1]} (period {period}), so the "
            "spend to date cannot be scaled to a year; use run_rate or manual"
        )
    return ""


def rag_problem(
    amber: float = DEFAULT_AMBER, red: float = DEFAULT_RED, red_amount: float = DEFAULT_RED_AMOUNT
) -> tuple[str, str] | None:
    """(key, why) for RAG thresholds that cannot be used, None when they can.

    >>> rag_problem(0.1, 0.05)
    ('red', 'thresholds out of order: amber 0.1 must not exceed red 0.05')
    """
    for key, value in (("amber", amber), ("red", red)):
        if not 0 <= value <= 1:
            return key, f"expected a share of the budget from 0 to 1, e.g. 0.05, got {value:g}"
    if not red_amount > 0:
        return "red_amount", f"expected an amount in £m above 0, e.g. 0.25, got {red_amount:g}"
    if amber > red:
        return "red", f"thresholds out of order: amber {amber:g} must not exceed red {red:g}"
    return None


# --------------------------------------------------------------------------- the rules


def period_end(year: str, period: int) -> dt.date:
    """The last day of the period's month (period 1 = April of the year's first calendar year).

    >>> period_end("2025/26", 7), period_end("2023/24", 11)
    (datetime.date(2025, 10, 31), datetime.date(2024, 2, 29))
    """
    start = parse_fy(year)
    month = (period + 2) % 12 + 1  # 1 -> 4 (April), 9 -> 12, 10 -> 1
    calendar_year = start if period <= 9 else start + 1
    return dt.date(calendar_year, month, calendar.monthrange(calendar_year, month)[1])


def run_rate(actual_to_date: ArrayLike, period: ArrayLike) -> FloatArray:
    """Actual to date / months elapsed x 12.

    >>> run_rate([7.9, -0.3], 7).round(6).tolist()  # 7.9 / 7 x 12; -0.3 / 7 x 12
    [13.542857, -0.514286]
    """
    return as_float(actual_to_date) / as_float(period) * 12.0


def profile_share(profile: ArrayLike, period: int) -> FloatArray:
    """Share of the year's profile spent by the end of ``period`` (one row per line).

    >>> # school transport: nothing in August; 5 of the 11 weighted months by period 6
    >>> float(profile_share([1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1], 6)[0])
    0.4545454545454546
    """
    p = np.atleast_2d(as_float(profile))
    return np.asarray(p[:, :period].sum(axis=1) / p.sum(axis=1), dtype=np.float64)


def forecast_outturn(
    actual_to_date: ArrayLike,
    period: int,
    method: str | Sequence[str] = "run_rate",
    profile: ArrayLike | None = None,
    manual: ArrayLike | None = None,
    remaining: ArrayLike | None = None,
) -> FloatArray:
    """Forecast outturn by line: run rate, profile, manual, or actual + a driver's remaining.

    ``method`` is one name for every line or one per line; ``profile`` one 12-value row
    (or one per line; rows of other lines are ignored); ``manual`` and ``remaining``
    one value per line (ignored where the method does not use them).

    >>> forecast_outturn([7.9, 5.0, 1.0, 2.0], 7,
    ...                  ["run_rate", "profile", "manual", "placements"],
    ...                  profile=[[1] * 12] * 4, manual=[0, 0, 1.5, 0],
    ...                  remaining=[0, 0, 0, 1.25]).round(6).tolist()
    [13.542857, 8.571429, 1.5, 3.25]
    """
    actual = np.atleast_1d(as_float(actual_to_date))
    n = actual.size
    methods = np.broadcast_to(np.asarray(method, dtype=object), (n,))
    out = np.full(n, np.nan)
    rr = methods == "run_rate"
    out[rr] = run_rate(actual[rr], period)
    pr = methods == "profile"
    if pr.any():
        if profile is None:
            raise MonitoringError("a profile line needs a 12-value profile")
        rows = np.broadcast_to(np.atleast_2d(as_float(profile)), (n, 12))
        share = profile_share(rows[pr], period)
        if (np.round(share, MONEY_DECIMALS) <= 0).any():
            raise MonitoringError(f"the profile spends nothing by period {period}")
        out[pr] = actual[pr] / share
    mn = methods == "manual"
    if mn.any():
        if manual is None:
            raise MonitoringError("a manual line needs a forecast outturn")
        out[mn] = np.broadcast_to(as_float(manual), (n,))[mn]
    dr = ~(rr | pr | mn)
    if dr.any():
        if remaining is None:
            raise MonitoringError("a driver line needs its remaining-year cost")
        out[dr] = actual[dr] + np.broadcast_to(as_float(remaining), (n,))[dr]
    return out


def variance(forecast: ArrayLike, budget: ArrayLike) -> FloatArray:
    """Forecast outturn - budget: positive is an overspend.

    >>> variance([13.5, -0.5], [11.5, -0.8]).round(3).tolist()  # income short by 0.3
    [2.0, 0.3]
    """
    return np.asarray(as_float(forecast) - as_float(budget), dtype=np.float64)


def variance_pct(var: ArrayLike, budget: ArrayLike) -> FloatArray:
    """Variance / |budget|, NaN where the budget is 0.

    >>> variance_pct([2.0, 0.3, 1.0], [11.5, -0.8, 0.0]).round(4).tolist()
    [0.1739, 0.375, nan]
    """
    b = np.abs(as_float(budget))
    v = as_float(var)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.where(b == 0, np.nan, v / np.where(b == 0, 1.0, b)), np.float64)


def _exceeds(value: FloatArray, limit: FloatArray | float) -> npt.NDArray[np.bool_]:
    with np.errstate(invalid="ignore"):
        return np.asarray(np.round(value - limit, MONEY_DECIMALS) > 0)


def rag(
    var: ArrayLike,
    budget: ArrayLike,
    amber: float = DEFAULT_AMBER,
    red: float = DEFAULT_RED,
    red_amount: float = DEFAULT_RED_AMOUNT,
) -> IntArray:
    """RAG codes (0 green, 1 amber, 2 red; :data:`RAG_LABELS`) of variances.

    >>> # 0.2 on 11.5 is 1.7%: amber; 0.3 > 0.25: red; 0.3 on -0.8 is 37.5%: red; underspend
    >>> rag([0.2, 0.3, 0.3, -5.0], [11.5, 11.5, -0.8, 11.5]).tolist()
    [1, 2, 2, 0]
    """
    v = as_float(var)
    b = np.abs(as_float(budget))
    is_red = _exceeds(v, red * b) | _exceeds(v, red_amount)
    is_amber = _exceeds(v, amber * b)
    return np.asarray(np.where(is_red, 2, np.where(is_amber, 1, 0)), dtype=np.int64)


def savings_rag(
    planned: ArrayLike, forecast: ArrayLike, amber: float = DEFAULT_AMBER, red: float = DEFAULT_RED
) -> IntArray:
    """RAG of savings delivery by the shortfall's share of the planned saving.

    >>> # CYPS_5: 0.594 - 0.41 = 0.184 short, 31% of planned: red; 0.004 of 0.3 is 1.3%: amber
    >>> savings_rag([0.594, 0.3, 0.2], [0.41, 0.296, 0.25]).tolist()
    [2, 1, 0]
    """
    p = as_float(planned)
    short = p - as_float(forecast)
    size = np.abs(p)
    return np.asarray(
        np.where(_exceeds(short, red * size), 2, np.where(_exceeds(short, amber * size), 1, 0)),
        dtype=np.int64,
    )


def movement(forecast: ArrayLike, previous: ArrayLike) -> FloatArray:
    """Forecast outturn - last period's forecast (NaN where there was none).

    >>> movement([13.5, 2.0], [13.0, float("nan")]).tolist()
    [0.5, nan]
    """
    return np.asarray(as_float(forecast) - as_float(previous), dtype=np.float64)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class LineTable:
    """Every line's figures, one array element per line (in case order)."""

    names: tuple[str, ...]
    groups: tuple[str, ...]
    ring_fenced: npt.NDArray[np.bool_]
    budget: FloatArray
    actual_to_date: FloatArray
    forecast_outturn: FloatArray
    variance: FloatArray
    variance_pct: FloatArray  # NaN where the budget is 0
    rag: IntArray
    movement: FloatArray  # NaN where no previous forecast
    reconciliation: FloatArray  # driver cost to date - actual; NaN where no driver gave one

    def rag_labels(self) -> tuple[str, ...]:
        """RAG as text, one per line."""
        return tuple(RAG_LABELS[int(c)] for c in self.rag)


@dataclass(frozen=True, slots=True)
class Totals:
    """Budget, actual to date, forecast outturn and variance of a set of lines."""

    budget: float
    actual_to_date: float
    forecast_outturn: float
    variance: float


@dataclass(frozen=True, slots=True)
class RingFencedTotals:
    """The ring-fenced lines' totals and the deficit brought and carried forward."""

    budget: float
    actual_to_date: float
    forecast_outturn: float
    variance: float
    opening_deficit: float
    closing_deficit: float


@dataclass(frozen=True, slots=True)
class SavingsTable:
    """Savings delivery, one element per saving."""

    refs: tuple[str, ...]
    planned: FloatArray
    forecast: FloatArray
    shortfall: FloatArray
    rag: IntArray

    def rag_labels(self) -> tuple[str, ...]:
        """RAG as text, one per saving."""
        return tuple(RAG_LABELS[int(c)] for c in self.rag)


@dataclass(frozen=True, slots=True)
class MonitoringResults:
    """Everything the monitoring report shows."""

    case: MonitoringCase
    lines: LineTable
    groups: Mapping[str, Totals]  # in order of first appearance
    general_fund: Totals
    ring_fenced: RingFencedTotals
    risks: Mapping[str, float]
    forecast_with_risks: float
    savings: SavingsTable
    cost_avoided: Mapping[str, float] = field(default_factory=frozen_map)

    @property
    def cost_avoided_total(self) -> float:
        """Every initiative's cost avoided, £m."""
        return float(sum(self.cost_avoided.values()))


def _driver_costs(
    case: MonitoringCase, remaining: Mapping[str, DriverCost | float] | None
) -> dict[str, DriverCost]:
    given = {
        k: v if isinstance(v, DriverCost) else DriverCost(float(v))
        for k, v in (remaining or {}).items()
    }
    out: dict[str, DriverCost] = {}
    for line in case.lines:
        if line.forecast in FORECAST_METHODS:
            continue
        if line.name in given:
            out[line.name] = given[line.name]
        elif line.forecast in DRIVER_METHODS:
            out[line.name] = DRIVER_METHODS[line.forecast](line, case)
        else:
            raise MonitoringError(
                f"line {line.name!r}: no cost for forecast method {line.forecast!r}; expected"
                f" one of {', '.join((*FORECAST_METHODS, *sorted(DRIVER_METHODS)))}"
            )
    return out


def _totals(mask: npt.NDArray[np.bool_], t: LineTable) -> Totals:
    return Totals(
        budget=float(t.budget[mask].sum()),
        actual_to_date=float(t.actual_to_date[mask].sum()),
        forecast_outturn=float(t.forecast_outturn[mask].sum()),
        variance=float(t.variance[mask].sum()),
    )


def _line_table(case: MonitoringCase, costs: Mapping[str, DriverCost]) -> LineTable:
    lines = case.lines
    n = len(lines)
    actual = np.array([x.actual_to_date for x in lines], dtype=np.float64)
    budget = np.array([x.budget for x in lines], dtype=np.float64)
    methods = [x.forecast for x in lines]
    profiles = np.ones((n, 12))
    for i, x in enumerate(lines):
        if x.profile is not None:
            profiles[i] = x.profile
    manual = np.array([np.nan if x.forecast_outturn is None else x.forecast_outturn for x in lines])
    remaining = np.array([costs[x.name].remaining if x.name in costs else 0.0 for x in lines])
    known = [costs[x.name].to_date if x.name in costs else None for x in lines]
    to_date = np.array([np.nan if v is None else v for v in known], dtype=np.float64)
    previous = np.array(
        [np.nan if x.previous_forecast is None else x.previous_forecast for x in lines],
        dtype=np.float64,
    )
    fc = forecast_outturn(actual, case.period, methods, profiles, manual, remaining)
    var = variance(fc, budget)
    th = case.rag
    return LineTable(
        names=tuple(x.name for x in lines),
        groups=tuple(x.group for x in lines),
        ring_fenced=np.array([x.ring_fenced for x in lines], dtype=bool),
        budget=budget,
        actual_to_date=actual,
        forecast_outturn=fc,
        variance=var,
        variance_pct=variance_pct(var, budget),
        rag=rag(var, budget, th.amber, th.red, th.red_amount),
        movement=movement(fc, previous),
        reconciliation=to_date - actual,
    )


def monitor(
    case: MonitoringCase, remaining: Mapping[str, DriverCost | float] | None = None
) -> MonitoringResults:
    """Compute a monitoring period; ``remaining`` gives driver lines' costs by line name.

    >>> case = MonitoringCase("N", "2025/26", 7, (
    ...     MonitoringLine("Placements", "CSC", 11.5, 7.9, forecast="placements"),
    ...     MonitoringLine("High needs", "DSG", 42.0, 29.0, "manual", 50.0,
    ...                    ring_fenced=True, opening_deficit=12.0)),
    ...     risks=(Risk("Worst case", 2.3),))
    >>> r = monitor(case, remaining={"Placements": DriverCost(4.0, 7.6)})
    >>> float(r.general_fund.forecast_outturn), round(float(r.lines.reconciliation[0]), 3)
    (11.9, -0.3)
    >>> r.ring_fenced.closing_deficit, r.forecast_with_risks  # 12 + (50 - 42); 11.9 + 2.3
    (20.0, 14.2)
    """
    costs = _driver_costs(case, remaining)
    t = _line_table(case, costs)
    groups: dict[str, Totals] = {}
    group_of = np.array(t.groups, dtype=object)
    for g in dict.fromkeys(t.groups):
        groups[g] = _totals(group_of == g, t)
    gf = _totals(~t.ring_fenced, t)
    rf = _totals(t.ring_fenced, t)
    opening = float(sum(x.opening_deficit for x in case.lines if x.ring_fenced))
    ring = RingFencedTotals(
        budget=rf.budget,
        actual_to_date=rf.actual_to_date,
        forecast_outturn=rf.forecast_outturn,
        variance=rf.variance,
        opening_deficit=opening,
        closing_deficit=opening + rf.variance,
    )
    risks = {r.name: float(r.amount) for r in case.risks}
    planned = np.array([s.planned for s in case.savings], dtype=np.float64)
    delivered = np.array([s.forecast for s in case.savings], dtype=np.float64)
    savings = SavingsTable(
        refs=tuple(s.ref for s in case.savings),
        planned=planned,
        forecast=delivered,
        shortfall=planned - delivered,
        rag=savings_rag(planned, delivered, case.rag.amber, case.rag.red),
    )
    return MonitoringResults(
        case=case,
        lines=t,
        groups=groups,
        general_fund=gf,
        ring_fenced=ring,
        risks=risks,
        forecast_with_risks=gf.forecast_outturn + sum(risks.values()),
        savings=savings,
        cost_avoided={a.name: float(a.amount) for a in case.cost_avoided},
    )
