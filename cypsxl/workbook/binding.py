"""Bind cypsxl to a user's own MTFS workbook: the ``cypsxl`` mapping sheet and named ranges.

A sheet named ``cypsxl`` holds one binding a row, like xlwings' ``xlwings.conf``: the key
in column A, a range (``Inputs!C5:G5``) or a defined name in column B. Column C is
cypsxl's own: for each output it records the range the last refresh wrote, which is what
cypsxl owns there. Inputs may also be bound by a workbook-level defined name
``cypsxl.<key>`` with no mapping row. See ``docs/excel.md`` for every key.

The refresh logic talks to a workbook through :class:`Book` (sheet names, defined names,
read, write, clear). A user's closed file is a :class:`~cypsxl.workbook.closed.FileBook`
(:func:`open_workbook`), which patches only the cells written; :class:`OpenpyxlBook` is
for workbooks cypsxl builds from nothing in openpyxl (the demo). No xlwings here.
This module only reads and locates: it applies no finance rules.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from openpyxl.utils import column_index_from_string, get_column_letter

from ..errors import Problem
from .ooxml import MAX_COLUMN, MAX_ROW, Formula, Uncalculated

__all__ = [
    "BID_COLUMNS",
    "BID_LINES",
    "INPUT_KEYS",
    "MAPPING_ROWS",
    "MAPPING_SHEET",
    "MAX_COLUMN",
    "MAX_ROW",
    "MAX_ROW_CELLS",
    "MAX_TABLE_COLUMNS",
    "MAX_TABLE_ROWS",
    "OUTPUT_KEYS",
    "SETTING_KEYS",
    "Area",
    "Binding",
    "Book",
    "Formula",
    "Inputs",
    "OpenpyxlBook",
    "Uncalculated",
    "check_package_sizes",
    "is_empty",
    "open_workbook",
    "read_binding",
    "read_inputs",
]

MAPPING_SHEET = "cypsxl"
#: Rows of the mapping sheet that are read (a binding beyond them is ignored).
MAPPING_ROWS = 200

#: Input keys (the case-file keys) -> (case table, kind). ``pressure_<name>`` is a row too.
INPUT_KEYS: dict[str, tuple[str, str]] = {
    "name": ("case", "text"),
    "authority": ("case", "text"),
    "directorate": ("case", "text"),
    "years": ("case", "labels"),
    "mtfs_years": ("case", "labels"),
    "avoided_cost_per_child_per_year": ("assumptions", "number"),
    "part_year_factor": ("assumptions", "number"),
    "weeks_per_year": ("assumptions", "number"),
    "discount_rate": ("assumptions", "number"),
    "net_budget": ("cyps_budget", "row"),
    "lac_numbers": ("cyps_budget", "number"),
    "lac_trend_growth_per_year": ("cyps_budget", "number"),
    "base_gap": ("mtfs", "row"),
    "current_year_funded_from_reserves": ("mtfs", "flag"),
    "bids": ("bid", "table"),
    "other_proposals": ("other_proposals", "table"),
}
REQUIRED_KEYS = ("name", "years", "net_budget", "base_gap")
#: The most cells a row input may span (a plan of up to 100 years), and a table's size:
#: a binding beyond these is refused before anything is read from it.
MAX_ROW_CELLS = 100
MAX_TABLE_ROWS = 10_000
MAX_TABLE_COLUMNS = 200
#: Settings of the bid buttons: one cell holding a folder (relative to the workbook's).
SETTING_KEYS = {
    "bid_folder": "folder of returned bid templates",
    "template_folder": "folder new bid templates go to",
}

#: Output keys -> what cypsxl writes there (the anchor is the top-left cell).
OUTPUT_KEYS: dict[str, str] = {
    "output_table1": "Table 1: CYPS budget",
    "output_table2": "Table 2: investment bids, net",
    "output_table3": "Table 3: total additional funding",
    "output_table4": "Table 4: revised funding gap",
    "output_bid_summary": "bid summary: totals, payback and break-even by bid",
    "output_checks": "check cells: formulas that show the tables tie out",
    "output_run_stamp": "run stamp: time, engine version, hash of the inputs",
}

#: Columns of the ``bids`` table besides the year columns (headed by the year labels).
BID_COLUMNS = (
    "ref",
    "title",
    "service_area",
    "directorate",
    "cabinet_member",
    "current_budget",
    "avoided_cost_per_child_per_year",
    "part_year_factor",
    "line",
    "unit",
)
#: Lines a bid may have in the ``line`` column; blank years in them are zero.
BID_LINES = ("investment", "gross_saving", "prevented", "fte")
_BID_NUMBERS = ("current_budget", "avoided_cost_per_child_per_year", "part_year_factor")
_BID_TEXT = ("title", "service_area", "directorate", "cabinet_member")


def is_empty(value: object) -> bool:
    """True for a blank cell.

    >>> is_empty(None), is_empty(""), is_empty(0)
    (True, True, False)
    """
    return value is None or value == ""


# --------------------------------------------------------------------------- ranges

_REF = re.compile(
    r"^\s*=?\s*(?:(?P<sheet>'(?:[^']|'')+'|[^'!]+)!)?"
    r"\$?(?P<c0>[A-Za-z]{1,3})\$?(?P<r0>\d+)(?::\$?(?P<c1>[A-Za-z]{1,3})\$?(?P<r1>\d+))?\s*$"
)


@dataclass(frozen=True, slots=True, order=True)
class Area:
    """A rectangle of cells on one sheet; rows and columns 1-based and inclusive."""

    sheet: str
    top: int
    left: int
    bottom: int
    right: int

    @classmethod
    def parse(cls, ref: str, default_sheet: str | None = None) -> Area:
        """Parse ``Sheet!$A$1:$B$2``, ``'My sheet'!A1`` or ``A1`` (on ``default_sheet``).

        >>> Area.parse("'What if'!$B$2:C4").address
        "'What if'!B2:C4"
        >>> Area.parse("Inputs!D7").shape
        (1, 1)
        """
        m = _REF.match(ref)
        if not m:
            raise ValueError(f"not a cell range: {ref!r}; expected e.g. Inputs!C5:G5")
        sheet = m["sheet"] or default_sheet
        if sheet is None:
            raise ValueError(f"{ref!r} names no sheet; expected e.g. Inputs!C5:G5")
        if sheet.startswith("'"):
            sheet = sheet[1:-1].replace("''", "'")
        r0, c0 = int(m["r0"]), column_index_from_string(m["c0"].upper())
        r1 = int(m["r1"]) if m["r1"] else r0
        c1 = column_index_from_string(m["c1"].upper()) if m["c1"] else c0
        if r0 < 1 or r1 < 1:
            raise ValueError(f"not a cell range: {ref!r}")
        return cls(sheet, min(r0, r1), min(c0, c1), max(r0, r1), max(c0, c1))

    @classmethod
    def at(cls, sheet: str, top: int, left: int, rows: int, cols: int) -> Area:
        """The ``rows`` x ``cols`` area whose top-left cell is (``top``, ``left``)."""
        return cls(sheet, top, left, top + rows - 1, left + cols - 1)

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns)."""
        return self.bottom - self.top + 1, self.right - self.left + 1

    @property
    def sheet_ref(self) -> str:
        """The sheet name as a formula needs it (always quoted)."""
        return "'" + self.sheet.replace("'", "''") + "'"

    def cell(self, row: int, col: int) -> str:
        """A1 address of the cell at 0-based (row, col) inside the area.

        >>> Area("S", 3, 2, 4, 5).cell(1, 2)
        'D4'
        """
        return f"{get_column_letter(self.left + col)}{self.top + row}"

    @property
    def address(self) -> str:
        """``Sheet!A1:B2`` (quoted when the sheet name needs it)."""
        plain = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", self.sheet)
        sheet = self.sheet if plain else self.sheet_ref
        end = f"{get_column_letter(self.right)}{self.bottom}"
        start = f"{get_column_letter(self.left)}{self.top}"
        return f"{sheet}!{start}" if start == end else f"{sheet}!{start}:{end}"

    def absolute(self, row: int | None = None) -> str:
        """Absolute reference for a formula: the whole area, or one 0-based row of it.

        >>> Area("What if", 2, 2, 3, 4).absolute(1)
        "'What if'!$B$3:$D$3"
        """
        top = self.top if row is None else self.top + row
        bottom = self.bottom if row is None else top
        return (
            f"{self.sheet_ref}!${get_column_letter(self.left)}${top}"
            f":${get_column_letter(self.right)}${bottom}"
        )

    def sub(self, row: int, col: int, rows: int = 1, cols: int = 1) -> Area:
        """The sub-area starting at 0-based (row, col)."""
        return Area.at(self.sheet, self.top + row, self.left + col, rows, cols)

    def overlaps(self, other: Area) -> bool:
        """True when the two areas share a cell."""
        return (
            self.sheet.casefold() == other.sheet.casefold()
            and self.top <= other.bottom
            and other.top <= self.bottom
            and self.left <= other.right
            and other.left <= self.right
        )

    def contains(self, row: int, col: int) -> bool:
        """True when the absolute cell (row, col) is inside the area."""
        return self.top <= row <= self.bottom and self.left <= col <= self.right

    def cells(self) -> Iterator[tuple[int, int]]:
        """Absolute (row, col) of every cell, row by row."""
        for r in range(self.top, self.bottom + 1):
            for c in range(self.left, self.right + 1):
                yield r, c


