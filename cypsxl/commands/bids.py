"""``cypsxl bids collect``: read filled bid templates, check them, consolidate them."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from ..casefile import dump_case, load_case, parse_case
from ..cli import EXIT_OK, EXIT_PARTIAL, InputError
from ..errors import printable
from ..model import Case, CypsBudget, Mtfs, Results, run_case
from ..model.case import frozen_map
from ..model.limits import larger_than_budget
from ..report import fmt_money, payback_label, results_to_dict
from ..workbook.consolidate import write_consolidated
from ..workbook.files import _mode_for
from ..workbook.reader import CellProblem, CollectResult, Rejected, collect_bids, find_workbooks
from ._present import print_json
from .template import parse_years

__all__ = ["ProgressBar", "register"]

HELP = """Read filled bid templates (files or folders), check every cell, and consolidate.

Fields are found by defined name; every calculated figure is recomputed by the engine and
a file whose saved results disagree (a formula typed over) is rejected. One bad file
never stops the run.

exit codes: 0 every file accepted; 3 some files rejected (outputs still written;
            no case file when no bid was accepted); 2 bad usage (a path that does not
            exist, no workbooks found, a bad --case, an output that exists without
            --force or that would overwrite an input). Outputs are written whole or
            not at all; --workers is capped at the cores.

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
        help="the collection's years, e.g. 2016/17:2020/21; a bid whose years lie within "
        "them is kept with zeros in its other years (default: the base case's with "
        "--case/--case-out, else the most common)",
    )
    c.add_argument(
        "--workers", type=int, help="processes to use (default and most: every core, up to 8)"
    )
    c.add_argument("--force", action="store_true", help="replace existing -o / --case-out files")
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


def _case_for(base: Case, collected: CollectResult, named: bool = True) -> Case:
    """The base case with its bids replaced by the collected ones (a minimal case if the
    collected years are not the base case's); ``named=False`` (no --case given) names
    it "Collected bids" rather than after the reference case it borrows from."""
    if tuple(collected.years) == tuple(base.years):
        case = dataclasses.replace(base, bids=tuple(collected.bids))
        return case if named else dataclasses.replace(case, name="Collected bids")
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
                printable(
                    f"{ref:<12}{fmt_money(t.net[i].sum()):>20}{label:>13}  {collected.files[ref]}"
                )
                + "\n"
            )
    for level, group in (("error", collected.rejected), ("warning", collected.warnings)):
        for r in group:
            for e in r.errors:
                where = f"{e.sheet}!{e.cell}: " if e.cell else (f"{e.sheet}: " if e.sheet else "")
                out.write(printable(f"{level}: {r.file}: {where}{e.message}") + "\n")


def _case_text(path: Path, case: Case) -> bytes:
    text = dump_case(case)
    parse_case(text, str(path))  # what is written must be a case `cypsxl run` accepts
    return text.encode("utf-8")


def _existing_parent(path: Path) -> Path:
    parent = path.absolute().parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    return parent


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _check_outputs(args: argparse.Namespace, inputs: list[Path]) -> list[Path]:
    """Every output destination, checked before anything is read or written: not a
    folder, not an input (a bid, the --case file, the other output), not an existing file
    unless --force, in a folder that can be written to."""
    outputs = [Path(v) for v in (args.output, args.case_out) if v]
    if len(outputs) == 2 and (
        outputs[0].absolute() == outputs[1].absolute() or _same_file(*outputs)
    ):
        raise InputError(f"-o and --case-out both name {outputs[0]}; give two files")
    protected = [*inputs, *([Path(args.case)] if args.case else [])]
    for out in outputs:
        if out.is_dir():
            raise InputError(f"{out} is a folder; expected a file name")
        for src in protected:
            if out.absolute() == src.absolute() or _same_file(out, src):
                raise InputError(f"{out} is one of the inputs; it is never overwritten")
        if (out.exists() or out.is_symlink()) and not args.force:
            raise InputError(f"{out} exists; give --force to replace it")
        parent = _existing_parent(out)
        if not os.access(parent, os.W_OK | os.X_OK):
            raise InputError(f"cannot write {out}: the folder {parent} is not writable")
    return outputs


