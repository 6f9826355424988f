"""Read, check and write case files (TOML). See ``docs/case-format.md`` for every key.

Reading collects *every* problem in a file - each names the file, the table or bid,
the key, the index and what was expected, with the TOML line where it can be found -
and raises one :class:`~cypsxl.errors.CaseError` holding them all.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from .errors import CaseError, Problem, ProblemList
from .model.case import (
    POUNDS_PER_MILLION,
    Assumptions,
    Bid,
    BidVariant,
    Case,
    CypsBudget,
    Mtfs,
    OptimismBias,
    OtherProposal,
    Placements,
    ScenarioSettings,
    Uncertainty,
    frozen_map,
)
from .model.placements import PlacementType
from .model.scenarios import DEFAULT_SCENARIOS, DISTRIBUTIONS, INPUTS
from .model.timeline import FinancialYearError, parse_fy, validate_timeline

__all__ = [
    "REFERENCE_CASE_NAME",
    "case_from_dict",
    "case_to_dict",
    "dump_case",
    "load_case",
    "parse_case",
    "reference_case",
    "reference_case_text",
]

REFERENCE_CASE_NAME = "rotherham_2016.toml"

#: Money read from an input and a value derived from other inputs (SGO allowances,
#: components of a proposal) must agree to within half of the printed £1k.
CONSISTENCY_TOLERANCE = 0.0005

_SECTIONS = {
    "case",
    "assumptions",
    "cyps_budget",
    "bid",
    "other_proposals",
    "mtfs",
    "placements",
    "scenarios",
    "uncertainty",
}
_CASE_KEYS = {"name", "authority", "directorate", "years", "mtfs_years", "unit"}
_ASSUMPTION_KEYS = {
    "avoided_cost_per_child_per_year",
    "part_year_factor",
    "weeks_per_year",
    "discount_rate",
    "discount_rates",
    "optimism_bias",
}
_OB_KEYS = {"investment_uplift_percent", "saving_cut_percent", "saving_delay_years"}
_BID_TEXT = ("title", "service_area", "directorate", "cabinet_member")
_BID_KEYS = {
    "ref",
    *_BID_TEXT,
    "investment",
    "gross_saving",
    "prevented",
    "current_budget",
    "avoided_cost_per_child_per_year",
    "part_year_factor",
    "fte",
    "outcomes",
    "sgo_new_orders",
    "sgo_allowance_per_year",
    "if_implemented",
    "under_review",
    "variants",
    "optimism_bias",
    "notes",
}
_VARIANT_KEYS = {"investment", "gross_saving", "prevented"}
_OTHER_KEYS = {"label", "levels", "components"}
_MTFS_KEYS = {"base_gap", "current_year_funded_from_reserves"}
_PLACEMENT_KEYS = {"weekly_cost", "count"}


# --------------------------------------------------------------------------- locating


class _Lines:
    """Best-effort map from (table path, key) to the TOML line it is written on."""

    _header = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")
    _key = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")

    def __init__(self, text: str) -> None:
        self.lines: dict[tuple[object, ...], int] = {}
        counts: dict[str, int] = {}
        table: tuple[object, ...] = ()
        for no, line in enumerate(text.splitlines(), start=1):
            head = self._header.match(line)
            if head:
                parts = [p.strip().strip("\"'") for p in head.group(2).split(".")]
                if head.group(1) == "[[":
                    counts[parts[0]] = counts.get(parts[0], -1) + 1
                if parts[0] in counts:
                    table = (parts[0], counts[parts[0]], *parts[1:])
                else:
                    table = tuple(parts)
                self.lines.setdefault(table, no)
                continue
            key = self._key.match(line)
            if key:
                self.lines.setdefault((*table, key.group(1)), no)

    def find(self, *path: object) -> int | None:
        """Line of ``path`` or of the nearest enclosing table."""
        for end in range(len(path), 0, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None


# --------------------------------------------------------------------------- checking


class _Checker:
    """Typed getters that record a located problem instead of raising."""

    def __init__(self, problems: ProblemList, lines: _Lines) -> None:
        self.p = problems
        self.lines = lines

    def add(
        self, path: tuple[object, ...], where: str, key: str, msg: str, index: int | None = None
    ) -> None:
        self.p.add(where, key, msg, index, self.lines.find(*path, key))

    def unknown(
        self, path: tuple[object, ...], where: str, table: Mapping[str, Any], known: set[str]
    ) -> None:
        for key in table:
            if key not in known:
                self.add(
                    path, where, key, f"unknown key; expected one of: {', '.join(sorted(known))}"
                )

    def text(
        self,
        path: tuple[object, ...],
        where: str,
        table: Mapping[str, Any],
        key: str,
        required: bool = False,
    ) -> str:
        value = table.get(key)
        if value is None:
            if required:
                self.add(path, where, key, "missing; expected text")
            return ""
        if not isinstance(value, str):
            self.add(path, where, key, f"expected text, got {value!r}")
            return ""
        return value

    def number(
        self,
        path: tuple[object, ...],
        where: str,
        table: Mapping[str, Any],
        key: str,
        check: Callable[[float], bool] | None = None,
        expected: str = "a number",
        required: bool = False,
    ) -> float | None:
        if key not in table:
            if required:
                self.add(path, where, key, f"missing; expected {expected}")
            return None
        value = table[key]
        if not _is_number(value) or (check is not None and not check(float(value))):
            self.add(path, where, key, f"expected {expected}, got {value!r}")
            return None
        return float(value)

    def row(
        self,
        path: tuple[object, ...],
        where: str,
        table: Mapping[str, Any],
        key: str,
        length: int,
        length_of: str,
        minimum: float | None = None,
        required: bool = False,
        what: str = "number",
    ) -> tuple[float, ...] | None:
        if key not in table:
            if required:
                self.add(
                    path, where, key, f"missing; expected {length} numbers, one per {length_of}"
                )
            return None
        value = table[key]
        if not isinstance(value, list):
            self.add(
                path,
                where,
                key,
                f"expected a list of {length} numbers (one per {length_of}), got {value!r}",
            )
            return None
        ok = True
        if len(value) != length:
            self.add(
                path, where, key, f"has {len(value)} values; expected {length}, one per {length_of}"
            )
            ok = False
        expected = f"a {what}" if minimum is None else f"a {what} >= {minimum:g}"
        for i, item in enumerate(value):
            if not _is_number(item) or (minimum is not None and float(item) < minimum):
                self.add(path, where, key, f"expected {expected}, got {item!r}", index=i)
                ok = False
        return tuple(float(v) for v in value) if ok else None


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _table(
    ck: _Checker, path: tuple[object, ...], where: str, parent: Mapping[str, Any], key: str
) -> dict[str, Any] | None:
    value = parent.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        ck.add(path, where, key, f"expected a table, got {value!r}")
        return None
    return value


# --------------------------------------------------------------------------- sections


def _timeline(
    ck: _Checker, doc: Mapping[str, Any]
) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """Years and MTFS years; other tables are still checked against these lengths when a
    label is wrong, so one run reports every problem."""
    case = doc.get("case")
    if not isinstance(case, dict):
        ck.add((), "", "case", "missing table [case]; expected name and years")
        return None
    path: tuple[object, ...] = ("case",)
    ck.unknown(path, "[case]", case, _CASE_KEYS)
    years_raw = case.get("years")
    if not isinstance(years_raw, list) or not years_raw:
        ck.add(
            path,
            "[case]",
            "years",
            f"expected a list of at least one financial year like '2016/17', got {years_raw!r}",
        )
        return None
    mtfs_raw = case.get("mtfs_years", years_raw)
    if not isinstance(mtfs_raw, list):
        ck.add(
            path, "[case]", "mtfs_years", f"expected a list of financial years, got {mtfs_raw!r}"
        )
        mtfs_raw = years_raw
    bad = False
    for i, label in enumerate(years_raw):
        try:
            parse_fy(label)
        except FinancialYearError as exc:
            ck.add(path, "[case]", "years", str(exc), index=i)
            bad = True
    if not bad:
        try:
            validate_timeline(years_raw)
        except FinancialYearError as exc:
            ck.add(path, "[case]", "years", f"{exc}; expected consecutive financial years")
            bad = True
    if not bad:
        try:
            validate_timeline(years_raw, mtfs_raw)
        except FinancialYearError as exc:
            ck.add(path, "[case]", "mtfs_years", str(exc))
            mtfs_raw = years_raw[: min(len(mtfs_raw), len(years_raw))] or years_raw
    unit = case.get("unit", "£m")
    if unit != "£m":
        ck.add(path, "[case]", "unit", f"expected '£m' (case money is in £ millions), got {unit!r}")
    return tuple(years_raw), tuple(mtfs_raw)


def _percent(
    ck: _Checker, path: tuple[object, ...], where: str, table: Mapping[str, Any], key: str
) -> float:
    value = ck.number(
        path, where, table, key, lambda v: 0 <= v <= 100, "a percentage from 0 to 100"
    )
    return 0.0 if value is None else value / 100.0


def _optimism_bias(
    ck: _Checker, path: tuple[object, ...], where: str, parent: Mapping[str, Any]
) -> OptimismBias | None:
    table = _table(ck, path, where, parent, "optimism_bias")
    if table is None:
        return None
    sub = (*path, "optimism_bias")
    ck.unknown(sub, where + " optimism_bias", table, _OB_KEYS)
    delay = ck.number(
        sub,
        where + " optimism_bias",
        table,
        "saving_delay_years",
        lambda v: v >= 0 and v == int(v),
        "a whole number of years >= 0",
    )
    return OptimismBias(
        investment_uplift=_percent(
            ck, sub, where + " optimism_bias", table, "investment_uplift_percent"
        ),
        saving_cut=_percent(ck, sub, where + " optimism_bias", table, "saving_cut_percent"),
        saving_delay_years=int(delay or 0),
    )


def _assumptions(ck: _Checker, doc: Mapping[str, Any], n: int) -> Assumptions:
    table = _table(ck, (), "", doc, "assumptions") or {}
    path: tuple[object, ...] = ("assumptions",)
    where = "[assumptions]"
    ck.unknown(path, where, table, _ASSUMPTION_KEYS)
    cost = ck.number(
        path,
        where,
        table,
        "avoided_cost_per_child_per_year",
        lambda v: v >= 0,
        "£ per child per year >= 0",
    )
    factor = ck.number(
        path, where, table, "part_year_factor", lambda v: 0 <= v <= 1, "a fraction from 0 to 1"
    )
    weeks = ck.number(
        path,
        where,
        table,
        "weeks_per_year",
        lambda v: 0 < v <= 53,
        "weeks from 0 to 53, such as 52 or 52.14",
    )
    rate = ck.number(
        path, where, table, "discount_rate", lambda v: v > -1, "a rate > -1, such as 0.035"
    )
    rates = ck.row(path, where, table, "discount_rates", n, "year", minimum=None, what="rate")
    if rates is not None and any(r <= -1 for r in rates):
        for t, r in enumerate(rates):
            if r <= -1:
                ck.add(path, where, "discount_rates", f"expected a rate > -1, got {r:g}", index=t)
        rates = None
    return Assumptions(
        avoided_cost_per_child_per_year=cost,
        part_year_factor=0.5 if factor is None else factor,
        weeks_per_year=52.0 if weeks is None else weeks,
        discount_rate=0.035 if rate is None else rate,
        discount_rates=rates,
        optimism_bias=_optimism_bias(ck, path, where, table) or OptimismBias(),
    )


_LAC = re.compile(r"^lac_numbers(_[a-z0-9_]+)?$")


def _budget(ck: _Checker, doc: Mapping[str, Any], n: int) -> CypsBudget:
    path: tuple[object, ...] = ("cyps_budget",)
    where = "[cyps_budget]"
    table = _table(ck, (), "", doc, "cyps_budget")
    if table is None:
        ck.add(
            (),
            "",
            "cyps_budget",
            "missing table [cyps_budget]; expected net_budget and pressure_* rows",
        )
        table = {}
    net_budget = ck.row(path, where, table, "net_budget", n, "year", required=True)
    pressures: dict[str, tuple[float, ...]] = {}
    lac: float | None = None
    growth: float | None = None
    for key in table:
        if key.startswith("pressure_"):
            row = ck.row(path, where, table, key, n, "year")
            if row is not None:
                pressures[key.removeprefix("pressure_")] = row
        elif _LAC.match(key):
            lac = ck.number(path, where, table, key, lambda v: v >= 0, "a count of children >= 0")
        elif key == "lac_trend_growth_per_year":
            growth = ck.number(path, where, table, key)
        elif key != "net_budget":
            ck.add(
                path,
                where,
                key,
                "unknown key; expected net_budget, pressure_<name>, lac_numbers[_<date>]"
                " or lac_trend_growth_per_year",
            )
    return CypsBudget(
        net_budget=net_budget or (0.0,) * n,
        pressures=frozen_map(pressures),
        lac_numbers=lac,
        lac_trend_growth_per_year=growth,
    )


def _variant(
    ck: _Checker, path: tuple[object, ...], where: str, table: Mapping[str, Any], n: int
) -> BidVariant | None:
    ck.unknown(path, where, table, _VARIANT_KEYS)
    inv = ck.row(path, where, table, "investment", n, "year", minimum=0, required=True)
    gross = ck.row(path, where, table, "gross_saving", n, "year", minimum=0)
    prevented = ck.row(path, where, table, "prevented", n, "year", minimum=0, what="count")
    return None if inv is None else BidVariant(inv, gross, prevented)


def _variants(
    ck: _Checker, path: tuple[object, ...], where: str, table: Mapping[str, Any], n: int
) -> dict[str, BidVariant]:
    found: dict[str, tuple[tuple[object, ...], Any]] = {}
    for key in ("if_implemented", "under_review"):
        if key in table:
            found[key] = ((*path, key), table[key])
    extra = _table(ck, path, where, table, "variants") or {}
    for key, value in extra.items():
        found[key] = ((*path, "variants", key), value)
    out: dict[str, BidVariant] = {}
    for key, (sub, value) in found.items():
        if not isinstance(value, dict):
            ck.add(
                path,
                where,
                key,
                f"expected a table with investment [, gross_saving, prevented], got {value!r}",
            )
            continue
        variant = _variant(ck, sub, f"{where} {key}", value, n)
        if variant is not None:
            out[key] = variant
    return out


def _sgo_investment(orders: tuple[float, ...], allowance: float) -> tuple[float, ...]:
    """SGO allowances: each year's new orders add to those already paid (£m)."""
    return tuple(float(x) for x in np.cumsum(orders) * allowance / POUNDS_PER_MILLION)


