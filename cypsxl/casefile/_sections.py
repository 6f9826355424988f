"""Checking each table of a case file into the model's objects."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..model.case import (
    POUNDS_PER_MILLION,
    Assumptions,
    Bid,
    BidVariant,
    CypsBudget,
    Mtfs,
    OptimismBias,
    OtherProposal,
    Placements,
    frozen_map,
)
from ..model.input_rules import AVOIDED_COST, CHILDREN, PART_YEAR_FACTOR, WEEKS_PER_YEAR
from ..model.limits import ref_problem
from ..model.placements import PlacementType
from ..model.rates import rate_schedule
from ..model.timeline import FinancialYearError, parse_fy, validate_timeline
from ..reference_data import green_book_schedule
from ._checker import _Checker, _table, show

#: Defaults of ``[assumptions]`` come from the model's own dataclass, written once.
_DEFAULTS = Assumptions()
#: Reserves meet the first year only when a case says so.
_NO_RESERVES = Mtfs(base_gap=()).current_year_funded_from_reserves

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


# --------------------------------------------------------------------------- sections


def _required_table(
    ck: _Checker, doc: Mapping[str, Any], key: str, expected: str
) -> dict[str, Any]:
    """Top-level table ``key``; a problem (and an empty table) when it is missing."""
    if key not in doc:
        ck.add((), "", key, f"missing table [{key}]; expected {expected}")
        return {}
    return _table(ck, (), "", doc, key) or {}


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
            f"expected a list of at least one financial year like '2016/17', got {show(years_raw)}",
        )
        return None
    mtfs_raw = case.get("mtfs_years", years_raw)
    if not isinstance(mtfs_raw, list):
        ck.add(
            path,
            "[case]",
            "mtfs_years",
            f"expected a list of financial years, got {show(mtfs_raw)}",
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
        ck.add(
            path, "[case]", "unit", f"expected '£m' (case money is in £ millions), got {show(unit)}"
        )
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


#: Published schedules a case may name instead of listing rates.
NAMED_SCHEDULES = ("green_book",)


def _discount_rates(
    ck: _Checker, path: tuple[object, ...], where: str, table: Mapping[str, Any], n: int
) -> tuple[float, ...] | None:
    """``discount_rates``: a rate per year, or the name of a packaged published schedule."""
    value = table.get("discount_rates")
    if isinstance(value, str):
        if value.strip() != "green_book":
            ck.add(
                path,
                where,
                "discount_rates",
                f"expected one rate per year or one of {list(NAMED_SCHEDULES)}, got {show(value)}",
            )
            return None
        return tuple(float(r) for r in rate_schedule(green_book_schedule().bands, n))
    return ck.row(path, where, table, "discount_rates", n, "year", minimum=None, what="rate")


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
        AVOIDED_COST.accepts,
        AVOIDED_COST.expected,
    )
    factor = ck.number(
        path, where, table, "part_year_factor", PART_YEAR_FACTOR.accepts, PART_YEAR_FACTOR.expected
    )
    weeks = ck.number(
        path, where, table, "weeks_per_year", WEEKS_PER_YEAR.accepts, WEEKS_PER_YEAR.expected
    )
    rate = ck.number(
        path, where, table, "discount_rate", lambda v: v > -1, "a rate > -1, such as 0.035"
    )
    rates = _discount_rates(ck, path, where, table, n)
    if rates is not None and any(r <= -1 for r in rates):
        for t, r in enumerate(rates):
            if r <= -1:
                ck.add(path, where, "discount_rates", f"expected a rate > -1, got {r:g}", index=t)
        rates = None
    return Assumptions(
        avoided_cost_per_child_per_year=cost,
        part_year_factor=_DEFAULTS.part_year_factor if factor is None else factor,
        weeks_per_year=_DEFAULTS.weeks_per_year if weeks is None else weeks,
        discount_rate=_DEFAULTS.discount_rate if rate is None else rate,
        discount_rates=rates,
        optimism_bias=_optimism_bias(ck, path, where, table) or OptimismBias(),
    )


_LAC = re.compile(r"^lac_numbers(_[a-z0-9_]+)?$")


def _twice(first: str, key: str) -> str:
    """The message for a second key that gives the same thing as an earlier one.

    >>> _twice("lac_numbers", "lac_numbers_mar_2017")
    "the same as 'lac_numbers' (one looked-after children count); expected it once"
    >>> _twice("pressure_demand", "pressure_Demand")
    "the same line as 'pressure_demand' (names differ only in capitals); expected it once"
    """
    if _LAC.match(key):
        return f"the same as {first!r} (one looked-after children count); expected it once"
    return f"the same line as {first!r} (names differ only in capitals); expected it once"


def _budget(ck: _Checker, doc: Mapping[str, Any], n: int) -> CypsBudget:
    path: tuple[object, ...] = ("cyps_budget",)
    where = "[cyps_budget]"
    table = _required_table(ck, doc, "cyps_budget", "net_budget and pressure_* rows")
    net_budget = ck.row(path, where, table, "net_budget", n, "year", required=True)
    pressures: dict[str, tuple[float, ...]] = {}
    lac: float | None = None
    growth: float | None = None
    first: dict[str, str] = {}  # one thing -> the first key that gave it
    for key in table:
        same = "lac_numbers" if _LAC.match(key) else key.lower()
        if same in first:
            ck.add(path, where, key, _twice(first[same], key))
            continue
        first[same] = key
        if key.startswith("pressure_"):
            row = ck.row(path, where, table, key, n, "year")
            if row is not None:
                pressures[key.removeprefix("pressure_")] = row
        elif _LAC.match(key):
            lac = ck.number(path, where, table, key, CHILDREN.accepts, CHILDREN.expected)
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
                f"expected a table with investment [, gross_saving, prevented], got {show(value)}",
            )
            continue
        variant = _variant(ck, sub, f"{where} {key}", value, n)
        if variant is not None:
            out[key] = variant
    return out


def _agrees(
    ck: _Checker,
    path: tuple[object, ...],
    where: str,
    key: str,
    given: tuple[float, ...],
    derived: tuple[float, ...],
    derived_from: str,
) -> None:
    """Record each year where a row read differs from the same row derived from other
    inputs by more than :data:`CONSISTENCY_TOLERANCE`."""
    for t, (value, calc) in enumerate(zip(given, derived, strict=True)):
        if abs(value - calc) > CONSISTENCY_TOLERANCE:
            ck.add(path, where, key, f"is {value:g} but {derived_from} {calc:.4f}", index=t)


def _sgo_investment(orders: tuple[float, ...], allowance: float) -> tuple[float, ...]:
    """SGO allowances: each year's new orders add to those already paid (£m)."""
    return tuple(float(x) for x in np.cumsum(orders) * allowance / POUNDS_PER_MILLION)


