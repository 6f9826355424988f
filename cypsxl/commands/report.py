"""``cypsxl report CASE -o report.xlsx [--pdf report.pdf]``: the report workbook of a case."""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path

from openpyxl import Workbook

from .._version import __version__
from ..casefile import load_case
from ..casefile._monitoring import file_kind
from ..cli import InputError
from ..excel.refresh import inputs_hash
from ..model import run_case
from ..model.dates import day_number
from ..model.monitoring import MonitoringCase
from ..workbook.files import save_deterministic
from ..workbook.monitoring_report import LacByMonth, build_monitoring_report
from ..workbook.report import ReportInfo, build_report
from .monitor import monitoring_results
from .placements import summary as placements_summary

__all__ = ["convert_to_pdf", "register"]

HELP = """Write a case's report workbook: a cover (authority, title, date, cypsxl version,
the case's hash), the tables as the Cabinet report lays them out, and charts - every
sheet A4 landscape, one page wide, ready to print.

An MTFS case gives Tables 1-4, the bids' cumulative net and gross savings, and charts of
the funding gap, funding support, each bid's cumulative net and Table 1. A monitoring
case (a file with [monitoring]) gives the summary by group and line with RAG colours,
the General Fund and ring-fenced totals, risks and savings delivery, and charts of the
variance by line, the forecast by period and looked-after children by month.

examples:
  cypsxl report mycase.toml -o report.xlsx
  cypsxl report mycase.toml -o report.xlsx --pdf report.pdf   (needs LibreOffice)
  cypsxl report -o reference.xlsx --date 2016-11-23           the reference case, dated
  cypsxl report monitoring.toml -o p7.xlsx --mtfs mtfs.toml   a monitoring period
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
    p.add_argument(
        "--mtfs",
        metavar="MTFS.toml",
        help="monitoring case: take planned savings from this MTFS case's bids",
    )
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
    date = args.date or dt.date.today()
    if args.case and file_kind(args.case) == "monitoring":
        wb = _monitoring_workbook(args, date)
    else:
        if args.mtfs:
            raise InputError("--mtfs is for a monitoring case (a file with [monitoring])")
        case = load_case(args.case)
        info = ReportInfo(date=date, version=__version__, case_hash=inputs_hash(case))
        wb = build_report(run_case(case), info)
    stamp = dt.datetime.combine(date, dt.time(9, 0))
    wb.properties.created = stamp  # openpyxl dates a new workbook now: same date, same bytes
    save_deterministic(wb, out, stamp)
    print(f"wrote {out}")
    if pdf is not None:
        convert_to_pdf(out, pdf)
        print(f"wrote {pdf}")
    return 0


def _monitoring_workbook(args: argparse.Namespace, date: dt.date) -> Workbook:
    results = monitoring_results(args.case, args.mtfs)
    case = results.case
    digest = hashlib.sha256(Path(args.case).read_bytes())
    if args.mtfs:
        digest.update(Path(args.mtfs).read_bytes())
    info = ReportInfo(
        date=date,
        version=__version__,
        case_hash=digest.hexdigest(),
        title=f"{case.directorate}: budget monitoring {case.year}, period {case.period}",
    )
    return build_monitoring_report(results, info, _lac_by_month(case))


def _lac_by_month(case: MonitoringCase) -> LacByMonth | None:
    """Looked-after children at each month end to the period, where the case has a
    placement register (or SSDA903 episodes)."""
    drivers = case.drivers.get("cost_drivers")
    if drivers is None:
        return None
    doc = placements_summary(drivers, case.year, day_number(case.as_at_date))
    months = doc.get("months")
    if months is None:
        return None
    n = case.period
    counts = months["looked_after_at_month_end"][:n]
    return LacByMonth(
        tuple(months["month"][:n]), tuple(float(c or 0) for c in counts), months["basis"]
    )


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
