"""Benchmark: 10,000 Monte Carlo scenarios of the reference case, against the
deterministic engine run 10,000 times (extrapolated from a timed batch in the same run).

Every bid's delivery of prevented children (PERT), the avoided cost per child
(triangular, one draw for all bids), savings delays of two bids, investment overruns and
the demand pressure are uncertain. Target: under 0.2 s for 10,000 scenarios.

    python benchmarks/scenarios.py [-n 10000] [--repeat 7] [--deterministic-runs 200]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from cypsxl.casefile import parse_case, reference_case_text
from cypsxl.model import monte_carlo, run_case

TARGET_SECONDS = 0.2

UNCERTAINTY = """
[[uncertainty]]
input = "delivery"
distribution = "pert"
min = 0.4
mode = 0.8
max = 1.0

[[uncertainty]]
input = "avoided_cost"
distribution = "triangular"
min = 18000
mode = 22000
max = 30000
shared = true

[[uncertainty]]
input = "saving_delay"
distribution = "triangular"
min = 0
mode = 0
max = 2
bids = ["CYPS_2", "CYPS_5"]

[[uncertainty]]
input = "investment"
distribution = "pert"
min = 0.95
mode = 1.0
max = 1.3

[[uncertainty]]
input = "pressure"
line = "demand"
distribution = "uniform"
min = 0.95
max = 1.10
"""

OPTIMISM_BIAS = "optimism_bias = { investment_uplift_percent = 20, saving_cut_percent = 15 }\n"


def best_of(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(best, median) wall time of ``repeat`` calls, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10_000, help="scenarios (default 10,000)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--deterministic-runs", type=int, default=200)
    args = parser.parse_args()

    text = reference_case_text()
    case = parse_case(text + UNCERTAINTY)
    biased = parse_case(
        text.replace("weeks_per_year = 52 ", OPTIMISM_BIAS + "weeks_per_year = 52 ", 1)
        + UNCERTAINTY
    )
    assert biased.assumptions.optimism_bias.investment_uplift == 0.2

    k = args.deterministic_runs
    det_best, _ = best_of(lambda: [run_case(case) for _ in range(k)], 3)
    floor = det_best / k * args.n
    mc_best, mc_median = best_of(lambda: monte_carlo(case, n=args.n, seed=1), args.repeat)
    ob_best, _ = best_of(lambda: monte_carlo(biased, n=args.n, seed=1), args.repeat)

    print(f"deterministic run_case: {det_best / k * 1e3:.3f} ms each ({k} timed)")
    print(f"  x {args.n:,} (extrapolated floor):      {floor:8.3f} s")
    print(
        f"Monte Carlo, {args.n:,} scenarios:          {mc_best:8.3f} s"
        f" (median {mc_median:.3f} s)  ratio to floor {mc_best / floor:.3f}"
    )
    print(
        f"  with optimism bias (base + adjusted): {ob_best:8.3f} s"
        f"  ratio to floor {ob_best / floor:.3f}"
    )
    verdict = "meets" if mc_best < TARGET_SECONDS else "MISSES"
    print(f"target < {TARGET_SECONDS} s for {args.n:,} scenarios: {verdict}")


if __name__ == "__main__":
    main()
