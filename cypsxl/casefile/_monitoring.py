"""Read and check a monitoring case file: ``[monitoring]``, ``[rag]``, ``[[line]]``,
``[[risk]]``, ``[[saving]]``, ``[[cost_avoided]]`` (see ``docs/monitoring.md`` for every key).

A file with a ``[monitoring]`` table is a monitoring case; an MTFS case has ``[case]``
instead, and a file cannot be both. As with the MTFS reader, every problem is collected
(file, TOML line, table, key, what was expected) and raised in one
:class:`~cypsxl.errors.CaseError`; an unknown key names the nearest valid one.

Cost drivers plug in here beside the model's driver registry
(:func:`cypsxl.model.monitoring.register_driver_method`): :func:`register_monitoring_driver`
declares a forecast method's extra line keys (kept in ``MonitoringLine.options``), the
top-level tables it reads, and a reader that checks them with the same located problems
and returns the parsed inputs kept in ``MonitoringCase.drivers``. Modules named in
:data:`DRIVER_MODULES` are imported (when installed) before a case is read, so that they
can register.
"""

from __future__ import annotations

import datetime as dt
import difflib
import importlib
import importlib.util
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import CaseError, Problem, ProblemList
from ..model.case import Case
from ..model.engine import bid_table
from ..model.monitoring import (
    DEFAULT_AMBER,
    DEFAULT_DIRECTORATE,
    DEFAULT_RED,
    DEFAULT_RED_AMOUNT,
    DRIVER_METHODS,
    FORECAST_METHODS,
    CostAvoided,
    MonitoringCase,
    MonitoringLine,
    RagThresholds,
    Risk,
    Saving,
    period_end,
    period_problem,
    profile_problem,
    rag_problem,
)
from ..model.timeline import FinancialYearError, parse_fy
from ._checker import _Checker, _Lines, _suggest, _table_or_empty, _tables, _unknown
from ._driver_tables import DRIVER_TABLES
from ._read import read_case_bytes, toml_document
from ._sections import _SECTIONS, CONSISTENCY_TOLERANCE

__all__ = [
    "DRIVER_MODULES",
    "MONITORING_DRIVERS",
    "DriverContext",
    "MonitoringDriver",
    "doc_kind",
    "file_kind",
    "is_monitoring_doc",
    "load_monitoring",
    "monitoring_from_dict",
    "parse_monitoring",
    "read_text",
    "register_monitoring_driver",
]

_TABLES = {"monitoring", "rag", "line", "risk", "saving", "cost_avoided"}
_MONITORING_KEYS = {"authority", "year", "period", "as_at", "directorate", "title"}
_RAG_KEYS = {"amber", "red", "red_amount"}
_LINE_KEYS = {
    "name",
    "group",
    "budget",
    "actual_to_date",
    "forecast",
    "forecast_outturn",
    "profile",
    "previous_forecast",
    "ring_fenced",
    "reserve",
    "note",
}
_RESERVE_KEYS = {"opening_deficit"}
_RISK_KEYS = {"name", "amount", "note"}
_SAVING_KEYS = {"ref", "title", "planned", "forecast", "note"}

#: Modules imported before a case is read, so that cost drivers can register.
DRIVER_MODULES = ("cypsxl.casefile._drivers",)


@dataclass(frozen=True, slots=True)
class DriverContext:
    """What a driver's reader is told about the case being read."""

    source: str  # the case file (a CSV the case names is relative to its folder)
    year: str
    period: int
    as_at: dt.date
    lines: tuple[tuple[int, str, Mapping[str, Any]], ...]  # (index, name, options) using it


@dataclass(frozen=True, slots=True)
class MonitoringDriver:
    """A driver method's case-file keys and reader.

    ``read(ck, doc, context)`` checks the driver's own tables (recording located problems
    on ``ck`` with paths like ``("placement", 3, "weekly_cost")``) and the options of the
    lines that use it (paths ``("line", index, key)``), and returns the parsed inputs,
    merged into ``MonitoringCase.drivers``.
    """

    method: str
    line_keys: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()
    read: Callable[[_Checker, Mapping[str, Any], DriverContext], Mapping[str, Any]] | None = None


