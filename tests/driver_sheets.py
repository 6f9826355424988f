"""What the engine says each formula cell of the Placements and Workforce sheets must show
(used by the sheets' own tests and by the monitoring demo workbook's)."""

from __future__ import annotations

import tomllib
from typing import Any

import numpy as np

from cypsxl.casefile._checker import _Checker, _Lines
from cypsxl.casefile._drivers import DriverSettings, read_drivers
from cypsxl.errors import ProblemList
from cypsxl.excel.drivers_demo import DEMO, FIRST_ROW
from cypsxl.model.dates import fy_bounds
from cypsxl.model.register import days_inside, register_costs, summarise_register
from cypsxl.model.workforce import KINDS, post_costs, summarise_workforce

DOC = tomllib.loads(DEMO)
YEAR = "2025/26"


def demo_drivers() -> Any:
    """The demo tables read as a case file (no problems)."""
    problems = ProblemList("demo")
    drivers = read_drivers(_Checker(problems, _Lines(DEMO)), DOC, DriverSettings("demo.toml"))
    assert problems.problems == []
    return drivers


def _placement_expectations(drivers) -> dict[str, float]:
    reg = drivers.register
    first, last = fy_bounds(YEAR)
    as_at = drivers.as_at
    want: dict[str, float] = {"Placements!B7": 365}
    costs = register_costs(reg, [first, as_at + 1, first], [as_at, last, last])
    to_date = days_inside(reg.start, reg.end, first, as_at)
    to_come = days_inside(reg.start, reg.end, as_at + 1, last)
    on = (reg.start <= as_at) & (as_at <= reg.end)
    n = len(reg)
    for k in range(n):
        r = FIRST_ROW + k
        want |= {
            f"Placements!I{r}": to_date[k],
            f"Placements!J{r}": to_come[k],
            f"Placements!K{r}": costs[k, 0],
            f"Placements!L{r}": costs[k, 1],
            f"Placements!M{r}": costs[k, 2],
            f"Placements!N{r}": reg.count[k] * on[k],
        }
    total = FIRST_ROW + n
    want |= {
        f"Placements!K{total}": costs[:, 0].sum(),
        f"Placements!L{total}": costs[:, 1].sum(),
        f"Placements!M{total}": costs[:, 2].sum(),
        f"Placements!N{total}": (reg.count * on).sum(),
    }
    s = summarise_register(reg, YEAR, as_at)
    top = total + 2
    for k in range(len(reg.types.keys)):
        r = top + 2 + k
        want |= {
            f"Placements!J{r}": s.children[k],
            f"Placements!K{r}": s.cost_to_date[k] / 1e6,
            f"Placements!L{r}": s.rest_of_year[k] / 1e6,
            f"Placements!M{r}": s.full_year[k] / 1e6,
        }
    grand = top + 2 + len(reg.types.keys)
    want |= {
        f"Placements!J{grand}": s.children.sum(),
        f"Placements!K{grand}": s.cost_to_date.sum() / 1e6,
        f"Placements!L{grand}": s.rest_of_year.sum() / 1e6,
        f"Placements!M{grand}": s.full_year.sum() / 1e6,
    }
    return want


def _workforce_expectations(drivers) -> dict[str, float]:
    est = drivers.establishment
    first, last = fy_bounds(YEAR)
    as_at = drivers.as_at
    want: dict[str, float] = {"Workforce!B7": 365}
    frm = np.array([first, as_at + 1, first])
    to = np.array([as_at, last, last])
    costs = (
        post_costs(
            est.fte[:, None],
            est.annual_cost[:, None],
            est.weekly_rate[:, None],
            est.start[:, None],
            est.end[:, None],
            frm[None, :],
            to[None, :],
            365,
        )
        * ~est.mask("vacant")[:, None]
    )
    n = len(est)
    # the permanent cost of each post: its own, else the FTE-weighted permanent average of
    # its role (Social worker: the 12 permanent at £52,000 -> 52,000)
    perm = est.mask("permanent")
    for k in range(n):
        r = FIRST_ROW + k
        same = perm & np.array([role == est.role[k] for role in est.role])
        equiv = (
            est.annual_cost[k]
            if not np.isnan(est.annual_cost[k])
            else (est.annual_cost[same] * est.fte[same]).sum() / est.fte[same].sum()
        )
        year_days = days_inside(est.start[k], est.end[k], first, last)
        premium = (
            costs[k, 2] - equiv * est.fte[k] * year_days / 365 if est.kind[k] == "agency" else 0
        )
        on = est.start[k] <= as_at <= est.end[k]
        want |= {
            f"Workforce!I{r}": days_inside(est.start[k], est.end[k], first, as_at),
            f"Workforce!J{r}": days_inside(est.start[k], est.end[k], as_at + 1, last),
            f"Workforce!K{r}": costs[k, 0],
            f"Workforce!L{r}": costs[k, 1],
            f"Workforce!M{r}": costs[k, 2],
            f"Workforce!N{r}": equiv,
            f"Workforce!O{r}": premium,
            f"Workforce!P{r}": est.fte[k] * on,
        }
    total = FIRST_ROW + n
    s = summarise_workforce(est, YEAR, as_at, drivers.agency_cap)
    want |= {
        f"Workforce!K{total}": costs[:, 0].sum(),
        f"Workforce!L{total}": costs[:, 1].sum(),
        f"Workforce!M{total}": costs[:, 2].sum(),
        f"Workforce!O{total}": s.agency_premium,
    }
    top = total + 2
    for k in range(len(KINDS)):
        r = top + 2 + k
        want |= {
            f"Workforce!D{r}": s.fte[k],
            f"Workforce!K{r}": s.cost_to_date[k] / 1e6,
            f"Workforce!L{r}": s.rest_of_year[k] / 1e6,
            f"Workforce!M{r}": s.full_year[k] / 1e6,
        }
    cap_row = top + 5
    want |= {
        f"Workforce!D{cap_row + 1}": s.agency_over_cap,
        f"Workforce!M{cap_row + 2}": s.agency_premium / 1e6,
    }
    return want


def expected() -> dict[str, float]:
    """Every formula cell of both sheets: "Sheet!A1" -> the engine's value."""
    drivers = demo_drivers()
    return _placement_expectations(drivers) | _workforce_expectations(drivers)
