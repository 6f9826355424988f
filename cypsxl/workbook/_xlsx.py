"""A small, fast reader of the parts of an .xlsx package a bid needs (values and formulas).

Only what the bid reader uses: the workbook's sheets and defined names, custom document
properties, shared strings, and the cells of a sheet with their cached values and
formula text (shared formulas expanded). XML is parsed with defusedxml through
:func:`.safety.parse_xml`; nothing here evaluates anything.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from openpyxl.formula.translate import Translator
from openpyxl.utils import column_index_from_string, get_column_letter

from .layout import Area
from .safety import HostileFile, Package, parse_part, parse_xml

__all__ = [
    "DefinedName",
    "RawCell",
    "WorkbookInfo",
    "address",
    "parse_area",
    "read_cells",
    "read_custom_properties",
    "read_shared_strings",
    "read_workbook",
]

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CUSTOM = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"

#: Excel's grid: rows 1-1,048,576, columns A-XFD.
MAX_ROW = 1_048_576
MAX_COL = 16_384
#: Excel's longest formula, in characters.
MAX_FORMULA_CHARS = 8_192

_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
_AREA = re.compile(
    r"^(?:'(?P<q>(?:[^']|'')+)'|(?P<s>[^'!]+))!(?P<a>\$?[A-Za-z]{1,3}\$?\d{1,7})"
    r"(?::(?P<b>\$?[A-Za-z]{1,3}\$?\d{1,7}))?$"
)


@lru_cache(maxsize=512)
def _col(letters: str) -> int:
    return column_index_from_string(letters.upper())


@lru_cache(maxsize=4096)
def split_ref(ref: str) -> tuple[int, int]:
    """(row, col) of an A1 reference inside Excel's grid; ValueError otherwise.

    >>> split_ref("$C$16")
    (16, 3)
    >>> split_ref("C12345678")
    Traceback (most recent call last):
    ...
    ValueError: C12345678
    """
    m = _REF.match(ref)
    if m is None:
        raise ValueError(ref)
    row, col = int(m.group(2)), _col(m.group(1))
    if not (1 <= row <= MAX_ROW and 1 <= col <= MAX_COL):
        raise ValueError(ref)
    return row, col


def address(row: int, col: int) -> str:
    """The A1 address of (row, col).

    >>> address(16, 3)
    'C16'
    """
    return f"{get_column_letter(col)}{row}"


@lru_cache(maxsize=1024)
def parse_area(text: str) -> Area | None:
    """The area a defined name refers to, or ``None`` if it is not one plain rectangle.

    >>> parse_area("'My bid'!$C$6:$G$6")
    Area(sheet='My bid', row=6, col=3, last_row=6, last_col=7)
    >>> parse_area("Bid!#REF!") is None
    True
    """
    m = _AREA.match(text.strip())
    if m is None:
        return None
    sheet = m.group("q").replace("''", "'") if m.group("q") else m.group("s")
    r1, c1 = split_ref(m.group("a"))
    r2, c2 = split_ref(m.group("b")) if m.group("b") else (r1, c1)
    return Area(sheet, min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2))


@dataclass(frozen=True, slots=True)
class DefinedName:
    """A defined name as written in workbook.xml."""

    name: str
    text: str
    sheet_scoped: bool


@dataclass(frozen=True, slots=True)
class WorkbookInfo:
    """Sheets (name -> part path) and defined names of a workbook."""

    sheets: dict[str, str]
    names: list[DefinedName]


def _target(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def read_workbook(pkg: Package) -> WorkbookInfo:
    """Sheets and defined names of the package's workbook."""
    root = parse_xml(pkg.read("xl/workbook.xml"), "xl/workbook.xml")
    rels: dict[str, str] = {}
    rels_part = "xl/_rels/workbook.xml.rels"
    if pkg.has(rels_part):
        for rel in parse_xml(pkg.read(rels_part), rels_part).iter(f"{_PKG}Relationship"):
            rels[rel.get("Id", "")] = _target("xl/workbook.xml", rel.get("Target", ""))
    sheets = {}
    for sheet in root.iter(f"{NS}sheet"):
        part = rels.get(sheet.get(f"{_R}id", ""))
        if part is not None:
            sheets[sheet.get("name", "")] = part
    names = [
        DefinedName(d.get("name", ""), d.text or "", d.get("localSheetId") is not None)
        for d in root.iter(f"{NS}definedName")
    ]
    return WorkbookInfo(sheets, names)


def read_custom_properties(pkg: Package) -> dict[str, str]:
    """Custom document properties (name -> text value); empty if there are none."""
    part = "docProps/custom.xml"
    if not pkg.has(part):
        return {}
    out = {}
    for prop in parse_xml(pkg.read(part), part).iter(f"{_CUSTOM}property"):
        value = next(iter(prop), None)
        out[prop.get("name", "")] = "" if value is None else (value.text or "")
    return out


def _text(node: Any) -> str:
    """Text of a string item: plain ``<t>`` or rich-text runs (phonetic runs left out)."""
    t = node.find(f"{NS}t")
    if t is not None:
        return t.text or ""
    return "".join(r.findtext(f"{NS}t") or "" for r in node.iter(f"{NS}r"))