#: Registered driver methods by name.
MONITORING_DRIVERS: dict[str, MonitoringDriver] = {}


def register_monitoring_driver(driver: MonitoringDriver) -> None:
    """Let a monitoring case use ``forecast = "<driver.method>"`` with the driver's keys."""
    if driver.method in FORECAST_METHODS:
        raise ValueError(f"{driver.method!r} is a built-in forecast method")
    MONITORING_DRIVERS[driver.method] = driver


def _load_driver_modules() -> None:
    for name in DRIVER_MODULES:
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)


# --------------------------------------------------------------------------- helpers


def is_monitoring_doc(doc: Mapping[str, Any]) -> bool:
    """A monitoring case has a ``[monitoring]`` table.

    >>> is_monitoring_doc({"monitoring": {}}), is_monitoring_doc({"case": {}})
    (True, False)
    """
    return "monitoring" in doc


def _money(
    ck: _Checker,
    path: tuple[object, ...],
    where: str,
    table: Mapping[str, Any],
    key: str,
    required: bool = False,
    minimum: float | None = None,
) -> float | None:
    expected = "an amount in £m" if minimum is None else f"an amount in £m >= {minimum:g}"
    check = None if minimum is None else (lambda v: v >= minimum)
    return ck.number(path, where, table, key, check, expected, required)


# --------------------------------------------------------------------------- sections


@dataclass
class _Header:
    authority: str = ""
    directorate: str = DEFAULT_DIRECTORATE
    year: str = ""
    period: int | None = None
    as_at: dt.date | None = None


def _header(ck: _Checker, doc: Mapping[str, Any]) -> _Header:
    where, path = "[monitoring]", ("monitoring",)
    table = _table_or_empty(ck, doc, "monitoring")
    _unknown(ck, path, where, table, _MONITORING_KEYS)
    h = _Header(authority=ck.text(path, where, table, "authority", required=True))
    h.directorate = ck.text(path, where, table, "directorate") or DEFAULT_DIRECTORATE
    year = ck.text(path, where, table, "year", required=True)
    if year:
        try:
            parse_fy(year)
            h.year = year
        except FinancialYearError as exc:
            ck.add(path, where, "year", f"{exc}; expected the financial year, e.g. '2025/26'")
    period = table.get("period")
    if "period" not in table:
        ck.add(path, where, "period", "missing; expected a whole number from 1 (April) to 12")
    elif period_problem(period):
        ck.add(path, where, "period", period_problem(period))
    else:
        h.period = int(period)  # type: ignore[arg-type]  # a number: checked above
    if "as_at" in table:
        h.as_at = _as_at(ck, path, where, table["as_at"], h.year)
    return h


def _as_at(
    ck: _Checker, path: tuple[object, ...], where: str, value: object, year: str
) -> dt.date | None:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        ck.add(path, where, "as_at", f"expected a TOML date such as 2025-10-31, got {value!r}")
        return None
    if year:
        start = dt.date(parse_fy(year), 4, 1)
        end = dt.date(parse_fy(year) + 1, 3, 31)
        if not start <= value <= end:
            ck.add(
                path,
                where,
                "as_at",
                f"{value.isoformat()} is outside {year} ({start.isoformat()} to {end.isoformat()})",
            )
            return None
    return value


