"""``cypsxl placements CASE_OR_CSV``: the placement register and workforce summary."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import numpy as np

from ..model.case import POUNDS_PER_MILLION
from ..model.dates import date_of, day_number, fy_bounds, fy_of_day, month_ends, month_starts
from ..model.demand import cohort_cost, implied_growth, lac_growth
from ..model.drivers import Drivers, cohort_risks
from ..model.episodes import admissions, discharges, looked_after_on
from ..model.register import placements_in_place, summarise_register
from ..model.timeline import FinancialYearError, parse_fy
from ..model.workforce import KINDS, agency_conversion, summarise_workforce
from ._present import fmt_percent, json_number, print_json, render

__all__ = ["register"]

HELP = """Summarise a placement register (and the workforce, where posts are given).

CASE_OR_CSV is a case file (.toml) with [[placement]], [register] (a register CSV or an
SSDA903 episodes file with a weekly-cost table), [[post]] or [workforce]; or one CSV: an
SSDA903 episodes file (price it with --costs), a placement register or a list of posts.
Printed: children in placement at the as-at date by type; cost to date, rest of the year,
full year and the full-year effect next year (£m, net of health and education shares);
admissions and discharges by month; looked-after children growth since 1 April; the
workforce by kind with the agency premium and cap; cohort shocks.

Rows a CSV rejects are listed (row and column) and the rest is read: exit code 3.

