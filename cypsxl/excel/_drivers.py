"""The cost drivers' Excel functions' conversions: cells in, one model call, cells out.

Dates arrive as Excel date serials (numbers, the 1900 date system), as date values
(desktop Excel through COM) or as text ``yyyy-mm-dd`` / ``dd/mm/yyyy``. Inputs are
checked by the same rules as the case file and the CSVs
(:mod:`cypsxl.model.driver_rules`). A single cell gives a single cell; a column of
placements gives a column.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np

from ..model import demand, register, workforce
from ..model._arrays import FloatArray, IntArray
from ..model.dates import EXCEL_EPOCH_OFFSET, OPEN_END, day_number, fy_of_day
from ..model.driver_rules import placement_problems
from ..model.input_rules import FTE
from ._convert import (
    ArgumentError,
    Cells,
    as_number,
    as_row,
    as_years,
    checked,
    is_blank,
    is_column,
    orient,
    per_later_year,
)

__all__ = [
    "agency_conversion_cells",
    "agency_premium_cells",
    "cohort_cells",
    "implied_growth_cells",
    "implied_weekly_cost_cells",
    "lac_growth_cells",
    "placement_cost_dates_cells",
    "placements_to_end_cells",
]

#: Excel's first usable serial (1 March 1900: before it Excel counts a 29 February 1900).
_FIRST_SERIAL = 61


def _cells(value: Any) -> list[Any]:
    if not isinstance(value, list | tuple):
        return [value]
    rows = [r if isinstance(r, list | tuple) else [r] for r in value]
    if len(rows) > 1 and any(len(r) != 1 for r in rows):
        raise ArgumentError("expected one row or one column")
    return [v for r in rows for v in r]


def _day(name: str, arg: str, value: Any, where: str, blank: int | None) -> int:
    if is_blank(value):
        if blank is None:
            raise ArgumentError(f"{name}: '{arg}'{where} is blank; expected a date")
        return blank
    if isinstance(value, dt.datetime | dt.date):
        return day_number(value)
    if isinstance(value, str):
        if value.startswith("#"):
            raise ArgumentError(
                f"{name}: '{arg}'{where} is the Excel error {value}; expected a date"
            )
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return day_number(dt.datetime.strptime(value.strip(), fmt).date())
            except ValueError:
                continue
    elif (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and _FIRST_SERIAL <= value < 2_958_466  # to 31 December 9999
    ):
        return math.floor(value) - EXCEL_EPOCH_OFFSET
    raise ArgumentError(
        f"{name}: '{arg}'{where}: expected a date (a date cell, or text 2025-04-01), got {value!r}"
    )


def _days(name: str, arg: str, value: Any, blank: int | None = None) -> IntArray:
    try:
        cells = _cells(value)
    except ArgumentError:
        raise ArgumentError(f"{name}: '{arg}': expected one row or one column") from None
    many = len(cells) > 1
    return np.array(
        [_day(name, arg, v, f" value {i + 1}" if many else "", blank) for i, v in enumerate(cells)],
        dtype=np.int64,
    )


def _out(values: FloatArray | list[Any], like: Any) -> Cells:
    items = values.tolist() if isinstance(values, np.ndarray) else list(values)
    if len(items) == 1:
        return [[items[0]]]
    return orient([items], is_column(like))


def _length(name: str, arrays: dict[str, np.ndarray[Any, Any]]) -> int:
    sizes = {k: a.size for k, a in arrays.items() if a.size != 1}
    if len(set(sizes.values())) > 1:
        got = ", ".join(f"'{k}' has {n}" for k, n in sizes.items())
        raise ArgumentError(
            f"{name}: arguments differ in length ({got}); expected one per placement"
        )
    return max(sizes.values(), default=1)


def placement_cost_dates_cells(
    weekly_cost: Any, start: Any, end: Any, window_from: Any, window_to: Any, count: Any
) -> Cells:
    """Cost in a window of one placement or a column of them (weekly x count x days / 7)."""
    name = "cyps_placement_cost_dates"
    args = {
        "weekly_cost": as_row(name, "weekly_cost", weekly_cost),
        "start": _days(name, "start", start),
        "end": _days(name, "end", end, blank=OPEN_END),
        "from_date": _days(name, "from_date", window_from),
        "to_date": _days(name, "to_date", window_to),
        "count": as_row(name, "count", 1.0 if count is None else count, blank=1.0),
    }
    n = _length(name, args)
    b = {k: np.broadcast_to(v, (n,)) for k, v in args.items()}
    for i, key, message in placement_problems(
        b["weekly_cost"], b["start"], b["end"], b["count"], np.zeros(n), np.zeros(n)
    ):
        where = f" value {i + 1}" if n > 1 else ""
        raise ArgumentError(f"{name}: '{key}'{where}: {message}")
    for j in np.flatnonzero(b["to_date"] < b["from_date"]):
        where = f" value {j + 1}" if n > 1 else ""
        raise ArgumentError(
            f"{name}: 'to_date'{where}: the window ends before it starts (to_date < from_date)"
        )
    cost = register.placement_cost_dates(
        b["weekly_cost"], b["start"], b["end"], b["from_date"], b["to_date"], b["count"]
    )
    like = next((v for v in (weekly_cost, start) if is_column(v)), weekly_cost)
    return _out(cost, like)


def lac_growth_cells(start: Any, rate: Any, years: Any) -> Cells:
    """Looked-after children by year with compound growth, spilled across (or down)."""
    name = "cyps_lac_growth"
    n = as_years(name, years)
    first = as_number(name, "start", start)
    if first < 0:
        raise ArgumentError(f"{name}: 'start': expected a count of children >= 0, got {first:g}")
    rates = per_later_year(name, "rate", rate, n)
    if (rates <= -1).any():
        raise ArgumentError(f"{name}: 'rate': expected a fraction a year > -1, such as 0.05")
    path = demand.lac_growth(first, rates, n)
    return orient([path.tolist()], is_column(rate))


def implied_growth_cells(then: Any, now: Any) -> Cells:
    """Growth from one count to another (a fraction); "none" from zero."""
    name = "cyps_implied_growth"
    a, b = as_row(name, "then", then), as_row(name, "now", now)
    _length(name, {"then": a, "now": b})
    if (a < 0).any() or (b < 0).any():
        raise ArgumentError(f"{name}: counts of children must be >= 0")
    g = demand.implied_growth(a, b)
    return _out([float(x) if np.isfinite(x) else "none" for x in np.atleast_1d(g)], then)


def implied_weekly_cost_cells(placements: Any, annual_cost: Any, weeks: Any) -> Cells:
    """The weekly cost of one placement when ``placements`` cost ``annual_cost`` a year."""
    name = "cyps_implied_weekly_cost"
    n = as_row(name, "placements", placements)
    cost = as_row(name, "annual_cost", annual_cost)
    _length(name, {"placements": n, "annual_cost": cost})
    w = as_number(name, "weeks", weeks, 52.0)
    if (n <= 0).any():
        raise ArgumentError(f"{name}: 'placements': expected a number of placements > 0")
    if (cost < 0).any():
        raise ArgumentError(f"{name}: 'annual_cost': expected £ a year >= 0")
    if not 0 < w <= 53:
        raise ArgumentError(f"{name}: 'weeks': expected weeks from 0 to 53, such as 52 or 52.14")
    return _out(demand.implied_weekly_cost(n, cost, w), placements)


def placements_to_end_cells(saving: Any, weekly_cost: Any, end_date: Any) -> Any:
    """Placements that must end on ``end_date`` to save ``saving`` by the next 31 March."""
    name = "cyps_placements_to_end"
    amount = as_number(name, "saving", saving)
    weekly = as_number(name, "weekly_cost", weekly_cost)
    if amount < 0:
        raise ArgumentError(f"{name}: 'saving': expected £ >= 0, got {amount:g}")
    if weekly <= 0:
        raise ArgumentError(f"{name}: 'weekly_cost': expected £ a week > 0, got {weekly:g}")
    day = int(_days(name, "end_date", end_date)[0])
    result = demand.placements_to_end(amount, weekly, day, fy_of_day(day))
    return "none" if result is None else result


def cohort_cells(children: Any, weekly_cost: Any, start: Any) -> Cells:
    """A cohort from ``start``: this financial year's cost, then the next year's."""
    name = "cyps_cohort_cost"
    n = as_number(name, "children", children)
    w = as_number(name, "weekly_cost", weekly_cost)
    if n <= 0:
        raise ArgumentError(f"{name}: 'children': expected a number of children > 0, got {n:g}")
    if w < 0:
        raise ArgumentError(f"{name}: 'weekly_cost': expected £ a week >= 0, got {w:g}")
    day = int(_days(name, "from_date", start)[0])
    this, following = demand.cohort_cost(n, w, day, fy_of_day(day))
    return [[float(this), float(following)]]


def _agency_args(name: str, fte: Any, weekly_rate: Any, annual: Any) -> tuple[float, float, float]:
    f = as_number(name, "fte", fte)
    w = as_number(name, "weekly_rate", weekly_rate)
    a = as_number(name, "permanent_annual_cost", annual)
    checked(name, "fte", f, FTE)
    if w < 0:
        raise ArgumentError(f"{name}: 'weekly_rate': expected £ a week >= 0, got {w:g}")
    if a < 0:
        raise ArgumentError(f"{name}: 'permanent_annual_cost': expected £ a year >= 0, got {a:g}")
    return f, w, a


def agency_premium_cells(fte: Any, weekly_rate: Any, annual: Any, days_in_year: Any) -> float:
    """A year's agency cost less the same FTE at the permanent cost."""
    name = "cyps_agency_premium"
    f, w, a = _agency_args(name, fte, weekly_rate, annual)
    days = as_number(name, "days_in_year", days_in_year, 365.0)
    if days not in (365.0, 366.0):
        raise ArgumentError(f"{name}: 'days_in_year': expected 365 or 366, got {days:g}")
    return float(workforce.agency_premium(f, w, a, days))


def agency_conversion_cells(fte: Any, weekly_rate: Any, annual: Any, start: Any) -> Cells:
    """Saving of converting agency FTE to permanent from ``start``: this year, a full year."""
    name = "cyps_agency_conversion"
    f, w, a = _agency_args(name, fte, weekly_rate, annual)
    day = int(_days(name, "from_date", start)[0])
    this, full = workforce.conversion_saving(f, w, a, day, fy_of_day(day))
    return [[float(this), float(full)]]