# --------------------------------------------------------------------------- the book seam


class Book(Protocol):
    """What the refresh needs from a workbook (an open Excel book or a closed file)."""

    name: str

    def sheet_names(self) -> list[str]:
        """Names of the worksheets, in order."""
        ...

    def defined_names(self) -> dict[str, str]:
        """Workbook-level defined names -> what they refer to (``Sheet!$A$1:$B$2``)."""
        ...

    def read(self, area: Area) -> list[list[Any]]:
        """Values of ``area`` as rows (``None`` for blank cells)."""
        ...

    def write(self, area: Area, values: list[list[Any]]) -> None:
        """Write ``values`` (exactly ``area``'s shape); :class:`Formula` as formulas."""
        ...

    def clear(self, area: Area) -> None:
        """Clear the contents of ``area`` (formats stay)."""
        ...


class OpenpyxlBook:
    """:class:`Book` over a closed workbook loaded with openpyxl.

    ``values`` is the same file loaded with ``data_only=True``: inputs are read from it
    (the results Excel last saved), and a formula with no saved result reads as
    :class:`Uncalculated`. Writes go to ``wb``, which is what gets saved.
    """

    def __init__(self, wb: Any, values: Any | None = None, name: str = "workbook") -> None:
        self.wb = wb
        self.values = values if values is not None else wb
        self.name = name

    def sheet_names(self) -> list[str]:
        return list(self.wb.sheetnames)

    def chart_sheets(self) -> list[str]:
        """Sheets that hold no cells."""
        return [s.title for s in self.wb.chartsheets]

    def defined_names(self) -> dict[str, str]:
        return {name: dn.attr_text for name, dn in self.wb.defined_names.items()}

    def read(self, area: Area) -> list[list[Any]]:
        ws, wv = self.wb[area.sheet], self.values[area.sheet]
        # the used ranges once per read (openpyxl counts every cell to find them)
        ws_rows, ws_cols, wv_rows, wv_cols = ws.max_row, ws.max_column, wv.max_row, wv.max_column
        rows = []
        used = max(ws_rows, wv_rows)  # rows below the used range are blank
        for r in range(area.top, area.bottom + 1):
            if r > used:
                rows.append([None] * area.shape[1])
                continue
            row = []
            for c in range(area.left, area.right + 1):
                value = wv.cell(r, c).value if r <= wv_rows and c <= wv_cols else None
                if value is None and r <= ws_rows and c <= ws_cols:
                    raw = ws.cell(r, c).value
                    text = getattr(raw, "text", raw)
                    if isinstance(text, str) and text.startswith("="):
                        value = Uncalculated(text)
                row.append(value)
            rows.append(row)
        return rows

    def write(self, area: Area, values: list[list[Any]]) -> None:
        ws = self.wb[area.sheet]
        for i, row in enumerate(values):
            for j, value in enumerate(row):
                cell = ws.cell(area.top + i, area.left + j)
                cell.value = str(value) if isinstance(value, Formula) else value
                if isinstance(value, str) and not isinstance(value, Formula):
                    cell.data_type = "s"  # text that starts with "=" stays text

    def merged(self, area: Area) -> list[Area]:
        """The merged ranges of the sheet that share a cell with ``area``."""
        found = (
            Area(area.sheet, m.min_row, m.min_col, m.max_row, m.max_col)
            for m in self.wb[area.sheet].merged_cells.ranges
        )
        return [m for m in found if m.overlaps(area)]

    def clear(self, area: Area) -> None:
        ws = self.wb[area.sheet]
        rows, cols = ws.max_row, ws.max_column
        for r, c in area.cells():
            if r <= rows and c <= cols:
                ws.cell(r, c).value = None


