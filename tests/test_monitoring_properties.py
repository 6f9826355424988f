"""Generated monitoring cases: cypsxl agrees with the loop-by-loop oracle to 1e-9, and
the report's invariants hold."""

from __future__ import annotations

import math
from typing import Any

import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st
from monitoring_oracle import monitoring as oracle

from cypsxl.casefile._monitoring import parse_monitoring
from cypsxl.model.monitoring import monitor
from cypsxl.monitoring_report import monitoring_to_dict

signed = st.floats(-60, 60, allow_nan=False).map(lambda x: round(x, 6))
budgets = st.one_of(signed, st.just(0.0))
weights = st.floats(0, 5, allow_nan=False).map(lambda x: round(x, 4))
GROUPS = {"Social care": False, "Education": False, "Dedicated Schools Grant": True}


@st.composite
def lines(draw: st.DrawFn, period: int) -> list[dict[str, Any]]:
    out = []
    for i in range(draw(st.integers(1, 8))):
        group = draw(st.sampled_from(sorted(GROUPS)))
        line: dict[str, Any] = {
            "name": f"Line {i + 1}",
            "group": group,
            "budget": draw(budgets),
            "actual_to_date": draw(signed),
        }
        method = draw(st.sampled_from(["run_rate", "profile", "manual", None]))
        if method is not None:
            line["forecast"] = method
        if method == "profile":
            profile = draw(st.lists(weights, min_size=12, max_size=12))
            profile[draw(st.integers(0, period - 1))] += 0.5  # something spent by the period
            line["profile"] = profile
        if method == "manual":
            line["forecast_outturn"] = draw(signed)
        if draw(st.booleans()):
            line["previous_forecast"] = draw(signed)
        if GROUPS[group]:
            line["ring_fenced"] = True
            if draw(st.booleans()):
                line["reserve"] = {"opening_deficit": draw(signed)}
        out.append(line)
    return out


@st.composite
def cases(draw: st.DrawFn) -> dict[str, Any]:
    period = draw(st.integers(1, 12))
    doc: dict[str, Any] = {
        "monitoring": {"authority": "Generated", "year": "2025/26", "period": period},
        "line": draw(lines(period)),
    }
    if draw(st.booleans()):
        amber = draw(st.floats(0, 0.2).map(lambda x: round(x, 4)))
        red = draw(st.floats(amber, 0.5).map(lambda x: round(x, 4)))
        doc["rag"] = {"amber": amber, "red": min(max(red, amber), 1.0)}
        if draw(st.booleans()):
            doc["rag"]["red_amount"] = draw(st.floats(0.01, 5).map(lambda x: round(x, 4)))
    doc["risk"] = [
        {"name": f"Risk {k}", "amount": draw(signed)} for k in range(draw(st.integers(0, 3)))
    ]
    doc["cost_avoided"] = [
        {"name": f"Initiative {k}", "amount": draw(st.floats(0, 5).map(lambda x: round(x, 4)))}
        for k in range(draw(st.integers(0, 2)))
    ]
    doc["saving"] = [
        {
            "ref": f"S{k}",
            "planned": draw(st.floats(0, 5).map(lambda x: round(x, 4))),
            "forecast": draw(st.floats(0, 5).map(lambda x: round(x, 4))),
        }
        for k in range(draw(st.integers(0, 3)))
    ]
    return doc


def _close(got: Any, want: Any, path: str = "") -> None:
    if isinstance(want, dict):
        assert set(want) <= set(got), path
        for k, v in want.items():
            _close(got[k], v, f"{path}.{k}")
    elif isinstance(want, float) and want is not None:
        assert got is not None and math.isclose(got, want, rel_tol=0, abs_tol=1e-9), (
            path,
            got,
            want,
        )
    else:
        assert got == want, (path, got, want)


@settings(max_examples=200, deadline=None)
@given(cases())
def test_engine_agrees_with_the_oracle(doc):
    text = tomli_w.dumps(doc)
    got = monitoring_to_dict(monitor(parse_monitoring(text, "generated.toml")))
    _close(got, oracle(doc))


@settings(max_examples=100, deadline=None)
@given(cases())
def test_totals_tie_out(doc):
    r = monitor(parse_monitoring(tomli_w.dumps(doc), "generated.toml"))
    t = r.lines
    # the groups add up to the General Fund plus the ring-fenced totals
    total = sum(g.forecast_outturn for g in r.groups.values())
    assert math.isclose(
        total, r.general_fund.forecast_outturn + r.ring_fenced.forecast_outturn, abs_tol=1e-9
    )
    # variance = forecast - budget on every line and in every total
    assert all(
        math.isclose(v, f - b, abs_tol=1e-12)
        for v, f, b in zip(t.variance, t.forecast_outturn, t.budget, strict=True)
    )
    gf = r.general_fund
    assert math.isclose(gf.variance, gf.forecast_outturn - gf.budget, abs_tol=1e-9)
    # an underspend is never amber or red
    assert all(code == 0 for code, v in zip(t.rag, t.variance, strict=True) if v < -1e-9)
