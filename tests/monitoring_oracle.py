"""An independent, loop-by-loop monitoring calculation from a monitoring case's TOML dict.

Written from the rules in docs/monitoring.md, sharing no code with cypsxl, so that
agreement between the two is evidence, not tautology.
"""

from __future__ import annotations

from typing import Any


def _over(value: float, limit: float) -> bool:
    # the documented comparison: after rounding to 9 decimals of £m
    return round(value - limit, 9) > 0


def _rag(variance: float, size: float, amber: float, red: float, red_amount: float | None) -> str:
    if _over(variance, red * size) or (red_amount is not None and _over(variance, red_amount)):
        return "red"
    if _over(variance, amber * size):
        return "amber"
    return "green"


def monitoring(doc: dict[str, Any]) -> dict[str, Any]:
    period = doc["monitoring"]["period"]
    rag = doc.get("rag", {})
    amber = rag.get("amber", 0.01)
    red = rag.get("red", 0.05)
    red_amount = rag.get("red_amount", 0.25)
    lines: dict[str, Any] = {}
    for line in doc["line"]:
        actual = float(line["actual_to_date"])
        budget = float(line["budget"])
        method = line.get("forecast", "run_rate")
        if method == "run_rate":
            forecast = actual / period * 12
        elif method == "profile":
            spent = 0.0
            for month in range(period):
                spent += line["profile"][month]
            total = 0.0
            for weight in line["profile"]:
                total += weight
            forecast = actual / (spent / total)
        else:
            forecast = float(line["forecast_outturn"])
        variance = forecast - budget
        previous = line.get("previous_forecast")
        lines[line["name"]] = {
            "group": line["group"],
            "budget": budget,
            "actual_to_date": actual,
            "forecast_outturn": forecast,
            "variance": variance,
            "variance_pct": None if budget == 0 else variance / abs(budget),
            "rag": _rag(variance, abs(budget), amber, red, red_amount),
            "movement": None if previous is None else forecast - previous,
            "ring_fenced": bool(line.get("ring_fenced", False)),
        }
    keys = ("budget", "actual_to_date", "forecast_outturn", "variance")
    groups: dict[str, dict[str, float]] = {}
    general = dict.fromkeys(keys, 0.0)
    ring = dict.fromkeys(keys, 0.0)
    opening = 0.0
    for raw in doc["line"]:
        got = lines[raw["name"]]
        group = groups.setdefault(got["group"], dict.fromkeys(keys, 0.0))
        target = ring if got["ring_fenced"] else general
        for k in keys:
            group[k] += got[k]
            target[k] += got[k]
        if got["ring_fenced"]:
            opening += raw.get("reserve", {}).get("opening_deficit", 0.0)
    risks = {r["name"]: float(r["amount"]) for r in doc.get("risk", [])}
    with_risks = general["forecast_outturn"]
    for amount in risks.values():
        with_risks += amount
    savings = {}
    for s in doc.get("saving", []):
        short = s["planned"] - s["forecast"]
        savings[s["ref"]] = {
            "planned": s["planned"],
            "forecast": s["forecast"],
            "shortfall": short,
            "rag": _rag(short, abs(s["planned"]), amber, red, None),
        }
    avoided = {a["name"]: float(a["amount"]) for a in doc.get("cost_avoided", [])}
    avoided_total = 0.0
    for amount in avoided.values():
        avoided_total += amount
    return {
        "cost_avoided": avoided,
        "cost_avoided_total": avoided_total,
        "lines": lines,
        "groups": groups,
        "general_fund": general,
        "ring_fenced": {
            "budget": ring["budget"],
            "forecast_outturn": ring["forecast_outturn"],
            "variance": ring["variance"],
            "opening_deficit": opening,
            "closing_deficit": opening + ring["variance"],
        },
        "risks": risks,
        "forecast_with_risks": with_risks,
        "savings": savings,
    }
