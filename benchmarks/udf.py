"""Cost of cypsxl's Excel functions through xlwings' Office.js layer, against baselines.

Run with the xlwings Office.js environment (the same as the tests)::

    XLWINGS_LICENSE_KEY=noncommercial XLWINGS_ON_SERVER=true python benchmarks/udf.py

Each cypsxl function is called through ``custom_functions_call`` on realistic 10-year
rows and compared, in the same run, with two baselines through the same path:

- an identity function taking the same argument shapes as rows through xlwings' default
  converter (``ndim=2``) and returning its first argument: the ratio is the cost of
  cypsxl's own code (target <= 1.5x);
- a trivial one-number function (target <= 3x).

cypsxl's arguments use its own converter (``cypsxl.excel._convert.ExcelCells``): a row of
plain numbers is passed on as it came, where xlwings' default cleans every cell (an
import attempt and a dict check each; ~1.5 us a cell, so a 50-cell roll-up spent ~80 us
there). It is also the safer one: an Excel error cell (``#N/A``) becomes its text and is
rejected by argument and position, where the default turns it into a blank (zero).

Then the refresh button on the demo workbook's JSON book, end to end (target < 50 ms).
Figures are medians of repeated calls; nothing here is asserted in the test suite.
(No ``from __future__ import annotations``: string annotations would make the
baselines compile their type hints on every call.)
"""

import asyncio
import os
import statistics
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

if os.environ.get("XLWINGS_ON_SERVER") != "true" or not os.environ.get("XLWINGS_LICENSE_KEY"):
    sys.exit(
        "set the Office.js environment first:\n"
        "  XLWINGS_LICENSE_KEY=noncommercial XLWINGS_ON_SERVER=true python benchmarks/udf.py"
    )

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import xlwings as xw
from xlwings import arg, func
from xlwings.server import custom_functions_call, custom_scripts_call

from cypsxl.excel import functions, scripts
from cypsxl.excel.demo import build_demo

YEARS = 10
INV = [[0.1, 0.35, 0.35, 0.35, 0.35, 0.3, 0.3, 0.3, 0.3, 0.3]]
SAVE = [[0.0, 0.165, 0.594, 1.188, 1.848, 1.9, 1.9, 1.9, 1.9, 1.9]]
PREVENTED = [[0, 15, 24, 30, 30, 30, 30, 30, 30, 30]]
NET = [[a - b for a, b in zip(INV[0], SAVE[0], strict=True)]]
BUDGET = [[56.468 - i for i in range(YEARS)]]
LINES = [[7.8 + i for i in range(YEARS)], [float(i % 4) for i in range(YEARS)]]

#: function -> its arguments, each a 2-D list as Excel sends it
CALLS: dict[str, list[Any]] = {
    "cyps_placement_cost": [[[460 + 10 * i for i in range(YEARS)]], [[86]], [[52]]],
    "cyps_lac_projection": [[[460]], [[48]], [[YEARS]]],
    "cyps_cost_avoidance": [PREVENTED, [[22000]], [[0.5]]],
    "cyps_bid_profile": [INV, SAVE],
    "cyps_payback_year": [NET],
    "cyps_breakeven_year": [NET],
    "cyps_budget_rollup": [BUDGET, LINES, INV, SAVE],
    "cyps_additional_funding": [LINES[:1], NET, LINES],
    "cyps_funding_gap": [[[0.0, 13.1, 8.7, 20.1, 5, 5, 5, 5, 5, 5]], BUDGET, [[True]]],
    "cyps_npv": [INV, SAVE, [[0.035]]],
    "cyps_discounted_payback_year": [INV, SAVE, [[0.035]]],
    "cyps_version": [],
}


def _baselines() -> types.ModuleType:
    """Identity functions with each cypsxl function's argument converters, and a scalar one."""
    module = types.ModuleType("baselines")
    for name in CALLS:
        spec = getattr(functions, name).__xlfunc__["args"]
        params = [a["name"] for a in spec]

        code = f"def id_{name}({', '.join(params)}):\n    return {params[0] if params else '1'}\n"
        namespace: dict[str, Any] = {}
        exec(code, namespace)  # a plain function with the same parameter names
        fn = namespace[f"id_{name}"]
        for a in spec:  # xlwings' default converter, every argument as rows (ndim=2)
            fn = arg(a["name"], doc=a["doc"], ndim=2)(fn)
        setattr(module, f"id_{name}", func(fn))

    @func
    def scalar(x: float) -> float:
        return x

    module.scalar = scalar
    return module


def _payload(name: str, args: list[Any]) -> dict[str, Any]:
    return {
        "client": "Office.js",
        "version": xw.__version__,
        "runtime": "1.4",
        "func_name": name,
        "args": args,
        "caller_address": "[MTFS.xlsx]What if!B2",
        "session_id": "bench",
        "culture_info_name": "en-GB",
        "date_format": "dd/mm/yyyy",
    }


def median_us(fn: Callable[[], Any], repeat: int = 300) -> float:
    """Median wall time of ``fn`` in microseconds (after a warm-up)."""
    for _ in range(20):
        fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e6


def call_time(module: types.ModuleType, name: str, args: list[Any]) -> float:
    body = _payload(name, args)
    loop = asyncio.new_event_loop()
    try:
        return median_us(lambda: loop.run_until_complete(custom_functions_call(body, module)))
    finally:
        loop.close()


def main() -> int:
    base = _baselines()
    scalar = call_time(base, "scalar", [[[1.0]]])
    print(f"trivial one-number function: {scalar:8.1f} us a call (floor)")
    print(f"{'function':<30}{'us':>9}{'identity':>10}{'x identity':>12}{'x scalar':>10}")
    worst_id = worst_sc = 0.0
    for name, args in CALLS.items():
        t = call_time(functions, name, args)
        ident = call_time(base, f"id_{name}", args) if args else scalar
        worst_id, worst_sc = max(worst_id, t / ident), max(worst_sc, t / scalar)
        print(f"{name:<30}{t:9.1f}{ident:10.1f}{t / ident:12.2f}{t / scalar:10.2f}")
    print(f"worst: {worst_id:.2f}x identity (target 1.5x), {worst_sc:.2f}x scalar (target 3x)")

    snapshot_book = build_demo()
    from xlcall import book_snapshot

    body = book_snapshot(snapshot_book)
    loop = asyncio.new_event_loop()

    def refresh_once() -> None:
        book = xw.Book(json=body)
        loop.run_until_complete(
            custom_scripts_call(scripts, "cyps_refresh", typehint_to_value={xw.Book: book})
        )

    ms = median_us(refresh_once, repeat=30) / 1000
    loop.close()
    print(f"refresh of the demo workbook (JSON book, end to end): {ms:.1f} ms (target < 50 ms)")
    ok = worst_id <= 1.5 and worst_sc <= 3 and ms < 50
    print("all targets met" if ok else "a target was missed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