def _rag(ck: _Checker, doc: Mapping[str, Any]) -> RagThresholds:
    where, path = "[rag]", ("rag",)
    table = _table_or_empty(ck, doc, "rag")
    _unknown(ck, path, where, table, _RAG_KEYS)
    share = "a share of the budget from 0 to 1, e.g. 0.05"
    amber = ck.number(path, where, table, "amber", lambda v: 0 <= v <= 1, share)
    red = ck.number(path, where, table, "red", lambda v: 0 <= v <= 1, share)
    amount = ck.number(
        path, where, table, "red_amount", lambda v: v > 0, "an amount in £m above 0, e.g. 0.25"
    )
    a = DEFAULT_AMBER if amber is None else amber
    r = DEFAULT_RED if red is None else red
    m = DEFAULT_RED_AMOUNT if amount is None else amount
    problem = rag_problem(a, r, m)
    if problem is not None and (problem[0] in table or "amber" in table):
        key = problem[0] if problem[0] in table else "amber"
        ck.add(path, where, key, problem[1])
    return RagThresholds(a, r, m)


def _profile(
    ck: _Checker, path: tuple[object, ...], where: str, line: Mapping[str, Any], period: int | None
) -> tuple[float, ...] | None:
    if "profile" not in line:
        ck.add(
            path, where, "profile", "missing; a profile line needs 12 monthly values, April first"
        )
        return None
    row = ck.row(path, where, line, "profile", 12, "month, April first", minimum=0.0)
    if row is None:
        return None
    why = profile_problem(row, period)
    if why:
        ck.add(path, where, "profile", why)
        return None
    return row


def _line(
    ck: _Checker, i: int, line: Mapping[str, Any], h: _Header, seen: dict[str, int]
) -> MonitoringLine | None:
    path: tuple[object, ...] = ("line", i)
    name = line.get("name")
    where = f'line "{name}"' if isinstance(name, str) and name else f"line {i + 1}"
    method = line.get("forecast", "run_rate")
    driver = MONITORING_DRIVERS.get(method) if isinstance(method, str) else None
    _unknown(ck, path, where, line, _LINE_KEYS | set(driver.line_keys if driver else ()))
    name = ck.text(path, where, line, "name", required=True)
    if name in seen:
        ck.add(path, where, "name", f"duplicate line name; also line {seen[name] + 1}")
    elif name:
        seen[name] = i
    group = ck.text(path, where, line, "group", required=True)
    budget = _money(ck, path, where, line, "budget", required=True)
    actual = _money(ck, path, where, line, "actual_to_date", required=True)
    methods = (*FORECAST_METHODS, *sorted(set(MONITORING_DRIVERS) | set(DRIVER_METHODS)))
    ok = True
    if not isinstance(method, str) or method not in methods:
        near = difflib.get_close_matches(str(method), methods, n=1)
        hint = f"did you mean {near[0]!r}? " if near else ""
        ck.add(
            path, where, "forecast", f"{hint}expected one of {', '.join(methods)}, got {method!r}"
        )
        ok = False
    manual = _money(ck, path, where, line, "forecast_outturn")
    if method == "manual" and "forecast_outturn" not in line:
        at = (*path, "forecast")  # located at the forecast = "manual" line
        ck.add(at, where, "forecast_outturn", "missing; a manual line needs its forecast, £m")
        ok = False
    elif method != "manual" and "forecast_outturn" in line:
        ck.add(
            path,
            where,
            "forecast_outturn",
            f'is typed only on a manual line; this line is forecast by "{method}"',
        )
        ok = False
    profile = None
    if method == "profile":
        profile = _profile(ck, path, where, line, h.period)
        ok = ok and profile is not None
    elif "profile" in line:
        ck.add(path, where, "profile", f'is used only on a profile line, not "{method}"')
    previous = _money(ck, path, where, line, "previous_forecast")
    ring = line.get("ring_fenced", False)
    if not isinstance(ring, bool):
        ck.add(path, where, "ring_fenced", f"expected true or false, got {ring!r}")
        ring = False
    opening = _reserve(ck, path, where, line, ring)
    ck.text(path, where, line, "note")
    if not ok or None in (budget, actual) or not name or not group:
        return None
    options = {k: line[k] for k in (driver.line_keys if driver else ()) if k in line}
    return MonitoringLine(
        name=name,
        group=group,
        budget=float(budget),  # type: ignore[arg-type]
        actual_to_date=float(actual),  # type: ignore[arg-type]
        forecast=str(method),
        forecast_outturn=manual,
        profile=profile,
        previous_forecast=previous,
        ring_fenced=ring,
        opening_deficit=opening,
        options=options,
    )