def open_workbook(path: Path) -> Any:
    """The closed workbook at ``path`` as a Book that writes only the cells written.

    A :class:`~cypsxl.workbook.closed.FileBook`: values are read from the package (the
    results Excel last saved), writes are recorded and applied by patching the package
    (:func:`cypsxl.workbook.closed.write_result`); a file that is not a workbook cypsxl can
    patch is a :class:`CaseError`. Macros of an ``.xlsm`` are kept as they are (never run).
    """
    from .closed import open_file_book

    return open_file_book(path)


#: A real MTFS workbook is a few MB; refuse members that unpack far beyond that.
_MAX_MEMBER = 200 * 1024 * 1024
_MAX_RATIO = 200


def check_package_sizes(path: Path, fail: Any) -> None:
    """Raise ``fail(message)`` when a zip member unpacks far beyond any real workbook."""
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > _MAX_MEMBER or (info.file_size > 10_000_000 and ratio > _MAX_RATIO):
                raise fail(f"part {info.filename} unpacks to {info.file_size:,} bytes; refused")


# --------------------------------------------------------------------------- the binding


@dataclass
class Binding:
    """Where each key lives: input areas, output anchors, and what cypsxl owns already."""

    book: str
    inputs: dict[str, Area] = field(default_factory=dict)
    outputs: dict[str, Area] = field(default_factory=dict)  # the anchor cell
    settings: dict[str, Area] = field(default_factory=dict)  # bid_folder, template_folder
    owned: dict[str, Area] = field(default_factory=dict)  # written last time (column C)
    record_cells: dict[str, Area] = field(default_factory=dict)  # column C of each output
    rows: dict[str, int] = field(default_factory=dict)  # mapping row of each key
    problems: list[Problem] = field(default_factory=list)

    def problem(self, where: str, key: str, message: str) -> None:
        """Record one located problem."""
        self.problems.append(Problem(self.book, where, key, message))


