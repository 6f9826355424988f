"""``cypsxl check CASE...``: check case files without running them."""

from __future__ import annotations

import argparse
import sys

from ..casefile import load_case
from ..casefile._checker import _plural
from ..casefile._monitoring import file_kind, load_monitoring
from ..cli import print_problems
from ..errors import CaseError, printable
from ..model.limits import plausibility_warnings
from ..report import year_span

__all__ = ["register"]

HELP = """Check one or more case files and report every problem in each.

An MTFS case (with [case]), a monitoring case (with [monitoring]) and a file of cost
drivers only ([[placement]], [register], [[post]], [workforce], [[cohort]], [demand];
docs/drivers.md) are each checked by their own rules. Rows a driver CSV would lose are
problems too.

examples:
  cypsxl check mycase.toml            "ok" or one line per problem (exit code 2)
  cypsxl check cases/*.toml
  cypsxl check docs/examples/northshire_monitoring_2025.toml
  cypsxl check docs/examples/northshire_drivers_2025.toml
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``check`` command."""
    p = subparsers.add_parser(
        "check",
        help="check case files without running them",
        description=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("cases", nargs="+", metavar="CASE", help="case files (.toml)")
    p.set_defaults(func=_check)


def _check(args: argparse.Namespace) -> int:
    failed = 0
    for path in args.cases:
        try:
            kind = file_kind(path, drivers=True)
            if kind == "monitoring":
                m = load_monitoring(path)
                lines = _plural(len(m.lines), "line")
                print(f"ok: {path}: monitoring {m.year} period {m.period}, {lines}")
                continue
            if kind == "drivers":
                failed += _check_drivers(path)
                continue
            case = load_case(path)
        except CaseError as exc:
            failed += 1
            print_problems(exc)
            continue
        bids = _plural(len(case.bids), "bid")
        print(printable(f"ok: {path}: {bids}, {year_span(case.years)}"))
        for where, key, index, message in plausibility_warnings(case):
            at = f"'{key}'" + (f"[{index}]" if index is not None else "")
            print(printable(f"warning: {path}: {where}: {at}: {message}"), file=sys.stderr)
    return 2 if failed else 0


def _check_drivers(path: str) -> int:
    """Check a file of cost drivers only: 0 when it is whole, 1 when it has problems."""
    from ..casefile._drivers import load_drivers  # pandas and the CSV readers: when needed

    d = load_drivers(path)
    if d.rejected:
        print_problems(CaseError(list(d.rejected)))
        return 1
    counts = [
        _plural(len(d.register.ref), "placement"),
        _plural(len(d.establishment.fte), "post"),
        _plural(len(d.cohorts), "cohort"),
    ]
    year = f" {d.year}" if d.year else ""
    print(printable(f"ok: {path}: cost drivers{year}, {', '.join(counts)}"))
    return 0