examples:
  cypsxl placements drivers.toml                     the summary at the case's as-at date
  cypsxl placements episodes.csv --costs costs.csv --as-at 2025-10-31
  cypsxl placements register.csv --year 2025/26 --as-at 2025-12-31 --json
  cypsxl placements posts.csv --as-at 2025-10-31 --convert-agency 4 --convert-from 2026-01-01
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``placements`` command."""
    p = subparsers.add_parser(
        "placements",
        help="placement register and workforce: children, cost to date, rest of year, FYE",
        description=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("source", metavar="CASE_OR_CSV", help="case file (.toml) or a CSV")
    p.add_argument("--json", action="store_true", help="print JSON (money in £m, unrounded)")
    p.add_argument("--costs", metavar="COSTS.csv", help="weekly cost by PLACE for an SSDA903 file")
    p.add_argument("--as-at", metavar="DATE", help="as-at date, yyyy-mm-dd or dd/mm/yyyy")
    p.add_argument("--year", metavar="YYYY/YY", help="financial year, e.g. 2025/26")
    p.add_argument(
        "--convert-agency", metavar="FTE", type=float, help="agency FTE converted to permanent"
    )
    p.add_argument(
        "--convert-from", metavar="DATE", help="date of the conversion (default: after as-at)"
    )
    p.set_defaults(func=_run)


def _date_arg(text: str | None, option: str) -> dt.date | None:
    from ..cli import InputError

    if text is None:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise InputError(f"{option}: expected a date such as 2025-10-31 or 31/10/2025, got {text!r}")


def _load(args: argparse.Namespace) -> Drivers:
    from ..casefile._drivers import drivers_from_csv, load_drivers
    from ..cli import InputError

    as_at = _date_arg(args.as_at, "--as-at")
    if args.year is not None:
        try:
            parse_fy(args.year)
        except FinancialYearError as exc:
            raise InputError(f"--year: {exc}") from None
    if Path(args.source).suffix.lower() == ".csv":
        return drivers_from_csv(args.source, args.costs, args.year, as_at)
    if args.costs:
        raise InputError("--costs is for an SSDA903 CSV; a case names its costs in [register]")
    return load_drivers(args.source, args.year, as_at)


def _run(args: argparse.Namespace) -> int:
    from ..cli import EXIT_OK, EXIT_PARTIAL, InputError

    drivers = _load(args)
    if not (drivers.has_register or drivers.has_workforce or drivers.cohorts):
        raise InputError(
            f"{args.source}: no placements or posts to summarise; expected [[placement]], "
            "[register] csv or ssda903, [[post]], [workforce] csv or [[cohort]] "
            "(docs/drivers.md)"
        )
    as_at = drivers.as_at if drivers.as_at is not None else day_number(dt.date.today())
    year = drivers.year or (fy_of_day(as_at) if args.year is None else args.year)
    first, last = fy_bounds(year)
    if not first - 1 <= as_at <= last:
        raise InputError(
            f"as-at date {date_of(as_at):%d/%m/%Y} is outside {year} "
            f"({date_of(first):%d/%m/%Y} to {date_of(last):%d/%m/%Y})"
        )
    conversion = None
    if args.convert_agency is not None:
        start = _date_arg(args.convert_from, "--convert-from")
        day = day_number(start) if start else as_at + 1
        try:
            conversion = agency_conversion(drivers.establishment, args.convert_agency, day, year)
        except ValueError as exc:
            raise InputError(f"--convert-agency: {exc}") from None
        conversion_doc = {
            "fte": args.convert_agency,
            "from": date_of(day).isoformat(),
            "this_year": conversion[0] / POUNDS_PER_MILLION,
            "full_year": conversion[1] / POUNDS_PER_MILLION,
        }
    doc = summary(drivers, year, as_at)
    if conversion is not None:
        doc["workforce"]["conversion"] = conversion_doc
    doc["rejected"] = [p.as_dict() for p in drivers.rejected]
    doc["rows"] = {
        "read": drivers.csv_rows - len(drivers.rejected),
        "rejected": len(drivers.rejected),
    }
    if args.json:
        print_json(doc)
    else:
        sys.stdout.write(render_summary(doc, drivers))
    for problem in drivers.rejected:
        print(f"rejected: {problem}", file=sys.stderr)
    return EXIT_PARTIAL if drivers.rejected else EXIT_OK


# --------------------------------------------------------------------------- figures


def _m(values: Any) -> list[float | None]:
    return [json_number(v / POUNDS_PER_MILLION) for v in np.asarray(values, dtype=float)]


def summary(drivers: Drivers, year: str, as_at: int) -> dict[str, Any]:
    """The command's figures as a JSON document (money £m, counts as numbers)."""
    first = fy_bounds(year)[0]
    types = drivers.types
    doc: dict[str, Any] = {
        "year": year,
        "as_at": date_of(as_at).isoformat(),
        "types": dict(zip(types.keys, types.labels, strict=True)),
    }
    if drivers.has_register or drivers.cohorts:
        s = summarise_register(drivers.register, year, as_at)
        by_type = {
            key: {
                "children": json_number(s.children[i]),
                "cost_to_date": json_number(s.cost_to_date[i] / POUNDS_PER_MILLION),
                "rest_of_year": json_number(s.rest_of_year[i] / POUNDS_PER_MILLION),
                "full_year": json_number(s.full_year[i] / POUNDS_PER_MILLION),
                "next_year": json_number(s.next_year[i] / POUNDS_PER_MILLION),
            }
            for i, key in enumerate(types.keys)
        }
        doc["register"] = {
            "placements": len(drivers.register),
            "by_type": by_type,
            "total": {
                "children": json_number(s.children.sum()),
                "cost_to_date": json_number(s.cost_to_date.sum() / POUNDS_PER_MILLION),
                "rest_of_year": json_number(s.rest_of_year.sum() / POUNDS_PER_MILLION),
                "full_year": json_number(s.full_year.sum() / POUNDS_PER_MILLION),
                "next_year": json_number(s.next_year.sum() / POUNDS_PER_MILLION),
                "gross_full_year": json_number(s.gross_full_year.sum() / POUNDS_PER_MILLION),
            },
        }
        doc["months"] = _months(drivers, year)
        doc["lac"] = _lac(drivers, first, as_at)
    if drivers.has_workforce:
        w = summarise_workforce(drivers.establishment, year, as_at, drivers.agency_cap)
        doc["workforce"] = {
            "by_kind": {
                kind: {
                    "fte": json_number(w.fte[k]),
                    "cost_to_date": json_number(w.cost_to_date[k] / POUNDS_PER_MILLION),
                    "rest_of_year": json_number(w.rest_of_year[k] / POUNDS_PER_MILLION),
                    "full_year": json_number(w.full_year[k] / POUNDS_PER_MILLION),
                }
                for k, kind in enumerate(KINDS)
            },
            "vacancy_cost": w.vacancy_cost / POUNDS_PER_MILLION,
            "agency_premium": json_number(w.agency_premium / POUNDS_PER_MILLION),
            "agency_cap": w.agency_cap,
            "agency_over_cap": w.agency_over_cap,
        }
    if drivers.cohorts:
        risks = cohort_risks(drivers.cohorts, year)
        doc["cohorts"] = {}
        for c in drivers.cohorts:
            this, following = cohort_cost(c.children, c.weekly_cost, c.start, year)
            doc["cohorts"][c.name] = {
                "children": c.children,
                "weekly_cost": c.weekly_cost,
                "from": date_of(c.start).isoformat(),
                "this_year": float(this) * c.share / POUNDS_PER_MILLION,
                "next_year": float(following) * c.share / POUNDS_PER_MILLION,
                "risk": c.name in risks,
                "pressure": c.pressure or None,
            }
    return doc


