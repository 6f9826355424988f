"""Benchmark: collect 1,000 filled bid templates; time per file against a floor.

The floor, measured in the same run on the same files: reading every part of every
file with :mod:`zipfile` (bytes only, one process). The collector must stay within 5x
of it while keeping every check (directory sizes, CRC, defusedxml, formulas, cached
results recomputed by the engine). Start-up (Python, imports) is measured apart.

    python benchmarks/collect.py [--files 1000] [--workers N]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import tempfile
import time
import zipfile
from pathlib import Path

from cypsxl.casefile import reference_case
from cypsxl.workbook.reader import collect_bids
from cypsxl.workbook.template import write_bid_template

TARGET_RATIO = 5.0


def make_files(root: Path, n: int) -> list[Path]:
    """``n`` filled templates: the reference bids with distinct references, copied."""
    case = reference_case()
    seeds = []
    for i, bid in enumerate(case.bids):
        seeds.append(write_bid_template(root / f"seed_{i}.xlsx", bid, case))
    paths = []
    for k in range(n):
        bid = case.bids[k % len(case.bids)]
        path = root / f"BID_{k:04d}.xlsx"
        if k < len(case.bids):
            shutil.copy(seeds[k], path)
        else:
            write_bid_template(path, dataclasses.replace(bid, ref=f"BID_{k:04d}"), case)
        paths.append(path)
    for s in seeds:
        s.unlink()
    return paths


def floor(paths: list[Path]) -> float:
    """Seconds to read every part of every file with zipfile."""
    start = time.perf_counter()
    total = 0
    for p in paths:
        with zipfile.ZipFile(p) as zf:
            for name in zf.namelist():
                total += len(zf.read(name))
    assert total > 0
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        paths = make_files(root, args.files)
        print(f"generated {len(paths)} filled templates in {time.perf_counter() - t0:.1f} s")
        floor(paths[:50])  # warm the page cache
        base = min(floor(paths) for _ in range(3))
        runs = {}
        for workers in sorted({1, args.workers}):
            start = time.perf_counter()
            result = collect_bids(paths, workers=workers)
            runs[workers] = time.perf_counter() - start
            assert len(result.bids) == len(paths) and not result.rejected
        n = len(paths)
        print(f"floor (zipfile, every part):   {base / n * 1000:7.3f} ms/file")
        for workers, secs in runs.items():
            print(
                f"collect, {workers} process(es):      {secs / n * 1000:7.3f} ms/file   "
                f"ratio to floor {secs / base:5.1f}x   ({n / secs:,.0f} files/s)"
            )
        best = min(runs.values()) / base
        verdict = "within" if best <= TARGET_RATIO else "OVER"
        print(f"best ratio {best:.1f}x: {verdict} the {TARGET_RATIO:g}x target")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
