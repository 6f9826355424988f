"""``cypsxl refresh WORKBOOK [-o OUT]``: the workbook's refresh button, on a closed file."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from ..excel.refresh import refresh
from ..workbook.binding import open_workbook
from ..workbook.files import save_atomic

__all__ = ["register"]

HELP = """Refresh cypsxl's output tables in a workbook, as its refresh button does, without Excel.

Reads the inputs the workbook's 'cypsxl' sheet binds, runs the engine and writes the
output tables into the ranges cypsxl owns. If an output would cover a non-empty cell
cypsxl does not own, or an input is wrong, it names the sheet and cell and writes nothing.

The file is replaced atomically (a temporary file in the same folder, then a rename);
without -o the original is first copied to WORKBOOK.bak.xlsx (or .bak.xlsm).

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
    book = open_workbook(source)
    result = refresh(book)
    target = Path(args.output) if args.output else source
    if target.suffix.lower() != source.suffix.lower():
        raise InputError(f"{target}: keep the extension {source.suffix} of {source}")
    in_place = target.resolve() == source.resolve()  # -o naming the workbook itself too
    backup = source.with_name(f"{source.stem}.bak{source.suffix}") if in_place else None
    try:
        if backup is not None:
            shutil.copy2(source, backup)
        save_atomic(book.wb, target)
    except OSError as exc:
        raise InputError(
            f"{target}: cannot be written ({exc.strerror or exc}); is it open in Excel or "
            "read-only? The workbook was not changed"
        ) from None
    written = {k: a.address for k, a in result.written.items()}
    report = {
        "workbook": str(target),
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
        print(f"refreshed {target}" + (f" (backup: {backup})" if backup else ""))
        for key, address in written.items():
            print(f"  {key:<20} {address}")
    return 0
