"""Excel custom functions: thin adapters over :mod:`cypsxl.model`.

The module imports nothing from xlwings but its decorators, so the same file serves
desktop Excel (the xlwings add-in's "Import Functions", no licence key), xlwings Server
(Office.js) and xlwings Lite. Each function is one model call plus conversion: a row
or a column is accepted alike, a result comes back in the orientation of its main
argument, money comes out in the unit it went in, and a bad argument raises an error
that names the function and the argument. See ``docs/excel.md`` for examples.

No ``from __future__ import annotations`` here: xlwings resolves each function's type
hints on every call, and string annotations would be compiled each time.
"""

from typing import Any

from xlwings import arg, func, ret

from .. import model
from .._version import __version__
from ..model.input_rules import AVOIDED_COST, CHILDREN, PART_YEAR_FACTOR, WEEKS_PER_YEAR
from . import _drivers, _monitoring
from ._convert import (
    ArgumentError,
    Cells,
    ExcelCells,
    as_lines,
    as_number,
    as_row,
    as_years,
    checked,
    is_blank,
    is_column,
    orient,
    per_later_year,
    year_or_none,
)

__all__ = [
    "cyps_additional_funding",
    "cyps_agency_conversion",
    "cyps_agency_premium",
    "cyps_bid_profile",
    "cyps_breakeven_year",
    "cyps_budget_rollup",
    "cyps_cohort_cost",
    "cyps_cost_avoidance",
    "cyps_discounted_payback_year",
    "cyps_forecast_outturn",
    "cyps_funding_gap",
    "cyps_implied_growth",
    "cyps_implied_weekly_cost",
    "cyps_lac_growth",
    "cyps_lac_projection",
    "cyps_npv",
    "cyps_payback_year",
    "cyps_placement_cost",
    "cyps_placement_cost_dates",
    "cyps_placements_to_end",
    "cyps_rag",
    "cyps_variance",
    "cyps_version",
]

_YEARS = "a row or a column, one value per year"


def _same_length(name: str, rows: dict[str, Any]) -> None:
    lengths = {k: len(v) for k, v in rows.items() if len(v) != 1}
    if len(set(lengths.values())) > 1:
        got = ", ".join(f"'{k}' has {n}" for k, n in lengths.items())
        raise ArgumentError(f"{name}: rows differ in length ({got}); expected one value per year")


def _flag(name: str, arg_name: str, value: Any, default: bool) -> bool:
    if isinstance(value, list):
        value = value[0][0] if value and isinstance(value[0], list) else value[0]
    if is_blank(value):
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().upper() in ("TRUE", "FALSE"):
        return value.strip().upper() == "TRUE"
    if isinstance(value, str) and value.startswith("#"):
        raise ArgumentError(
            f"{name}: '{arg_name}' is the Excel error {value}; expected TRUE or FALSE"
        )
    raise ArgumentError(f"{name}: '{arg_name}': expected TRUE or FALSE, got {value!r}")


@func
@ret("raw")  # a 2-D list of plain floats/ints/text: no per-cell cleaning
@arg("children", ExcelCells, doc="Children in placement: one number, or " + _YEARS)
@arg("weekly_cost", ExcelCells, doc="Weekly unit cost of one placement, e.g. £ a week")
@arg("weeks", ExcelCells, doc="Weeks in a year; default 52 (some councils use 52.14)")
def cyps_placement_cost(children: Any, weekly_cost: Any, weeks: Any = 52) -> Any:
    """Annual placement cost: children x weekly unit cost x weeks (in the unit of the cost)."""
    name = "cyps_placement_cost"
    rows = {
        "children": checked(name, "children", as_row(name, "children", children), CHILDREN),
        "weekly_cost": as_row(name, "weekly_cost", weekly_cost),
    }
    _same_length(name, rows)
    n_weeks = checked(name, "weeks", as_number(name, "weeks", weeks, 52.0), WEEKS_PER_YEAR)
    cost = model.placement_cost(rows["children"], rows["weekly_cost"], n_weeks)
    if cost.size == 1:
        return [[float(cost[0])]]
    return orient([cost.tolist()], is_column(children) or is_column(weekly_cost))


