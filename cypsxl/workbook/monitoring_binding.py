"""Bind cypsxl to a monitoring workbook: its ``cypsxl`` mapping sheet and input tables.

The same mapping sheet as an MTFS workbook (key in column A, a range or a defined name
in column B, cypsxl's record of what it wrote in column C), with monitoring keys; a
workbook is a monitoring workbook when its mapping sheet binds ``lines`` (or another
key only a monitoring workbook has: ``period``, ``output_report``, ...). Inputs are
read into the nested dict of a monitoring case file, with the cell each value came
from, so that the case-file rules check them and every problem names its cell. Only
the :class:`~cypsxl.workbook.binding.Book` seam is used; no finance rules here.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from typing import Any

from ..errors import Problem
from .binding import (
    MAPPING_ROWS,
    MAPPING_SHEET,
    MAX_TABLE_COLUMNS,
    MAX_TABLE_ROWS,
    Area,
    Binding,
    Book,
    Uncalculated,
    is_empty,
)

__all__ = [
    "LINE_COLUMNS",
    "MONITORING_INPUTS",
    "MONITORING_OUTPUTS",
    "MONTH_COLUMNS",
    "MonitoringInputs",
    "is_monitoring_book",
    "read_monitoring",
]

#: One-cell inputs: key -> (case-file table, case-file key).
_CELLS: dict[str, tuple[str, str]] = {
    "authority": ("monitoring", "authority"),
    "directorate": ("monitoring", "directorate"),
    "year": ("monitoring", "year"),
    "period": ("monitoring", "period"),
    "as_at": ("monitoring", "as_at"),
    "rag_amber": ("rag", "amber"),
    "rag_red": ("rag", "red"),
    "rag_red_amount": ("rag", "red_amount"),
}
#: Table inputs: key -> the case file's array of tables.
_TABLES = {"lines": "line", "risks": "risk", "savings": "saving", "cost_avoided": "cost_avoided"}
MONITORING_INPUTS = (*_CELLS, *_TABLES)
_REQUIRED = ("authority", "year", "period", "lines")
#: Outputs -> what cypsxl writes there (the anchor is the top-left cell).
MONITORING_OUTPUTS: dict[str, str] = {
    "output_report": "the monitoring report: headline, lines by group, totals, deficit, "
    "risks, savings",
    "output_checks": "check cells: formulas that show the report's totals tie out",
    "output_run_stamp": "run stamp: time, engine version, hash of the inputs",
}
#: The profile's columns of the lines table, April first.
MONTH_COLUMNS = ("Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar")
#: Columns of the lines table (besides the month columns).
LINE_COLUMNS = (
    "name",
    "group",
    "budget",
    "actual_to_date",
    "forecast",
    "forecast_outturn",
    "previous_forecast",
    "ring_fenced",
    "opening_deficit",
    "note",
)
_TABLE_COLUMNS = {
    "lines": (*LINE_COLUMNS, *MONTH_COLUMNS),
    "risks": ("name", "amount", "note"),
    "savings": ("ref", "title", "planned", "forecast", "note"),
    "cost_avoided": ("name", "amount", "note"),
}
_FIRST = {"lines": "name", "risks": "name", "savings": "ref", "cost_avoided": "name"}
_UNCALC = "a formula with no saved result; open the workbook in Excel, save it, then refresh"


@dataclass
class MonitoringInputs:
    """The case dict read from the workbook, where each value came from, and problems."""

    binding: Binding
    doc: dict[str, Any] = field(default_factory=dict)
    cells: dict[tuple[str, str, int | None], str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def locate(self, problem: Problem) -> Problem:
        """A case-file problem re-addressed to the workbook cell its value came from."""
        cell = self.cells.get((problem.where, problem.key, problem.index)) or self.cells.get(
            (problem.where, problem.key, None)
        )
        message = problem.message.replace("got None", "got a blank cell")
        if cell is None:
            cell = self.cells.get((problem.where, "", None))
        if cell is None:
            return Problem(problem.file, problem.where, problem.key, message, problem.index)
        return Problem(problem.file, cell, problem.key, message)


def _mapping_rows(book: Book) -> tuple[str | None, list[list[Any]]]:
    sheets = {s.casefold(): s for s in book.sheet_names()}
    mapping = sheets.get(MAPPING_SHEET)
    if mapping is None:
        return None, []
    return mapping, book.read(Area(mapping, 1, 1, MAPPING_ROWS, 3))


#: Keys only a monitoring workbook binds (``authority`` and ``directorate`` are shared).
_MONITORING_ONLY = {*MONITORING_INPUTS, "output_report"} - {"authority", "directorate"}


def is_monitoring_book(book: Book) -> bool:
    """A monitoring workbook's mapping sheet binds ``lines`` (or another key only a
    monitoring workbook has, so that a misspelt ``lines`` is reported as such)."""
    _, rows = _mapping_rows(book)
    return any(isinstance(r[0], str) and r[0].strip() in _MONITORING_ONLY for r in rows)


def _resolve(book: Book, text: str) -> tuple[Area | None, str]:
    names = {k.casefold(): v for k, v in book.defined_names().items()}
    target = names.get(text.casefold(), text) if "!" not in text else text
    if "!" not in target:
        return None, f"{text!r} is neither a range like Lines!A3:V60 nor a defined name"
    try:
        area = Area.parse(target)
    except ValueError as exc:
        return None, str(exc)
    sheets = {s.casefold(): s for s in book.sheet_names()}
    sheet = sheets.get(area.sheet.casefold())
    if sheet is None:
        return None, f"refers to sheet {area.sheet!r}, which the workbook does not have"
    return Area(sheet, area.top, area.left, area.bottom, area.right), ""


def _binding(book: Book) -> Binding:
    binding = Binding(book.name)
    mapping, rows = _mapping_rows(book)
    known = (*MONITORING_INPUTS, *MONITORING_OUTPUTS)
    for i, (key_cell, ref_cell, record) in enumerate(rows, start=1):
        if not isinstance(key_cell, str) or not key_cell.strip():
            continue
        key = key_cell.strip()
        if key.startswith("#") or key.casefold() == "key":
            continue
        where = f"{mapping}!B{i}"
        if key in binding.rows:
            binding.problem(f"{mapping}!A{i}", key, f"bound twice (also row {binding.rows[key]})")
            continue
        if key not in known:
            near = difflib.get_close_matches(key, known, n=1)
            hint = f"did you mean {near[0]!r}? " if near else ""
            binding.problem(
                f"{mapping}!A{i}",
                key,
                f"unknown key; {hint}expected one of: {', '.join(known)}",
            )
            continue
        binding.rows[key] = i
        if is_empty(ref_cell):
            binding.problem(where, key, "no range; expected e.g. Lines!A3:V60 or a defined name")
            continue
        area, why = _resolve(book, str(ref_cell).strip())
        if area is None:
            binding.problem(where, key, why)
            continue
        if key in MONITORING_OUTPUTS:
            binding.outputs[key] = Area.at(area.sheet, area.top, area.left, 1, 1)
            binding.record_cells[key] = Area.at(str(mapping), i, 3, 1, 1)
            if not is_empty(record):
                owned, why = _resolve(book, str(record).strip())
                if owned is None:
                    binding.problem(f"{mapping}!C{i}", key, f"record of the last refresh: {why}")
                else:
                    binding.owned[key] = owned
            continue
        rows_, cols = area.shape
        if key in _CELLS and (rows_, cols) != (1, 1):
            binding.problem(where, key, f"{area.address} is {rows_} x {cols} cells; expected one")
        elif key in _TABLES and (rows_ > MAX_TABLE_ROWS or cols > MAX_TABLE_COLUMNS):
            binding.problem(
                where,
                key,
                f"{area.address} is {rows_:,} x {cols:,} cells; expected a table of at most "
                f"{MAX_TABLE_ROWS:,} rows and {MAX_TABLE_COLUMNS} columns",
            )
        else:
            binding.inputs[key] = area
    for key in _REQUIRED:
        if key not in binding.rows:
            binding.problem(
                str(mapping), key, "missing binding; add a row for it to the cypsxl sheet"
            )
    return binding


def _scalar(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
    return None if is_empty(value) else value


def _date(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    return value


def _flag(value: Any) -> Any:
    if isinstance(value, str) and value.strip().casefold() in ("true", "yes", "false", "no"):
        return value.strip().casefold() in ("true", "yes")
    if isinstance(value, int | float) and not isinstance(value, bool) and value in (0, 1):
        return bool(value)
    return value


def _where(key: str, index: int, row: dict[str, Any]) -> str:
    first = row.get(_FIRST[key])
    if key == "lines":
        return f'line "{first}"' if isinstance(first, str) and first else f"line {index + 1}"
    if key == "risks":
        return f"risk {index + 1}"
    if key == "cost_avoided":
        return f"cost avoided {index + 1}"
    return f"saving {first}" if isinstance(first, str) and first else f"saving {index + 1}"


def _read_table(book: Book, key: str, area: Area, inputs: MonitoringInputs) -> list[dict[str, Any]]:
    values = book.read(area)
    header = [str(v).strip() if not is_empty(v) else "" for v in values[0]] if values else []
    allowed = _TABLE_COLUMNS[key]
    col: dict[str, int] = {}
    for j, h in enumerate(header):
        if not h:
            continue
        if h not in allowed:
            near = difflib.get_close_matches(h, allowed, n=1)
            hint = f"did you mean {near[0]!r}? " if near else ""
            inputs.problems.append(
                Problem(
                    book.name,
                    f"{area.sheet}!{area.cell(0, j)}",
                    key,
                    f"unknown column {h!r}; {hint}expected {', '.join(allowed)}",
                )
            )
        elif h in col:
            inputs.problems.append(
                Problem(book.name, f"{area.sheet}!{area.cell(0, j)}", key, f"two columns {h!r}")
            )
        else:
            col[h] = j
    if _FIRST[key] not in col:
        inputs.problems.append(
            Problem(book.name, area.address, key, f"the header row has no {_FIRST[key]!r}")
        )
        return []
    out: list[dict[str, Any]] = []
    for i, raw in enumerate(values[1:], start=1):
        cells = {h: _scalar(raw[j]) for h, j in col.items()}
        if all(v is None for v in cells.values()):
            continue  # a spare row
        row: dict[str, Any] = {}
        months = [cells.get(m) for m in MONTH_COLUMNS]
        for h, v in cells.items():
            if v is None or h in MONTH_COLUMNS:
                continue
            row[h] = _flag(v) if h == "ring_fenced" else v
        where = _where(key, len(out), row)
        inputs.cells[(where, "", None)] = f"{area.sheet}!{area.cell(i, col[_FIRST[key]])}"
        for h, j in col.items():
            cell = f"{area.sheet}!{area.cell(i, j)}"
            if h in MONTH_COLUMNS:
                inputs.cells[(where, "profile", MONTH_COLUMNS.index(h))] = cell
            elif h == "opening_deficit":
                inputs.cells[(f"{where} reserve", h, None)] = cell
            else:
                inputs.cells[(where, h, None)] = cell
            if isinstance(raw[j], Uncalculated):
                inputs.problems.append(Problem(book.name, cell, h, _UNCALC))
                row.pop(h, None)
                if h in MONTH_COLUMNS:
                    months[MONTH_COLUMNS.index(h)] = 0.0
        if "opening_deficit" in row:
            row["reserve"] = {"opening_deficit": row.pop("opening_deficit")}
        if any(m is not None for m in months):
            row["profile"] = [0.0 if m is None else m for m in months]
            first = next(m for m in MONTH_COLUMNS if m in col)
            inputs.cells[(where, "profile", None)] = (
                f"{area.sheet}!{area.cell(i, col[first])}:{area.cell(i, col['Mar'])}"
                if "Mar" in col
                else f"{area.sheet}!{area.cell(i, col[first])}"
            )
        out.append(row)
    return out


def read_monitoring(book: Book) -> MonitoringInputs:
    """Read the binding and every input into a monitoring case dict (all reads, no writes)."""
    binding = _binding(book)
    inputs = MonitoringInputs(binding, problems=list(binding.problems))
    doc: dict[str, Any] = {"monitoring": {}}
    for key, area in binding.inputs.items():
        if key in _CELLS:
            table, name = _CELLS[key]
            cell = f"{area.sheet}!{area.cell(0, 0)}"
            where = "[monitoring]" if table == "monitoring" else "[rag]"
            inputs.cells[(where, name, None)] = cell
            value = book.read(area)[0][0]
            if isinstance(value, Uncalculated):
                inputs.problems.append(Problem(book.name, cell, key, _UNCALC))
                continue
            value = _scalar(value)
            if value is not None:
                doc.setdefault(table, {})[name] = _date(value) if name == "as_at" else value
    for key, table in _TABLES.items():
        if key in binding.inputs:
            doc[table] = _read_table(book, key, binding.inputs[key], inputs)
    inputs.doc = doc
    return inputs