def read_shared_strings(pkg: Package) -> list[str]:
    """The shared string table (empty if the package has none)."""
    rels = "xl/_rels/workbook.xml.rels"
    part = "xl/sharedStrings.xml"
    if not pkg.has(part) and pkg.has(rels):
        for rel in parse_xml(pkg.read(rels), rels).iter(f"{_PKG}Relationship"):
            if rel.get("Type", "").endswith("/sharedStrings"):
                part = _target("xl/workbook.xml", rel.get("Target", ""))
    if not pkg.has(part):
        return []
    return [_text(si) for si in parse_part(pkg.read(part), part).iter(f"{NS}si")]


@dataclass(slots=True)
class RawCell:
    """A cell as stored: cached value (None, float, str, bool or an error text such as
    ``#VALUE!`` with ``error=True``) and formula text (without ``=``; None if none).

    A cell that shares another cell's formula (``<f t="shared" si=".."/>``) keeps the
    master's text and address in ``shared``; its own text is worked out only when
    :attr:`formula` is first read, so a sheet with a huge shared range costs nothing
    for the cells nobody looks at.

    >>> c = RawCell(None, None, shared=("SUM($C$25:C25)", "C26"), at="E26")
    >>> c.formula
    'SUM($C$25:E25)'
    """

    value: Any
    formula_text: str | None = None
    error: bool = False
    shared: tuple[str, str] | None = None
    at: str = ""

    @property
    def formula(self) -> str | None:
        """The formula text (without ``=``), or None."""
        if self.formula_text is None and self.shared is not None:
            text, origin = self.shared
            try:
                translated = Translator("=" + text, origin=origin).translate_formula(self.at)
            except Exception:  # a damaged shared formula: keep its text
                translated = text
            self.formula_text = translated.lstrip("=")
        return self.formula_text


def _index(v: str, strings: list[str]) -> str:
    """The shared string ``v`` points to; a negative or missing index is damage."""
    try:
        i = int(v)
    except ValueError:
        i = -1
    if not 0 <= i < len(strings):
        raise HostileFile(f"is damaged (a cell points to shared string {v[:20]!r})")
    return strings[i]


def _value(c: Any, strings: list[str]) -> tuple[Any, bool]:
    t = c.get("t", "n")
    if t == "inlineStr":
        node = c.find(f"{NS}is")
        return ("" if node is None else _text(node)), False
    v = c.findtext(f"{NS}v")
    if not v:  # openpyxl writes <v></v> for a formula never calculated
        return ("" if t == "str" and v is not None else None), False
    if t == "s":
        return _index(v, strings), False
    if t in ("str", "d"):
        return v, False
    if t == "b":
        return v.strip() in ("1", "true"), False
    if t == "e":
        return v, True
    try:
        return float(v), False
    except ValueError:
        raise HostileFile(f"is damaged (a number cell holds {v[:20]!r})") from None


def _cell_ref(ref: str, part: str) -> tuple[int, int]:
    try:
        return split_ref(ref)
    except ValueError:
        raise HostileFile(
            f"is damaged ({part} has a cell reference {ref[:20]!r}, not a cell of the grid)"
        ) from None


def _row_no(text: str | None, previous: int, part: str) -> int:
    if not text:
        return previous + 1
    try:
        row = int(text)
    except ValueError:
        row = 0
    if not 1 <= row <= MAX_ROW:
        raise HostileFile(f"is damaged ({part} has a row numbered {text[:20]!r})")
    return row


def read_cells(pkg: Package, part: str, strings: list[str]) -> dict[tuple[int, int], RawCell]:
    """Every stored cell of one worksheet part: {(row, col): RawCell}.

    Shared formulas are expanded lazily (see :class:`RawCell`); a cell that names a
    shared formula whose master is missing keeps no formula text but is still a formula.
    """
    root = parse_part(pkg.read(part), part)
    data = root.find(f"{NS}sheetData")
    out: dict[tuple[int, int], RawCell] = {}
    if data is None:
        return out
    masters: dict[str, tuple[str, str]] = {}
    children: list[tuple[RawCell, str]] = []
    row_no = 0
    for row in data.iter(f"{NS}row"):
        row_no = _row_no(row.get("r"), row_no, part)
        col_no = 0
        for c in row.iter(f"{NS}c"):
            ref = c.get("r")
            if ref:
                if len(c) == 0 and c.get("t") != "inlineStr":
                    continue  # a formatted empty cell: nothing to read
                r, col_no = _cell_ref(ref, part)
            else:
                r, col_no = row_no, col_no + 1
                if col_no > MAX_COL:
                    raise HostileFile(f"is damaged ({part} has a row wider than Excel's grid)")
            value, error = _value(c, strings)
            f = c.find(f"{NS}f")
            cell = RawCell(value, None, error)
            if f is not None:
                if len(f.text or "") > MAX_FORMULA_CHARS:
                    raise HostileFile(
                        f"is damaged ({part} cell {address(r, col_no)} has a formula longer "
                        f"than Excel's {MAX_FORMULA_CHARS:,} characters)"
                    )
                cell.formula_text = f.text or ""
                if f.get("t") == "shared":
                    si = f.get("si", "")
                    cell.at = address(r, col_no)
                    if f.text:
                        masters[si] = (f.text, cell.at)
                    else:
                        children.append((cell, si))
            out[(r, col_no)] = cell
    for cell, si in children:
        if si in masters:
            cell.formula_text, cell.shared = None, masters[si]
    return out
