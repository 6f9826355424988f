"""Read and check the cost drivers' tables of a case file (see ``docs/drivers.md``).

``[register]`` (year, as-at date, CSVs, extra types and PLACE codes), ``[[placement]]``,
``[workforce]`` and ``[[post]]``, ``[demand]`` and ``[[cohort]]``. The names do not clash
with an MTFS case's ``[placements]`` table (a mix by type); a monitoring case may hold
them beside its lines, and a line with ``forecast = "placements"`` (optionally
``types = [...]``) or ``forecast = "workforce"`` (optionally ``teams``/``kinds``) is
forecast from them. CSVs named here are read relative to the case file.

Every problem is recorded on the checker with its TOML line; an unknown key names the
nearest valid one. Rows a CSV rejects are kept apart (:attr:`Drivers.rejected`):
``cypsxl placements`` reports them and reads the rest; a monitoring case, whose
forecast they would change, reports them as problems.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import CaseError, Problem, ProblemList
from ..model.case import CypsBudget, frozen_map
from ..model.dates import OPEN_END, day_number, fy_of_day
from ..model.driver_rules import (
    EXPECT_COUNT,
    EXPECT_FTE,
    EXPECT_MONEY,
    EXPECT_SHARE,
    EXPECT_WEEKLY,
    KIND_NAMES,
    placement_problems,
    post_problems,
)
from ..model.drivers import (
    Cohort,
    Demand,
    Drivers,
    cohort_pressures,
    cohort_risks,
    placements_line_cost,
    workforce_line_cost,
)
from ..model.episodes import Episodes, episodes_register
from ..model.monitoring import (
    DriverCost,
    MonitoringCase,
    MonitoringLine,
    period_end,
    register_driver_method,
)
from ..model.register import PlaceCode, PlaceMapping, PlacementTypes, Register
from ..model.timeline import FinancialYearError, parse_fy
from ..model.workforce import Establishment
from ..reference_data import placement_reference
from ._checker import _Checker, _Lines, _suggest, _table_or_empty, _tables, _unknown
from ._driver_tables import DRIVER_TABLES

__all__ = [
    "DRIVER_TABLES",
    "DriverSettings",
    "csv_kind",
    "drivers_from_csv",
    "load_drivers",
    "read_drivers",
]


_REGISTER_KEYS = {"year", "as_at", "csv", "ssda903", "costs", "types", "place_codes"}
_PLACEMENT_KEYS = {
    "ref",
    "type",
    "weekly_cost",
    "start",
    "end",
    "count",
    "health_share",
    "education_share",
    "note",
}
_WORKFORCE_KEYS = {"agency_cap", "csv"}
_POST_KEYS = {"team", "role", "kind", "fte", "annual_cost", "weekly_rate", "from", "to", "note"}
_DEMAND_KEYS = {"lac_start", "lac_now", "growth_rate", "years"}
_COHORT_KEYS = {
    "name",
    "children",
    "weekly_cost",
    "from",
    "type",
    "health_share",
    "education_share",
    "risk",
    "pressure",
    "note",
}
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class DriverSettings:
    """What the case around the drivers says: its year and as-at date, where it lives."""

    source: str
    year: str | None = None
    as_at: dt.date | None = None


def _date(
    ck: _Checker,
    path: tuple[object, ...],
    where: str,
    table: Mapping[str, Any],
    key: str,
    required: bool = False,
) -> int | None:
    """A TOML date (``2025-04-01``) or a text ``dd/mm/yyyy`` / ``yyyy-mm-dd``, as a day."""
    if key not in table:
        if required:
            ck.add(path, where, key, "missing; expected a date such as 2025-04-01")
        return None
    value = table[key]
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return day_number(value)
    if isinstance(value, str):
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return day_number(dt.datetime.strptime(value.strip(), fmt).date())
            except ValueError:
                continue
    ck.add(path, where, key, f"expected a date such as 2025-04-01, got {value!r}")
    return None


def _path(
    ck: _Checker,
    path: tuple[object, ...],
    where: str,
    table: Mapping[str, Any],
    key: str,
    base: Path,
) -> Path | None:
    value = ck.text(path, where, table, key)
    if not value:
        return None
    p = Path(value)
    return p if p.is_absolute() else base / p


def _names(
    ck: _Checker, path: tuple[object, ...], where: str, table: Mapping[str, Any], key: str
) -> list[str] | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        ck.add(path, where, key, f"expected a list of names, got {value!r}")
        return None
    return [str(v) for v in value]


# --------------------------------------------------------------------------- reference data


def _reference(ck: _Checker, reg: Mapping[str, Any]) -> tuple[PlacementTypes, PlaceMapping]:
    ref = placement_reference()
    types, mapping = ref.types, ref.mapping
    path: tuple[object, ...] = ("register", "types")
    extra = reg.get("types", {})
    if not isinstance(extra, dict):
        ck.add(("register",), "[register]", "types", 'expected a table of type = "label"')
        extra = {}
    added: dict[str, str] = {}
    for key, label in extra.items():
        if not _KEY.match(key):
            ck.add(path, "[register.types]", key, "expected a key of a-z, 0-9 and _")
        elif not isinstance(label, str) or not label.strip():
            ck.add(path, "[register.types]", key, f"expected a label (text), got {label!r}")
        else:
            added[key] = label.strip()
    types = types.with_types(added)
    codes_raw = reg.get("place_codes", {})
    path = ("register", "place_codes")
    where = "[register.place_codes]"
    if not isinstance(codes_raw, dict):
        ck.add(("register",), "[register]", "place_codes", 'expected a table of CODE = "type"')
        codes_raw = {}
    codes: dict[str, PlaceCode] = {}
    for code, value in codes_raw.items():
        entry = {"type": value} if isinstance(value, str) else value
        if not isinstance(entry, dict) or not isinstance(entry.get("type"), str):
            ck.add(
                path,
                where,
                code,
                f'expected a type, or a table {{ type = "...", PR1 = "..." }}, got {value!r}',
            )
            continue
        named = {k: v for k, v in entry.items() if k not in ("type", "label")}
        bad = [v for v in (entry["type"], *named.values()) if v not in types.keys]
        if bad:
            ck.add(
                path,
                where,
                code,
                _suggest(str(bad[0]), set(types.keys), f"unknown placement type {bad[0]!r}"),
            )
            continue
        label = entry.get("label", code)
        codes[code.upper()] = PlaceCode(
            code.upper(), str(label), entry["type"], {k.upper(): str(v) for k, v in named.items()}
        )
    return types, mapping.with_codes(codes)


# --------------------------------------------------------------------------- tables


def _placements(ck: _Checker, doc: Mapping[str, Any], types: PlacementTypes) -> Register:
    raw = _tables(ck, doc, "placement", "[placement]")
    rows: list[dict[str, Any]] = []
    refs: dict[str, int] = {}
    for i, p in enumerate(raw):
        path: tuple[object, ...] = ("placement", i)
        ref = p.get("ref")
        where = (
            f"placement {ref}" if isinstance(ref, str) and ref.strip() else f"placement #{i + 1}"
        )
        _unknown(ck, path, where, p, _PLACEMENT_KEYS)
        ok = True
        if not isinstance(ref, str) or not ref.strip():
            ck.add(path, where, "ref", "missing; expected a reference such as 'P1'")
            ok = False
        elif ref.strip() in refs:
            ck.add(
                path,
                where,
                "ref",
                f"duplicate reference (also placement #{refs[ref.strip()] + 1}); "
                "expected each ref once",
            )
            ok = False
        else:
            refs[ref.strip()] = i
        kind = p.get("type")
        if kind not in types.keys:
            ck.add(
                path,
                where,
                "type",
                _suggest(str(kind), set(types.keys), f"unknown placement type {kind!r}"),
            )
            ok = False
        weekly = ck.number(path, where, p, "weekly_cost", expected=EXPECT_WEEKLY, required=True)
        count = ck.number(path, where, p, "count", expected=EXPECT_COUNT)
        health = ck.number(path, where, p, "health_share", expected=EXPECT_SHARE)
        education = ck.number(path, where, p, "education_share", expected=EXPECT_SHARE)
        start = _date(ck, path, where, p, "start", required=True)
        end = _date(ck, path, where, p, "end")
        if weekly is None or start is None or ("count" in p and count is None):
            ok = False
        if ("health_share" in p and health is None) or (
            "education_share" in p and education is None
        ):
            ok = False
        row: dict[str, Any] = {
            "ref": str(ref).strip(),
            "type": kind,
            "weekly_cost": weekly if weekly is not None else 0.0,
            "start": start if start is not None else 0,
            "end": end if end is not None else OPEN_END,
            "count": 1.0 if count is None else count,
            "health_share": health or 0.0,
            "education_share": education or 0.0,
        }
        for _, key, message in placement_problems(
            row["weekly_cost"],
            row["start"],
            row["end"],
            row["count"],
            row["health_share"],
            row["education_share"],
        ):
            ck.add(path, where, key, message)
            ok = False
        if ok:
            rows.append(row)
    return Register.build(
        types,
        [r["ref"] for r in rows],
        [r["type"] for r in rows],
        [r["weekly_cost"] for r in rows],
        np.array([r["start"] for r in rows], np.int64),
        np.array([r["end"] for r in rows], np.int64),
        [r["count"] for r in rows],
        [r["health_share"] for r in rows],
        [r["education_share"] for r in rows],
    )


def _posts(ck: _Checker, doc: Mapping[str, Any]) -> Establishment:
    raw = _tables(ck, doc, "post", "[post]")
    keep: list[dict[str, Any]] = []
    for i, p in enumerate(raw):
        path: tuple[object, ...] = ("post", i)
        team = p.get("team")
        where = f"post #{i + 1}" + (f" ({team})" if isinstance(team, str) and team else "")
        _unknown(ck, path, where, p, _POST_KEYS)
        ok = True
        team_s = ck.text(path, where, p, "team", required=True)
        role = ck.text(path, where, p, "role")
        kind = p.get("kind")
        if not isinstance(kind, str):
            ck.add(
                path,
                where,
                "kind",
                f"missing; expected one of: {', '.join(KIND_NAMES)}"
                if kind is None
                else f"expected one of: {', '.join(KIND_NAMES)}, got {kind!r}",
            )
            ok = False
            kind = "permanent"
        fte = ck.number(path, where, p, "fte", expected=EXPECT_FTE, required=True)
        annual = ck.number(path, where, p, "annual_cost", expected=EXPECT_MONEY)
        weekly = ck.number(path, where, p, "weekly_rate", expected=EXPECT_WEEKLY)
        start = _date(ck, path, where, p, "from")
        end = _date(ck, path, where, p, "to")
        if (
            not team_s
            or fte is None
            or ("annual_cost" in p and annual is None)
            or ("weekly_rate" in p and weekly is None)
        ):
            ok = False
        row: dict[str, Any] = {
            "team": team_s,
            "role": role,
            "kind": kind.strip().lower(),
            "fte": fte if fte is not None else 1.0,
            "annual": np.nan if annual is None else annual,
            "weekly": np.nan if weekly is None else weekly,
            "start": -OPEN_END if start is None else start,
            "end": OPEN_END if end is None else end,
        }
        for _, key, message in post_problems(
            [row["kind"]], row["fte"], row["annual"], row["weekly"], row["start"], row["end"]
        ):
            ck.add(path, where, {"to": "to"}.get(key, key), message)
            ok = False
        if ok:
            keep.append(row)
    return Establishment.build(
        [r["team"] for r in keep],
        [r["role"] for r in keep],
        [r["kind"] for r in keep],
        [r["fte"] for r in keep],
        [r["annual"] for r in keep],
        [r["weekly"] for r in keep],
        np.array([r["start"] for r in keep], np.int64),
        np.array([r["end"] for r in keep], np.int64),
    )


def _cohorts(ck: _Checker, doc: Mapping[str, Any], types: PlacementTypes) -> tuple[Cohort, ...]:
    out: list[Cohort] = []
    names: set[str] = set()
    for i, c in enumerate(_tables(ck, doc, "cohort", "[cohort]")):
        path: tuple[object, ...] = ("cohort", i)
        name = ck.text(path, f"cohort #{i + 1}", c, "name", required=True)
        where = f"cohort {name}" if name else f"cohort #{i + 1}"
        _unknown(ck, path, where, c, _COHORT_KEYS)
        if name in names:
            ck.add(path, where, "name", "duplicate cohort name; expected each name once")
        names.add(name)
        children = ck.number(
            path, where, c, "children", lambda v: v > 0, EXPECT_COUNT, required=True
        )
        weekly = ck.number(
            path, where, c, "weekly_cost", lambda v: v >= 0, EXPECT_WEEKLY, required=True
        )
        start = _date(ck, path, where, c, "from", required=True)
        health = ck.number(path, where, c, "health_share", lambda v: 0 <= v <= 1, EXPECT_SHARE)
        education = ck.number(
            path, where, c, "education_share", lambda v: 0 <= v <= 1, EXPECT_SHARE
        )
        kind = c.get("type", "other")
        if kind not in types.keys:
            ck.add(
                path,
                where,
                "type",
                _suggest(str(kind), set(types.keys), f"unknown placement type {kind!r}"),
            )
        risk = c.get("risk", False)
        if not isinstance(risk, bool):
            ck.add(path, where, "risk", f"expected true or false, got {risk!r}")
            risk = False
        pressure = ck.text(path, where, c, "pressure")
        if pressure and not _KEY.match(pressure):
            ck.add(
                path,
                where,
                "pressure",
                f"expected a pressure line name of a-z, 0-9 and _ (pressure_<name>), "
                f"got {pressure!r}",
            )
        share_total = (health or 0.0) + (education or 0.0)
        if round(share_total, 9) > 1:
            ck.add(
                path,
                where,
                "education_share",
                f"health_share + education_share = {share_total:g}; expected at most 1",
            )
        if children is None or weekly is None or start is None or not name:
            continue
        out.append(
            Cohort(
                name=name,
                children=children,
                weekly_cost=weekly,
                start=start,
                type=str(kind),
                share=1.0 - share_total,
                risk=risk,
                pressure=pressure,
            )
        )
    return tuple(out)


def _demand(ck: _Checker, doc: Mapping[str, Any]) -> Demand | None:
    table = _table_or_empty(ck, doc, "demand")
    if not table:
        return None
    path: tuple[object, ...] = ("demand",)
    _unknown(ck, path, "[demand]", table, _DEMAND_KEYS)
    start = ck.number(
        path, "[demand]", table, "lac_start", lambda v: v >= 0, "a count of children >= 0"
    )
    now = ck.number(
        path, "[demand]", table, "lac_now", lambda v: v >= 0, "a count of children >= 0"
    )
    rate = ck.number(
        path,
        "[demand]",
        table,
        "growth_rate",
        lambda v: v > -1,
        "a fraction a year > -1, such as 0.05",
    )
    years = ck.number(
        path,
        "[demand]",
        table,
        "years",
        lambda v: v == int(v) and 1 <= v <= 50,
        "a whole number of years from 1 to 50",
    )
    return Demand(lac_start=start, lac_now=now, growth_rate=rate, years=int(years or 4))


# --------------------------------------------------------------------------- the whole


def _year_and_as_at(
    ck: _Checker, reg: Mapping[str, Any], settings: DriverSettings
) -> tuple[str | None, int | None]:
    as_at = _date(ck, ("register",), "[register]", reg, "as_at")
    if as_at is None and settings.as_at is not None:
        as_at = day_number(settings.as_at)
    year = reg.get("year", settings.year)
    if year is not None:
        try:
            parse_fy(year)
        except FinancialYearError as exc:
            ck.add(("register",), "[register]", "year", str(exc))
            year = None
    if year is None and as_at is not None:
        year = fy_of_day(as_at)
    return year, as_at


def read_drivers(ck: _Checker, doc: Mapping[str, Any], settings: DriverSettings) -> Drivers:
    """Check the driver tables of ``doc``; problems go on ``ck``, CSV rows rejected apart."""
    from ..workbook.driver_csv import read_posts_csv, read_register_csv  # pandas: when needed
    from ..workbook.ssda903 import read_costs, read_episodes

    reg = _table_or_empty(ck, doc, "register")
    _unknown(ck, ("register",), "[register]", reg, _REGISTER_KEYS)
    types, mapping = _reference(ck, reg)
    year, as_at = _year_and_as_at(ck, reg, settings)
    base = Path(settings.source).parent
    register = _placements(ck, doc, types)
    rejected: list[Problem] = []
    rows = 0
    episodes: Episodes | None = None
    csv_path = _path(ck, ("register",), "[register]", reg, "csv", base)
    parts = [register]
    file_problems: list[Problem] = []
    if csv_path is not None:
        try:
            read = read_register_csv(csv_path, types)
            parts.append(read.register)
            rejected += read.problems
            rows += read.rows
        except CaseError as exc:
            file_problems += exc.problems
    ssda = _path(ck, ("register",), "[register]", reg, "ssda903", base)
    costs_path = _path(ck, ("register",), "[register]", reg, "costs", base)
    if costs_path is not None and ssda is None:
        ck.add(("register",), "[register]", "costs", "is for an SSDA903 file; give ssda903 too")
    if ssda is not None:
        try:
            costs = read_costs(costs_path) if costs_path is not None else None
            read_e = read_episodes(ssda, types, mapping, costs)
            episodes = read_e.episodes
            parts.append(episodes_register(episodes, types))
            rejected += read_e.problems
            rows += read_e.rows
        except CaseError as exc:
            file_problems += exc.problems
    wf = _table_or_empty(ck, doc, "workforce")
    _unknown(ck, ("workforce",), "[workforce]", wf, _WORKFORCE_KEYS)
    cap = ck.number(
        ("workforce",), "[workforce]", wf, "agency_cap", lambda v: v >= 0, "an FTE >= 0"
    )
    establishment = _posts(ck, doc)
    posts_path = _path(ck, ("workforce",), "[workforce]", wf, "csv", base)
    if posts_path is not None:
        try:
            read_p = read_posts_csv(posts_path)
            establishment = _join_posts(establishment, read_p.establishment)
            rejected += read_p.problems
            rows += read_p.rows
        except CaseError as exc:
            file_problems += exc.problems
    for problem in file_problems:
        ck.p.problems.append(problem)
    return Drivers(
        types=types,
        mapping=mapping,
        register=_join_registers(parts),
        episodes=episodes,
        establishment=establishment,
        agency_cap=cap,
        cohorts=_cohorts(ck, doc, types),
        demand=_demand(ck, doc),
        year=year,
        as_at=as_at,
        rejected=tuple(rejected),
        csv_rows=rows,
        has_register=bool(doc.get("placement")) or csv_path is not None or ssda is not None,
        has_workforce=bool(doc.get("post")) or posts_path is not None,
    )


def _join_registers(parts: list[Register]) -> Register:
    first = parts[0]
    if len(parts) == 1:
        return first
    return Register(
        first.types,
        tuple(r for p in parts for r in p.ref),
        np.concatenate([p.type_index for p in parts]),
        np.concatenate([p.weekly_cost for p in parts]),
        np.concatenate([p.start for p in parts]),
        np.concatenate([p.end for p in parts]),
        np.concatenate([p.count for p in parts]),
        np.concatenate([p.health_share for p in parts]),
        np.concatenate([p.education_share for p in parts]),
    )


def _join_posts(a: Establishment, b: Establishment) -> Establishment:
    return Establishment(
        a.team + b.team,
        a.role + b.role,
        a.kind + b.kind,
        np.concatenate([a.fte, b.fte]),
        np.concatenate([a.annual_cost, b.annual_cost]),
        np.concatenate([a.weekly_rate, b.weekly_rate]),
        np.concatenate([a.start, b.start]),
        np.concatenate([a.end, b.end]),
    )


# --------------------------------------------------------------------------- monitoring


def _line_options(
    ck: _Checker,
    drivers: Drivers,
    lines: tuple[tuple[int, str, Mapping[str, Any]], ...],
    method: str,
) -> None:
    for index, name, options in lines:
        path: tuple[object, ...] = ("line", index)
        where = f"line {name}" if name else f"line #{index + 1}"
        if method == "placements":
            if not drivers.has_register:
                ck.add(
                    path,
                    where,
                    "forecast",
                    'is "placements" but the case has no [[placement]], [register] csv or ssda903',
                )
            for t in _names(ck, path, where, options, "types") or []:
                if t not in drivers.types.keys:
                    ck.add(
                        path,
                        where,
                        "types",
                        _suggest(t, set(drivers.types.keys), f"unknown placement type {t!r}"),
                    )
        else:
            if not drivers.has_workforce:
                ck.add(
                    path,
                    where,
                    "forecast",
                    'is "workforce" but the case has no [[post]] or [workforce] csv',
                )
            teams = _names(ck, path, where, options, "teams") or []
            for t in teams:
                if t not in drivers.establishment.team:
                    ck.add(path, where, "teams", f"no post has team {t!r}")
            for k in _names(ck, path, where, options, "kinds") or []:
                if k not in KIND_NAMES:
                    ck.add(
                        path,
                        where,
                        "kinds",
                        f"expected kinds from: {', '.join(KIND_NAMES)}, got {k!r}",
                    )


def _monitoring_reader(method: str) -> Any:
    def read(ck: _Checker, doc: Mapping[str, Any], context: Any) -> Mapping[str, Any]:
        # both methods' readers run for one case: the tables are read (and their
        # problems recorded) once per checker, the lines of each method checked by each
        if _LAST and _LAST[0] is ck and _LAST[1] is doc:
            drivers = _LAST[2]
        else:
            settings = DriverSettings(context.source, context.year, context.as_at)
            drivers = read_drivers(ck, doc, settings)
            ck.p.problems.extend(drivers.rejected)
            _LAST[:] = [ck, doc, drivers]
        _line_options(ck, drivers, context.lines, method)
        return {"cost_drivers": drivers, "risks": _cohort_risks(ck, doc, drivers, context.year)}

    return read


def _cohort_risks(
    ck: _Checker, doc: Mapping[str, Any], drivers: Drivers, year: str
) -> dict[str, float]:
    """Cohorts with ``risk = true``: this year's cost (£m) as risks beside the forecast."""
    risks = cohort_risks(drivers.cohorts, year)
    typed = doc.get("risk", [])
    names = (
        {r.get("name") for r in typed if isinstance(r, dict)} if isinstance(typed, list) else set()
    )
    for i, c in enumerate(drivers.cohorts):
        if c.risk and c.name in names:
            ck.add(
                ("cohort", i),
                f"cohort {c.name}",
                "name",
                "is also the name of a [[risk]]; expected each risk name once",
            )
    return risks