def _months(drivers: Drivers, year: str) -> dict[str, Any]:
    starts, ends = month_starts(year), month_ends(year)
    labels = [f"{date_of(d):%b %Y}" for d in starts]
    if drivers.episodes is not None:
        ep = drivers.episodes
        into = admissions(ep, starts, ends)
        out = discharges(ep, starts, ends)
        at_end = looked_after_on(ep, ends)
        basis = "SSDA903 episodes: admissions RNE S; discharges REC other than X1"
    else:
        r = drivers.register
        inside = (starts[None, :] <= r.start[:, None]) & (r.start[:, None] <= ends[None, :])
        into = (inside * r.count[:, None]).sum(axis=0)
        left = (starts[None, :] <= r.end[:, None]) & (r.end[:, None] <= ends[None, :])
        out = (left * r.count[:, None]).sum(axis=0)
        at_end = placements_in_place(r, ends).sum(axis=0)
        basis = "register: placements starting; placements ending (last day)"
    return {
        "basis": basis,
        "month": labels,
        "admissions": [json_number(x) for x in into],
        "discharges": [json_number(x) for x in out],
        "looked_after_at_month_end": [json_number(x) for x in at_end],
    }


def _lac(drivers: Drivers, first: int, as_at: int) -> dict[str, Any]:
    days = [first, as_at]
    if drivers.episodes is not None:
        counts = looked_after_on(drivers.episodes, days).astype(float)
    else:
        counts = placements_in_place(drivers.register, days).sum(axis=0)
    demand = drivers.demand
    start = float(counts[0]) if demand is None or demand.lac_start is None else demand.lac_start
    now = float(counts[1]) if demand is None or demand.lac_now is None else demand.lac_now
    out: dict[str, Any] = {
        "at_1_april": start,
        "at_as_at": now,
        "growth": json_number(implied_growth(start, now)),
    }
    if demand is not None and demand.growth_rate is not None:
        out["projection"] = {
            "growth_rate": demand.growth_rate,
            "lac": lac_growth(now, demand.growth_rate, demand.years).tolist(),
        }
    return out


# --------------------------------------------------------------------------- text


def _money(value: float | None) -> str:
    """£m to 3 decimals, halves rounded up as a council's report does.

    >>> _money(0.0365), _money(-1234.5675), _money(None)
    ('0.037', '-1,234.568', '-')
    """
    if value is None:
        return "-"
    return f"{Decimal(repr(value)).quantize(Decimal('0.001'), ROUND_HALF_UP):,}"