@func
@ret("raw")  # a 2-D list of plain floats/ints/text: no per-cell cleaning
@arg("start", ExcelCells, doc="Looked-after children in the first year")
@arg(
    "growth_per_year",
    ExcelCells,
    doc="Change in children a year: one number, or one per later year",
)
@arg("years", ExcelCells, doc="Number of years to project (1 to 100)")
def cyps_lac_projection(start: Any, growth_per_year: Any, years: Any) -> Cells:
    """Looked-after children by year: start, then trend growth each year (never below 0)."""
    name = "cyps_lac_projection"
    n = as_years(name, years)
    growth = per_later_year(name, "growth_per_year", growth_per_year, n)
    first = checked(name, "start", as_number(name, "start", start), CHILDREN)
    path = model.lac_projection(first, growth, n)
    return orient([path.tolist()], is_column(growth_per_year))


@func
@ret("raw")  # a 2-D list of plain floats/ints/text: no per-cell cleaning
@arg("prevented", ExcelCells, doc="Children prevented from entering care in each year (blank = 0)")
@arg(
    "avoided_cost_per_child",
    ExcelCells,
    doc="A year's cost of care avoided per child, e.g. 22000 (£)",
)
@arg(
    "part_year_factor",
    ExcelCells,
    doc="Share of a year avoided in the year of prevention; default 0.5",
)
def cyps_cost_avoidance(
    prevented: Any, avoided_cost_per_child: Any, part_year_factor: Any = 0.5
) -> Cells:
    """Cost avoided by year, with the part-year effect (in the unit of the cost per child)."""
    name = "cyps_cost_avoidance"
    factor = as_number(name, "part_year_factor", part_year_factor, 0.5)
    cost = as_number(name, "avoided_cost_per_child", avoided_cost_per_child)
    row = model.cost_avoidance(
        checked(name, "prevented", as_row(name, "prevented", prevented, blank=0.0), CHILDREN),
        checked(name, "avoided_cost_per_child", cost, AVOIDED_COST),
        checked(name, "part_year_factor", factor, PART_YEAR_FACTOR),
    )
    return orient([row.tolist()], is_column(prevented))


@func
@ret("raw")  # a 2-D list of plain floats/ints/text: no per-cell cleaning
@arg(
    "investment", ExcelCells, doc="Investment (funding sought) by year, " + _YEARS + " (blank = 0)"
)
@arg("gross_saving", ExcelCells, doc="Gross saving or cost avoidance by year (blank = 0)")
@arg(
    "with_years",
    ExcelCells,
    doc="FALSE (default): numbers only; TRUE adds the labelled payback and break-even years",
)
def cyps_bid_profile(investment: Any, gross_saving: Any, with_years: Any = False) -> Cells:
    """Net, then cumulative net, by year: 2 x n numbers (payback/break-even years on request)."""
    name = "cyps_bid_profile"
    inv = as_row(name, "investment", investment, blank=0.0)
    saving = as_row(name, "gross_saving", gross_saving, blank=0.0, length=inv.size)
    net = model.net(inv, saving)
    rows: Cells = [net.tolist(), model.cumulative_net(net).tolist()]
    if _flag(name, "with_years", with_years, False):
        rows[0] += ["Payback year", year_or_none(model.payback_year(net))]
        rows[1] += ["Break-even year", year_or_none(model.breakeven_year(net))]
    return orient(rows, is_column(investment))


@func
@arg("net", ExcelCells, doc="Net (investment - saving) by year, " + _YEARS)
def cyps_payback_year(net: Any) -> Any:
    """First year (1 = the first) whose net is negative, as the reference report; or "none"."""
    return year_or_none(model.payback_year(as_row("cyps_payback_year", "net", net)))


@func
@arg("net", ExcelCells, doc="Net (investment - saving) by year, " + _YEARS)
def cyps_breakeven_year(net: Any) -> Any:
    """First year (1 = the first) whose cumulative net is negative; or "none"."""
    return year_or_none(model.breakeven_year(as_row("cyps_breakeven_year", "net", net)))


