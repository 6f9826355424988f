"""Print workbooks to PDF with LibreOffice and inspect what came out, page by page.

``print_to_pdf`` converts many workbooks in ONE LibreOffice run (a private profile);
``pages`` gives each page's sheet (read from the header, which names the sheet), size
and text; ``clipped_cells`` names the cells whose text is not whole in the printed
text of their sheet; ``too_wide_cells`` measures each cell's text with the font's own
metrics (Pillow, DejaVu Sans - the face LibreOffice prints Calibri in when Calibri and
Carlito are absent) against its column; ``chart_problems`` reads the chart parts;
``compare_png`` compares a page's picture with a golden one.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import range_boundaries
from PIL import Image, ImageChops, ImageFont

from .recalc import SOFFICE

__all__ = [
    "Page",
    "chart_problems",
    "clipped_cells",
    "compare_png",
    "pages",
    "print_to_pdf",
    "shown",
    "too_wide_cells",
]

FONTS = Path("/usr/share/fonts/truetype/dejavu")
#: Width of "0" in DejaVu Sans at 11 pt, in points: LibreOffice's column width unit when
#: it prints Calibri 11 in DejaVu Sans (measured: a column 10 wide is 70 pt in the PDF).
ZERO_PT = 7.0
#: LibreOffice's inner cell margins, left and right, in points.
PADDING_PT = 2.0


def print_to_pdf(paths: Sequence[Path], outdir: Path, timeout: float = 300) -> dict[Path, Path]:
    """Print every workbook to PDF in one LibreOffice run; return {workbook: pdf}."""
    if SOFFICE is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    outdir.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.gettempdir()) / f"cypsxl-lo-print-{os.getpid()}"
    cmd = [
        SOFFICE,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        "pdf",
        "--outdir",
        str(outdir),
        *map(str, paths),
    ]
    subprocess.run(cmd, check=True, capture_output=True, timeout=timeout)
    out = {p: outdir / (p.stem + ".pdf") for p in paths}
    missing = [str(p) for p, q in out.items() if not q.exists()]
    assert not missing, f"LibreOffice printed no PDF of {missing}"
    return out


@dataclass(frozen=True)
class Page:
    """One printed page: its number (1-based), sheet, size in points and text."""

    number: int
    sheet: str
    width: float
    height: float
    text: str


_SIZE = re.compile(r"Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+)")


def pages(pdf: Path, sheets: Iterable[str]) -> list[Page]:
    """Every page of ``pdf``, its sheet found as the last word(s) of its header line."""
    names = sorted(sheets, key=len, reverse=True)
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "9999", str(pdf)], capture_output=True, text=True
    ).stdout
    sizes = {int(n): (float(w), float(h)) for n, w, h in _SIZE.findall(info)}
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True
    ).stdout
    out = []
    for k, page_text in enumerate(text.split("\f")[: len(sizes)], start=1):
        header = next((line for line in page_text.splitlines() if line.strip()), "")
        sheet = next((n for n in names if header.rstrip().endswith(n)), "?")
        out.append(Page(k, sheet, *sizes[k], page_text))
    return out


# --------------------------------------------------------------------------- cell text


def _money(value: float, decimals: int) -> str:
    rounded = round(value, decimals)
    if rounded == 0:
        return "-"
    text = f"{abs(rounded):,.{decimals}f}"
    return f"({text})" if rounded < 0 else text


def shown(value: Any, fmt: str) -> str | None:
    """The text a cell shows for the number formats cypsxl writes (None: not known).

    >>> shown(-2.2764, '#,##0.000;(#,##0.000);"-"'), shown(22000, '"£"#,##0')
    ('(2.276)', '£22,000')
    """
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if not isinstance(value, int | float):
        return None
    v = float(value)
    known = {
        '#,##0.000;(#,##0.000);"-"': lambda: _money(v, 3),
        '#,##0;(#,##0);"-"': lambda: _money(v, 0),
        '"£"#,##0': lambda: f"£{v:,.0f}",
        "#,##0": lambda: f"{v:,.0f}",
        "#,##0.0": lambda: f"{v:,.1f}",
        "0": lambda: f"{v:.0f}",
        "0.00": lambda: f"{v:.2f}",
        "0.0%": lambda: f"{v * 100:.1f}%",
        "0.000": lambda: f"{v:.3f}",
    }
    if fmt in known:
        return known[fmt]()
    if fmt == "General" and v == int(v):
        return str(int(v))
    return None


def _printed_cells(ws: Any) -> Iterable[tuple[Any, str]]:
    """(cell, shown text) of every printed non-formula cell with text we can predict."""
    area = ws.print_area
    bounds = None
    if area:
        ref = area if isinstance(area, str) else area[0]
        bounds = range_boundaries(ref.split("!")[-1].replace("$", ""))
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None or cell.data_type == "f":
                continue
            if bounds is not None:
                c1, r1, c2, r2 = bounds
                if not (c1 <= cell.column <= c2 and r1 <= cell.row <= r2):
                    continue
            text = shown(cell.value, cell.number_format)
            if text:
                yield cell, text


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def clipped_cells(workbook: Path, printed: list[Page]) -> dict[str, str]:
    """Cells whose text is not whole in the printed text of their sheet:
    {"Sheet!A1": text}. A wrapped cell is looked for word by word (its lines may be
    read between its neighbours' text); every other cell whole."""
    wb = openpyxl.load_workbook(workbook)
    out = {}
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        printed_text = _squash("".join(p.text for p in printed if p.sheet == ws.title))
        for cell, text in _printed_cells(ws):
            wrapped = cell.alignment is not None and cell.alignment.wrap_text
            parts = text.split() if wrapped else [text]
            if any(_squash(part) not in printed_text for part in parts):
                out[f"{ws.title}!{cell.coordinate}"] = text
    return out


def _font(bold: bool, size: float) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONTS / name), size=max(1, round(size * 8)))


