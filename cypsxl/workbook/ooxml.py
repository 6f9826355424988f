"""Read and patch a user's .xlsx/.xlsm package without rebuilding it.

openpyxl rebuilds a workbook from what it models, so a load/save loses what it does not
model (text boxes, sparklines, rich text, pictures, form buttons, saved formula results).
This module works on the package itself instead:

- :class:`Package` reads the zip, the workbook part, the sheets and their cell values
  (one streamed pass a sheet, on first use), merged ranges, tables, array formulas and
  pivot tables;
- :func:`patch` returns a new package in which only the given cells were rewritten.
  Every part that holds none of them is copied as its compressed bytes, in the same
  order; in a worksheet that holds some, only those ``<c>`` elements (and, when cells
  are added, the ``<dimension>`` and the row's ``spans`` hint) change - every other
  byte of the part is kept. Strings are written inline, so the shared strings and the
  styles are never touched. When a value changed the workbook is told to recalculate on
  open (``fullCalcOnLoad``); the calculation chain is dropped only when formula cells
  were added or removed. A cell written with the value it already holds is left alone,
  and a package with no change comes back as ``None``.

Cell coordinates are 1-based ``(row, column)``. This module knows nothing of cypsxl's
bindings or finance rules.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import math
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element
from xml.parsers import expat

from defusedxml.ElementTree import fromstring, iterparse

__all__ = [
    "CLEAR",
    "MAX_COLUMN",
    "MAX_ROW",
    "Formula",
    "Package",
    "PackageError",
    "Rect",
    "Uncalculated",
    "col_letter",
    "patch",
]

MAX_ROW = 1_048_576
MAX_COLUMN = 16_384  # XFD

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"
_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_DOC = "/officeDocument"
_M = "{" + _MAIN + "}"


class PackageError(ValueError):
    """The package cannot be read or patched safely; ``where`` names the part or cell."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where
        self.message = message


class Formula(str):
    """Text to write as a formula (plain ``str`` values are always written as text)."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Uncalculated:
    """A formula cell with no saved result (the file was never calculated by Excel)."""

    formula: str


class _Clear:
    """The value that clears a cell's contents (its style stays)."""

    def __repr__(self) -> str:
        return "CLEAR"


CLEAR: Any = _Clear()


@dataclass(frozen=True, slots=True)
class Rect:
    """A 1-based inclusive rectangle of cells on one sheet."""

    top: int
    left: int
    bottom: int
    right: int

    def overlaps(self, top: int, left: int, bottom: int, right: int) -> bool:
        """True when the rectangle shares a cell with the one given."""
        return (
            self.top <= bottom and top <= self.bottom and self.left <= right and left <= self.right
        )

    @property
    def ref(self) -> str:
        """``A1:B2`` (``A1`` for one cell)."""
        a = f"{col_letter(self.left)}{self.top}"
        b = f"{col_letter(self.right)}{self.bottom}"
        return a if a == b else f"{a}:{b}"


def col_letter(col: int) -> str:
    """Column letters of a 1-based column number.

    >>> col_letter(1), col_letter(28), col_letter(16384)
    ('A', 'AB', 'XFD')
    """
    out = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


_CELL_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d{1,7})$")


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _parse_ref(ref: str) -> tuple[int, int] | None:
    m = _CELL_REF.match(ref.upper())
    if not m:
        return None
    row, col = int(m[2]), _col_number(m[1])
    if not (1 <= row <= MAX_ROW and 1 <= col <= MAX_COLUMN):
        return None
    return row, col


def _parse_rect(ref: str) -> Rect | None:
    """``A1:B2`` or ``A1`` as a :class:`Rect` (None when it is not one).

    >>> _parse_rect("B2:$C$4")
    Rect(top=2, left=2, bottom=4, right=3)
    """
    parts = ref.strip().split(":")
    cells = [_parse_ref(p) for p in parts]
    if not 1 <= len(cells) <= 2 or any(c is None for c in cells):
        return None
    (r0, c0), (r1, c1) = cells[0], cells[-1]  # type: ignore[misc]
    return Rect(min(r0, r1), min(c0, c1), max(r0, r1), max(c0, c1))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape(text: str) -> str:
    """Undo OOXML's ``_xHHHH_`` escapes (characters XML cannot hold)."""
    if "_x" not in text:
        return text
    return _ESCAPED.sub(lambda m: chr(int(m[1], 16)), text)


def _text_of(elem: Element) -> str:
    """Text of a string item (``<si>``/``<is>``): plain or rich runs, phonetic runs left out."""
    parts = []
    for child in elem:
        name = _local(child.tag)
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            for t in child:
                if _local(t.tag) == "t":
                    parts.append(t.text or "")
    return _unescape("".join(parts))


def _number(text: str) -> int | float:
    """A cell's number as openpyxl reads it: int unless it has a point or an exponent.

    >>> _number("5"), _number("5.5"), _number("1E-3")
    (5, 5.5, 0.001)
    """
    if "." in text or "E" in text or "e" in text or "n" in text.lower():
        return float(text)
    return int(text)


@dataclass
class SheetCells:
    """A worksheet's cells as read: values, formulas, merges, array formulas."""

    values: dict[int, dict[int, Any]] = field(default_factory=dict)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    merges: list[Rect] = field(default_factory=list)
    arrays: list[Rect] = field(default_factory=list)
    #: shared formulas: (row, column) of the cell that holds the formula, and its range
    shared: list[tuple[int, int, Rect]] = field(default_factory=list)

    def value(self, row: int, col: int) -> Any:
        """The cell's value (``None`` when blank)."""
        cells = self.values.get(row)
        return None if cells is None else cells.get(col)


@dataclass(frozen=True)
class SheetInfo:
    """A sheet of the workbook: its name, part, kind and whether it is scoped by index."""

    name: str
    part: str
    kind: str  # worksheet | chartsheet | dialogsheet | macrosheet


