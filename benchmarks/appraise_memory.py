"""Benchmark: memory of a Green Book appraisal grows linearly with the number of bids.

Runs ``appraise_case`` (NPV, switching values, the tornado before and after optimism
bias) on synthetic cases of 300, 3,000 and 10,000 bids over 5 years and prints each
peak (tracemalloc) and the peak per bid, and its ratio to the floor measured in the same
run: the case's own input arrays (bids x years x 3 rows of float64). Linear memory
shows as a flat peak per bid; the tornado used to evaluate every bid group against every
bid (bids squared: 3,000 bids took 6 GB).

    python benchmarks/appraise_memory.py [--bids 300 3000 10000] [--years 5]
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

from engine import synthetic_case  # type: ignore[import-not-found]

from cypsxl.casefile import case_from_dict
from cypsxl.model import appraise_case


def measure(n_bids: int, n_years: int) -> tuple[float, float, float]:
    """(peak bytes, floor bytes, seconds) of one appraisal of ``n_bids`` bids."""
    case = case_from_dict(synthetic_case(n_bids, n_years))
    floor = 3 * n_bids * n_years * 8
    tracemalloc.start()
    start = time.perf_counter()
    appraise_case(case)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, floor, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bids", type=int, nargs="+", default=[300, 3000, 10000])
    parser.add_argument("--years", type=int, default=5)
    args = parser.parse_args()
    print(f"{'bids':>7} {'peak MB':>9} {'kB/bid':>8} {'x floor':>8} {'seconds':>8}")
    for n in args.bids:
        peak, floor, seconds = measure(n, args.years)
        per_bid = peak / n / 1e3
        print(f"{n:>7,} {peak / 1e6:>9.1f} {per_bid:>8.2f} {peak / floor:>8.1f} {seconds:>8.2f}")


if __name__ == "__main__":
    main()
