"""Benchmark: 1,000 bids x 10 years through the engine, against a bare numpy floor.

Prints the time of each stage and its ratio to the floor measured in the same run (a
bare numpy sum over the same bids x years arrays). Target: the pipeline (run_case)
under 50 ms per case.

    python benchmarks/engine.py [--bids 1000] [--years 10] [--repeat 30]
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np
from _timing import best

from cypsxl.casefile import case_from_dict
from cypsxl.model import run_case
from cypsxl.report import results_to_dict


def synthetic_case(n_bids: int, n_years: int, seed: int = 1) -> dict[str, Any]:
    """A case dict of ``n_bids`` bids over ``n_years`` years, half prevented, half explicit."""
    rng = np.random.default_rng(seed)
    years = [f"{2020 + i}/{(21 + i) % 100:02d}" for i in range(n_years)]
    bids = []
    for i in range(n_bids):
        bid: dict[str, Any] = {
            "ref": f"B{i:04d}",
            "title": f"Bid {i}",
            "investment": rng.uniform(0, 0.5, n_years).round(6).tolist(),
        }
        if i % 2:
            bid["prevented"] = rng.integers(0, 20, n_years).tolist()
        else:
            bid["gross_saving"] = rng.uniform(0, 0.8, n_years).round(6).tolist()
        bids.append(bid)
    m = max(1, n_years - 1)
    return {
        "case": {"name": "synthetic", "years": years, "mtfs_years": years[:m]},
        "assumptions": {"avoided_cost_per_child_per_year": 22_000},
        "cyps_budget": {
            "net_budget": [50.0] * n_years,
            "pressure_demand": rng.uniform(5, 10, n_years).round(3).tolist(),
        },
        "bid": bids,
        "other_proposals": {"corporate": {"levels": [0.5] * m}},
        "mtfs": {"base_gap": [10.0] * m},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bids", type=int, default=1000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    doc = synthetic_case(args.bids, args.years)
    case = case_from_dict(doc)
    results = run_case(case)
    inv = results.bids.investment.copy()
    sav = results.bids.gross_saving.copy()

    def floor() -> object:
        return (inv - sav).sum(axis=0)

    t_floor = best(floor, args.repeat * 10)
    stages = {
        "run_case (the pipeline)": best(lambda: run_case(case), args.repeat),
        "case_from_dict (checking)": best(lambda: case_from_dict(doc), args.repeat),
        "results_to_dict (JSON shape)": best(lambda: results_to_dict(results), args.repeat),
    }
    print(f"{args.bids} bids x {args.years} years; floor (numpy sum) {t_floor * 1e6:.1f} us")
    for name, t in stages.items():
        print(f"{name:<30} {t * 1e3:8.2f} ms   {t / t_floor:8.0f}x floor")
    pipeline = stages["run_case (the pipeline)"]
    verdict = "meets" if pipeline < 0.050 else "MISSES"
    print(f"target: pipeline under 50 ms -> {pipeline * 1e3:.2f} ms ({verdict})")


if __name__ == "__main__":
    main()