def _bid(ck: _Checker, i: int, raw: Any, n: int, have_cost: bool) -> Bid | None:
    path: tuple[object, ...] = ("bid", i)
    if not isinstance(raw, dict):
        ck.add(path, f"bid #{i + 1}", "", f"expected a [[bid]] table, got {raw!r}")
        return None
    ref = raw.get("ref")
    where = f"bid {ref}" if isinstance(ref, str) and ref.strip() else f"bid #{i + 1}"
    if not isinstance(ref, str) or not ref.strip():
        ck.add(path, where, "ref", f"missing or empty; expected a reference such as 'CYPS_{i + 1}'")
    ck.unknown(path, where, raw, _BID_KEYS)
    texts = {k: ck.text(path, where, raw, k, required=(k == "title")) for k in _BID_TEXT}
    gross = ck.row(path, where, raw, "gross_saving", n, "year", minimum=0)
    prevented = ck.row(path, where, raw, "prevented", n, "year", minimum=0, what="count")
    if "gross_saving" in raw and "prevented" in raw:
        ck.add(
            path,
            where,
            "prevented",
            "give gross_saving or prevented, not both (gross saving is computed from prevented)",
        )
    bid_cost = ck.number(
        path,
        where,
        raw,
        "avoided_cost_per_child_per_year",
        lambda v: v >= 0,
        "£ per child per year >= 0",
    )
    if (
        "prevented" in raw
        and bid_cost is None
        and not have_cost
        and "avoided_cost_per_child_per_year" not in raw
    ):
        ck.add(
            path,
            where,
            "prevented",
            "needs avoided_cost_per_child_per_year, in [assumptions] or in the bid",
        )
    orders = ck.row(path, where, raw, "sgo_new_orders", n, "year", minimum=0, what="count")
    allowance = ck.number(
        path, where, raw, "sgo_allowance_per_year", lambda v: v >= 0, "£ per order per year >= 0"
    )
    derived = (
        _sgo_investment(orders, allowance) if orders is not None and allowance is not None else None
    )
    investment = ck.row(
        path, where, raw, "investment", n, "year", minimum=0, required=derived is None
    )
    if investment is None and "investment" not in raw:
        investment = derived
    elif investment is not None and derived is not None:
        for t, (given, calc) in enumerate(zip(investment, derived, strict=True)):
            if abs(given - calc) > CONSISTENCY_TOLERANCE:
                ck.add(
                    path,
                    where,
                    "investment",
                    f"is {given:g} but SGO orders x allowance give {calc:.4f}",
                    index=t,
                )
    outcomes: dict[str, tuple[float, ...]] = {}
    out_table = _table(ck, path, where, raw, "outcomes") or {}
    for key in out_table:
        row = ck.row((*path, "outcomes"), f"{where} outcomes", out_table, key, n, "year")
        if row is not None:
            outcomes[key] = row
    notes_raw = raw.get("notes", {})
    if isinstance(notes_raw, str):
        notes_raw = {"text": notes_raw}
    notes = (
        {"sgo_new_orders": orders, "sgo_allowance_per_year": allowance}
        if orders is not None
        else {}
    )
    if isinstance(notes_raw, dict):
        notes.update(notes_raw)
    if investment is None or not isinstance(ref, str):
        return None
    return Bid(
        ref=ref.strip(),
        investment=investment,
        gross_saving=gross,
        prevented=prevented,
        current_budget=ck.number(path, where, raw, "current_budget", lambda v: v >= 0, "£m >= 0"),
        avoided_cost_per_child_per_year=bid_cost,
        part_year_factor=ck.number(
            path, where, raw, "part_year_factor", lambda v: 0 <= v <= 1, "a fraction from 0 to 1"
        ),
        fte=ck.row(path, where, raw, "fte", n, "year", minimum=0, what="FTE"),
        outcomes=frozen_map(outcomes),
        variants=frozen_map(_variants(ck, path, where, raw, n)),
        optimism_bias=_optimism_bias(ck, path, where, raw),
        notes=frozen_map(notes),
        **texts,
    )


