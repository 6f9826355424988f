"""Benchmark: a monitoring case of 2,000 lines at each of the 12 periods.

For each period it times the stages a ``cypsxl monitor`` run goes through - the TOML
parse (``tomllib``, the floor), checking the case into the model's objects, the engine
(``monitor``) and the JSON document - and prints each as a ratio to the TOML parse
measured in the same run. The engine's share should be well under the parse.

    python benchmarks/monitoring.py [--lines 2000] [--repeat 10]
"""

from __future__ import annotations

import argparse
import tomllib
from typing import Any

import numpy as np
import tomli_w
from _timing import best

from cypsxl.casefile._monitoring import monitoring_from_dict
from cypsxl.model.monitoring import monitor
from cypsxl.monitoring_report import monitoring_to_dict

PROFILE = [1, 1, 1, 1, 0.2, 1, 1, 1, 1, 1, 1, 1]


def synthetic_text(n_lines: int, period: int, seed: int = 1) -> str:
    """A monitoring case of ``n_lines`` lines in 20 groups, as TOML text."""
    rng = np.random.default_rng(seed + period)
    lines: list[dict[str, Any]] = []
    for i in range(n_lines):
        budget = round(float(rng.uniform(-1, 20)), 3)
        line: dict[str, Any] = {
            "name": f"Line {i:05d}",
            "group": f"Group {i % 20:02d}" if i % 20 else "Dedicated Schools Grant",
            "budget": budget,
            "actual_to_date": round(budget * period / 12 * float(rng.uniform(0.8, 1.2)), 3),
            "previous_forecast": round(budget * float(rng.uniform(0.9, 1.1)), 3),
        }
        kind = i % 4
        if kind == 1:
            line["forecast"] = "profile"
            line["profile"] = PROFILE
        elif kind == 2:
            line["forecast"] = "manual"
            line["forecast_outturn"] = round(budget * float(rng.uniform(0.9, 1.1)), 3)
        if i % 20 == 0:
            line["ring_fenced"] = True
        lines.append(line)
    doc = {
        "monitoring": {"authority": "Synthetic", "year": "2025/26", "period": period},
        "line": lines,
        "risk": [{"name": f"Risk {k}", "amount": 0.5} for k in range(20)],
        "saving": [{"ref": f"S{k}", "planned": 0.5, "forecast": 0.4} for k in range(50)],
    }
    return tomli_w.dumps(doc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    totals = dict.fromkeys(("parse", "check", "engine", "json"), 0.0)
    for period in range(1, 13):
        text = synthetic_text(args.lines, period)
        doc = tomllib.loads(text)
        case = monitoring_from_dict(doc, "synthetic.toml")
        results = monitor(case)
        totals["parse"] += best(lambda t=text: tomllib.loads(t), args.repeat)
        totals["check"] += best(
            lambda d=doc: monitoring_from_dict(d, "synthetic.toml"), args.repeat
        )
        totals["engine"] += best(lambda c=case: monitor(c), args.repeat)
        totals["json"] += best(lambda r=results: monitoring_to_dict(r), args.repeat)
    floor = totals["parse"]
    print(f"{args.lines:,} lines x 12 periods (median of {args.repeat} runs each, summed)")
    print(f"{'stage':<28}{'seconds':>10}{'x TOML parse':>14}")
    labels = {
        "parse": "TOML parse (floor)",
        "check": "check into the model",
        "engine": "engine (monitor)",
        "json": "JSON document",
    }
    for key, label in labels.items():
        print(f"{label:<28}{totals[key]:>10.4f}{totals[key] / floor:>14.2f}")


if __name__ == "__main__":
    main()
