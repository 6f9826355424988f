"""An independent, loop-by-loop calculation of a case from its TOML dict.

Written straight from the domain rules (shared/domain.md), sharing no code with cypsxl,
so that agreement between the two is evidence, not tautology.
"""

from __future__ import annotations

from typing import Any


def bid_rows(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    n = len(doc["case"]["years"])
    a = doc.get("assumptions", {})
    out = {}
    for bid in doc.get("bid", []):
        cost = bid.get("avoided_cost_per_child_per_year", a.get("avoided_cost_per_child_per_year"))
        f = bid.get("part_year_factor", a.get("part_year_factor", 0.5))
        inv = [float(x) for x in bid["investment"]]
        if "gross_saving" in bid:
            gross = [float(x) for x in bid["gross_saving"]]
        elif "prevented" in bid:
            gross = []
            for t in range(n):
                earlier = sum(bid["prevented"][:t])  # every earlier cohort, full year
                child_years = earlier + f * bid["prevented"][t]
                gross.append(child_years * cost / 1_000_000)
        else:
            gross = [0.0] * n
        net = [inv[t] - gross[t] for t in range(n)]
        cum, running = [], 0.0
        for x in net:
            running += x
            cum.append(running)
        payback = next((t + 1 for t in range(n) if round(net[t], 9) < 0), None)
        breakeven = next((t + 1 for t in range(n) if round(cum[t], 9) < 0), None)
        out[bid["ref"]] = dict(
            investment=inv,
            gross_saving=gross,
            net=net,
            cumulative_net=cum,
            payback_year=payback,
            breakeven_year=breakeven,
        )
    return out


def tables(doc: dict[str, Any]) -> dict[str, Any]:
    years = doc["case"]["years"]
    mtfs_years = doc["case"].get("mtfs_years", years)
    n, m = len(years), len(mtfs_years)
    bids = bid_rows(doc)
    budget = doc["cyps_budget"]
    pressures = [
        sum(v[t] for k, v in budget.items() if k.startswith("pressure_")) for t in range(n)
    ]
    investment = [sum(b["investment"][t] for b in bids.values()) for t in range(n)]
    savings = [sum(b["gross_saving"][t] for b in bids.values()) for t in range(n)]
    forecast = [
        budget["net_budget"][t] + pressures[t] + investment[t] - savings[t] for t in range(n)
    ]
    support = [forecast[t] - budget["net_budget"][t] for t in range(n)]
    others = doc.get("other_proposals", {})
    total = []
    for t in range(m):
        level = pressures[t] + investment[t] - savings[t]
        for p in others.values():
            level += p["levels"][t]
        total.append(level)
    base = doc["mtfs"]["base_gap"]
    one_off = doc["mtfs"].get("current_year_funded_from_reserves", False)
    revised = []
    for t in range(m):
        if t == 0:
            revised.append(base[0] if one_off else base[0] + total[0])
        elif t == 1 and one_off:
            revised.append(base[1] + total[1])  # the one-off first year is not in the base
        else:
            revised.append(base[t] + total[t] - total[t - 1])
    return {
        "bids": bids,
        "cyps_budget": dict(
            pressures=pressures,
            investment=investment,
            savings=savings,
            net_forecast=forecast,
            funding_support=support,
        ),
        "total_additional_funding": total,
        "funding_gap": dict(revised=revised, reserve_draw=total[0] if one_off else 0.0),
    }