def _bids(ck: _Checker, doc: Mapping[str, Any], n: int, have_cost: bool) -> tuple[Bid, ...]:
    raw = doc.get("bid", [])
    if not isinstance(raw, list):
        ck.add(("bid",), "", "bid", "expected [[bid]] tables")
        return ()
    bids = [b for i, item in enumerate(raw) if (b := _bid(ck, i, item, n, have_cost)) is not None]
    seen: dict[str, int] = {}
    for i, item in enumerate(raw):
        ref = item.get("ref") if isinstance(item, dict) else None
        if isinstance(ref, str) and ref.strip():
            key = ref.strip().casefold()
            if key in seen:
                ck.add(
                    ("bid", i),
                    f"bid {ref}",
                    "ref",
                    f"duplicate bid reference (also bid #{seen[key] + 1}); expected each ref once",
                )
            seen.setdefault(key, i)
    return tuple(bids)


def _others(ck: _Checker, doc: Mapping[str, Any], m: int) -> tuple[OtherProposal, ...]:
    table = _table(ck, (), "", doc, "other_proposals") or {}
    out = []
    for key, raw in table.items():
        path: tuple[object, ...] = ("other_proposals", key)
        where = f"other_proposals.{key}"
        if not isinstance(raw, dict):
            ck.add(path, where, "", f"expected a table with label and levels, got {raw!r}")
            continue
        ck.unknown(path, where, raw, _OTHER_KEYS)
        comps_raw = _table(ck, path, where, raw, "components") or {}
        comps = {}
        for ckey in comps_raw:
            row = ck.row(
                (*path, "components"), f"{where}.components", comps_raw, ckey, m, "MTFS year"
            )
            if row is not None:
                comps[ckey] = row
        levels = ck.row(path, where, raw, "levels", m, "MTFS year", required=not comps_raw)
        summed = tuple(float(x) for x in np.sum(list(comps.values()), axis=0)) if comps else None
        if levels is None and "levels" not in raw:
            levels = summed
        elif levels is not None and summed is not None and len(comps) == len(comps_raw):
            for t, (given, calc) in enumerate(zip(levels, summed, strict=True)):
                if abs(given - calc) > CONSISTENCY_TOLERANCE:
                    ck.add(
                        path,
                        where,
                        "levels",
                        f"is {given:g} but its components add up to {calc:.4f}",
                        index=t,
                    )
        if levels is not None:
            label = ck.text(path, where, raw, "label") or key.replace("_", " ").capitalize()
            out.append(OtherProposal(key, label, levels, frozen_map(comps)))
    return tuple(out)


