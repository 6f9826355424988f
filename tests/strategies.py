"""Hypothesis strategies shared by the property tests: whole cases as TOML-shaped dicts."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

money = st.floats(min_value=0, max_value=50, allow_nan=False, allow_infinity=False).map(
    lambda x: round(x, 6)
)
signed = st.floats(min_value=-50, max_value=50, allow_nan=False, allow_infinity=False).map(
    lambda x: round(x, 6)
)
count = st.integers(min_value=0, max_value=60)


def rows(n: int, elements: st.SearchStrategy[Any] = money) -> st.SearchStrategy[list[Any]]:
    return st.lists(elements, min_size=n, max_size=n)


@st.composite
def bids(draw: st.DrawFn, n: int, k: int) -> list[dict[str, Any]]:
    out = []
    for i in range(k):
        bid: dict[str, Any] = {
            "ref": f"B{i + 1}",
            "title": f"Bid {i + 1}",
            "investment": draw(rows(n)),
        }
        kind = draw(st.sampled_from(["gross", "prevented", "none"]))
        if kind == "gross":
            bid["gross_saving"] = draw(rows(n))
        elif kind == "prevented":
            bid["prevented"] = draw(rows(n, count))
            if draw(st.booleans()):
                bid["avoided_cost_per_child_per_year"] = draw(st.integers(1_000, 250_000))
                bid["part_year_factor"] = draw(st.sampled_from([0.0, 0.25, 0.5, 1.0]))
        out.append(bid)
    return out


@st.composite
def cases(draw: st.DrawFn, min_bids: int = 0, max_bids: int = 8) -> dict[str, Any]:
    """A valid case of any shape: 1-10 years, MTFS years a leading run, 0-8 bids."""
    n = draw(st.integers(1, 10))
    m = draw(st.integers(1, n))
    start = draw(st.integers(2000, 2090))
    years = [f"{start + i}/{(start + i + 1) % 100:02d}" for i in range(n)]
    n_others = draw(st.integers(0, 3))
    return {
        "case": {"name": "generated", "years": years, "mtfs_years": years[:m]},
        "assumptions": {
            "avoided_cost_per_child_per_year": draw(st.integers(1_000, 120_000)),
            "part_year_factor": draw(st.sampled_from([0.0, 0.5, 0.75, 1.0])),
        },
        "cyps_budget": {
            "net_budget": draw(rows(n)),
            "pressure_demand": draw(rows(n, signed)),
            "pressure_other": draw(rows(n)),
        },
        "bid": draw(bids(n, draw(st.integers(min_bids, max_bids)))),
        "other_proposals": {
            f"dir{j}": {"label": f"Directorate {j}", "levels": draw(rows(m, signed))}
            for j in range(n_others)
        },
        "mtfs": {
            "base_gap": draw(rows(m, signed)),
            "current_year_funded_from_reserves": draw(st.booleans()),
        },
    }
