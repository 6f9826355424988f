"""``cypsxl bids collect``: read filled bid templates, check them, consolidate them."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from ..casefile import dump_case, load_case, parse_case
from ..cli import EXIT_OK, EXIT_PARTIAL, InputError
from ..model import Case, CypsBudget, Mtfs, Results, run_case
from ..model.case import frozen_map
from ..report import fmt_money, payback_label, results_to_dict
from ..workbook.consolidate import write_consolidated
from ..workbook.files import atomic_write_bytes
from ..workbook.reader import CollectResult, collect_bids, find_workbooks
from .template import parse_years

__all__ = ["ProgressBar", "register"]

HELP = """Read filled bid templates (files or folders), check every cell, and consolidate.

Fields are found by defined name; every calculated figure is recomputed by the engine and
a file whose saved results disagree (a formula typed over) is rejected. One bad file
never stops the run.

exit codes: 0 every file accepted; 3 some files rejected (outputs still written);
            2 bad usage (no workbooks found, a bad --case).

examples:
  cypsxl bids collect returns/                        summary and every problem, by cell
  cypsxl bids collect returns/ --json                 JSON (money in £m)
  cypsxl bids collect returns/ -o consolidated.xlsx   bids, profiles, Tables 1-2, errors
  cypsxl bids collect returns/ --case-out mtfs.toml   a case for `cypsxl run`, with these bids
  cypsxl bids collect returns/ --case base.toml --case-out mtfs.toml
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``bids`` command and its ``collect`` sub-command."""
    p = subparsers.add_parser(
        "bids",
        help="collect filled bid templates",
        description=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="bids_command", metavar="{collect}")
    c = sub.add_parser(
        "collect",
        help="read, check and consolidate filled templates",
        description=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    c.add_argument("paths", nargs="+", metavar="PATH", help="template files or folders")
    c.add_argument("--json", action="store_true", help="print JSON instead of a summary")
    c.add_argument("-o", "--output", help="write the consolidated workbook (.xlsx)")
    c.add_argument("--case-out", help="write a case file (.toml) with the collected bids")
    c.add_argument(
        "--case",
        help="base case (budget, pressures, MTFS gap) whose bids are replaced; "
        "default: the reference case",
    )
    c.add_argument(
        "--years",
        help="years every bid must have, e.g. 2016/17:2020/21 "
        "(default: the base case's with --case/--case-out, else the most common)",
    )
    c.add_argument("--workers", type=int, help="processes to use (default: every core)")
    c.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    c.set_defaults(func=_collect)
    p.set_defaults(func=lambda args: _usage(p))


def _usage(p: argparse.ArgumentParser) -> int:
    p.print_help(sys.stderr)
    return 2


class ProgressBar:
    """A one-line progress bar on a terminal; silent elsewhere.

    >>> import io
    >>> bar = ProgressBar(io.StringIO(), enabled=False)
    >>> bar(1, 10); bar.close()
    """

    def __init__(self, stream: TextIO, enabled: bool, width: int = 30) -> None:
        self.stream = stream
        self.enabled = enabled
        self.width = width
        self.start = time.monotonic()
        self.last = 0.0
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if done < total and now - self.last < 0.1:
            return
        self.last = now
        filled = self.width * done // max(total, 1)
        rate = done / max(now - self.start, 1e-9)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r[{bar}] {done}/{total} files  {rate:,.0f}/s")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        """End the bar's line."""
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


def _progress(args: argparse.Namespace) -> ProgressBar:
    return ProgressBar(sys.stderr, enabled=not args.quiet and sys.stderr.isatty())


def _base(args: argparse.Namespace) -> tuple[Case, bool]:
    """The base case and whether its years bind the collection."""
    binding = bool(args.case or args.case_out)
    return load_case(args.case), binding


