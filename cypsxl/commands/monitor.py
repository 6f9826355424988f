"""``cypsxl monitor CASE [--json] [--mtfs MTFS.toml]``: the in-year budget monitoring report."""

from __future__ import annotations

import argparse
import sys

from ..casefile import load_case
from ..casefile._monitoring import load_monitoring
from ..model.monitoring import MonitoringError, MonitoringResults, monitor
from ..monitoring_report import monitoring_to_dict, render_monitoring
from ._present import print_json

__all__ = ["monitoring_results", "register"]

HELP = """Compute a monitoring period and print the report as a council prints it.

Lines by group with budget, actual to date, forecast outturn, variance, variance %,
RAG and movement; group subtotals; the General Fund total; the ring-fenced lines with
their deficit brought and carried forward; risks and the forecast with risks; savings
delivery. Money in £m to 3 decimals, overspends positive, underspends in brackets.

examples:
  cypsxl monitor monitoring.toml                   the report, as text
  cypsxl monitor monitoring.toml --json            as JSON, money in £m, unrounded
  cypsxl monitor monitoring.toml --mtfs mtfs.toml  planned savings from the MTFS case's bids
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``monitor`` command."""
    p = subparsers.add_parser(
        "monitor",
        help="in-year budget monitoring: forecast outturn, variance, RAG, risks, savings",
        description=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("case", metavar="CASE", help="monitoring case file (.toml with [monitoring])")
    p.add_argument("--json", action="store_true", help="print JSON (money in £m, unrounded)")
    p.add_argument(
        "--mtfs",
        metavar="MTFS.toml",
        help="take planned savings from this MTFS case's bids (that year's gross saving)",
    )
    p.set_defaults(func=_run)


def monitoring_results(case_path: str, mtfs_path: str | None) -> MonitoringResults:
    """Read the monitoring case at ``case_path`` (planned savings from the MTFS case at
    ``mtfs_path``, if given) and compute it; a case the engine cannot compute is an
    :class:`~cypsxl.cli.InputError` naming the file.

    >>> from importlib import resources
    >>> example = resources.files("cypsxl.data") / "northshire_monitoring_2025.toml"
    >>> monitoring_results(str(example), None).case.period
    7
    """
    from ..cli import InputError

    mtfs = load_case(mtfs_path) if mtfs_path else None
    case = load_monitoring(case_path, mtfs)
    try:
        return monitor(case)
    except MonitoringError as exc:
        raise InputError(f"{case_path}: {exc}") from None


def _run(args: argparse.Namespace) -> int:
    results = monitoring_results(args.case, args.mtfs)
    if args.json:
        print_json(monitoring_to_dict(results))
    else:
        sys.stdout.write(render_monitoring(results))
    return 0