def too_wide_cells(workbook: Path) -> dict[str, tuple[str, float, float]]:
    """Printed cells whose text is wider than their column: {"Sheet!A1": (text, text
    width, column width)} in points, measured with the font's metrics. Text that may
    run on into an empty neighbour, wrapped and merged cells are not measured."""
    wb = openpyxl.load_workbook(workbook)
    out = {}
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        merged = {c for r in ws.merged_cells.ranges for row in r.rows for c in row}
        for cell, text in _printed_cells(ws):
            wrapped = cell.alignment is not None and cell.alignment.wrap_text
            if wrapped or (cell.row, cell.column) in merged:
                continue
            neighbour = ws.cell(cell.row, cell.column + 1).value
            if isinstance(cell.value, str) and neighbour is None:
                continue  # text runs on into the empty cell beside it, as a title does
            font = cell.font
            size = float(font.sz or 11)
            width_pt = _font(bool(font.b), size).getlength(text) / 8
            letter = cell.column_letter
            units = ws.column_dimensions[letter].width if letter in ws.column_dimensions else 0
            column_pt = (units or 8.43) * ZERO_PT
            if width_pt > column_pt - PADDING_PT:
                out[f"{ws.title}!{cell.coordinate}"] = (text, width_pt, column_pt)
    return out


# --------------------------------------------------------------------------- charts

_NS = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}


def chart_problems(workbook: Path) -> tuple[int, list[str]]:
    """(number of charts, problems): each chart needs a title, titled axes, and series
    whose values are cells of the workbook holding numbers."""
    from xml.etree import ElementTree as ET

    wb = openpyxl.load_workbook(workbook)
    problems = []
    with zipfile.ZipFile(workbook) as zf:
        names = sorted(n for n in zf.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
        for name in names:
            root = ET.fromstring(zf.read(name))
            chart = root.find("c:chart", _NS)
            assert chart is not None
            if chart.find("c:title", _NS) is None:
                problems.append(f"{name}: no title")
            for axis in ("c:valAx", "c:catAx"):
                for ax in chart.iter(f"{{{_NS['c']}}}{axis[2:]}"):
                    if ax.find("c:title", _NS) is None:
                        problems.append(f"{name}: {axis[2:]} has no title")
            series = list(chart.iter(f"{{{_NS['c']}}}ser"))
            if not series:
                problems.append(f"{name}: no series")
            for ser in series:
                ref = ser.find("c:val/c:numRef/c:f", _NS)
                if ref is None or not ref.text:
                    problems.append(f"{name}: a series without values")
                    continue
                numbers = _numbers(wb, ref.text)
                if not numbers:
                    problems.append(f"{name}: {ref.text} holds no numbers")
    return len(names), problems


def _numbers(wb: Any, ref: str) -> list[Any]:
    """The numbers (or formulas, which give numbers once calculated) in ``ref``."""
    sheet, cells = ref.rsplit("!", 1)
    ws = wb[sheet.strip("'").replace("''", "'")]
    c1, r1, c2, r2 = range_boundaries(cells.replace("$", ""))
    return [
        cell.value
        for row in ws.iter_rows(min_row=r1, max_row=r2, min_col=c1, max_col=c2)
        for cell in row
        if isinstance(cell.value, int | float) or cell.data_type == "f"
    ]


# --------------------------------------------------------------------------- pictures


def compare_png(golden: Path, got: Path, tolerance: float = 0.01) -> str | None:
    """Why ``got`` is not ``golden`` (another size, or more than ``tolerance`` of its
    pixels differing by more than a quarter of the grey scale), or None."""
    a = Image.open(golden).convert("L")
    b = Image.open(got).convert("L")
    if a.size != b.size:
        return f"size {b.size} is not the golden {a.size}"
    diff = ImageChops.difference(a, b).point(lambda x: 255 if x > 64 else 0)
    changed = diff.histogram()[255] / (a.size[0] * a.size[1])
    if changed > tolerance:
        return f"{changed:.1%} of the pixels differ (tolerance {tolerance:.0%})"
    return None