def _reserve(
    ck: _Checker, path: tuple[object, ...], where: str, line: Mapping[str, Any], ring: bool
) -> float:
    if "reserve" not in line:
        return 0.0
    table = line["reserve"]
    if not isinstance(table, dict):
        ck.add(path, where, "reserve", f"expected a [line.reserve] table, got {table!r}")
        return 0.0
    rpath = (*path, "reserve")
    rwhere = f"{where} reserve"
    _unknown(ck, rpath, rwhere, table, _RESERVE_KEYS)
    if not ring:
        ck.add(path, where, "reserve", "only a ring_fenced = true line carries a reserve")
    value = _money(ck, rpath, rwhere, table, "opening_deficit")
    return 0.0 if value is None else value


def _groups_consistent(
    ck: _Checker, raw: list[dict[str, Any]], lines: list[MonitoringLine]
) -> None:
    """A group is all ring-fenced or all General Fund (it is subtotalled in one of them)."""
    kind: dict[str, bool] = {}
    for line in lines:
        if kind.setdefault(line.group, line.ring_fenced) != line.ring_fenced:
            i = next(k for k, r in enumerate(raw) if r.get("name") == line.name)
            ck.add(
                ("line", i),
                f'line "{line.name}"',
                "ring_fenced",
                f"group {line.group!r} mixes ring-fenced and General Fund lines; give the "
                "ring-fenced lines their own group",
            )


def _named_amounts(
    ck: _Checker, doc: Mapping[str, Any], table: str, noun: str, minimum: float | None = None
) -> list[tuple[str, float]]:
    """``[[risk]]`` or ``[[cost_avoided]]``: a unique name and an amount in £m each."""
    out, seen = [], set()
    for i, r in enumerate(_tables(ck, doc, table, f"[[{table}]]")):
        path: tuple[object, ...] = (table, i)
        where = f"{noun} {i + 1}"
        _unknown(ck, path, where, r, _RISK_KEYS)
        name = ck.text(path, where, r, "name", required=True)
        if name in seen:
            ck.add(path, where, "name", f"duplicate {noun} name")
        seen.add(name)
        amount = _money(ck, path, where, r, "amount", required=True, minimum=minimum)
        ck.text(path, where, r, "note")
        if name and amount is not None:
            out.append((name, amount))
    return out


def _risks(ck: _Checker, doc: Mapping[str, Any]) -> list[Risk]:
    return [Risk(name, amount) for name, amount in _named_amounts(ck, doc, "risk", "risk")]


@dataclass
class _SavingIn:
    index: int
    ref: str
    title: str
    planned: float | None
    forecast: float | None


def _savings(ck: _Checker, doc: Mapping[str, Any]) -> list[_SavingIn]:
    out, seen = [], set()
    for i, s in enumerate(_tables(ck, doc, "saving", "[[saving]]")):
        path: tuple[object, ...] = ("saving", i)
        ref = s.get("ref")
        where = f"saving {ref}" if isinstance(ref, str) and ref else f"saving {i + 1}"
        _unknown(ck, path, where, s, _SAVING_KEYS)
        ref = ck.text(path, where, s, "ref", required=True)
        if ref in seen:
            ck.add(path, where, "ref", "duplicate saving ref")
        seen.add(ref)
        title = ck.text(path, where, s, "title")
        planned = _money(ck, path, where, s, "planned", minimum=0.0)
        forecast = _money(ck, path, where, s, "forecast", required=True, minimum=0.0)
        ck.text(path, where, s, "note")
        out.append(_SavingIn(i, ref, title, planned, forecast))
    return out


