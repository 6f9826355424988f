"""An independent, day-by-day calculation of the cost drivers, sharing no code with cypsxl.

Written from the rules (docs/drivers.md): a placement costs weekly_cost x count / 7 for
every day it runs inside the window, both ends inclusive; the council pays that less the
health and education shares. Dates are ``datetime.date`` and every day is visited.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

ONE_DAY = dt.timedelta(days=1)


def days(first: dt.date, last: dt.date) -> list[dt.date]:
    out = []
    day = first
    while day <= last:
        out.append(day)
        day += ONE_DAY
    return out


def fy_first_last(label: str) -> tuple[dt.date, dt.date]:
    start = int(label[:4])
    return dt.date(start, 4, 1), dt.date(start + 1, 3, 31)


def placement_cost(p: dict[str, Any], first: dt.date, last: dt.date, net: bool = True) -> float:
    """Cost of one placement from ``first`` to ``last`` (inclusive), a day at a time."""
    share = 1.0
    if net:
        share = 1.0 - p.get("health_share", 0.0) - p.get("education_share", 0.0)
    daily = p["weekly_cost"] * p.get("count", 1) / 7.0 * share
    end = p.get("end") or dt.date(9999, 12, 31)
    parts = [daily for day in days(first, last) if p["start"] <= day <= end]
    return math.fsum(parts)


def summary(placements: list[dict[str, Any]], year: str, as_at: dt.date) -> dict[str, dict]:
    """By type: children on ``as_at``, cost to date, rest of year, full year, next year."""
    first, last = fy_first_last(year)
    n_first, n_last = fy_first_last(f"{int(year[:4]) + 1}/00")
    out: dict[str, dict[str, float]] = {}
    for p in placements:
        row = out.setdefault(
            p["type"],
            {"children": 0.0, "to_date": 0.0, "rest": 0.0, "full": 0.0, "next": 0.0},
        )
        end = p.get("end") or dt.date(9999, 12, 31)
        if p["start"] <= as_at <= end:
            row["children"] += p.get("count", 1)
        row["to_date"] += placement_cost(p, first, min(as_at, last))
        row["rest"] += placement_cost(p, max(as_at + ONE_DAY, first), last)
        row["full"] += placement_cost(p, first, last)
        row["next"] += placement_cost(p, n_first, n_last)
    return out


def post_cost(post: dict[str, Any], first: dt.date, last: dt.date, year: str) -> float:
    """A post's cost from ``first`` to ``last`` inside financial year ``year``."""
    if post["kind"] == "vacant":
        return 0.0
    fy_first, fy_last = fy_first_last(year)
    year_days = len(days(fy_first, fy_last))
    lo = post.get("from") or dt.date(1, 1, 1)
    hi = post.get("to") or dt.date(9999, 12, 31)
    parts = []
    for day in days(first, last):
        if lo <= day <= hi:
            if post.get("weekly_rate") is not None:
                parts.append(post["weekly_rate"] * post["fte"] / 7.0)
            else:
                parts.append(post["annual_cost"] * post["fte"] / year_days)
    return math.fsum(parts)