def _rels_path(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _target(source_part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


class Package:
    """A .xlsx/.xlsm package read from bytes; ``name`` is used in messages."""

    def __init__(self, data: bytes, name: str = "workbook") -> None:
        self.data = data
        self.name = name
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            self.infos = self.zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise PackageError("", f"is not a readable zip package ({exc})") from None
        self.names = {i.filename for i in self.infos}
        if any(n.lower().endswith(".bin") and n.startswith("xl/workbook") for n in self.names):
            raise PackageError("", "is a binary workbook (.xlsb); save it as .xlsx or .xlsm")
        self.workbook_part = self._office_document()
        root = self._xml(self.workbook_part)
        if root.tag.startswith("{" + _STRICT):
            raise PackageError(
                "", "is saved as Strict Open XML, which cypsxl cannot patch; save it as an "
                "Excel Workbook (.xlsx)"
            )  # fmt: skip
        if root.tag != _M + "workbook":
            raise PackageError(self.workbook_part, "is not a spreadsheet workbook part")
        self.sheets = self._sheets(root)
        self._names = self._defined_names(root)
        self._cells: dict[str, SheetCells] = {}
        self._ranges: dict[tuple[str, str], list[tuple[str, Rect]]] = {}
        self._strings: Sequence[str] | None = None
        self._dates: set[int] | None = None

    # ------------------------------------------------------------------ parts

    def read(self, part: str) -> bytes:
        """The uncompressed bytes of ``part``."""
        try:
            return self.zip.read(part)
        except KeyError:
            raise PackageError(part, "is referred to but missing from the package") from None
        except (zipfile.BadZipFile, zlib.error, OSError, ValueError) as exc:
            raise PackageError(part, f"cannot be read ({exc})") from None

    def _xml(self, part: str) -> Element:
        try:
            return fromstring(self.read(part))
        except PackageError:
            raise
        except Exception as exc:  # defusedxml raises its own kinds as well as ParseError
            raise PackageError(part, f"is not well-formed XML ({exc})") from None

    def _rels(self, part: str) -> list[tuple[str, str, str]]:
        """(id, type, target part) of ``part``'s relationships (external ones left out)."""
        path = _rels_path(part)
        if path not in self.names:
            return []
        out = []
        for rel in self._xml(path):
            if _local(rel.tag) != "Relationship" or rel.get("TargetMode") == "External":
                continue
            out.append(
                (rel.get("Id", ""), rel.get("Type", ""), _target(part, rel.get("Target", "")))
            )
        return out

    def _office_document(self) -> str:
        for _, kind, target in self._rels(""):
            if kind.endswith(_OFFICE_DOC):
                if target not in self.names:
                    break
                return target
        raise PackageError("_rels/.rels", "names no workbook part; is this an Excel workbook?")

    def _sheets(self, root: Element) -> list[SheetInfo]:
        rels = {rid: (kind, target) for rid, kind, target in self._rels(self.workbook_part)}
        out = []
        for sheets in root:
            if _local(sheets.tag) != "sheets":
                continue
            for sheet in sheets:
                rid = next((v for k, v in sheet.attrib.items() if _local(k) == "id"), "")
                kind, target = rels.get(rid, ("", ""))
                if not target:
                    raise PackageError(
                        self.workbook_part, f"sheet {sheet.get('name')!r} has no part"
                    )
                out.append(SheetInfo(sheet.get("name", ""), target, kind.rsplit("/", 1)[-1]))
        return out

    def _defined_names(self, root: Element) -> dict[str, str]:
        out = {}
        for block in root:
            if _local(block.tag) != "definedNames":
                continue
            for dn in block:
                if dn.get("localSheetId") is None and dn.get("name"):
                    out[dn.get("name", "")] = (dn.text or "").strip()
        return out

    def defined_names(self) -> dict[str, str]:
        """Workbook-level defined names -> what they refer to."""
        return dict(self._names)

    def sheet(self, name: str) -> SheetInfo:
        """The sheet called ``name`` (case as in the workbook)."""
        for s in self.sheets:
            if s.name == name:
                return s
        raise PackageError("", f"has no sheet {name!r}")

    # ------------------------------------------------------------------ values

    def strings(self) -> Sequence[str]:
        """The shared strings, in order."""
        if self._strings is None:
            part = next(
                (t for _, k, t in self._rels(self.workbook_part) if k.endswith("/sharedStrings")),
                None,
            )
            self._strings = []
            if part is not None and part in self.names:
                xml = self.read(part)
                _check_well_formed(xml, part)
                if _is_utf8(xml):
                    self._strings = _Strings(xml)  # each decoded when a cell needs it
                else:
                    root = self._xml(part)
                    self._strings = [_text_of(si) for si in root if _local(si.tag) == "si"]
        return self._strings

    def date_styles(self) -> set[int]:
        """Indexes of the cell formats (``s``) whose number format is a date or time."""
        if self._dates is None:
            from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

            self._dates = set()
            part = next(
                (t for _, k, t in self._rels(self.workbook_part) if k.endswith("/styles")), None
            )
            if part is None or part not in self.names:
                return self._dates
            root = self._xml(part)
            custom: dict[int, str] = {}
            for block in root:
                if _local(block.tag) == "numFmts":
                    for nf in block:
                        if (nf.get("numFmtId") or "").isdigit():
                            custom[int(nf.get("numFmtId", "0"))] = nf.get("formatCode", "")
                if _local(block.tag) == "cellXfs":
                    for i, xf in enumerate(block):
                        fid = xf.get("numFmtId", "0")
                        if not fid.isdigit():
                            continue
                        code = custom.get(int(fid), BUILTIN_FORMATS.get(int(fid), "General"))
                        if is_date_format(code):
                            self._dates.add(i)
        return self._dates

    def cells(self, sheet: str) -> SheetCells:
        """The worksheet's cells (read once, streamed)."""
        if sheet not in self._cells:
            self._cells[sheet] = self._read_cells(self.sheet(sheet))
        return self._cells[sheet]

    def _read_cells(self, info: SheetInfo) -> SheetCells:
        if info.kind != "worksheet":
            raise PackageError(info.name, f"is a {info.kind}, not a worksheet")
        xml = self.read(info.part)
        _check_well_formed(xml, info.part)
        if not _is_utf8(xml):
            return self._read_cells_tree(info, xml)  # not UTF-8: the slower, general reader
        return self._read_cells_fast(info, xml)

    def _read_cells_fast(self, info: SheetInfo, xml: bytes) -> SheetCells:
        """Cells found by the same patterns the patcher uses (the part is well-formed)."""
        out = SheetCells()
        m = _SHEETDATA.search(xml)
        if m is None:
            raise PackageError(info.name, "has no cell data (sheetData)")
        body_end = len(xml) if m[3] == b"/" else xml.find(b"sheetData", m.end())
        body = xml[m.end() : body_end] if m[3] != b"/" else b""
        strings: Sequence[str] | None = None
        dates: set[int] | None = None
        row_no = 0
        for rm in _ROW.finditer(body):
            r = _ATTR_R.search(rm[1])
            row_no = int(r[1]) if r is not None and r[1].isdigit() else row_no + 1
            if (r is not None and not r[1].isdigit()) or not 1 <= row_no <= MAX_ROW:
                raise PackageError(info.name, f"a row number {_show(r)} is not a row")
            col_no = 0
            for cm in _CELL.finditer(rm[2] or b""):
                attrs = dict(_ATTR_ALL.findall(cm[1]))
                ref = attrs.get(b"r")
                at = (row_no, col_no + 1) if ref is None else _parse_ref(ref.decode("latin-1"))
                if at is None or at[0] != row_no or at[1] > MAX_COLUMN:
                    raise PackageError(info.name, f"a cell reference {_text(ref)!r} is not a cell")
                col_no = at[1]
                inner = cm[2]
                kind = attrs.get(b"t", b"n")
                if not inner:
                    continue
                if kind == b"s" and strings is None:
                    strings = self.strings()
                if b"s" in attrs and dates is None:
                    dates = self.date_styles()
                value, formula, array = _decode_raw(
                    inner, kind, attrs.get(b"s"), strings or [], dates or set(), info, ref
                )
                if value is not None:
                    out.values.setdefault(row_no, {})[col_no] = value
                if formula is not None:
                    out.formulas[(row_no, col_no)] = formula
                if array is not None:
                    _note_formula_range(out, array, row_no, col_no)
        for mm in _MERGE.finditer(xml, body_end if body_end > 0 else 0):
            rect = _parse_rect(mm[1].decode("latin-1"))
            if rect is not None:
                out.merges.append(rect)
        return out

    def _read_cells_tree(self, info: SheetInfo, xml: bytes) -> SheetCells:
        out = SheetCells()
        strings: Sequence[str] | None = None
        dates: set[int] | None = None
        row_no, col_no = 0, 0
        source = io.BytesIO(xml)
        try:
            for event, elem in iterparse(source, events=("start", "end")):
                tag = elem.tag
                if event == "start":
                    if tag == _M + "row":
                        r = elem.get("r")
                        row_no = int(r) if r is not None and r.isdigit() else row_no + 1
                        if (r is not None and not r.isdigit()) or not 1 <= row_no <= MAX_ROW:
                            raise PackageError(info.name, f"a row number {r!r} is not a row")
                        col_no = 0
                    continue
                if tag == _M + "c":
                    ref = elem.get("r")
                    at = (row_no, col_no + 1) if ref is None else _parse_ref(ref)
                    if at is None or at[0] != row_no or at[1] > MAX_COLUMN:
                        raise PackageError(info.name, f"a cell reference {ref!r} is not a cell")
                    col_no = at[1]
                    if len(elem) or elem.get("t") == "inlineStr":
                        if strings is None and elem.get("t") == "s":
                            strings = self.strings()
                        if dates is None and elem.get("s"):
                            dates = self.date_styles()
                        value, formula = _decode(elem, strings or [], dates or set(), info, ref)
                        if value is not None:
                            out.values.setdefault(row_no, {})[col_no] = value
                        if formula is not None:
                            out.formulas[(row_no, col_no)] = formula
                        f = elem.find(_M + "f")
                        rect = _parse_rect(f.get("ref", "")) if f is not None else None
                        if f is not None and rect is not None:
                            kind = f.get("t", "").encode()
                            _note_formula_range(out, (kind, rect), row_no, col_no)
                    elem.clear()
                elif tag == _M + "row":
                    elem.clear()
                elif tag == _M + "mergeCell":
                    rect = _parse_rect(elem.get("ref", ""))
                    if rect is not None:
                        out.merges.append(rect)
        except PackageError:
            raise
        except Exception as exc:  # ParseError, and defusedxml's refusals
            raise PackageError(info.part, f"is not well-formed XML ({exc})") from None
        return out

    # ------------------------------------------------------------------ what may not be written

    def tables(self, sheet: str) -> list[tuple[str, Rect]]:
        """(display name, range) of the sheet's Excel tables (ListObjects)."""
        if ("table", sheet) not in self._ranges:
            self._ranges[("table", sheet)] = self._tables(sheet)
        return self._ranges[("table", sheet)]

    def _tables(self, sheet: str) -> list[tuple[str, Rect]]:
        info = self.sheet(sheet)
        out = []
        for _, kind, target in self._rels(info.part):
            if kind.endswith("/table") and target in self.names:
                root = self._xml(target)
                rect = _parse_rect(root.get("ref", ""))
                if rect is not None:
                    out.append((root.get("displayName") or root.get("name") or "", rect))
        return out

    def pivots(self, sheet: str) -> list[tuple[str, Rect]]:
        """(name, location) of the sheet's pivot tables."""
        if ("pivot", sheet) not in self._ranges:
            self._ranges[("pivot", sheet)] = self._pivots(sheet)
        return self._ranges[("pivot", sheet)]

    def _pivots(self, sheet: str) -> list[tuple[str, Rect]]:
        info = self.sheet(sheet)
        out = []
        for _, kind, target in self._rels(info.part):
            if kind.endswith("/pivotTable") and target in self.names:
                root = self._xml(target)
                for loc in root:
                    if _local(loc.tag) == "location":
                        rect = _parse_rect(loc.get("ref", ""))
                        if rect is not None:
                            out.append((root.get("name", ""), rect))
        return out


def _decode(
    elem: Element, strings: Sequence[str], dates: set[int], info: SheetInfo, ref: str | None
) -> tuple[Any, str | None]:
    """(value, formula) of one ``<c>``; a formula with no saved result is :class:`Uncalculated`."""
    kind = elem.get("t", "n")
    v = elem.find(_M + "v")
    f = elem.find(_M + "f")
    text = v.text if v is not None else None
    formula = None
    if f is not None:
        formula = "=" + (f.text or "") if f.get("t") in (None, "normal") and f.text else "\0"
    value: Any = None
    try:
        if kind == "inlineStr":
            inline = elem.find(_M + "is")
            value = _text_of(inline) if inline is not None else None
        elif text is None:
            value = None
        elif kind == "s":
            index = int(text)
            if not 0 <= index < len(strings):
                raise PackageError(info.name, f"cell {ref}: shared string {index} does not exist")
            value = strings[index]
        elif kind == "str":
            value = _unescape(text)
        elif kind == "b":
            value = text.strip() in ("1", "true")
        elif kind == "e":
            value = text
        elif kind == "d":
            value = dt.datetime.fromisoformat(text.strip().rstrip("Z"))
        else:
            value = _number(text.strip())
            if dates and int(elem.get("s", "0") or 0) in dates and isinstance(value, int | float):
                from openpyxl.utils.datetime import from_excel

                value = from_excel(value)
    except PackageError:
        raise
    except (ValueError, OverflowError, TypeError):
        raise PackageError(info.name, f"cell {ref}: {text!r} is not a valid {kind} value") from None
    if value is None and f is not None:
        value = Uncalculated("=" + (f.text or ""))
    return value, formula


_ATTR_ALL = re.compile(rb"""([\w:]+)\s*=\s*["']([^"']*)["']""")
_V = re.compile(rb"<(?:\w+:)?v(?:\s[^>]*)?>(.*?)</(?:\w+:)?v\s*>", re.S)
_F = re.compile(
    rb"<(?:\w+:)?f\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*?)(?:/>|>(.*?)</(?:\w+:)?f\s*>)", re.S
)
_IS = re.compile(rb"<(?:\w+:)?is\b[^>]*>(.*?)</(?:\w+:)?is\s*>", re.S)
_RPH = re.compile(rb"<(?:\w+:)?rPh\b.*?(?:/>|</(?:\w+:)?rPh\s*>)", re.S)
_T = re.compile(rb"<(?:\w+:)?t(?:\s[^>]*)?>(.*?)</(?:\w+:)?t\s*>", re.S)
_MERGE = re.compile(rb"""<(?:\w+:)?mergeCell\b[^>]*?\bref\s*=\s*["']([^"']*)["']""")
_ENTITY = re.compile(r"&(#[xX][0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


def _entity(m: re.Match[str]) -> str:
    name = m[1]
    if name[0] != "#":
        return _NAMED[name]
    return chr(int(name[2:], 16) if name[1] in "xX" else int(name[1:]))


def _text(raw: bytes | None) -> str:
    """Element text as XML means it: UTF-8 with entity and character references resolved."""
    if raw is None:
        return ""
    text = raw.decode("utf-8", "replace")
    return _ENTITY.sub(_entity, text) if "&" in text else text


def _show(m: re.Match[bytes] | None) -> str:
    return repr(_text(m[1])) if m is not None else "None"


_SI = re.compile(rb"<(?:\w+:)?si\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?si\s*>)", re.S)


class _Strings(Sequence[str]):
    """The shared strings of a well-formed UTF-8 part, each decoded on first use."""

    def __init__(self, xml: bytes) -> None:
        self._xml = xml
        self._spans = [m.span(1) for m in _SI.finditer(xml)]
        self._done: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self._spans)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if index not in self._done:
            start, end = self._spans[index]
            self._done[index] = _si_text(self._xml[start:end]) if start >= 0 else ""
        return self._done[index]


def _is_utf8(xml: bytes) -> bool:
    """True when the part declares UTF-8 (or nothing, which means UTF-8)."""
    head = xml[:200]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    declared = re.search(rb"""encoding\s*=\s*["']([^"']*)["']""", head)
    return declared is None or declared[1].lower().replace(b"-", b"") == b"utf8"


def _si_text(inner: bytes) -> str:
    """A shared string's text: plain or rich runs, phonetic runs left out."""
    return _unescape("".join(_text(t) for t in _T.findall(_RPH.sub(b"", inner))))


def _inline_text(inner: bytes) -> str | None:
    found = _IS.search(inner)
    if found is None:
        return None
    return _si_text(found[1])


def _decode_raw(
    inner: bytes,
    kind: bytes,
    style: bytes | None,
    strings: Sequence[str],
    dates: set[int],
    info: SheetInfo,
    ref: bytes | None,
) -> tuple[Any, str | None, tuple[bytes, Rect] | None]:
    """(value, formula, (formula kind, range) of an array or shared formula) of a ``<c>``."""
    v = _V.search(inner)
    text = _text(v[1]) if v is not None else None
    f = _F.search(inner)
    formula = array = None
    if f is not None:
        f_attrs = dict(_ATTR_ALL.findall(f[1]))
        f_kind = f_attrs.get(b"t")
        body = _text(f[2]) if f[2] else ""
        formula = "=" + body if f_kind in (None, b"normal") and body else "\0"
        rect = _parse_rect(f_attrs.get(b"ref", b"").decode("latin-1"))
        if rect is not None and f_kind is not None:
            array = (f_kind, rect)
    value: Any = None
    try:
        if kind == b"inlineStr":
            value = _inline_text(inner)
        elif text is None:
            value = None
        elif kind == b"s":
            index = int(text)
            if not 0 <= index < len(strings):
                raise PackageError(
                    info.name, f"cell {_text(ref)}: shared string {index} does not exist"
                )
            value = strings[index]
        elif kind == b"str":
            value = _unescape(text)
        elif kind == b"b":
            value = text.strip() in ("1", "true")
        elif kind == b"e":
            value = text
        elif kind == b"d":
            value = dt.datetime.fromisoformat(text.strip().rstrip("Z"))
        else:
            value = _number(text.strip())
            if dates and style and int(style) in dates:
                from openpyxl.utils.datetime import from_excel

                value = from_excel(value)
    except PackageError:
        raise
    except (ValueError, OverflowError, TypeError):
        raise PackageError(
            info.name, f"cell {_text(ref)}: {text!r} is not a valid {kind.decode()} value"
        ) from None
    if value is None and f is not None:
        value = Uncalculated("=" + (_text(f[2]) if f[2] else ""))
    return value, formula, array


def _note_formula_range(out: SheetCells, found: tuple[bytes, Rect], row: int, col: int) -> None:
    kind, rect = found
    if kind in (b"array", b"dataTable"):
        out.arrays.append(rect)
    elif kind == b"shared":
        out.shared.append((row, col, rect))


def _refuse_entities(*_args: Any) -> None:
    raise PackageError("", "declares XML entities; refused")


def _check_well_formed(xml: bytes, part: str) -> None:
    """Parse ``xml`` at C speed with no handlers but a refusal of entity declarations."""
    parser = expat.ParserCreate()
    parser.EntityDeclHandler = _refuse_entities
    parser.ExternalEntityRefHandler = _refuse_entities  # type: ignore[assignment]
    try:
        parser.Parse(xml, True)
    except PackageError as exc:
        raise PackageError(part, exc.message) from None
    except expat.ExpatError as exc:
        raise PackageError(part, f"is not well-formed XML ({exc})") from None


# ====================================================================== patching

_ATTRS = rb"((?:[^>\"']|\"[^\"]*\"|'[^']*')*?)"
_SHEETDATA = re.compile(rb"<(?:(\w+):)?sheetData\b" + _ATTRS + rb"(/?)>")
_ROW = re.compile(rb"<(?:\w+:)?row\b" + _ATTRS + rb"(?:/>|>(.*?)</(?:\w+:)?row\s*>)", re.S)
_CELL = re.compile(rb"<(?:\w+:)?c\b" + _ATTRS + rb"(?:/>|>(.*?)</(?:\w+:)?c\s*>)", re.S)
_ATTR_R = re.compile(rb"""(?:^|\s)r\s*=\s*["']([^"']*)["']""")
_ATTR_S = re.compile(rb"""(?:^|\s)s\s*=\s*["']([^"']*)["']""")
_ATTR_SPANS = re.compile(rb"""(\sspans\s*=\s*["'])(\d+):(\d+)(["'])""")
_CUSTOM_FORMAT = re.compile(rb"""\scustomFormat\s*=\s*["'](1|true)["']""")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b" + _ATTRS + rb"/>")
_COLS = re.compile(rb"<(?:\w+:)?col\b" + _ATTRS + rb"/?>")
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")


def _attr(attrs: bytes, name: bytes) -> bytes | None:
    m = re.search(rb"(?:^|\s)" + name + rb"""\s*=\s*["']([^"']*)["']""", attrs)
    return m[1] if m else None


def _esc(text: str) -> str:
    """Text for an XML element: markup escaped, characters XML cannot hold as ``_xHHHH_``.

    >>> _esc("a<b & \x01 _x0041_")
    'a&lt;b &amp; _x0001_ _x005F_x0041_'
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _XML_BAD.sub(_esc_one, text)


def _esc_one(m: re.Match[str]) -> str:
    found = m[0]
    if len(found) == 1:
        return f"_x{ord(found):04X}_"
    return "_x005F_" + found[1:]


def _num_text(value: float) -> str:
    """The ``<v>`` text of a number (shortest round-trip form).

    >>> _num_text(2057120.0), _num_text(0.1), _num_text(-0.0)
    ('2057120', '0.1', '0')
    """
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def _cell_xml(p: str, ref: str, style: bytes | None, value: Any) -> bytes | None:
    """The ``<c>`` element for ``value`` at ``ref`` keeping ``style`` (None: no element)."""
    s = f' s="{style.decode()}"' if style is not None else ""
    head = f'<{p}c r="{ref}"{s}'
    if value is CLEAR or value is None:
        return (head + "/>").encode() if style is not None else None
    if isinstance(value, Formula):
        body = str(value)[1:] if str(value).startswith("=") else str(value)
        return f"{head}><{p}f>{_esc(body)}</{p}f></{p}c>".encode()
    if isinstance(value, bool):
        return f'{head} t="b"><{p}v>{int(value)}</{p}v></{p}c>'.encode()
    if isinstance(value, int | float):
        if not math.isfinite(value):
            return f'{head} t="e"><{p}v>#NUM!</{p}v></{p}c>'.encode()
        return f"{head}><{p}v>{_num_text(value)}</{p}v></{p}c>".encode()
    if isinstance(value, str):
        space = ' xml:space="preserve"' if value != value.strip() or "\n" in value else ""
        return (
            f'{head} t="inlineStr"><{p}is><{p}t{space}>{_esc(value)}</{p}t></{p}is></{p}c>'.encode()
        )
    raise TypeError(f"cannot write {type(value).__name__} into a cell: {value!r}")


def _same(value: Any, old: Any, formula: str | None) -> bool:
    """True when writing ``value`` over a cell holding ``old`` (and ``formula``) changes nothing."""
    if value is CLEAR or value is None:
        return old is None and formula is None
    if isinstance(value, Formula):
        return formula is not None and formula == ("=" + str(value).lstrip("="))
    if formula is not None or isinstance(old, Uncalculated):
        return False
    if isinstance(value, bool) or isinstance(old, bool):
        return type(value) is type(old) and value == old
    if isinstance(value, int | float):
        return isinstance(old, int | float) and math.isfinite(value) and float(old) == float(value)
    return isinstance(value, str) and isinstance(old, str) and old == value


@dataclass
class _SheetEdit:
    changed: dict[int, dict[int, Any]] = field(default_factory=dict)
    formulas_added_or_removed: bool = False
    values_changed: bool = False


def _plan(package: Package, sheet: str, edits: Mapping[tuple[int, int], Any]) -> _SheetEdit:
    cells = package.cells(sheet)
    plan = _SheetEdit()
    for (row, col), value in edits.items():
        old, formula = cells.value(row, col), cells.formulas.get((row, col))
        if _same(value, old, formula):
            continue
        plan.changed.setdefault(row, {})[col] = value
        plan.values_changed = True
        if (formula is not None) != isinstance(value, Formula):
            plan.formulas_added_or_removed = True
    return plan


def patch(package: Package, edits: Mapping[str, Mapping[tuple[int, int], Any]]) -> bytes | None:
    """A new package with ``edits`` (sheet -> {(row, col): value}) applied; None if unchanged.

    Values: ``None``/:data:`CLEAR` (clear the contents), numbers, ``bool``, ``str`` (always
    text), :class:`Formula`. Raises :class:`PackageError` when a sheet cannot be patched.
    """
    replaced: dict[str, bytes] = {}
    recalc = drop_chain = False
    for sheet, cells in edits.items():
        info = package.sheet(sheet)
        plan = _plan(package, sheet, cells)
        if not plan.changed:
            continue
        replaced[info.part] = _patch_sheet(package.read(info.part), plan.changed, info.name)
        _check_well_formed(replaced[info.part], info.part)  # a last check before any write
        recalc = True
        drop_chain = drop_chain or plan.formulas_added_or_removed
    if not replaced:
        return None
    removed: set[str] = set()
    if recalc:
        replaced[package.workbook_part] = _full_calc_on_load(package.read(package.workbook_part))
    if drop_chain:
        chain = _drop_calc_chain(package, replaced)
        if chain:
            removed.add(chain)
    return _rezip(package, replaced, removed)


# ---------------------------------------------------------------------- one worksheet


def _patch_sheet(xml: bytes, changed: dict[int, dict[int, Any]], sheet: str) -> bytes:
    m = _SHEETDATA.search(xml)
    if m is None:
        raise PackageError(sheet, "has no cell data (sheetData) to write into")
    prefix = (m[1] or b"").decode()
    p = prefix + ":" if prefix else ""
    if m[3] == b"/":  # <sheetData/>
        start, end = m.end(), m.end()
        head, tail = m[0][:-2] + b">", f"</{p}sheetData>".encode()
        xml = xml[: m.start()] + head + tail + xml[m.end() :]
        start = end = m.start() + len(head)
    else:
        start = m.end()
        close = re.compile(rb"</(?:\w+:)?sheetData\s*>").search(xml, start)
        if close is None:
            raise PackageError(sheet, "its cell data (sheetData) is not closed")
        end = close.start()
    body = xml[start:end]
    if b"<!--" in body or b"<![CDATA[" in body or b"<?" in body:
        raise PackageError(sheet, "its cell data holds XML comments or CDATA; save it in Excel")
    col_styles = _column_styles(xml[:start])
    pieces: list[bytes] = []
    pos = 0
    pending = sorted(changed)
    k = 0
    row_no = 0
    for rm in _ROW.finditer(body):
        ref = _ATTR_R.search(rm[1])
        row_no = int(ref[1]) if ref and ref[1].isdigit() else row_no + 1
        while k < len(pending) and pending[k] < row_no:  # new rows before this one
            pieces.append(body[pos : rm.start()])
            pos = rm.start()
            pieces.append(_new_row(p, pending[k], changed[pending[k]], col_styles))
            k += 1
        if k < len(pending) and pending[k] == row_no:
            pieces.append(body[pos : rm.start()])
            pieces.append(_patch_row(p, rm, row_no, changed[row_no], col_styles, sheet))
            pos = rm.end()
            k += 1
    if k < len(pending):
        last = _after_rows(body)
        pieces.append(body[pos:last])
        pos = last
        for row in pending[k:]:
            pieces.append(_new_row(p, row, changed[row], col_styles))
    pieces.append(body[pos:])
    new_body = b"".join(pieces)
    out = xml[:start] + new_body + xml[end:]
    return _widen_dimension(out, changed)


def _after_rows(body: bytes) -> int:
    """Where rows after the last row go: just after it (the end when there are none)."""
    last = None
    for last in _ROW.finditer(body):  # noqa: B007 - the last match is the one wanted
        pass
    return last.end() if last is not None else len(body)


def _column_styles(head: bytes) -> dict[int, bytes]:
    """Style index of each column that has one (``<cols>``), for cells cypsxl creates."""
    out: dict[int, bytes] = {}
    for m in _COLS.finditer(head):
        lo, hi, style = _attr(m[1], b"min"), _attr(m[1], b"max"), _attr(m[1], b"style")
        if lo and hi and style and lo.isdigit() and hi.isdigit():
            for c in range(int(lo), min(int(hi), MAX_COLUMN) + 1):
                out[c] = style
    return out


def _new_row(p: str, row: int, cells: dict[int, Any], col_styles: dict[int, bytes]) -> bytes:
    made = [
        _cell_xml(p, f"{col_letter(c)}{row}", col_styles.get(c), v)
        for c, v in sorted(cells.items())
    ]
    inner = b"".join(x for x in made if x is not None)
    if not inner:
        return b""
    return f'<{p}row r="{row}">'.encode() + inner + f"</{p}row>".encode()


def _patch_row(
    p: str,
    rm: re.Match[bytes],
    row: int,
    cells: dict[int, Any],
    col_styles: dict[int, bytes],
    sheet: str,
) -> bytes:
    attrs, content = rm[1], rm[2] or b""
    row_style = _attr(attrs, b"s") if _CUSTOM_FORMAT.search(attrs) else None
    out: list[bytes] = []
    pos = 0
    col = 0
    todo = sorted(cells)
    k = 0
    for cm in _CELL.finditer(content):
        ref = _ATTR_R.search(cm[1])
        if ref is not None:
            at = _parse_ref(ref[1].decode("ascii", "replace"))
            if at is None or at[0] != row:
                raise PackageError(
                    sheet, f"row {row} holds a cell {ref[1].decode(errors='replace')!r}"
                )
            col = at[1]
            cell_bytes = cm[0]
        else:
            col += 1
            cell_bytes = _with_ref(cm[0], f"{col_letter(col)}{row}")
        while k < len(todo) and todo[k] < col:
            c = todo[k]
            made = _cell_xml(p, f"{col_letter(c)}{row}", row_style or col_styles.get(c), cells[c])
            out.append(content[pos : cm.start()])
            pos = cm.start()
            if made is not None:
                out.append(made)
            k += 1
        out.append(content[pos : cm.start()])
        if k < len(todo) and todo[k] == col:
            style = _ATTR_S.search(cm[1])
            made = _cell_xml(p, f"{col_letter(col)}{row}", style[1] if style else None, cells[col])
            if made is not None:
                out.append(made)
            k += 1
        else:
            out.append(cell_bytes)
        pos = cm.end()
    if k < len(todo):
        for c in todo[k:]:
            made = _cell_xml(p, f"{col_letter(c)}{row}", row_style or col_styles.get(c), cells[c])
            if made is not None:
                out.append(made)
    out.append(content[pos:])
    new_content = b"".join(out)
    head = rm[0][: rm.start(1) - rm.start()]
    attrs = _widen_spans(attrs, min(cells), max(cells))
    return head + attrs + b">" + new_content + _close_of(rm[0], p)


def _close_of(row_xml: bytes, p: str) -> bytes:
    if row_xml.endswith(b"/>"):
        return f"</{p}row>".encode()
    return row_xml[row_xml.rindex(b"</") :]


def _with_ref(cell: bytes, ref: str) -> bytes:
    """``cell`` with an explicit ``r`` (a row rewritten gets one on every cell)."""
    m = re.match(rb"<(?:\w+:)?c\b", cell)
    assert m is not None
    return cell[: m.end()] + f' r="{ref}"'.encode() + cell[m.end() :]


def _widen_spans(attrs: bytes, lo: int, hi: int) -> bytes:
    m = _ATTR_SPANS.search(attrs)
    if m is None:
        return attrs
    a, b = int(m[2]), int(m[3])
    if a <= lo and hi <= b:
        return attrs
    return (
        attrs[: m.start()] + m[1] + f"{min(a, lo)}:{max(b, hi)}".encode() + m[4] + attrs[m.end() :]
    )


def _widen_dimension(xml: bytes, changed: dict[int, dict[int, Any]]) -> bytes:
    m = _DIMENSION.search(xml)
    if m is None:
        return xml
    ref = _attr(m[1], b"ref")
    rect = _parse_rect(ref.decode("ascii", "replace")) if ref else None
    filled = [(r, c) for r, cols in changed.items() for c, v in cols.items() if v is not CLEAR]
    if ref is None or rect is None or not filled:
        return xml
    top = min([rect.top] + [r for r, _ in filled])
    bottom = max([rect.bottom] + [r for r, _ in filled])
    left = min([rect.left] + [c for _, c in filled])
    right = max([rect.right] + [c for _, c in filled])
    new = Rect(top, left, bottom, right)
    if new == rect:
        return xml
    tag = m[0].replace(b'"' + ref + b'"', b'"' + new.ref.encode() + b'"', 1)
    tag = tag.replace(b"'" + ref + b"'", b"'" + new.ref.encode() + b"'", 1)
    return xml[: m.start()] + tag + xml[m.end() :]


# ---------------------------------------------------------------------- workbook part

_CALCPR = re.compile(rb"<(?:(\w+):)?calcPr\b" + _ATTRS + rb"(/?)>")
_FULL_CALC = re.compile(rb"""\sfullCalcOnLoad\s*=\s*["'][^"']*["']""")
_AFTER_CALCPR = re.compile(
    rb"<(?:\w+:)?(?:oleSize|customWorkbookViews|pivotCaches|smartTagPr|smartTagTypes|"
    rb"webPublishing|fileRecoveryPr|webPublishObjects|extLst)\b|</(?:\w+:)?workbook\s*>"
)


def _full_calc_on_load(xml: bytes) -> bytes:
    """``workbook.xml`` with ``<calcPr fullCalcOnLoad="1">`` (Excel recalculates on open)."""
    m = _CALCPR.search(xml)
    if m is not None:
        attrs = _FULL_CALC.sub(b"", m[2])
        tag = (
            m[0][: m.start(2) - m.start()]
            + attrs
            + b' fullCalcOnLoad="1"'
            + m[0][m.end(2) - m.start() :]
        )
        return xml[: m.start()] + tag + xml[m.end() :]
    root = re.search(rb"<(?:(\w+):)?workbook\b", xml)
    p = (root[1].decode() + ":") if root and root[1] else ""
    at = _AFTER_CALCPR.search(xml)
    if at is None:
        raise PackageError("xl/workbook.xml", "has no end tag")
    return xml[: at.start()] + f'<{p}calcPr fullCalcOnLoad="1"/>'.encode() + xml[at.start() :]


_RELATIONSHIP = re.compile(
    rb"<(?:\w+:)?Relationship\b" + _ATTRS + rb"(?:/>|>\s*</(?:\w+:)?Relationship\s*>)"
)
_OVERRIDE = re.compile(rb"<(?:\w+:)?Override\b" + _ATTRS + rb"(?:/>|>\s*</(?:\w+:)?Override\s*>)")


def _drop_calc_chain(package: Package, replaced: dict[str, bytes]) -> str | None:
    """Remove the calculation chain (Excel rebuilds it); return its part name."""
    rels_part = _rels_path(package.workbook_part)
    if rels_part not in package.names:
        return None
    rels = package.read(rels_part)
    chain = None
    for m in _RELATIONSHIP.finditer(rels):
        kind = _attr(m[1], b"Type") or b""
        if kind.endswith(b"/calcChain"):
            target = (_attr(m[1], b"Target") or b"").decode()
            chain = _target(package.workbook_part, target)
            rels = rels[: m.start()] + rels[m.end() :]
            break
    if chain is None:
        return None
    replaced[rels_part] = rels
    types = package.read("[Content_Types].xml")
    for m in _OVERRIDE.finditer(types):
        if (_attr(m[1], b"PartName") or b"").decode().lstrip("/") == chain:
            replaced["[Content_Types].xml"] = types[: m.start()] + types[m.end() :]
            break
    return chain if chain in package.names else None


# ---------------------------------------------------------------------- the zip

_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")


def _rezip(package: Package, replaced: dict[str, bytes], removed: set[str]) -> bytes:
    """The package with ``replaced`` parts' new bytes, ``removed`` left out, all else raw."""
    try:
        return _rezip_raw(package, replaced, removed)
    except (ValueError, struct.error):
        return _rezip_plain(package, replaced, removed)


def _rezip_plain(package: Package, replaced: dict[str, bytes], removed: set[str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in package.infos:
            if info.filename in removed:
                continue
            data = replaced.get(info.filename)
            entry = copy.copy(info)  # writestr sets offsets and sizes on the info it is given
            body = package.read(info.filename) if data is None else data
            z.writestr(entry, body, info.compress_type)
    return out.getvalue()


def _rezip_raw(package: Package, replaced: dict[str, bytes], removed: set[str]) -> bytes:
    """Copy every untouched entry's local record verbatim; recompress only the new parts."""
    src = package.data
    central = _central_records(package)
    out = bytearray()
    records: list[bytes] = []
    for info, record in zip(package.infos, central, strict=True):
        if info.filename in removed:
            continue
        offset = len(out)
        if offset > 0xFFFFFFFE:
            raise ValueError("too large for a plain zip")
        data = replaced.get(info.filename)
        if data is None:
            out += _local_record(src, info)
            records.append(record[:42] + struct.pack("<L", offset) + record[46:])
            continue
        method = info.compress_type if info.compress_type in (0, 8) else 8
        payload = data if method == 0 else _deflate(data)
        crc = zlib.crc32(data)
        flags = info.flag_bits & 0x800
        fields = list(_CENTRAL.unpack_from(record))
        nlen, elen = fields[10], fields[11]
        name = record[46 : 46 + nlen]
        extra = record[46 + nlen : 46 + nlen + elen]
        if extra[:2] == b"\x01\x00":
            raise ValueError("zip64 entry")
        need = max(fields[2], 20)
        time, date = fields[5], fields[6]
        head = (need, flags, method, time, date, crc, len(payload), len(data))
        out += _LOCAL.pack(b"PK\x03\x04", *head, len(name), 0) + name + payload
        fields[2:10] = head
        fields[16] = offset
        records.append(_CENTRAL.pack(*fields) + record[46:])
    start = len(out)
    for r in records:
        out += r
    size = len(out) - start
    comment = package.zip.comment
    out += _END.pack(b"PK\x05\x06", 0, 0, len(records), len(records), size, start, len(comment))
    out += comment
    result = bytes(out)
    with zipfile.ZipFile(io.BytesIO(result)) as check:  # the new parts read back whole
        if [i.filename for i in check.infolist()] != [
            i.filename for i in package.infos if i.filename not in removed
        ]:
            raise ValueError("entries differ")
        for part, data in replaced.items():
            if part not in removed and check.read(part) != data:
                raise ValueError("entry differs")
    return result


def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def _central_records(package: Package) -> list[bytes]:
    """The raw central-directory record of every entry, in order."""
    src = package.data
    end = src.rfind(b"PK\x05\x06")
    if end < 0:
        raise ValueError("no end record")
    _sig, _d, _ds, count, total, size, offset, _cl = _END.unpack_from(src, end)
    if count == 0xFFFF or offset == 0xFFFFFFFF or total != len(package.infos):
        raise ValueError("zip64 or multi-disk")
    base = end - size  # where the directory really is (there may be bytes before the zip)
    out = []
    pos = base
    for _ in range(total):
        if src[pos : pos + 4] != b"PK\x01\x02":
            raise ValueError("bad central record")
        fields = _CENTRAL.unpack_from(src, pos)
        nlen, elen, clen = fields[10], fields[11], fields[12]
        if 0xFFFFFFFF in (fields[8], fields[9], fields[16]):
            raise ValueError("zip64 entry")
        length = 46 + nlen + elen + clen
        out.append(src[pos : pos + length])
        pos += length
    if base != offset:
        raise ValueError("prefixed zip")
    return out


def _local_record(src: bytes, info: zipfile.ZipInfo) -> bytes:
    """An entry's local header, data and data descriptor, byte for byte."""
    at = info.header_offset
    fields = _LOCAL.unpack_from(src, at)
    if fields[0] != b"PK\x03\x04":
        raise ValueError("bad local header")
    end = at + 30 + fields[9] + fields[10] + info.compress_size
    if info.flag_bits & 0x08:
        end += 16 if src[end : end + 4] == b"PK\x07\x08" else 12
    return src[at:end]