def _apply_mtfs(ck: _Checker, savings: list[_SavingIn], h: _Header, mtfs: Case | None) -> None:
    """Planned savings from the MTFS case's bids (gross saving of the monitoring year)."""
    if mtfs is None:
        for s in savings:
            if s.planned is None and s.ref:
                ck.add(
                    ("saving", s.index, "planned"),
                    f"saving {s.ref}",
                    "planned",
                    "missing; expected the planned saving, £m (or run with --mtfs MTFS.toml)",
                )
        return
    if not h.year:
        return
    if h.year not in mtfs.years:
        ck.add(
            ("monitoring", "year"),
            "[monitoring]",
            "year",
            f"{h.year} is not a year of the MTFS case {mtfs.name!r} "
            f"({mtfs.years[0]} to {mtfs.years[-1]})",
        )
        return
    t = mtfs.years.index(h.year)
    gross = bid_table(mtfs).gross_saving
    refs = {b.ref: k for k, b in enumerate(mtfs.bids)}
    for s in savings:
        if not s.ref:
            continue
        if s.ref not in refs:
            near = difflib.get_close_matches(s.ref, list(refs), n=1)
            hint = f"did you mean {near[0]!r}? " if near else ""
            ck.add(
                ("saving", s.index, "ref"),
                f"saving {s.ref}",
                "ref",
                f"is not a bid of the MTFS case {mtfs.name!r}; {hint}expected one of "
                + ", ".join(refs),
            )
            continue
        value = float(gross[refs[s.ref], t])
        if s.planned is not None and abs(s.planned - value) > CONSISTENCY_TOLERANCE:
            ck.add(
                ("saving", s.index, "planned"),
                f"saving {s.ref}",
                "planned",
                f"{s.planned:g} differs from the MTFS case's gross saving for {h.year}, "
                f"{value:.3f}; remove it or correct it",
            )
        s.planned = value