def _is_input_key(key: str) -> bool:
    return key in INPUT_KEYS or (key.startswith("pressure_") and len(key) > 9)


_CHART = "\0chart:"  # marks a chart sheet among the sheet names _resolve is given


def _resolve(
    text: str, names: Mapping[str, str], sheets: Mapping[str, str]
) -> tuple[Area | None, str]:
    """An area from an address or a defined name; (None, why) when it cannot be found."""
    folded = {k.casefold(): v for k, v in names.items()}
    target = text
    if "!" not in text:
        if text.casefold() not in folded:
            return None, f"{text!r} is neither a range like Inputs!C5:G5 nor a defined name"
        target = folded[text.casefold()]
    try:
        area = Area.parse(target)
    except ValueError as exc:
        return None, str(exc)
    sheet = sheets.get(area.sheet.casefold())
    if sheet is None:
        return None, f"refers to sheet {area.sheet!r}, which the workbook does not have"
    if sheet.startswith(_CHART):
        return None, (
            f"refers to {sheet[len(_CHART) :]!r}, a chart sheet, which has no cells; "
            "bind a range on a worksheet"
        )
    return Area(sheet, area.top, area.left, area.bottom, area.right), ""


def _size_problem(key: str, area: Area) -> str:
    """Why ``area`` is the wrong size for input ``key`` ("" when it is fine).

    >>> _size_problem("part_year_factor", Area.parse("Inputs!C15:D16"))
    'Inputs!C15:D16 is 2 x 2 cells; expected one cell'
    >>> _size_problem("net_budget", Area.parse("Inputs!C7:XFD7"))
    'Inputs!C7:XFD7 is 1 x 16,382 cells; expected one row or one column of at most 100 cells'
    """
    kind = INPUT_KEYS.get(key, ("", "row"))[1]
    rows, cols = area.shape
    got = f"{area.address} is {rows:,} x {cols:,} cells; expected "
    if kind in ("text", "number", "flag"):
        return "" if rows == cols == 1 else got + "one cell"
    if kind in ("row", "labels"):
        if min(rows, cols) > 1 or max(rows, cols) > MAX_ROW_CELLS:
            return got + f"one row or one column of at most {MAX_ROW_CELLS} cells"
        return ""
    if rows > MAX_TABLE_ROWS or cols > MAX_TABLE_COLUMNS:
        return got + (f"a table of at most {MAX_TABLE_ROWS:,} rows and {MAX_TABLE_COLUMNS} columns")
    return ""