#: The checker, document and drivers of the case being read (held, so never reused).
_LAST: list[Any] = []


def _placements_cost(line: MonitoringLine, case: MonitoringCase) -> DriverCost:
    drivers: Drivers = case.drivers["cost_drivers"]
    types = line.options.get("types")
    remaining, to_date = placements_line_cost(
        drivers.register, case.year, day_number(case.as_at_date), types
    )
    return DriverCost(remaining=remaining, to_date=to_date)


def _workforce_cost(line: MonitoringLine, case: MonitoringCase) -> DriverCost:
    drivers: Drivers = case.drivers["cost_drivers"]
    remaining, to_date = workforce_line_cost(
        drivers.establishment,
        case.year,
        day_number(case.as_at_date),
        line.options.get("teams"),
        line.options.get("kinds"),
    )
    return DriverCost(remaining=remaining, to_date=to_date)


def _register_with_monitoring() -> None:
    """Make ``forecast = "placements"`` and ``"workforce"`` driver methods of monitoring."""
    from ._monitoring import MonitoringDriver, register_monitoring_driver

    register_driver_method("placements", _placements_cost)
    register_driver_method("workforce", _workforce_cost)
    register_monitoring_driver(
        MonitoringDriver("placements", ("types",), DRIVER_TABLES, _monitoring_reader("placements"))
    )
    register_monitoring_driver(
        MonitoringDriver(
            "workforce", ("teams", "kinds"), DRIVER_TABLES, _monitoring_reader("workforce")
        )
    )