def _drivers(
    ck: _Checker, doc: Mapping[str, Any], h: _Header, raw: list[dict[str, Any]], source: str
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not h.year or h.period is None:
        return out
    as_at = h.as_at or period_end(h.year, h.period)
    for method, driver in MONITORING_DRIVERS.items():
        used = tuple(
            (i, str(r.get("name", "")), {k: r[k] for k in driver.line_keys if k in r})
            for i, r in enumerate(raw)
            if r.get("forecast") == method
        )
        if driver.read is None or not (used or any(t in doc for t in driver.tables)):
            continue
        out.update(driver.read(ck, doc, DriverContext(source, h.year, h.period, as_at, used)))
    return out


# --------------------------------------------------------------------------- entry points


def monitoring_from_dict(
    doc: Mapping[str, Any],
    source: str = "<monitoring>",
    text: str | None = None,
    mtfs: Case | None = None,
) -> MonitoringCase:
    """Check a monitoring case given as its TOML dict; raise :class:`CaseError` with all problems.

    ``mtfs``: take each saving's planned figure from this MTFS case's bids (the gross
    saving of the monitoring year).

    >>> m = monitoring_from_dict({
    ...     "monitoring": {"authority": "N", "year": "2025/26", "period": 7},
    ...     "line": [{"name": "A", "group": "G", "budget": 11.5, "actual_to_date": 7.9}]})
    >>> m.as_at_date, m.lines[0].forecast
    (datetime.date(2025, 10, 31), 'run_rate')
    """
    _load_driver_modules()
    problems = ProblemList(source)
    ck = _Checker(problems, _Lines(text or ""))
    if "monitoring" not in doc and "case" in doc:
        ck.add(
            ("case",),
            "",
            "",
            "is an MTFS case ([case]); a monitoring case has a [monitoring] table (see "
            "docs/monitoring.md). Run an MTFS case with cypsxl run, or link it with --mtfs",
        )
        problems.raise_if_any()
    driver_tables = {t for d in MONITORING_DRIVERS.values() for t in d.tables}
    known = _TABLES | driver_tables
    for key in doc:
        if key == "case":
            ck.add(
                (key,),
                "",
                key,
                "a monitoring case ([monitoring]) cannot also be an MTFS case ([case]); "
                "keep them in two files (use --mtfs MTFS.toml to link them)",
            )
        elif key not in known:
            ck.add((key,), "", key, _suggest(key, known, "unknown table"))
    h = _header(ck, doc)
    thresholds = _rag(ck, doc)
    raw = _tables(ck, doc, "line", "[[line]]")
    if not raw and "line" not in doc:
        ck.add((), "", "line", "missing; expected at least one [[line]]")
    seen: dict[str, int] = {}
    lines = [x for i, r in enumerate(raw) if (x := _line(ck, i, r, h, seen)) is not None]
    _groups_consistent(ck, raw, lines)
    risks = _risks(ck, doc)
    avoided = _named_amounts(ck, doc, "cost_avoided", "cost avoided", minimum=0.0)
    savings = _savings(ck, doc)
    _apply_mtfs(ck, savings, h, mtfs)
    drivers = _drivers(ck, doc, h, raw, source)
    # a driver may add risks (a cohort shock with risk = true): name -> £m
    risks += [Risk(name, float(amount)) for name, amount in drivers.pop("risks", {}).items()]
    problems.raise_if_any()
    assert h.period is not None  # recorded as a problem otherwise
    return MonitoringCase(
        authority=h.authority,
        year=h.year,
        period=h.period,
        lines=tuple(lines),
        as_at=h.as_at,
        directorate=h.directorate,
        rag=thresholds,
        risks=tuple(risks),
        savings=tuple(
            Saving(s.ref, float(s.planned or 0.0), float(s.forecast or 0.0), s.title)
            for s in savings
        ),
        drivers=drivers,
        cost_avoided=tuple(CostAvoided(name, amount) for name, amount in avoided),
    )


def _toml(text: str, source: str) -> dict[str, Any]:
    return toml_document(text, source)  # the case reader's guards: syntax, depth, digits


def parse_monitoring(
    text: str, source: str = "<monitoring>", mtfs: Case | None = None
) -> MonitoringCase:
    """Parse a monitoring case from TOML text (:class:`MonitoringCase`)."""
    return monitoring_from_dict(_toml(text, source), source, text, mtfs)


def read_text(path: str | Path) -> str:
    """A case file's text; a missing, unreadable or non-UTF-8 file as a located problem."""
    p = Path(path)
    raw = read_case_bytes(p)  # a regular file of bounded size (not a pipe or a device)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        why = f"is not UTF-8 text (byte {exc.start}); expected a TOML case file"
    except OSError as exc:
        why = f"cannot be read: {exc.strerror}"
    raise CaseError([Problem(str(p), "", "", why)])


def load_monitoring(path: str | Path, mtfs: Case | None = None) -> MonitoringCase:
    """Load a monitoring case file; every problem (the file itself too) as a CaseError."""
    return parse_monitoring(read_text(path), str(path), mtfs)


def doc_kind(text: str, source: str, drivers: bool = False) -> str:
    """``"monitoring"`` or ``"mtfs"``: which reader a case file's text is for; with
    ``drivers``, ``"drivers"`` for a file of cost-driver tables and no MTFS table.

    >>> doc_kind("[[post]]", "x.toml"), doc_kind("[[post]]", "x.toml", drivers=True)
    ('mtfs', 'drivers')
    """
    doc = _toml(text, source)
    if is_monitoring_doc(doc):
        return "monitoring"
    if drivers and any(k in doc for k in DRIVER_TABLES) and not any(k in doc for k in _SECTIONS):
        return "drivers"
    return "mtfs"


def file_kind(path: str, drivers: bool = False) -> str:
    """:func:`doc_kind` of the file at ``path``; a file that cannot be read or parsed goes
    to the MTFS reader (``"mtfs"``), which says why."""
    try:
        return doc_kind(read_text(path), path, drivers)
    except CaseError:
        return "mtfs"
