"""The ``[scenarios]`` and ``[[uncertainty]]`` tables (Monte Carlo and sensitivity)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..model.case import (
    DEFAULT_SCENARIOS,
    DISTRIBUTIONS,
    INPUTS,
    MAX_SCENARIOS,
    ScenarioSettings,
    Uncertainty,
)
from ._checker import _Checker, _table, show

_SCENARIO_KEYS = {"n", "seed", "payback_within_years", "sensitivity_percent"}
#: Uncertain inputs that replace a bid key; by default they skip bids that give their own.
_REPLACED = {
    "avoided_cost": "avoided_cost_per_child_per_year",
    "part_year_factor": "part_year_factor",
}
_UNCERTAINTY_KEYS = {
    "input",
    "distribution",
    "min",
    "mode",
    "max",
    "value",
    "bids",
    "line",
    "shared",
}
#: The range of each uncertain input's values: (lowest, highest, what it is).
_UNCERTAIN_RANGE = {
    "delivery": (0.0, math.inf, "a share of the planned children >= 0 (1 = as planned)"),
    "avoided_cost": (0.0, math.inf, "£ per child per year >= 0"),
    "part_year_factor": (0.0, 1.0, "a fraction from 0 to 1"),
    "saving": (0.0, math.inf, "a multiplier >= 0 (1 = as planned)"),
    "investment": (0.0, math.inf, "a multiplier >= 0 (1 = as planned)"),
    "saving_delay": (0.0, math.inf, "years >= 0"),
    "pressure": (0.0, math.inf, "a multiplier >= 0 (1 = as planned)"),
}


def _whole(
    ck: _Checker, path: tuple[object, ...], where: str, table: Mapping[str, Any], key: str, low: int
) -> int | None:
    value = ck.number(
        path, where, table, key, lambda v: v >= low and v == int(v), f"a whole number >= {low}"
    )
    return None if value is None else int(value)


def _uncertainty(
    ck: _Checker, i: int, raw: Any, refs: set[str], lines: set[str]
) -> Uncertainty | None:
    path: tuple[object, ...] = ("uncertainty", i)
    where = f"uncertainty #{i + 1}"
    if not isinstance(raw, dict):
        ck.add(path, where, "", f"expected an [[uncertainty]] table, got {show(raw)}")
        return None
    ck.unknown(path, where, raw, _UNCERTAINTY_KEYS)
    kind = raw.get("input")
    if kind not in _UNCERTAIN_RANGE:
        ck.add(path, where, "input", f"expected one of: {', '.join(INPUTS)}; got {show(kind)}")
        kind = None
    dist = raw.get("distribution")
    if dist not in DISTRIBUTIONS:
        ck.add(
            path,
            where,
            "distribution",
            f"expected one of: {', '.join(DISTRIBUTIONS)}; got {show(dist)}",
        )
        dist = None
    low_bound, high_bound, what = _UNCERTAIN_RANGE.get(
        kind or "", (-math.inf, math.inf, "a number")
    )

    def value(key: str, required: bool) -> float | None:
        return ck.number(
            path, where, raw, key, lambda v: low_bound <= v <= high_bound, what, required=required
        )

    wanted = {"fixed": ("value",), "uniform": ("min", "max")}.get(
        dist or "", ("min", "mode", "max")
    )
    for key in ("min", "mode", "max", "value"):
        if key in raw and dist is not None and key not in wanted:
            ck.add(path, where, key, f"not used by a {dist} distribution; give {', '.join(wanted)}")
    got = {key: value(key, dist is not None) for key in wanted}
    if dist == "fixed":
        low = mode = high = got["value"]
    else:
        low, high = got.get("min"), got.get("max")
        mode = got.get("mode", low)
    if low is not None and high is not None and low > high:
        ck.add(path, where, "min", f"is {low:g}, above max {high:g}; expected min <= max")
        return None
    if mode is not None and low is not None and high is not None and not low <= mode <= high:
        ck.add(path, where, "mode", f"is {mode:g}; expected from min {low:g} to max {high:g}")
        return None
    bids: tuple[str, ...] = ()
    raw_bids = raw.get("bids")
    if raw_bids is not None:
        if kind == "pressure":
            ck.add(path, where, "bids", "not used by input 'pressure'; give line")
        elif not isinstance(raw_bids, list) or not raw_bids:
            ck.add(path, where, "bids", f"expected a list of bid refs, got {show(raw_bids)}")
        else:
            for j, ref in enumerate(raw_bids):
                if not isinstance(ref, str) or ref.strip() not in refs:
                    ck.add(
                        path,
                        where,
                        "bids",
                        f"expected a bid ref ({', '.join(sorted(refs))}), got {show(ref)}",
                        index=j,
                    )
            bids = tuple(r.strip() for r in raw_bids if isinstance(r, str))
    line = raw.get("line", "")
    if kind == "pressure":
        if not isinstance(line, str) or line.removeprefix("pressure_") not in lines:
            ck.add(
                path,
                where,
                "line",
                f"expected a pressure line of [cyps_budget] ({', '.join(sorted(lines))}),"
                f" got {show(raw.get('line'))}",
            )
            line = None
        else:
            line = line.removeprefix("pressure_")
    elif "line" in raw:
        ck.add(path, where, "line", "only input 'pressure' takes a line")
    shared = raw.get("shared", False)
    if not isinstance(shared, bool):
        ck.add(path, where, "shared", f"expected true or false, got {show(shared)}")
    if None in (kind, dist, low, mode, high, line) or not isinstance(shared, bool):
        return None
    assert kind is not None and dist is not None and low is not None and high is not None
    assert mode is not None and line is not None
    return Uncertainty(kind, dist, low, mode, high, bids, line, shared)


def _scenarios(ck: _Checker, doc: Mapping[str, Any]) -> ScenarioSettings:
    table = _table(ck, (), "", doc, "scenarios") or {}
    path: tuple[object, ...] = ("scenarios",)
    where = "[scenarios]"
    ck.unknown(path, where, table, _SCENARIO_KEYS)
    n = _whole(ck, path, where, table, "n", 1)
    if n is not None and n > MAX_SCENARIOS:
        ck.add(path, where, "n", f"expected at most {MAX_SCENARIOS:,} scenarios, got {n:,}")
        n = None
    seed = _whole(ck, path, where, table, "seed", 0)
    within = _whole(ck, path, where, table, "payback_within_years", 1)
    share = ck.number(
        path,
        where,
        table,
        "sensitivity_percent",
        lambda v: 0 <= v <= 100,
        "a percentage from 0 to 100",
    )
    raw_bids = doc.get("bid", [])
    named = [
        b
        for b in (raw_bids if isinstance(raw_bids, list) else [])
        if isinstance(b, dict) and isinstance(b.get("ref"), str)
    ]
    refs = {b["ref"].strip() for b in named}
    # avoided_cost and part_year_factor replace a value: without bids, only the bids that
    # use the [assumptions] value (see cypsxl.model.scenarios.uncertain_bids)
    default_targets = {
        kind: sorted(b["ref"].strip() for b in named if key not in b)
        for kind, key in _REPLACED.items()
    }
    budget = doc.get("cyps_budget")
    lines = {
        k.removeprefix("pressure_")
        for k in (budget if isinstance(budget, dict) else {})
        if k.startswith("pressure_")
    }
    raw = doc.get("uncertainty", [])
    if not isinstance(raw, list):
        ck.add(("uncertainty",), "", "uncertainty", "expected [[uncertainty]] tables")
        raw = []
    found: list[Uncertainty] = []
    seen: dict[tuple[str, str], int] = {}
    for i, item in enumerate(raw):
        u = _uncertainty(ck, i, item, refs, lines)
        if u is None:
            continue
        targets = (
            [u.line]
            if u.input == "pressure"
            else list(u.bids or default_targets.get(u.input, sorted(refs)))
        )
        if not targets and refs:
            ck.add(
                ("uncertainty", i),
                f"uncertainty #{i + 1}",
                "bids",
                f"missing: every bid has its own {_REPLACED[u.input]}, so {u.input} applies to"
                " no bid; expected the bids it applies to",
            )
        clashes: dict[int, list[str]] = {}
        for target in targets:
            if (u.input, target) in seen:
                clashes.setdefault(seen[(u.input, target)], []).append(target)
            seen.setdefault((u.input, target), i)
        for earlier, names in clashes.items():
            ck.add(
                ("uncertainty", i),
                f"uncertainty #{i + 1}",
                "bids" if u.input != "pressure" else "line",
                f"{u.input} of {', '.join(names)} is already uncertain in uncertainty"
                f" #{earlier + 1}; expected each input once",
            )
        found.append(u)
    return ScenarioSettings(
        n=DEFAULT_SCENARIOS if n is None else n,
        seed=seed,
        payback_within_years=within,
        sensitivity=ScenarioSettings().sensitivity if share is None else share / 100.0,
        uncertainties=tuple(found),
    )


def _scenarios_dict(s: ScenarioSettings) -> dict[str, Any]:
    """``[scenarios]`` and ``[[uncertainty]]`` for writing (nothing when all default)."""
    out: dict[str, Any] = {}
    table = {
        "n": s.n if s.n != DEFAULT_SCENARIOS else None,
        "seed": s.seed,
        "payback_within_years": s.payback_within_years,
        "sensitivity_percent": (
            s.sensitivity * 100 if s.sensitivity != ScenarioSettings().sensitivity else None
        ),
    }
    if any(v is not None for v in table.values()):
        out["scenarios"] = {k: v for k, v in table.items() if v is not None}
    items = []
    for u in s.uncertainties:
        item: dict[str, Any] = {"input": u.input, "distribution": u.distribution}
        if u.distribution == "fixed":
            item["value"] = u.mode
        elif u.distribution == "uniform":
            item.update({"min": u.low, "max": u.high})
        else:
            item.update({"min": u.low, "mode": u.mode, "max": u.high})
        if u.bids:
            item["bids"] = list(u.bids)
        if u.line:
            item["line"] = u.line
        if u.shared:
            item["shared"] = True
        items.append(item)
    if items:
        out["uncertainty"] = items
    return out