def _bind_input(binding: Binding, where: str, key: str, area: Area) -> None:
    """Bind ``key`` to ``area``, or record why not (nothing is read from a refused area)."""
    why = _size_problem(key, area)
    if why:
        binding.problem(where, key, why)
    else:
        binding.inputs[key] = area


def read_binding(book: Book) -> Binding:
    """Read the ``cypsxl`` mapping sheet and ``cypsxl.<key>`` names; problems are collected."""
    binding = Binding(book.name)
    charts = {s.casefold() for s in getattr(book, "chart_sheets", list)()}
    sheets = {s.casefold(): s for s in book.sheet_names()}
    sheets = {k: (v if k not in charts else _CHART + v) for k, v in sheets.items()}
    names = book.defined_names()
    mapping = sheets.get(MAPPING_SHEET)
    if mapping is not None and mapping.startswith(_CHART):
        mapping = None
    rows: list[list[Any]] = []
    if mapping is not None:
        rows = book.read(Area(mapping, 1, 1, MAPPING_ROWS, 3))
    for i, (key_cell, ref_cell, record) in enumerate(rows, start=1):
        if not isinstance(key_cell, str) or not key_cell.strip():
            continue
        key = key_cell.strip()
        where = f"{mapping}!B{i}"
        if key.startswith("#") or key.casefold() == "key":
            continue
        if key in binding.rows:
            binding.problem(f"{mapping}!A{i}", key, f"bound twice (also row {binding.rows[key]})")
            continue
        if not _is_input_key(key) and key not in OUTPUT_KEYS and key not in SETTING_KEYS:
            binding.problem(
                f"{mapping}!A{i}", key, "unknown key; expected an input key or output_<table>"
            )
            continue
        binding.rows[key] = i
        if is_empty(ref_cell):
            binding.problem(where, key, "no range; expected e.g. Inputs!C5:G5 or a defined name")
            continue
        area, why = _resolve(str(ref_cell).strip(), names, sheets)
        if area is None:
            binding.problem(where, key, why)
            continue
        if key in SETTING_KEYS:
            binding.settings[key] = area
        elif key in OUTPUT_KEYS:
            binding.outputs[key] = Area.at(area.sheet, area.top, area.left, 1, 1)
            binding.record_cells[key] = Area.at(mapping, i, 3, 1, 1)  # type: ignore[arg-type]
            if not is_empty(record):
                owned, why = _resolve(str(record).strip(), {}, sheets)
                if owned is None:
                    binding.problem(f"{mapping}!C{i}", key, f"record of the last refresh: {why}")
                else:
                    binding.owned[key] = owned
        else:
            _bind_input(binding, where, key, area)
    for name, target in names.items():
        if not name.casefold().startswith("cypsxl."):
            continue
        key = name[7:]
        if not _is_input_key(key) or key in binding.inputs or key in binding.rows:
            continue
        area, why = _resolve(target, {}, sheets)
        if area is None:
            binding.problem(f"name {name}", key, why)
        else:
            _bind_input(binding, f"name {name}", key, area)
    if mapping is None and not binding.inputs:
        binding.problem(
            "",
            "",
            f"no binding: add a sheet named {MAPPING_SHEET!r} (key in column A, range in column"
            " B) or names cypsxl.<key>; see docs/excel.md",
        )
        return binding
    refused = {p.key for p in binding.problems}
    for key in REQUIRED_KEYS:
        if key not in binding.inputs and key not in binding.rows and key not in refused:
            binding.problem(
                f"{mapping or 'names'}",
                key,
                "missing binding; add a row for it to the cypsxl sheet",
            )
    return binding


# --------------------------------------------------------------------------- reading inputs


@dataclass
class Inputs:
    """The case as the nested dict of its TOML file, and where each value came from."""

    doc: dict[str, Any]
    cells: dict[tuple[str, str, int | None], str]  # (case where, key, index) -> "Sheet!A1"
    problems: list[Problem]

    def locate(self, problem: Problem) -> Problem:
        """The problem re-addressed to the workbook cell its value came from."""
        cell = self.cells.get((problem.where, problem.key, problem.index)) or self.cells.get(
            (problem.where, problem.key, None)
        )
        message = problem.message.replace("got None", "got a blank cell")
        if cell is None:
            return Problem(problem.file, problem.where, problem.key, message, problem.index)
        return Problem(problem.file, cell, problem.key, message)