def _case_for(base: Case, collected: CollectResult) -> Case:
    """The base case with its bids replaced by the collected ones (a minimal case if the
    collected years are not the base case's)."""
    if tuple(collected.years) == tuple(base.years):
        return dataclasses.replace(base, bids=tuple(collected.bids))
    n = len(collected.years)
    return Case(
        name="Collected bids",
        years=tuple(collected.years),
        mtfs_years=tuple(collected.years),
        assumptions=base.assumptions,
        budget=CypsBudget(net_budget=(0.0,) * n, pressures=frozen_map()),
        bids=tuple(collected.bids),
        other_proposals=(),
        mtfs=Mtfs(base_gap=(0.0,) * n),
    )


def _json(collected: CollectResult, results: Results | None) -> dict[str, Any]:
    bids = results_to_dict(results)["bids"] if results is not None else {}
    for ref, item in bids.items():
        item["file"] = collected.files.get(ref, "")
    return {
        "years": list(collected.years),
        "bids": bids,
        "rejected": [
            {"file": r.file, "errors": [e.as_dict() for e in r.errors]} for r in collected.rejected
        ],
        "warnings": [
            {"file": r.file, "errors": [e.as_dict() for e in r.errors]} for r in collected.warnings
        ],
        "skipped": list(collected.skipped),
    }


def _summary(collected: CollectResult, results: Results | None, out: TextIO) -> None:
    n_files = len(collected.bids) + len(collected.rejected)
    out.write(
        f"{len(collected.bids)} bid(s) accepted, {len(collected.rejected)} file(s) rejected "
        f"of {n_files}"
        + (f"; {len(collected.skipped)} lock file(s) skipped" if collected.skipped else "")
        + "\n"
    )
    if results is not None and collected.bids:
        t = results.bids
        out.write(f"\n{'Ref':<12}{'Net £m (all years)':>20}{'Payback':>13}  File\n")
        for i, ref in enumerate(t.refs):
            label = payback_label(t.payback_year[i], results.case.years)
            out.write(
                f"{ref:<12}{fmt_money(t.net[i].sum()):>20}{label:>13}  {collected.files[ref]}\n"
            )
    for level, group in (("error", collected.rejected), ("warning", collected.warnings)):
        for r in group:
            for e in r.errors:
                where = f"{e.sheet}!{e.cell}: " if e.cell else (f"{e.sheet}: " if e.sheet else "")
                out.write(f"{level}: {r.file}: {where}{e.message}\n")


def _write_case(path: Path, case: Case) -> None:
    text = dump_case(case)
    parse_case(text, str(path))  # what is written must be a case `cypsxl run` accepts
    atomic_write_bytes(path, text.encode("utf-8"))


def _collect(args: argparse.Namespace) -> int:
    files, locks, missing = find_workbooks(args.paths)
    if not files and not missing:
        what = f" ({len(locks)} Excel lock file(s) skipped)" if locks else ""
        raise InputError(f"no workbooks found in {', '.join(args.paths)}{what}")
    if args.workers is not None and args.workers < 1:
        raise InputError("--workers must be 1 or more")
    for option in ("output", "case_out"):
        value = getattr(args, option)
        if value and Path(value).is_dir():
            raise InputError(f"{value} is a folder; expected a file name")
    base, binding = _base(args)
    years = parse_years(args.years) if args.years else (base.years if binding else None)
    if binding and tuple(years or ()) != tuple(base.years):
        raise InputError(f"--years must be the base case's years: {', '.join(base.years)}")
    bar = _progress(args)
    report: Callable[[int, int], None] = bar
    try:
        collected = collect_bids(
            args.paths, years=years, base=base.assumptions, workers=args.workers, progress=report
        )
    finally:
        bar.close()
    case = _case_for(base, collected)
    results = run_case(case) if collected.bids else None
    if args.output:
        write_consolidated(args.output, collected, results)
    if args.case_out:
        _write_case(Path(args.case_out), case)
    if args.json:
        json.dump(_json(collected, results), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        _summary(collected, results, sys.stdout)
    return EXIT_PARTIAL if collected.rejected else EXIT_OK