def _mtfs(ck: _Checker, doc: Mapping[str, Any], m: int) -> Mtfs:
    path: tuple[object, ...] = ("mtfs",)
    table = _table(ck, (), "", doc, "mtfs")
    if table is None:
        ck.add((), "", "mtfs", "missing table [mtfs]; expected base_gap")
        table = {}
    ck.unknown(path, "[mtfs]", table, _MTFS_KEYS)
    base = ck.row(path, "[mtfs]", table, "base_gap", m, "MTFS year", required=True)
    flag = table.get("current_year_funded_from_reserves", True)
    if not isinstance(flag, bool):
        ck.add(
            path,
            "[mtfs]",
            "current_year_funded_from_reserves",
            f"expected true or false, got {flag!r}",
        )
        flag = True
    return Mtfs(base_gap=base or (0.0,) * m, current_year_funded_from_reserves=flag)


def _placements(ck: _Checker, doc: Mapping[str, Any]) -> Placements | None:
    table = _table(ck, (), "", doc, "placements")
    if table is None:
        return None
    known = {t.value for t in PlacementType}
    costs: dict[str, float] = {}
    counts: dict[str, float] = {}
    for key, raw in table.items():
        path: tuple[object, ...] = ("placements", key)
        where = f"placements.{key}"
        if key not in known:
            ck.add(
                ("placements",),
                "[placements]",
                key,
                f"unknown placement type; expected one of: {', '.join(sorted(known))}",
            )
            continue
        if not isinstance(raw, dict):
            ck.add(path, where, "", f"expected a table with weekly_cost and count, got {raw!r}")
            continue
        ck.unknown(path, where, raw, _PLACEMENT_KEYS)
        cost = ck.number(
            path, where, raw, "weekly_cost", lambda v: v >= 0, "£ a week >= 0", required=True
        )
        count = ck.number(path, where, raw, "count", lambda v: v >= 0, "a count >= 0")
        if cost is not None:
            costs[key] = cost
        counts[key] = count or 0.0
    return Placements(weekly_cost=frozen_map(costs), counts=frozen_map(counts))


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
        ck.add(path, where, "", f"expected an [[uncertainty]] table, got {raw!r}")
        return None
    ck.unknown(path, where, raw, _UNCERTAINTY_KEYS)
    kind = raw.get("input")
    if kind not in _UNCERTAIN_RANGE:
        ck.add(path, where, "input", f"expected one of: {', '.join(INPUTS)}; got {kind!r}")
        kind = None
    dist = raw.get("distribution")
    if dist not in DISTRIBUTIONS:
        ck.add(
            path,
            where,
            "distribution",
            f"expected one of: {', '.join(DISTRIBUTIONS)}; got {dist!r}",
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
            ck.add(path, where, "bids", f"expected a list of bid refs, got {raw_bids!r}")
        else:
            for j, ref in enumerate(raw_bids):
                if not isinstance(ref, str) or ref.strip() not in refs:
                    ck.add(
                        path,
                        where,
                        "bids",
                        f"expected a bid ref ({', '.join(sorted(refs))}), got {ref!r}",
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
                f" got {raw.get('line')!r}",
            )
            line = None
        else:
            line = line.removeprefix("pressure_")
    elif "line" in raw:
        ck.add(path, where, "line", "only input 'pressure' takes a line")
    shared = raw.get("shared", False)
    if not isinstance(shared, bool):
        ck.add(path, where, "shared", f"expected true or false, got {shared!r}")
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
        sensitivity=0.1 if share is None else share / 100.0,
        uncertainties=tuple(found),
    )


