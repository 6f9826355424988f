"""``cypsxl run [CASE] [--json]``: every table of a case."""

from __future__ import annotations

import argparse
import sys

from ..casefile import load_case
from ..model import run_case
from ..report import render_tables, results_to_dict
from ._present import print_json

__all__ = ["register"]

HELP = """Compute a case and print the Cabinet report's tables.

examples:
  cypsxl run                      the embedded reference case (Rotherham, November 2016)
  cypsxl run mycase.toml          your case, as text tables (savings in brackets)
  cypsxl run mycase.toml --json   as JSON, money in £m, unrounded
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``run`` command."""
    p = subparsers.add_parser(
        "run",
        help="compute a case and print its tables",
        description=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "case", nargs="?", help="case file (.toml); default: the embedded reference case"
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    results = run_case(load_case(args.case))
    if args.json:
        print_json(results_to_dict(results))
    else:
        sys.stdout.write(render_tables(results))
    return 0
