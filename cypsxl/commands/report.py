"""``cypsxl report CASE -o report.xlsx [--pdf report.pdf]``: the report workbook of a case."""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import subprocess
import tempfile
from pathlib import Path

from .._version import __version__
from ..casefile import load_case
from ..cli import InputError
from ..excel.refresh import inputs_hash
from ..model import run_case
from ..workbook.files import save_deterministic
from ..workbook.report import ReportInfo, build_report

__all__ = ["convert_to_pdf", "register"]

HELP = """Write a case's report workbook: a cover (authority, title, date, cypsxl version,
the case's hash), Tables 1-4 as the Cabinet report lays them out, the bids' cumulative
net, and charts - every sheet A4 landscape, one page wide, ready to print.

examples:
  cypsxl report mycase.toml -o report.xlsx
  cypsxl report mycase.toml -o report.xlsx --pdf report.pdf   (needs LibreOffice)
  cypsxl report -o reference.xlsx --date 2016-11-23           the reference case, dated
"""

#: LibreOffice's --convert-to stops silently after ~247 files in one process.
PDF_TIMEOUT = 300


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``report`` command."""
    p = subparsers.add_parser(
        "report",
        help="write a case's report workbook (and PDF)",
        description=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "case", nargs="?", help="case file (.toml); default: the embedded reference case"
    )
    p.add_argument("-o", "--output", required=True, help="report workbook to write (.xlsx)")
    p.add_argument("--pdf", help="also write the report as a PDF (through LibreOffice)")
    p.add_argument("--date", type=_date, help="the date on the cover, YYYY-MM-DD (default: today)")
    p.set_defaults(func=_report)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2016-11-23") from None


def _check_output(path: Path, suffix: str, option: str) -> None:
    if path.suffix.lower() != suffix:
        raise InputError(f"{option} {path}: the file name must end in {suffix}")
    if path.is_dir():
        raise InputError(f"{option} {path}: is a folder; give a file name")


def _report(args: argparse.Namespace) -> int:
    out = Path(args.output)
    _check_output(out, ".xlsx", "-o")
    pdf = Path(args.pdf) if args.pdf else None
    if pdf is not None:
        _check_output(pdf, ".pdf", "--pdf")
        if soffice() is None:
            raise InputError(
                "--pdf needs LibreOffice (soffice), which is not installed here: install it "
                "(apt-get install libreoffice-calc-nogui) or leave out --pdf and print the "
                "workbook from Excel"
            )
    case = load_case(args.case)
    date = args.date or dt.date.today()
    info = ReportInfo(date=date, version=__version__, case_hash=inputs_hash(case))
    wb = build_report(run_case(case), info)
    stamp = dt.datetime.combine(date, dt.time(9, 0))
    save_deterministic(wb, out, stamp)
    print(f"wrote {out}")
    if pdf is not None:
        convert_to_pdf(out, pdf)
        print(f"wrote {pdf}")
    return 0


def soffice() -> str | None:
    """The LibreOffice program, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_pdf(workbook: Path, pdf: Path) -> Path:
    """Print ``workbook`` to ``pdf`` with LibreOffice headless, in a private profile (so a
    LibreOffice the user has open is not disturbed)."""
    program = soffice()
    if program is None:
        raise InputError("LibreOffice (soffice) is not installed: cannot write a PDF")
    with tempfile.TemporaryDirectory(prefix="cypsxl-pdf-") as tmp:
        profile = (Path(tmp) / "profile").as_uri()
        cmd = [
            program,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            tmp,
            str(workbook),
        ]
        try:
            subprocess.run(cmd, check=True, capture_output=True, timeout=PDF_TIMEOUT)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
            raise InputError(f"LibreOffice could not print {workbook} to PDF: {exc}") from None
        written = Path(tmp) / (workbook.stem + ".pdf")
        if not written.exists():
            raise InputError(f"LibreOffice wrote no PDF of {workbook}")
        pdf.parent.mkdir(parents=True, exist_ok=True)
        tmp_pdf = pdf.with_name(f".{pdf.name}.tmp")
        shutil.copyfile(written, tmp_pdf)
        tmp_pdf.replace(pdf)
    return pdf
