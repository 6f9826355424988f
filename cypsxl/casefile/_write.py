"""Writing a case back to TOML (the inverse of reading)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model.case import (
    Bid,
    Case,
    OptimismBias,
)
from ._scenarios import _scenarios_dict
from ._sections import _BID_TEXT

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

    >>> from cypsxl.casefile import reference_case
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