def _scenarios_dict(s: ScenarioSettings) -> dict[str, Any]:
    """``[scenarios]`` and ``[[uncertainty]]`` for writing (nothing when all default)."""
    out: dict[str, Any] = {}
    table = {
        "n": s.n if s.n != DEFAULT_SCENARIOS else None,
        "seed": s.seed,
        "payback_within_years": s.payback_within_years,
        "sensitivity_percent": s.sensitivity * 100 if s.sensitivity != 0.1 else None,
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


# --------------------------------------------------------------------------- entry points


def parse_case(text: str, source: str = "<case>") -> Case:
    """Parse and check a case from TOML text; raise :class:`CaseError` with every problem.

    >>> parse_case('[case]\\nname = "x"\\nyears = ["2016/17"]\\n[cyps_budget]\\n'
    ...            'net_budget = [1.0]\\n[mtfs]\\nbase_gap = [2.0]\\n').mtfs.base_gap
    (2.0,)
    """
    problems = ProblemList(source)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        at = re.search(r"\(at line (\d+), column (\d+)\)", message)
        line = int(at.group(1)) if at else getattr(exc, "lineno", None)
        message = message[: at.start()].strip() if at else message
        if at:
            message += f" (column {at.group(2)})"
        problems.add("", "", f"not valid TOML: {message}", line=line)
        raise CaseError(problems.problems) from None
    return case_from_dict(doc, source, text)


def case_from_dict(
    doc: Mapping[str, Any],
    source: str = "<case>",
    text: str | None = None,
) -> Case:
    """Check a case given as the nested dict of its TOML file; raise :class:`CaseError`.

    ``text`` (the TOML source) lets problems carry line numbers; other readers (a
    workbook) locate problems by each problem's ``where`` and ``key``.

    >>> case_from_dict({"case": {"name": "x", "years": ["2016/17"]},
    ...                 "cyps_budget": {"net_budget": [1.0]}, "mtfs": {"base_gap": [0.0]}}).name
    'x'
    """
    problems = ProblemList(source)
    lines = _Lines(text or "")
    ck = _Checker(problems, lines)
    for key in doc:
        if key not in _SECTIONS:
            ck.add((), "", key, f"unknown table; expected one of: {', '.join(sorted(_SECTIONS))}")
    timeline = _timeline(ck, doc)
    if timeline is None:
        problems.raise_if_any()
        raise AssertionError("unreachable: a timeline problem is always recorded")
    years, mtfs_years = (tuple(str(y) for y in t) for t in timeline)
    n, m = len(years), len(mtfs_years)
    assumptions = _assumptions(ck, doc, n)
    case_table = doc["case"]
    case = Case(
        name=ck.text(("case",), "[case]", case_table, "name", required=True),
        years=years,
        mtfs_years=mtfs_years,
        assumptions=assumptions,
        budget=_budget(ck, doc, n),
        bids=_bids(ck, doc, n, assumptions.avoided_cost_per_child_per_year is not None),
        other_proposals=_others(ck, doc, m),
        mtfs=_mtfs(ck, doc, m),
        authority=ck.text(("case",), "[case]", case_table, "authority"),
        directorate=ck.text(("case",), "[case]", case_table, "directorate"),
        placements=_placements(ck, doc),
        scenarios=_scenarios(ck, doc),
    )
    problems.raise_if_any()
    return case


def load_case(path: str | Path | None = None) -> Case:
    """Load a case file; ``None`` gives the embedded reference case.

    Raises :class:`CaseError` for a missing or unreadable file as for bad content.
    """
    if path is None:
        return reference_case()
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise CaseError(
            [Problem(str(p), "", "", "file not found; expected a case file (.toml)")]
        ) from None
    except IsADirectoryError:
        raise CaseError(
            [Problem(str(p), "", "", "is a folder; expected a case file (.toml)")]
        ) from None
    except OSError as exc:
        raise CaseError([Problem(str(p), "", "", f"cannot be read: {exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CaseError(
            [
                Problem(
                    str(p),
                    "",
                    "",
                    f"is not UTF-8 text (byte {exc.start}); expected a TOML case file",
                )
            ]
        ) from None
    return parse_case(text, str(p))


def reference_case_text() -> str:
    """The embedded reference case (Rotherham MTFS update, November 2016) as TOML."""
    return resources.files("cypsxl.data").joinpath(REFERENCE_CASE_NAME).read_text("utf-8")


def reference_case() -> Case:
    """The embedded reference case, parsed.

    >>> reference_case().bids[0].ref
    'CYPS_1A'
    """
    return parse_case(reference_case_text(), f"<embedded {REFERENCE_CASE_NAME}>")


# --------------------------------------------------------------------------- writing


def _clean(d: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        if v is None or v == "" or (isinstance(v, Mapping) and not v):
            continue
        if isinstance(v, tuple):
            v = list(v)
        elif isinstance(v, Mapping):
            v = _clean(v)
        out[k] = v
    return out


def _ob_dict(ob: OptimismBias | None) -> dict[str, Any] | None:
    if ob is None:
        return None
    return {
        "investment_uplift_percent": ob.investment_uplift * 100,
        "saving_cut_percent": ob.saving_cut * 100,
        "saving_delay_years": ob.saving_delay_years,
    }


def _bid_dict(b: Bid) -> dict[str, Any]:
    variants = {
        k: {"investment": v.investment, "gross_saving": v.gross_saving, "prevented": v.prevented}
        for k, v in b.variants.items()
    }
    notes = {
        k: v for k, v in b.notes.items() if k not in ("sgo_new_orders", "sgo_allowance_per_year")
    }
    return _clean(
        {
            "ref": b.ref,
            **{k: getattr(b, k) for k in _BID_TEXT},
            "investment": b.investment,
            "gross_saving": b.gross_saving,
            "prevented": b.prevented,
            "current_budget": b.current_budget,
            "avoided_cost_per_child_per_year": b.avoided_cost_per_child_per_year,
            "part_year_factor": b.part_year_factor,
            "fte": b.fte,
            "sgo_new_orders": b.notes.get("sgo_new_orders"),
            "sgo_allowance_per_year": b.notes.get("sgo_allowance_per_year"),
            "outcomes": dict(b.outcomes),
            "variants": variants,
            "optimism_bias": _ob_dict(b.optimism_bias),
            "notes": notes,
        }
    )


def case_to_dict(case: Case) -> dict[str, Any]:
    """The case as the nested dict of its TOML file (inverse of :func:`parse_case`).

    >>> d = case_to_dict(reference_case())
    >>> d["case"]["mtfs_years"][-1], d["bid"][2]["prevented"]
    ('2019/20', [0.0, 15.0, 27.0, 30.0, 30.0])
    """
    a = case.assumptions
    budget: dict[str, Any] = {"net_budget": case.budget.net_budget}
    budget.update({f"pressure_{k}": v for k, v in case.budget.pressures.items()})
    budget["lac_numbers"] = case.budget.lac_numbers
    budget["lac_trend_growth_per_year"] = case.budget.lac_trend_growth_per_year
    doc: dict[str, Any] = {
        "case": {
            "name": case.name,
            "authority": case.authority,
            "directorate": case.directorate,
            "years": case.years,
            "mtfs_years": case.mtfs_years,
            "unit": case.unit,
        },
        "assumptions": {
            "avoided_cost_per_child_per_year": a.avoided_cost_per_child_per_year,
            "part_year_factor": a.part_year_factor,
            "weeks_per_year": a.weeks_per_year,
            "discount_rate": a.discount_rate,
            "discount_rates": a.discount_rates,
            "optimism_bias": _ob_dict(a.optimism_bias)
            if a.optimism_bias != OptimismBias()
            else None,
        },
        "cyps_budget": budget,
        "bid": [_bid_dict(b) for b in case.bids],
        "other_proposals": {
            p.key: {"label": p.label, "levels": p.levels, "components": dict(p.components)}
            for p in case.other_proposals
        },
        "mtfs": {
            "base_gap": case.mtfs.base_gap,
            "current_year_funded_from_reserves": case.mtfs.current_year_funded_from_reserves,
        },
    }
    if case.placements is not None:
        doc["placements"] = {
            k: {"weekly_cost": c, "count": case.placements.counts.get(k, 0.0)}
            for k, c in case.placements.weekly_cost.items()
        }
    cleaned = _clean(doc)
    if not case.bids:
        cleaned.pop("bid", None)
    cleaned.update(_scenarios_dict(case.scenarios))
    return cleaned


def dump_case(case: Case) -> str:
    """The case as TOML text that :func:`parse_case` reads back to an equal case."""
    import tomli_w

    return tomli_w.dumps(case_to_dict(case))