def _count(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def render_summary(doc: dict[str, Any], drivers: Drivers) -> str:
    """The summary as text tables (money £m to 3 decimals)."""
    as_at = dt.date.fromisoformat(doc["as_at"])
    parts: list[str] = []
    if "register" in doc:
        reg = doc["register"]
        rows = []
        for key, label in doc["types"].items():
            r = reg["by_type"][key]
            if r["children"] or r["full_year"] or r["next_year"]:
                rows.append(
                    [
                        label,
                        _count(r["children"]),
                        _money(r["cost_to_date"]),
                        _money(r["rest_of_year"]),
                        _money(r["full_year"]),
                        _money(r["next_year"]),
                    ]
                )
        t = reg["total"]
        rows.append(
            [
                "Total",
                _count(t["children"]),
                _money(t["cost_to_date"]),
                _money(t["rest_of_year"]),
                _money(t["full_year"]),
                _money(t["next_year"]),
            ]
        )
        nxt = f"{int(doc['year'][:4]) + 1}/{(int(doc['year'][:4]) + 2) % 100:02d}"
        parts.append(
            _ruled_total(
                render(
                    f"Placements {doc['year']}, as at {as_at:%d/%m/%Y} "
                    f"({reg['placements']:,} placements; £m, net of health and education "
                    "shares)",
                    ["Type", "Children", "To date", "Rest of year", "Full year", nxt],
                    rows,
                )
            )
        )
        lac = doc["lac"]
        parts.append(
            f"Looked-after children: {_count(lac['at_1_april'])} on 1 April, "
            f"{_count(lac['at_as_at'])} on {as_at:%d/%m/%Y} ({_signed(lac['growth'])})"
        )
        if "projection" in lac:
            p = lac["projection"]
            path = ", ".join(f"{x:,.1f}" for x in p["lac"])
            parts.append(f"Projection at {fmt_percent(p['growth_rate'])} a year: {path}")
        m = doc["months"]
        parts.append(
            render(
                f"By month ({m['basis']})",
                ["Month", "Admissions", "Discharges", "Looked after at month end"],
                [
                    [label, _count(a), _count(b), _count(c)]
                    for label, a, b, c in zip(
                        m["month"],
                        m["admissions"],
                        m["discharges"],
                        m["looked_after_at_month_end"],
                        strict=True,
                    )
                ],
            )
        )
    if "workforce" in doc:
        w = doc["workforce"]
        rows = [
            [
                kind.capitalize(),
                f"{v['fte']:,.1f}",
                _money(v["cost_to_date"]),
                _money(v["rest_of_year"]),
                _money(v["full_year"]),
            ]
            for kind, v in w["by_kind"].items()
        ]
        parts.append(
            render(
                f"Workforce {doc['year']}, as at {as_at:%d/%m/%Y} (£m)",
                ["Kind", "FTE", "To date", "Rest of year", "Full year"],
                rows,
            )
        )
        lines = [
            f"Agency premium (agency cost less the same FTE at permanent cost): "
            f"£{_money(w['agency_premium'])}m",
            f"Vacant posts, a year at their annual cost: £{_money(w['vacancy_cost'])}m",
        ]
        if w["agency_cap"] is not None:
            agency = w["by_kind"]["agency"]["fte"]
            over = w["agency_over_cap"]
            state = f"{over:,.1f} over the cap" if over else "within the cap"
            lines.append(
                f"Agency FTE {agency:,.1f} against a cap of {w['agency_cap']:,.1f}: {state}"
            )
        if "conversion" in w:
            c = w["conversion"]
            lines.append(
                f"Converting {c['fte']:g} agency FTE to permanent from "
                f"{dt.date.fromisoformat(c['from']):%d/%m/%Y} saves £{_money(c['this_year'])}m "
                f"this year, £{_money(c['full_year'])}m a full year"
            )
        parts.append("\n".join(lines))
    if doc.get("cohorts"):
        parts.append(
            render(
                "Cohort shocks (£m)",
                ["Cohort", "Children", "£ a week", "From", "This year", "Next year", "As"],
                [
                    [
                        name,
                        _count(c["children"]),
                        f"{c['weekly_cost']:,.0f}",
                        f"{dt.date.fromisoformat(c['from']):%d/%m/%Y}",
                        _money(c["this_year"]),
                        _money(c["next_year"]),
                        "risk"
                        if c["risk"]
                        else (f"pressure_{c['pressure']}" if c["pressure"] else "-"),
                    ]
                    for name, c in doc["cohorts"].items()
                ],
            )
        )
    if drivers.rejected:
        parts.append(
            f"{len(drivers.rejected):,} of {drivers.csv_rows:,} CSV rows rejected "
            "(listed on stderr); the rest were read"
        )
    return "\n\n".join(parts) + "\n"


def _ruled_total(table: str) -> str:
    """A rule above a table's last row (its total), as below its header.

    >>> print(_ruled_total(render("T", ["Type", "£m"], [["A", "1"], ["Total", "1"]])))
    T
    ----------
    Type    £m
    ----------
    A        1
    ----------
    Total    1
    ----------
    """
    lines = table.split("\n")
    return "\n".join([*lines[:-2], lines[1], *lines[-2:]])


def _signed(value: float | None) -> str:
    if value is None:
        return "growth -"
    return ("+" if value >= 0 else "") + fmt_percent(value)