def _flat(values: list[list[Any]]) -> list[Any]:
    if len(values) == 1:
        return list(values[0])
    return [r[0] for r in values]


_WHERE = {
    "case": "[case]",
    "assumptions": "[assumptions]",
    "cyps_budget": "[cyps_budget]",
    "mtfs": "[mtfs]",
}


def _scalar(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
    return None if is_empty(value) else value


def _flag(value: Any) -> Any:
    if isinstance(value, str) and value.strip().casefold() in ("true", "yes", "false", "no"):
        return value.strip().casefold() in ("true", "yes")
    return value


def _label(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def read_inputs(book: Book, binding: Binding) -> Inputs:
    """Read every bound input into the case dict (all reads, no writes)."""
    doc: dict[str, Any] = {"case": {}}
    cells: dict[tuple[str, str, int | None], str] = {}
    problems = list(binding.problems)
    for key, area in binding.inputs.items():
        table, kind = INPUT_KEYS.get(key, ("cyps_budget", "row"))
        if kind == "table":
            continue
        values = book.read(area)
        where = _WHERE[table]
        section = doc.setdefault(table, {})
        if kind in ("row", "labels"):
            if area.shape[0] > 1 and area.shape[1] > 1:
                problems.append(
                    Problem(book.name, area.address, key, "expected one row or one column")
                )
                continue
            flat = _flat(values)
            if kind == "labels":
                while flat and is_empty(flat[-1]):
                    flat.pop()
            for i in range(len(flat)):
                r, c = (0, i) if area.shape[0] == 1 else (i, 0)
                cells[(where, key, i)] = f"{area.sheet}!{area.cell(r, c)}"
            cells[(where, key, None)] = area.address
            section[key] = [_label(v) if kind == "labels" else _scalar(v) for v in flat]
            for i, v in enumerate(flat):
                if isinstance(v, Uncalculated):
                    problems.append(Problem(book.name, cells[(where, key, i)], key, _UNCALC))
                    section[key][i] = 0.0
        else:
            cells[(where, key, None)] = f"{area.sheet}!{area.cell(0, 0)}"
            value = _scalar(values[0][0])
            if value is None:
                continue  # a blank optional input takes the case-file default
            section[key] = _flag(value) if kind == "flag" else value
    for key, area in binding.inputs.items():
        if key == "bids":
            doc["bid"] = _read_bids(book, area, doc, cells, problems)
        elif key == "other_proposals":
            doc["other_proposals"] = _read_others(book, area, doc, cells, problems)
    for section in list(doc.values()):
        if isinstance(section, dict):
            for k, v in list(section.items()):
                if isinstance(v, Uncalculated):
                    problems.append(Problem(book.name, cells[(_where_of(k), k, None)], k, _UNCALC))
                    del section[k]
    return Inputs(doc, cells, problems)


_UNCALC = "a formula with no saved result; open the workbook in Excel, save it, then refresh"


def _where_of(key: str) -> str:
    table, _ = INPUT_KEYS.get(key, ("cyps_budget", "row"))
    return _WHERE.get(table, "")


def _header(values: list[list[Any]]) -> list[str]:
    return [str(v).strip() if not is_empty(v) else "" for v in values[0]] if values else []


def _year_columns(
    header: list[str], labels: list[Any], area: Area, key: str, problems: list[Problem], book: str
) -> list[int] | None:
    columns = []
    for label in labels:
        if not isinstance(label, str) or label not in header:
            problems.append(
                Problem(
                    book,
                    f"{area.sheet}!{area.cell(0, 0)}",
                    key,
                    f"no column headed {label!r}; expected one column per year, headed as in"
                    " the years row",
                )
            )
            return None
        columns.append(header.index(label))
    return columns


def _read_bids(
    book: Book,
    area: Area,
    doc: dict[str, Any],
    cells: dict[tuple[str, str, int | None], str],
    problems: list[Problem],
) -> list[dict[str, Any]]:
    values = book.read(area)
    header = _header(values)
    known = set(BID_COLUMNS)
    labels = doc["case"].get("years") or []
    for j, h in enumerate(header):
        if h and h not in known and h not in labels:
            problems.append(
                Problem(
                    book.name,
                    f"{area.sheet}!{area.cell(0, j)}",
                    "bids",
                    f"unknown column {h!r}; expected {', '.join(BID_COLUMNS)} or a year label",
                )
            )
    for required in ("ref", "line"):
        if required not in header:
            problems.append(
                Problem(book.name, area.address, "bids", f"the header row has no {required!r}")
            )
            return []
    years = _year_columns(header, labels, area, "bids", problems, book.name)
    if years is None:
        return []
    col = {h: j for j, h in enumerate(header) if h}
    bids: dict[str, dict[str, Any]] = {}
    last_ref = ""
    for i, row in enumerate(values[1:], start=1):
        ref_cell, line = _scalar(row[col["ref"]]), _scalar(row[col["line"]])
        if ref_cell is None and line is None:
            continue
        ref = str(ref_cell) if ref_cell is not None else last_ref
        last_ref = ref
        addr = f"{area.sheet}!{area.cell(i, col['line'])}"
        if not ref:
            problems.append(
                Problem(
                    book.name,
                    f"{area.sheet}!{area.cell(i, col['ref'])}",
                    "ref",
                    "blank; expected a bid reference such as CYPS_1",
                )
            )
            continue
        bid = bids.setdefault(ref, {"ref": ref})
        where = f"bid {ref}"
        cells.setdefault((where, "ref", None), f"{area.sheet}!{area.cell(i, col['ref'])}")
        for name in (*_BID_TEXT, *_BID_NUMBERS):
            if name in col and not is_empty(row[col[name]]) and name not in bid:
                bid[name] = _scalar(row[col[name]])
                cells[(where, name, None)] = f"{area.sheet}!{area.cell(i, col[name])}"
        if line not in BID_LINES:
            problems.append(
                Problem(
                    book.name, addr, "line", f"expected one of {', '.join(BID_LINES)}, got {line!r}"
                )
            )
            continue
        if line in bid:
            problems.append(Problem(book.name, addr, "line", f"bid {ref} has two {line} rows"))
            continue
        bid[line] = [0.0 if is_empty(row[j]) else row[j] for j in years]
        for t, j in enumerate(years):
            cells[(where, str(line), t)] = f"{area.sheet}!{area.cell(i, j)}"
            if isinstance(row[j], Uncalculated):
                problems.append(Problem(book.name, cells[(where, str(line), t)], line, _UNCALC))
                bid[line][t] = 0.0
        cells[(where, str(line), None)] = addr
    for ref, bid in bids.items():
        if "investment" not in bid and "title" in bid:
            cells.setdefault((f"bid {ref}", "investment", None), cells[(f"bid {ref}", "ref", None)])
        for k, v in list(bid.items()):
            if isinstance(v, Uncalculated):
                problems.append(Problem(book.name, cells[(f"bid {ref}", k, None)], k, _UNCALC))
                del bid[k]
    return list(bids.values())


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.casefold()).strip("_") or "proposal"


def _read_others(
    book: Book,
    area: Area,
    doc: dict[str, Any],
    cells: dict[tuple[str, str, int | None], str],
    problems: list[Problem],
) -> dict[str, Any]:
    values = book.read(area)
    header = _header(values)
    if "label" not in header:
        problems.append(
            Problem(book.name, area.address, "other_proposals", "the header row has no 'label'")
        )
        return {}
    labels = doc["case"].get("mtfs_years") or doc["case"].get("years") or []
    years = _year_columns(header, labels, area, "other_proposals", problems, book.name)
    if years is None:
        return {}
    out: dict[str, Any] = {}
    jl = header.index("label")
    jk = header.index("key") if "key" in header else None
    for i, row in enumerate(values[1:], start=1):
        label = _scalar(row[jl])
        if label is None:
            continue
        key = str(_scalar(row[jk]) or "") if jk is not None else ""
        key = key or _slug(str(label))
        where = f"other_proposals.{key}"
        out[key] = {"label": str(label), "levels": [_scalar(row[j]) for j in years]}
        for t, j in enumerate(years):
            cells[(where, "levels", t)] = f"{area.sheet}!{area.cell(i, j)}"
            if isinstance(row[j], Uncalculated):
                problems.append(Problem(book.name, cells[(where, "levels", t)], key, _UNCALC))
                out[key]["levels"][t] = 0.0
        cells[(where, "levels", None)] = f"{area.sheet}!{area.cell(i, jl)}"
    return out
