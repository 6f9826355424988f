"""Print set-up shared by every workbook cypsxl writes for people to read.

A4 landscape, fitted one page wide, print titles, a header naming the document and a
footer "Page x of y"; bold headings; totals ruled off (a thin rule above, a double rule
below); money in £m to 3 decimals with negatives in brackets; columns wide enough for
what they show. No finance rules: the caller gives the values.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

__all__ = [
    "AMBER",
    "BOLD",
    "FMT_MONEY",
    "FONT",
    "GREEN",
    "HEADING",
    "NOTE",
    "RAG_FILLS",
    "RED",
    "TITLE",
    "Grid",
    "display_text",
    "fit_columns",
    "print_setup",
    "rule_total",
    "text_width",
    "wrap_columns",
    "write_grid",
]

#: £m to 3 decimals, negatives in brackets, zero as a dash.
FMT_MONEY = '#,##0.000;(#,##0.000);"-"'
#: The font of every cell cypsxl styles (a font without a name prints in a serif face).
FONT = "Calibri"
BOLD = Font(name=FONT, bold=True)
TITLE = Font(name=FONT, bold=True, size=14, color="1F3864")
HEADING = Font(name=FONT, bold=True, size=12, color="1F3864")
NOTE = Font(name=FONT, italic=True, color="595959")
GREEN = "C6EFCE"
AMBER = "FFEB9C"
RED = "FFC7CE"
#: Fills of a RAG rating (the light fills Excel's own conditional formats use).
RAG_FILLS = {
    "green": PatternFill("solid", fgColor=GREEN),
    "amber": PatternFill("solid", fgColor=AMBER),
    "red": PatternFill("solid", fgColor=RED),
}
_THIN = Side(style="thin")
_DOUBLE = Side(style="double")
_RIGHT = Alignment(horizontal="right")
_WRAP = Alignment(wrap_text=True, vertical="top")


def print_setup(
    ws: Worksheet,
    title: str,
    title_rows: str | None = None,
    landscape: bool = True,
    print_area: str | None = None,
) -> None:
    """A4, one page wide (as many pages down as needed), header and footer.

    >>> from openpyxl import Workbook
    >>> ws = Workbook().active
    >>> print_setup(ws, "MTFS report", "1:3")
    >>> ws.page_setup.fitToWidth, ws.oddFooter.right.text, ws.print_title_rows
    (1, 'Page &P of &N', '$1:$3')
    """
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.print_options.horizontalCentered = True
    if title_rows:
        ws.print_title_rows = title_rows
    if print_area:
        ws.print_area = print_area
    ws.oddHeader.left.text = title.replace("&", "&&")
    ws.oddHeader.right.text = "&A"
    ws.oddFooter.right.text = "Page &P of &N"


def title_and_note(ws: Worksheet, title: str, note: str) -> None:
    """A sheet's title in A1 and a note on how to read it in A2, in their fonts.

    >>> from openpyxl import Workbook
    >>> ws = Workbook().active
    >>> title_and_note(ws, "Workforce", "Blank from / to = all year.")
    >>> ws["A1"].value, ws["A1"].font.size, ws["A2"].value, ws["A2"].font.italic
    ('Workforce', 14.0, 'Blank from / to = all year.', True)
    """
    ws["A1"] = title
    ws["A1"].font = TITLE
    ws["A2"] = note
    ws["A2"].font = NOTE


def rule_total(ws: Worksheet, row: int, first_col: int, last_col: int) -> None:
    """Rule a total off: bold, a thin rule above, a double rule below."""
    for col in range(first_col, last_col + 1):
        cell = ws.cell(row, col)
        cell.border = Border(top=_THIN, bottom=_DOUBLE)
        cell.font = BOLD


def display_text(value: Any, fmt: str = "General") -> str:
    """The text a cell shows for ``value`` under the number formats cypsxl uses.

    >>> display_text(-2.2764, FMT_MONEY), display_text(0.0, FMT_MONEY), display_text(3, "0")
    ('(2.276)', '-', '3')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        if fmt == FMT_MONEY:
            rounded = round(float(value), 3)
            if rounded == 0:
                return "-"
            text = f"{abs(rounded):,.3f}"
            return f"({text})" if rounded < 0 else text
        if fmt.startswith("0.0%"):
            return f"{float(value) * 100:.1f}%"
        if math.isfinite(float(value)) and float(value) == int(value):
            return f"{int(value):,}" if "," in fmt else str(int(value))
        return f"{float(value):,.3f}"
    return str(value)


# Widths of characters of the sans fonts spreadsheets print in, as a share of the width
# of "0" (the unit of an Excel column width): narrow, wide and capital letters.
_NARROW = set("iljtfrI.,;:'!|()[] -")
_WIDE = set("mwMW@%")


