"""``cypsxl check CASE...``: check case files without running them."""

from __future__ import annotations

import argparse
import sys

from ..casefile import load_case
from ..casefile._monitoring import doc_kind, load_monitoring, read_text
from ..cli import print_problems
from ..errors import CaseError, printable
from ..model.limits import plausibility_warnings
from ..report import year_span

__all__ = ["register"]

HELP = """Check one or more case files and report every problem in each.

An MTFS case (with [case]) and a monitoring case (with [monitoring]) are each checked by
their own rules; a file is a monitoring case when it has a [monitoring] table.

examples:
  cypsxl check mycase.toml            "ok" or one line per problem (exit code 2)
  cypsxl check cases/*.toml
  cypsxl check docs/examples/northshire_monitoring_2025.toml
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
            if _kind(path) == "monitoring":
                m = load_monitoring(path)
                lines = f"{len(m.lines)} line" + ("" if len(m.lines) == 1 else "s")
                print(f"ok: {path}: monitoring {m.year} period {m.period}, {lines}")
                continue
            case = load_case(path)
        except CaseError as exc:
            failed += 1
            print_problems(exc)
            continue
        bids = f"{len(case.bids)} bid" + ("" if len(case.bids) == 1 else "s")
        print(printable(f"ok: {path}: {bids}, {year_span(case.years)}"))
        for where, key, index, message in plausibility_warnings(case):
            at = f"'{key}'" + (f"[{index}]" if index is not None else "")
            print(printable(f"warning: {path}: {where}: {at}: {message}"), file=sys.stderr)
    return 2 if failed else 0


def _kind(path: str) -> str:
    """Which reader the file is for; an unreadable file goes to the MTFS reader, which says why."""
    try:
        return doc_kind(read_text(path), path)
    except CaseError:
        return "mtfs"
