"""``cypsxl template new|fill``: the standard investment-bid workbook, blank or filled."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..casefile import load_case
from ..cli import InputError
from ..model.limits import ref_problem
from ..model.timeline import FinancialYearError, fy_label, parse_fy, validate_timeline
from ..workbook.template import fill_templates, safe_filename, write_blank_template

__all__ = ["parse_years", "register"]

HELP_NEW = """examples:
  cypsxl template new                              blank template, the reference case's years
  cypsxl template new -o CYPS_12.xlsx --ref CYPS_12 --years 2017/18:2020/21
"""
HELP_FILL = """examples:
  cypsxl template fill -o bids/                    one filled template per reference bid
  cypsxl template fill mycase.toml -o bids/        one per bid of your case
"""
HELP = (
    "Generate the standard investment-bid workbook (openpyxl; no Excel needed).\n\n"
    + HELP_NEW
    + HELP_FILL.removeprefix("examples:\n")
)


def parse_years(text: str) -> list[str]:
    """``2017/18:2020/21`` (a range) or ``2017/18,2018/19`` (a list) as year labels.

    >>> parse_years("2017/18:2019/20")
    ['2017/18', '2018/19', '2019/20']
    """
    try:
        if ":" in text:
            first, last = (parse_fy(x.strip()) for x in text.split(":", 1))
            if last < first:
                raise InputError(f"--years {text}: the last year comes before the first")
            if last - first >= 50:
                raise InputError(f"--years {text}: at most 50 years")
            years = [fy_label(y) for y in range(first, last + 1)]
        else:
            years = [x.strip() for x in text.split(",") if x.strip()]
        validate_timeline(years)
    except FinancialYearError as exc:
        raise InputError(f"--years {text}: {exc}; expected e.g. 2017/18:2020/21") from None
    return years


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``template`` command and its ``new`` and ``fill`` sub-commands."""
    p = subparsers.add_parser(
        "template",
        help="generate bid templates (blank, or filled from a case)",
        description=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="template_command", metavar="{new,fill}")
    new = sub.add_parser(
        "new",
        help="write a blank bid template",
        description="Write a blank investment-bid template for a budget holder.\n\n" + HELP_NEW,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    new.add_argument(
        "-o", "--output", help="file to write (default: <REF>.xlsx or cypsxl_bid_template.xlsx)"
    )
    new.add_argument("--ref", help="pre-fill the bid reference (e.g. CYPS_12)")
    new.add_argument(
        "--years", help="plan years, e.g. 2017/18:2020/21 (default: the reference case's)"
    )
    new.add_argument("--force", action="store_true", help="replace an existing file")
    new.set_defaults(func=_new)
    fill = sub.add_parser(
        "fill",
        help="write one filled template per bid of a case",
        description="Write one filled template per bid of a case.\n\n" + HELP_FILL,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    fill.add_argument("case", nargs="?", help="case file (.toml); default: the reference case")
    fill.add_argument("-o", "--output", required=True, help="folder to write the templates to")
    fill.add_argument("--force", action="store_true", help="replace existing files")
    fill.set_defaults(func=_fill)
    p.set_defaults(func=lambda args: _usage(p))


def _usage(p: argparse.ArgumentParser) -> int:
    p.print_help(sys.stderr)
    return 2


def _new(args: argparse.Namespace) -> int:
    if args.ref and (why := ref_problem(args.ref)) is not None:
        raise InputError(f"--ref: {why}")
    years = parse_years(args.years) if args.years else None
    default = safe_filename(args.ref) if args.ref else "cypsxl_bid_template.xlsx"
    out = Path(args.output or default)
    if out.is_dir():
        raise InputError(f"{out} is a folder; expected a file name ending .xlsx")
    if out.suffix.lower() != ".xlsx":
        raise InputError(f"{out}: expected a file name ending .xlsx")
    if out.exists() and not args.force:
        raise InputError(f"{out} exists; use --force to replace it")
    path = write_blank_template(out, args.ref, years)
    print(f"wrote {path}")
    return 0


def _fill(args: argparse.Namespace) -> int:
    case = load_case(args.case)
    outdir = Path(args.output)
    if outdir.exists() and not outdir.is_dir():
        raise InputError(f"{outdir} is a file; expected a folder")
    existing = [
        outdir / safe_filename(b.ref) for b in case.bids if (outdir / safe_filename(b.ref)).exists()
    ]
    if existing and not args.force:
        raise InputError(
            f"{len(existing)} file(s) exist already, e.g. {existing[0]}; use --force to replace"
        )
    try:
        paths = fill_templates(case, outdir)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    for path in paths:
        print(f"wrote {path}")
    return 0
