"""Benchmark: how long each command takes to start and finish a small job, as a ratio.

The floor is ``python -c "import numpy"``, timed in the same run: every command needs
Python and numpy, so the ratio shows what cypsxl adds. Goal: ``cypsxl run`` at most 1.5x
(it imports the engine and the text report, never openpyxl or xlwings; the workbook
commands load those when they run). Each figure is the best of ``--repeat`` runs.

    python benchmarks/startup.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = str(ROOT / "docs" / "examples" / "northshire_2025.toml")
DEMO = str(ROOT / "workbooks" / "cypsxl_demo.xlsx")


def best_of(argv: list[str], repeat: int) -> float | None:
    """The fastest of ``repeat`` runs of ``argv`` in seconds, or None if one failed.

    A command that fails (exit other than 0 or 3) prints its last error line.
    """
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        best = min(best, time.perf_counter() - start)
        if done.returncode not in (0, 3):
            print(f"  {' '.join(argv[2:])} exited {done.returncode}: {done.stderr.strip()[-200:]}")
            return None
    return best


def commands(out: Path) -> dict[str, list[str]]:
    """Each command with a small real job (outputs go under ``out``)."""
    bids = out / "bids"
    return {
        "--version": ["--version"],
        "run": ["run"],
        "run --json": ["run", "--json"],
        "check": ["check", EXAMPLE],
        "appraise": ["appraise"],
        "scenarios -n 1000": ["scenarios", "-n", "1000", "--seed", "1"],
        "template new": ["template", "new", "-o", str(out / "bid.xlsx"), "--force"],
        "template fill": ["template", "fill", "-o", str(bids), "--force"],
        "bids collect": ["bids", "collect", str(bids)],
        "refresh": ["refresh", DEMO, "-o", str(out / "refreshed.xlsx")],
        "serve --help": ["serve", "--help"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    floor = best_of([sys.executable, "-c", "import numpy"], args.repeat)
    assert floor is not None
    print(f"floor: python -c 'import numpy'  {floor * 1000:7.1f} ms  1.00x")
    with tempfile.TemporaryDirectory() as tmp:
        for label, argv in commands(Path(tmp)).items():
            took = best_of([sys.executable, "-m", "cypsxl", *argv], args.repeat)
            if took is not None:
                print(f"cypsxl {label:<24} {took * 1000:7.1f} ms  {took / floor:4.2f}x")


if __name__ == "__main__":
    main()
