"""``cypsxl refresh WORKBOOK [-o OUT]``: the workbook's refresh button, on a closed file."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..excel.refresh import refresh
from ..workbook.closed import open_file_book, write_result

__all__ = ["register"]

HELP = """Refresh cypsxl's output tables in a workbook, as its refresh button does, without Excel.

Reads the inputs the workbook's 'cypsxl' sheet binds, runs the engine and writes the
output tables into the ranges cypsxl owns. If an output would cover a non-empty cell
cypsxl does not own, or an input is wrong, it names the sheet and cell and writes nothing.

Only cypsxl's own cells change: every other cell, format, chart, picture, text box,
comment and macro stays byte for byte as it was. A refresh with nothing new writes
nothing. In place, the file is replaced atomically (a temporary file in the same folder,
then a rename; a symlink is followed and kept) after the state before it is kept: the
first time as WORKBOOK.bak.xlsx (never replaced afterwards), then the state before the
first change of each day as WORKBOOK.bak-YYYY-MM-DD.xlsx. A read-only workbook is refused.

examples:
  cypsxl refresh MTFS.xlsx                 refresh in place, keeping MTFS.bak.xlsx
  cypsxl refresh MTFS.xlsx -o new.xlsx     write the refreshed copy to new.xlsx
  cypsxl refresh MTFS.xlsx --json          report what was written as JSON
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``refresh`` command."""
    p = subparsers.add_parser(
        "refresh",
        help="refresh a workbook's output tables without Excel",
        description=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("workbook", help="the MTFS workbook (.xlsx or .xlsm) with a 'cypsxl' sheet")
    p.add_argument("-o", "--output", help="write here instead of replacing the workbook")
    p.add_argument("--json", action="store_true", help="print what was written as JSON")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from ..cli import InputError

    source = Path(args.workbook)
    target = Path(args.output) if args.output else None
    if target is not None and target.suffix.lower() != source.suffix.lower():
        raise InputError(f"{target}: keep the extension {source.suffix} of {source}")
    book = open_file_book(source)
    result = refresh(book)
    changed, backup = write_result(book, source, target)
    target = target or source
    written = {k: a.address for k, a in result.written.items()}
    report = {
        "workbook": str(target),
        "changed": changed,
        "backup": str(backup) if backup else None,
        "written": written,
        "cleared": [a.address for a in result.cleared],
        "inputs_hash": result.inputs_hash,
        "time": result.time,
    }
    if args.json:
        json.dump(report, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        done = "refreshed" if changed else "nothing new: left as it was,"
        print(f"{done} {target}" + (f" (backup: {backup})" if backup else ""))
        for key, address in written.items():
            print(f"  {key:<20} {address}")
    return 0
