"""Benchmark: 100,000 synthetic SSDA903 episodes read and costed for a year.

Generates episodes with the tests' synthetic generator (no real child data), writes them
to a temporary CSV, and times cypsxl reading them (every row checked, PLACE mapped,
priced from the cost table) and costing them for a year (the register summary by type,
children looked after at each month end, admissions and discharges by month), against
the floor of pandas reading the same CSV (``pandas.read_csv(path)``) in the same run.
Goal: within 3x of the floor.

    python benchmarks/ssda903.py [--episodes 100000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from _timing import best
from ssda903_synth import COSTS_CSV, generate, write

from cypsxl.model.dates import day_number, month_ends, month_starts
from cypsxl.model.episodes import (
    admissions,
    discharges,
    episodes_register,
    looked_after_on,
)
from cypsxl.model.register import summarise_register
from cypsxl.reference_data import placement_reference
from cypsxl.workbook.ssda903 import read_costs, read_episodes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    ref = placement_reference()
    year = "2025/26"
    with tempfile.TemporaryDirectory() as folder:
        rows, _ = generate(max(1, args.episodes * 3 // 5), seed=1, span_days=1500)
        rows = rows[: args.episodes + 1]
        path = write(Path(folder) / "episodes.csv", rows)
        costs_path = Path(folder) / "costs.csv"
        costs_path.write_text(COSTS_CSV, encoding="utf-8")
        costs = read_costs(costs_path)

        def floor() -> object:
            return pd.read_csv(path)

        def read() -> object:
            return read_episodes(path, ref.types, ref.mapping, costs)

        def read_and_cost() -> object:
            ep = read_episodes(path, ref.types, ref.mapping, costs).episodes
            summary = summarise_register(
                episodes_register(ep, ref.types), year, day_number("2025-10-31")
            )
            starts, ends = month_starts(year), month_ends(year)
            return (
                summary,
                looked_after_on(ep, ends),
                admissions(ep, starts, ends),
                discharges(ep, starts, ends),
            )

        t_floor = best(floor, args.repeat)
        t_read = best(read, args.repeat)
        t_all = best(read_and_cost, args.repeat)
        size = path.stat().st_size
    print(f"{len(rows) - 1:,} episodes, {size / 1e6:.1f} MB; floor pandas.read_csv {t_floor:.3f} s")
    print(
        f"{'read (checked, mapped, priced)':<34} {t_read:7.3f} s   {t_read / t_floor:5.2f}x floor"
    )
    print(f"{'read and costed for a year':<34} {t_all:7.3f} s   {t_all / t_floor:5.2f}x floor")
    verdict = "meets" if t_all / t_floor <= 3 else "MISSES"
    print(f"goal: within 3x of pandas.read_csv -> {t_all / t_floor:.2f}x ({verdict})")


if __name__ == "__main__":
    main()