def _write_all(writers: list[tuple[Path, Callable[[Path], object]]]) -> None:
    """Write every output to a temporary file beside it, then rename each into place, so
    an output is whole or absent (a failure removes every temporary file)."""
    temps: list[tuple[Path, Path]] = []
    try:
        for target, write in writers:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(
                prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent
            )
            os.close(fd)
            temps.append((Path(name), target))
            write(Path(name))
            os.chmod(name, _mode_for(target))
        for tmp, target in temps:
            os.replace(tmp, target)
    except OSError as exc:
        raise InputError(f"cannot write {exc.filename or 'the outputs'}: {exc.strerror}") from None
    finally:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)


def _display(collected: CollectResult) -> CollectResult:
    """The collection with every file name made safe to store in a workbook (bytes that are
    not UTF-8 in a name become U+FFFD)."""

    def clean(name: str) -> str:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")

    def problems(items: list[Rejected]) -> list[Rejected]:
        return [
            Rejected(clean(r.file), [dataclasses.replace(e, file=clean(e.file)) for e in r.errors])
            for r in items
        ]

    return dataclasses.replace(
        collected,
        files={k: clean(v) for k, v in collected.files.items()},
        rejected=problems(collected.rejected),
        warnings=problems(collected.warnings),
        skipped=[clean(f) for f in collected.skipped],
    )


def _budget_warnings(collected: CollectResult, case: Case) -> CollectResult:
    """Add a warning to a bid's file where its investment or gross saving in a year is
    larger than the whole CYPS net budget of that year (accepted, but most likely wrong)."""
    found: dict[str, list[CellProblem]] = {}
    for ref, key, _, message in larger_than_budget(case):
        file = collected.files.get(ref)
        if file is not None:
            label = "funding sought" if key == "investment" else "gross saving"
            found.setdefault(file, []).append(CellProblem(file, "Bid", "", f"{label}: {message}"))
    if not found:
        return collected
    warnings = {w.file: list(w.errors) for w in collected.warnings}
    for file, extra in found.items():
        warnings.setdefault(file, []).extend(extra)
    return dataclasses.replace(
        collected, warnings=[Rejected(f, errs) for f, errs in warnings.items()]
    )


def _collect(args: argparse.Namespace) -> int:
    unreadable: list[tuple[str, str]] = []
    files, locks, missing = find_workbooks(args.paths, unreadable)
    if missing:
        raise InputError(f"{', '.join(missing)}: no such file or folder")
    if not files and not unreadable:
        what = f" ({len(locks)} Excel lock file(s) skipped)" if locks else ""
        raise InputError(f"no workbooks found in {', '.join(args.paths)}{what}")
    if args.workers is not None and args.workers < 1:
        raise InputError("--workers must be 1 or more")
    _check_outputs(args, files)
    base, binding = _base(args)
    years = parse_years(args.years) if args.years else (base.years if binding else None)
    bar = _progress(args)
    report: Callable[[int, int], None] = bar
    try:
        collected = collect_bids(
            args.paths, years=years, base=base.assumptions, workers=args.workers, progress=report
        )
    finally:
        bar.close()
    case = _case_for(base, collected, named=bool(args.case))
    collected = _budget_warnings(collected, case)
    results = run_case(case) if collected.bids else None
    writers: list[tuple[Path, Callable[[Path], object]]] = []
    shown = _display(collected)
    if args.output:
        writers.append((Path(args.output), lambda tmp: write_consolidated(tmp, shown, results)))
    if args.case_out and collected.bids:
        text = _case_text(Path(args.case_out), case)
        writers.append((Path(args.case_out), lambda tmp: tmp.write_bytes(text)))
    _write_all(writers)
    if args.json:
        print_json(_json(shown, results))
    else:
        _summary(collected, results, sys.stdout)
    if args.case_out and not collected.bids:
        print(
            printable(f"error: no bid was accepted, so no case was written to {args.case_out}"),
            file=sys.stderr,
        )
    elif args.case_out and not args.case:
        print(
            f"note: {args.case_out} takes its budget, pressures and MTFS gap from the "
            f"reference case ({base.name}); give --case to use your own",
            file=sys.stderr,
        )
    return EXIT_PARTIAL if collected.rejected or (args.case_out and not collected.bids) else EXIT_OK