_register_with_monitoring()


# --------------------------------------------------------------------------- whole files


def load_drivers(
    path: str | Path, year: str | None = None, as_at: dt.date | None = None
) -> Drivers:
    """The cost drivers of a case file (drivers only, an MTFS or a monitoring case).

    The year and as-at date come from ``year``/``as_at`` when given, else ``[register]``,
    else ``[monitoring]`` (its as_at, or the end of its period). Every problem of the
    file raises one :class:`CaseError`; CSV rows rejected are in ``Drivers.rejected``.
    """
    from ._monitoring import _TABLES, _header, _toml, read_text
    from ._sections import _SECTIONS

    source = str(path)
    doc = _toml(read_text(path), source)
    problems = ProblemList(source)
    ck = _Checker(problems, _Lines(read_text(path)))
    known = set(_SECTIONS) | _TABLES | set(DRIVER_TABLES)
    for key in doc:
        if key not in known:
            ck.add((key,), "", key, _suggest(key, known, "unknown table"))
    settings = DriverSettings(source, year, as_at)
    if "monitoring" in doc:
        h = _header(_Checker(ProblemList(source), ck.lines), doc)
        period_end_day = None
        if h.year and h.period is not None:
            period_end_day = period_end(h.year, h.period)
        settings = DriverSettings(
            source, year or (h.year or None), as_at or h.as_at or period_end_day
        )
    drivers = read_drivers(ck, doc, settings)
    if as_at is not None:
        reg = doc.get("register")
        stated = year or (reg.get("year") if isinstance(reg, dict) else None) or settings.year
        drivers = replace(
            drivers,
            year=stated if isinstance(stated, str) else fy_of_day(day_number(as_at)),
            as_at=day_number(as_at),
        )
    problems.raise_if_any()
    return drivers


