"""``cypsxl check CASE...``: check case files without running them."""

from __future__ import annotations

import argparse

from ..casefile import load_case
from ..cli import print_problems
from ..errors import CaseError

__all__ = ["register"]

HELP = """Check one or more case files and report every problem in each.

examples:
  cypsxl check mycase.toml            "ok" or one line per problem (exit code 2)
  cypsxl check cases/*.toml
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
            case = load_case(path)
        except CaseError as exc:
            failed += 1
            print_problems(exc)
            continue
        bids = f"{len(case.bids)} bid" + ("" if len(case.bids) == 1 else "s")
        print(f"ok: {path}: {bids}, {case.years[0]}-{case.years[-1]}")
    return 2 if failed else 0