def text_width(text: str, bold: bool = False, size: float = 11.0) -> float:
    """An estimate of ``text``'s width in Excel column units (widths of "0").

    Generous: a column this wide shows the text whole in Calibri or its substitutes.

    >>> round(text_width("0000"), 1), text_width("") == 0
    (4.0, True)
    """
    if not text:
        return 0.0
    longest = max(text.split("\n"), key=len)
    units = 0.0
    for ch in longest:
        if ch in _NARROW:
            units += 0.55
        elif ch in _WIDE:
            units += 1.45
        elif ch.isupper():
            units += 1.2
        else:
            units += 1.0
    return units * (1.1 if bold else 1.0) * size / 11.0


def fit_columns(
    ws: Worksheet,
    minimum: float = 8.0,
    maximum: float = 60.0,
    skip_rows: Iterable[int] = (),
    padding: float = 2.0,
) -> None:
    """Make every used column wide enough for its widest cell (rows in ``skip_rows``,
    e.g. titles that run across, are left out); never below ``minimum`` or above
    ``maximum`` (wrapped cells do not count)."""
    skip = set(skip_rows)
    widths: dict[int, float] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None or cell.row in skip:
                continue
            if cell.alignment is not None and cell.alignment.wrap_text:
                continue
            font = cell.font
            text = display_text(cell.value, cell.number_format)
            w = text_width(text, bool(font and font.b), float(font.sz or 11) if font else 11.0)
            widths[cell.column] = max(widths.get(cell.column, 0.0), w + padding)
    for col, width in widths.items():
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = round(min(maximum, max(minimum, width)), 1)


@dataclass(frozen=True)
class Grid:
    """Where :func:`write_grid` put a table: its header row, first and last body rows
    and its last column."""

    header_row: int
    first_row: int
    last_row: int
    last_col: int


def _put(cell: Cell, value: Any, fmt: str | None) -> None:
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # text, never a formula
    else:
        cell.value = value
        if fmt and value is not None:
            cell.number_format = fmt


def write_grid(
    ws: Worksheet,
    top: int,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    formats: Sequence[str | None] | None = None,
    total_rows: Iterable[int] = (),
    text_cols: int = 1,
) -> Grid:
    """A bold header at row ``top`` (ruled below; headings over figures right-aligned),
    then ``rows``; ``formats[j]`` is column j's number format (0-based); ``total_rows``
    (0-based indexes into ``rows``) are ruled off. The first ``text_cols`` columns are
    labels, the rest figures.

    >>> from openpyxl import Workbook
    >>> ws = Workbook().active
    >>> g = write_grid(ws, 2, ["£m", "2016/17"], [["Net", 1.0], ["Total", 1.0]], total_rows=[1])
    >>> (g.header_row, g.first_row, g.last_row), ws["B4"].border.bottom.style
    ((2, 3, 4), 'double')
    """
    width = max([len(header), *(len(r) for r in rows)])
    fmts = list(formats or [])
    for j, title in enumerate(header):
        cell = ws.cell(top, 1 + j)
        _put(cell, title, None)
        cell.font = BOLD
        cell.border = Border(bottom=_THIN)
        if j >= text_cols:
            cell.alignment = _RIGHT
    for i, row in enumerate(rows, start=top + 1):
        for j, value in enumerate(row):
            fmt = fmts[j] if j < len(fmts) else None
            cell = ws.cell(i, 1 + j)
            _put(cell, value, fmt)
            if j >= text_cols and isinstance(value, str):
                cell.alignment = _RIGHT
    for k in total_rows:
        rule_total(ws, top + 1 + k, 1, width)
    return Grid(top, top + 1, top + len(rows), width)


def wrap_columns(ws: Worksheet, widths: Mapping[int, float], first_row: int = 1) -> None:
    """Give columns fixed widths and wrap their text, making each row from ``first_row``
    tall enough for its longest wrapped cell (spreadsheets do not grow rows on opening).

    >>> from openpyxl import Workbook
    >>> ws = Workbook().active
    >>> ws["A1"] = "word " * 12
    >>> wrap_columns(ws, {1: 20}); ws.row_dimensions[1].height
    45.0
    """
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width
    for r in range(first_row, ws.max_row + 1):
        lines = 1
        for col, width in widths.items():
            cell = ws.cell(r, col)
            if cell.value is None:
                continue
            cell.alignment = _WRAP
            font = cell.font
            text = display_text(cell.value, cell.number_format)
            need = text_width(text, bool(font and font.b)) + 1.0
            lines = max(lines, math.ceil(need / max(width - 1.0, 1.0)))
        if lines > 1:
            ws.row_dimensions[r].height = 15.0 * lines