#: Columns that tell the CSV kinds apart.
_CSV_KINDS = (
    ("ssda903", {"child", "decom"}),
    ("register", {"ref", "type", "weekly_cost"}),
    ("workforce", {"team", "kind", "fte"}),
)


def csv_kind(path: str | Path) -> str:
    """``ssda903``, ``register`` or ``workforce`` by the CSV's header (a located error else)."""
    from ..workbook.driver_csv import csv_header

    columns = {c.strip().casefold() for c in csv_header(path, "a CSV file")}
    for kind, needed in _CSV_KINDS:
        if needed <= columns:
            return kind
    raise CaseError(
        [
            Problem(
                str(path),
                "",
                "",
                "is not an SSDA903 episodes file (CHILD, DECOM, ...), a placement register "
                "(ref, type, weekly_cost, start, ...) or a list of posts (team, kind, fte, ...)",
            )
        ]
    )


def drivers_from_csv(
    path: str | Path,
    costs: str | Path | None = None,
    year: str | None = None,
    as_at: dt.date | None = None,
) -> Drivers:
    """The cost drivers of one CSV: SSDA903 episodes (priced with ``costs``), a
    placement register, or a list of posts."""
    from ..workbook.driver_csv import read_posts_csv, read_register_csv
    from ..workbook.ssda903 import read_costs, read_episodes

    ref = placement_reference()
    types, mapping = ref.types, ref.mapping
    kind = csv_kind(path)
    empty = Register.build(types, [], [], [], [])
    register, episodes, posts = empty, None, Establishment.build([], [], [], [])
    if costs is not None and kind != "ssda903":
        raise CaseError([Problem(str(costs), "", "", "--costs prices an SSDA903 episodes file")])
    if kind == "ssda903":
        read_e = read_episodes(path, types, mapping, read_costs(costs) if costs else None)
        episodes, rejected, rows = read_e.episodes, read_e.problems, read_e.rows
        register = episodes_register(episodes, types)
    elif kind == "register":
        read_r = read_register_csv(path, types)
        register, rejected, rows = read_r.register, read_r.problems, read_r.rows
    else:
        read_p = read_posts_csv(path)
        posts, rejected, rows = read_p.establishment, read_p.problems, read_p.rows
    day = day_number(as_at) if as_at else None
    return Drivers(
        types=types,
        mapping=mapping,
        register=register,
        episodes=episodes,
        establishment=posts,
        agency_cap=None,
        cohorts=(),
        demand=None,
        year=year or (fy_of_day(day) if day is not None else None),
        as_at=day,
        rejected=tuple(rejected),
        csv_rows=rows,
        has_register=kind != "workforce",
        has_workforce=kind == "workforce",
    )


def with_cohort_pressures(
    ck: _Checker, doc: Mapping[str, Any], source: str, budget: CypsBudget, years: tuple[str, ...]
) -> CypsBudget:
    """An MTFS case's budget with its cohorts' ``pressure`` lines added (£m by year).

    Every driver table of the case is checked as in any other case; the cohorts with a
    ``pressure`` add their cost in each plan year to ``pressure_<name>``.
    """
    drivers = read_drivers(ck, doc, DriverSettings(source, years[0]))
    added = cohort_pressures(drivers.cohorts, years)
    if not added:
        return budget
    lines = dict(budget.pressures)
    for name, row in added.items():
        before = np.asarray(lines.get(name, (0.0,) * len(years)), dtype=np.float64)
        lines[name] = tuple(float(x) for x in before + row)
    return replace(budget, pressures=frozen_map(lines))