@func
@ret("raw")  # a 2-D list of plain floats/ints/text: no per-cell cleaning
@arg("net_budget", ExcelCells, doc="Cash-limited net budget by year, " + _YEARS)
@arg("pressures", ExcelCells, doc="Pressure lines: one row (or column) per line, summed; blank = 0")
@arg("investment", ExcelCells, doc="Investment (sum of bids) by year; blank = 0")
@arg("savings", ExcelCells, doc="Savings (sum of bids) by year, as positive amounts; blank = 0")
def cyps_budget_rollup(net_budget: Any, pressures: Any, investment: Any, savings: Any) -> Cells:
    """Table 1 rows: net budget, pressures, investment, savings, net forecast, funding support."""
    name = "cyps_budget_rollup"
    nb = as_row(name, "net_budget", net_budget)
    n = nb.size
    t = model.budget_rollup(
        nb,
        as_lines(name, "pressures", pressures, n),
        as_row(name, "investment", investment, blank=0.0, length=n),
        as_row(name, "savings", savings, blank=0.0, length=n),
    )
    rows = [t.net_budget, t.pressures, t.investment, t.savings, t.net_forecast, t.funding_support]
    return orient([r.tolist() for r in rows], is_column(net_budget))


@func
@ret("raw")  # a 2-D list of plain floats/ints/text: no per-cell cleaning
@arg(
    "pressures", ExcelCells, doc="CYPS pressures by MTFS year: one or more lines, summed; blank = 0"
)
@arg("net_investment", ExcelCells, doc="CYPS net investment (investment - savings) by MTFS year")
@arg(
    "other_levels", ExcelCells, doc="Other directorates' levels: lines summed; optional, blank = 0"
)
def cyps_additional_funding(pressures: Any, net_investment: Any, other_levels: Any = None) -> Cells:
    """Table 3 total: CYPS pressures + CYPS net investment + other directorates, by MTFS year."""
    name = "cyps_additional_funding"
    net_inv = as_row(name, "net_investment", net_investment)
    m = net_inv.size
    others = 0.0 if other_levels is None else as_lines(name, "other_levels", other_levels, m)
    total = model.additional_funding(as_lines(name, "pressures", pressures, m), net_inv, others)
    return orient([total.tolist()], is_column(net_investment))


@func
@ret("raw")  # a 2-D list of plain floats/ints/text: no per-cell cleaning
@arg("base_gap", ExcelCells, doc="The MTFS funding gap arising in each year before this update")
@arg("levels", ExcelCells, doc="Total additional funding by MTFS year (Table 3)")
@arg(
    "current_year_one_off",
    ExcelCells,
    doc="TRUE if the first year is met once from reserves; FALSE or blank (default): recurring",
)
def cyps_funding_gap(base_gap: Any, levels: Any, current_year_one_off: Any = False) -> Cells:
    """Table 4: the revised funding gap arising in each MTFS year."""
    name = "cyps_funding_gap"
    base = as_row(name, "base_gap", base_gap)
    lv = as_row(name, "levels", levels, length=base.size)
    one_off = _flag(name, "current_year_one_off", current_year_one_off, False)
    gap = model.funding_gap(base, lv, one_off)
    return orient([gap.revised.tolist()], is_column(base_gap))


def _rate(name: str, rate: Any, n: int) -> Any:
    rates = as_row(name, "rate", 0.035 if rate is None else rate, blank=None)
    if rates.size not in (1, n):
        raise ArgumentError(
            f"{name}: 'rate': has {rates.size} values; expected one rate or one per year ({n})"
        )
    if (rates <= -1).any():
        raise ArgumentError(f"{name}: 'rate': expected rates above -1, such as 0.035")
    return float(rates[0]) if rates.size == 1 else rates


def _appraisal_rows(name: str, investment: Any, gross_saving: Any, rate: Any) -> tuple[Any, ...]:
    inv = as_row(name, "investment", investment, blank=0.0)
    saving = as_row(name, "gross_saving", gross_saving, blank=0.0, length=inv.size)
    return inv, saving, _rate(name, rate, inv.size)


@func
@arg("investment", ExcelCells, doc="Investment by year, the first year undiscounted (blank = 0)")
@arg("gross_saving", ExcelCells, doc="Gross saving or cost avoidance by year (blank = 0)")
@arg("rate", ExcelCells, doc="Discount rate a year, default 0.035 (Green Book); or one per year")
def cyps_npv(investment: Any, gross_saving: Any, rate: Any = 0.035) -> Any:
    """Net present value of saving minus investment (positive = net benefit), Green Book."""
    inv, saving, r = _appraisal_rows("cyps_npv", investment, gross_saving, rate)
    return float(model.npv(saving - inv, r))