def _bid(ck: _Checker, i: int, raw: Any, n: int, have_cost: bool) -> Bid | None:
    path: tuple[object, ...] = ("bid", i)
    if not isinstance(raw, dict):
        ck.add(path, f"bid #{i + 1}", "", f"expected a [[bid]] table, got {show(raw)}")
        return None
    ref = raw.get("ref")
    good_ref = isinstance(ref, str) and ref_problem(ref.strip()) is None
    where = f"bid {ref.strip()}" if good_ref and isinstance(ref, str) else f"bid #{i + 1}"
    if not isinstance(ref, str) or not ref.strip():
        ck.add(path, where, "ref", f"missing or empty; expected a reference such as 'CYPS_{i + 1}'")
    elif (why := ref_problem(ref.strip())) is not None:
        ck.add(path, where, "ref", why)
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
        AVOIDED_COST.accepts,
        AVOIDED_COST.expected,
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
        _agrees(ck, path, where, "investment", investment, derived, "SGO orders x allowance give")
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
    if investment is None or not isinstance(ref, str) or not good_ref:
        return None
    return Bid(
        ref=ref.strip(),
        investment=investment,
        gross_saving=gross,
        prevented=prevented,
        current_budget=ck.number(path, where, raw, "current_budget", lambda v: v >= 0, "£m >= 0"),
        avoided_cost_per_child_per_year=bid_cost,
        part_year_factor=ck.number(
            path,
            where,
            raw,
            "part_year_factor",
            PART_YEAR_FACTOR.accepts,
            PART_YEAR_FACTOR.expected,
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
                    f"bid {ref.strip()}" if ref_problem(ref.strip()) is None else f"bid #{i + 1}",
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
            ck.add(path, where, "", f"expected a table with label and levels, got {show(raw)}")
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
            _agrees(ck, path, where, "levels", levels, summed, "its components add up to")
        if levels is not None:
            label = ck.text(path, where, raw, "label") or key.replace("_", " ").capitalize()
            out.append(OtherProposal(key, label, levels, frozen_map(comps)))
    return tuple(out)


def _mtfs(ck: _Checker, doc: Mapping[str, Any], m: int) -> Mtfs:
    path: tuple[object, ...] = ("mtfs",)
    table = _required_table(ck, doc, "mtfs", "base_gap")
    ck.unknown(path, "[mtfs]", table, _MTFS_KEYS)
    base = ck.row(path, "[mtfs]", table, "base_gap", m, "MTFS year", required=True)
    flag = table.get("current_year_funded_from_reserves", _NO_RESERVES)
    if not isinstance(flag, bool):
        ck.add(
            path,
            "[mtfs]",
            "current_year_funded_from_reserves",
            f"expected true or false, got {show(flag)}",
        )
        flag = _NO_RESERVES
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
            ck.add(path, where, "", f"expected a table with weekly_cost and count, got {show(raw)}")
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
