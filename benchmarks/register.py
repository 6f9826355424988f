"""Benchmark: 20,000 placements costed at 12 month ends in one vectorised call.

Times ``register_costs`` (each placement's net cost from 1 April to each month end:
placements x months) and the whole register summary, against a floor measured in the
same run: one bare numpy multiply of a placements x months array.

    python benchmarks/register.py [--placements 20000] [--repeat 50]

On Linux, glibc hands each array of more than 128 kB back to the system when it is
freed, so every call page-faults its (windows x placements) arrays in afresh; the floor,
one array, does not. Run with ``MALLOC_MMAP_THRESHOLD_=100000000`` to see the
arithmetic alone (about 4x the floor on two shared cores, against about 60x without).
"""

from __future__ import annotations

import argparse

import numpy as np
from _timing import best

from cypsxl.model.dates import day_number, fy_bounds, month_ends
from cypsxl.model.register import Register, register_costs, summarise_register
from cypsxl.reference_data import placement_reference


def synthetic_register(n: int, seed: int = 1) -> Register:
    """``n`` placements of every type, starting over two years, a third of them open."""
    rng = np.random.default_rng(seed)
    types = placement_reference().types
    start = day_number("2024-04-01") + rng.integers(0, 730, n)
    end = np.where(rng.random(n) < 0.33, -1, start + rng.integers(0, 600, n))
    return Register.build(
        types,
        [f"P{i}" for i in range(n)],
        [types.keys[i] for i in rng.integers(0, len(types.keys), n)],
        rng.uniform(300, 8_000, n).round(2),
        start,
        end,
        rng.integers(1, 3, n),
        rng.choice([0.0, 0.25, 0.5], n),
        rng.choice([0.0, 0.25], n),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--placements", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    reg = synthetic_register(args.placements)
    year = "2025/26"
    first, _ = fy_bounds(year)
    ends = month_ends(year)
    grid = np.ones((args.placements, ends.size))
    rate = reg.weekly_cost.copy()

    def floor() -> object:
        return rate[:, None] * grid

    t_floor = best(floor, args.repeat * 4)
    t_costs = best(lambda: register_costs(reg, first, ends), args.repeat)
    t_summary = best(lambda: summarise_register(reg, year, day_number("2025-10-31")), args.repeat)
    shape = register_costs(reg, first, ends).shape
    print(f"{args.placements:,} placements x {ends.size} month ends -> {shape}")
    print(f"floor (one numpy multiply of the same shape) {t_floor * 1e3:8.3f} ms")
    print(f"{'register_costs (one call)':<38} {t_costs * 1e3:8.3f} ms {t_costs / t_floor:6.1f}x")
    print(
        f"{'summarise_register (by type, 4 windows)':<38} {t_summary * 1e3:8.3f} ms "
        f"{t_summary / t_floor:6.1f}x"
    )


if __name__ == "__main__":
    main()