@func
@arg("investment", ExcelCells, doc="Investment by year, the first year undiscounted (blank = 0)")
@arg("gross_saving", ExcelCells, doc="Gross saving or cost avoidance by year (blank = 0)")
@arg("rate", ExcelCells, doc="Discount rate a year, default 0.035 (Green Book); or one per year")
def cyps_discounted_payback_year(investment: Any, gross_saving: Any, rate: Any = 0.035) -> Any:
    """First year (1 = the first) the discounted savings exceed the investment; or "none"."""
    inv, saving, r = _appraisal_rows("cyps_discounted_payback_year", investment, gross_saving, rate)
    return year_or_none(model.discounted_payback_year(inv, saving, r))


@func
@ret("raw")  # a 2-D list of plain floats/ints/text: no per-cell cleaning
@arg("actual_to_date", ExcelCells, doc="Spend to date, £m: one line, or a column of lines")
@arg("period", ExcelCells, doc="Months elapsed: 1 = April ... 12 = March")
@arg("method", ExcelCells, doc='"run_rate" (default) or "profile"; one, or one per line')
@arg(
    "profile", ExcelCells, doc="12 monthly weights, April first (profile lines); or one row a line"
)
def cyps_forecast_outturn(
    actual_to_date: Any, period: Any, method: Any = "run_rate", profile: Any = None
) -> Cells:
    """Forecast outturn: actual / period x 12 (run_rate) or / the profile's share spent by then."""
    return _monitoring.forecast_cells(actual_to_date, period, method, profile)


@func
@ret("raw")  # a 2-D list of plain floats/ints/text: no per-cell cleaning
@arg("forecast", ExcelCells, doc="Forecast outturn, £m: one line, or a column of lines")
@arg("budget", ExcelCells, doc="Approved budget, £m (income negative), one per line")
def cyps_variance(forecast: Any, budget: Any) -> Cells:
    """Variance = forecast outturn - budget (positive is an overspend)."""
    return _monitoring.variance_cells(forecast, budget)


@func
@ret("raw")  # a 2-D list of plain floats/ints/text: no per-cell cleaning
@arg("variance", ExcelCells, doc="Variance, £m (positive = overspend): one line or a column")
@arg("budget", ExcelCells, doc="Approved budget, £m, one per line")
@arg("amber", ExcelCells, doc="Amber above this share of |budget|; default 0.01")
@arg("red", ExcelCells, doc="Red above this share of |budget|; default 0.05")
@arg("red_amount", ExcelCells, doc="Red above this variance in £m whatever the share; default 0.25")
def cyps_rag(
    variance: Any, budget: Any, amber: Any = 0.01, red: Any = 0.05, red_amount: Any = 0.25
) -> Cells:
    """RAG of a variance: "red", "amber" or "green" (an underspend is green)."""
    return _monitoring.rag_cells(variance, budget, amber, red, red_amount)


_DATE = "a date: a date cell, an Excel date serial or text 2025-04-01"


@func
@ret("raw")  # a 2-D list of plain floats/ints/text: no per-cell cleaning
@arg(
    "weekly_cost", ExcelCells, doc="Weekly cost of one placement, £; or a column, one per placement"
)
@arg("start", ExcelCells, doc="First day in placement, " + _DATE)
@arg("end", ExcelCells, doc="Last day in placement (blank = open), " + _DATE)
@arg("from_date", ExcelCells, doc="First day of the window costed, e.g. 1 April")
@arg("to_date", ExcelCells, doc="Last day of the window costed, e.g. 31 March")
@arg("count", ExcelCells, doc="Children placed (a cohort); default 1")
def cyps_placement_cost_dates(
    weekly_cost: Any, start: Any, end: Any, from_date: Any, to_date: Any, count: Any = 1
) -> Cells:
    """Placement cost in a window: weekly cost x count x days inside (both ends) / 7."""
    return _drivers.placement_cost_dates_cells(weekly_cost, start, end, from_date, to_date, count)


@func
@ret("raw")  # a 2-D list of plain floats/ints/text: no per-cell cleaning
@arg("start", ExcelCells, doc="Looked-after children in the first year")
@arg("rate", ExcelCells, doc="Growth a year as a fraction (0.05 = 5%): one, or one per later year")
@arg("years", ExcelCells, doc="Number of years to project (1 to 100)")
def cyps_lac_growth(start: Any, rate: Any, years: Any) -> Cells:
    """Looked-after children by year with compound growth: start x (1 + rate) ^ year."""
    return _drivers.lac_growth_cells(start, rate, years)


@func
@ret("raw")  # a 2-D list of plain floats/ints/text: no per-cell cleaning
@arg("then", ExcelCells, doc="Children looked after at the start, e.g. on 1 April")
@arg("now", ExcelCells, doc="Children looked after now")
def cyps_implied_growth(then: Any, now: Any) -> Cells:
    """Growth from one count to another as a fraction: now / then - 1 ("none" from 0)."""
    return _drivers.implied_growth_cells(then, now)


@func
@ret("raw")  # a 2-D list of plain floats/ints/text: no per-cell cleaning
@arg("placements", ExcelCells, doc="Number of placements, e.g. 6")
@arg("annual_cost", ExcelCells, doc="What they cost a year, £")
@arg("weeks", ExcelCells, doc="Weeks in a year; default 52 (365/7 = 52.14 to match day counts)")
def cyps_implied_weekly_cost(placements: Any, annual_cost: Any, weeks: Any = 52) -> Cells:
    """Weekly cost of one placement when N placements cost £X a year: X / (N x weeks)."""
    return _drivers.implied_weekly_cost_cells(placements, annual_cost, weeks)


@func
@arg("saving", ExcelCells, doc="Saving needed by 31 March, £")
@arg("weekly_cost", ExcelCells, doc="Weekly cost of a placement that ends, £")
@arg("end_date", ExcelCells, doc="Last day in placement of those ending, " + _DATE)
def cyps_placements_to_end(saving: Any, weekly_cost: Any, end_date: Any) -> Any:
    """How many placements must end on a date to save £X by 31 March ("none" if none can)."""
    return _drivers.placements_to_end_cells(saving, weekly_cost, end_date)


@func
@ret("raw")  # a 2-D list of plain floats/ints/text: no per-cell cleaning
@arg("children", ExcelCells, doc="Children in the cohort (e.g. further placements)")
@arg("weekly_cost", ExcelCells, doc="Weekly cost of each placement, £")
@arg("from_date", ExcelCells, doc="First day of the cohort's placements, " + _DATE)
def cyps_cohort_cost(children: Any, weekly_cost: Any, from_date: Any) -> Cells:
    """A cohort shock: cost this financial year (part year), then next year (full year)."""
    return _drivers.cohort_cells(children, weekly_cost, from_date)


@func
@arg("fte", ExcelCells, doc="Agency posts, in full-time equivalents (FTE)")
@arg("weekly_rate", ExcelCells, doc="Agency weekly rate per FTE, £")
@arg("permanent_annual_cost", ExcelCells, doc="Annual cost of a permanent FTE with on-costs, £")
@arg("days_in_year", ExcelCells, doc="365 (default) or 366 for a year holding 29 February")
def cyps_agency_premium(
    fte: Any, weekly_rate: Any, permanent_annual_cost: Any, days_in_year: Any = 365
) -> Any:
    """A year's agency cost less the same FTE at the permanent cost."""
    return _drivers.agency_premium_cells(fte, weekly_rate, permanent_annual_cost, days_in_year)


@func
@ret("raw")  # a 2-D list of plain floats/ints/text: no per-cell cleaning
@arg("fte", ExcelCells, doc="Agency FTE converted to permanent")
@arg("weekly_rate", ExcelCells, doc="Agency weekly rate per FTE, £")
@arg("permanent_annual_cost", ExcelCells, doc="Annual cost of a permanent FTE with on-costs, £")
@arg("from_date", ExcelCells, doc="Date the conversion takes effect, " + _DATE)
def cyps_agency_conversion(
    fte: Any, weekly_rate: Any, permanent_annual_cost: Any, from_date: Any
) -> Cells:
    """Saving of converting agency posts to permanent: this year, then a full year."""
    return _drivers.agency_conversion_cells(fte, weekly_rate, permanent_annual_cost, from_date)


@func
def cyps_version() -> str:
    """The cypsxl engine version, for audit trails (e.g. "cypsxl 0.1.0")."""
    return f"cypsxl {__version__}"
