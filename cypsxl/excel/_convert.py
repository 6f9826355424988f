"""Turn the values Excel passes to a custom function into numbers, and back.

Excel hands a function a single value for one cell, a list for a single row and a
list of lists otherwise. These helpers accept a row or a column alike and name the
argument in every error. From xlwings they import only ``XlwingsError`` (its BSD core),
the base of :class:`ArgumentError`.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np
from xlwings import XlwingsError

from ..model._arrays import FloatArray
from ..model.input_rules import Rule, first_refused

__all__ = [
    "ArgumentError",
    "Cells",
    "ExcelCells",
    "as_lines",
    "as_number",
    "as_row",
    "as_years",
    "checked",
    "is_blank",
    "is_column",
    "orient",
    "per_later_year",
    "year_or_none",
]

#: A spilled result: rows of cells.
Cells = list[list[Any]]


class ArgumentError(XlwingsError, ValueError):
    """A bad argument to a custom function; the message names the function and argument.

    An ``XlwingsError``, so xlwings Server shows the user this message (a plain exception
    becomes "An error occurred." outside development) and answers 400, which Excel does
    not retry.
    """


_PLAIN = {float, int}
_IN_PYODIDE = sys.platform == "emscripten"


class ExcelCells:
    """xlwings argument converter: the cells as rows, an Excel error cell kept as its text.

    Use it as ``@arg("name", ExcelCells)``. The function always receives rows (a list of
    lists, ``None`` for an empty cell), and a cell showing ``#N/A``, ``#REF!``... arrives
    as that text, so :func:`as_row` and :func:`as_number` reject it by argument and
    position. xlwings' default converter turns an error cell into ``None``, the same as a
    blank, which a pressure or savings line would then count as zero.

    Office.js outside Pyodide (xlwings Server): a row of plain numbers, the usual case,
    is passed on untouched, and other cells are cleaned here in one pass exactly as
    xlwings' Office.js engine does (empty -> ``None``, an error -> its text, a data type
    -> its basic value) - without the per-cell ``JsNull`` import it runs. Desktop Excel
    (COM) and xlwings Lite (Pyodide): the engine's own cleaning, with errors as text.

    >>> class Ctx:  # what xlwings passes a converter for a custom-function argument
    ...     range = None
    ...     class engine:
    ...         name = "officejs"
    >>> ctx = Ctx()
    >>> ctx.value = [[1.5, "", {"type": "Error", "basicValue": "#N/A"}]]
    >>> ExcelCells.reader({})(ctx)
    >>> ctx.value
    [[1.5, None, '#N/A']]
    """

    @classmethod
    def reader(cls, options: dict[str, Any]) -> Any:
        """The read pipeline xlwings calls with a conversion context."""
        return _read_cells


def _rows(value: Any) -> list[Any]:
    if not isinstance(value, list | tuple):
        return [[value]]
    if not value or not isinstance(value[0], list | tuple):
        return [value]
    return value if isinstance(value, list) else list(value)


def _officejs_cell(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, dict):
        # an error's text ("#N/A"), or a data type's value; anything else stays as it is
        # (and is rejected as not a number), never a blank
        return value.get("basicValue", value)
    return value


def _read_cells(ctx: Any) -> None:
    rows = _rows(ctx.value if ctx.range is None else ctx.range.raw_value)
    if ctx.engine.name == "officejs" and not _IN_PYODIDE:
        if all(set(map(type, r)) <= _PLAIN for r in rows):
            ctx.value = rows
        else:
            ctx.value = [[_officejs_cell(v) for v in r] for r in rows]
        return
    ctx.value = ctx.engine.impl.clean_value_data(rows, dt.datetime, None, None, True)


def is_blank(value: object) -> bool:
    """True for an empty cell (``None``, or ``""`` as Office.js sends it).

    >>> is_blank(None), is_blank(""), is_blank(0)
    (True, True, False)
    """
    return value is None or (isinstance(value, str) and value == "")


def _number(
    func: str, arg: str, value: object, index: int | tuple[int, int] | None, blank: float | None
) -> float:
    if index is None:
        where = f"{func}: '{arg}'"
    elif isinstance(index, tuple):
        where = f"{func}: '{arg}' row {index[0] + 1}, column {index[1] + 1}"
    else:
        where = f"{func}: '{arg}' value {index + 1}"
    if is_blank(value):
        if blank is None:
            raise ArgumentError(f"{where} is blank; expected a number")
        return blank
    if isinstance(value, str) and value.startswith("#"):
        raise ArgumentError(f"{where} is the Excel error {value}; expected a number")
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise ArgumentError(f"{where}: expected a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ArgumentError(f"{where}: expected a finite number, got {value!r}")
    return number


def as_number(func: str, arg: str, value: object, default: float | None = None) -> float:
    """One number; a blank gives ``default`` (an error when there is none).

    >>> as_number("f", "weeks", None, 52.0)
    52.0
    >>> as_number("f", "weeks", "x")
    Traceback (most recent call last):
    cypsxl.excel._convert.ArgumentError: f: 'weeks': expected a number, got 'x'
    """
    if isinstance(value, list | tuple):
        cells = _flatten(func, arg, value)
        if len(cells) != 1:
            raise ArgumentError(f"{func}: '{arg}': expected one cell, got {len(cells)} cells")
        value = cells[0]
    return _number(func, arg, value, None, default)


def is_column(value: object) -> bool:
    """True when Excel passed a column of two or more cells.

    >>> is_column([[1], [2]]), is_column([1, 2]), is_column(3)
    (True, False, False)
    """
    return (
        isinstance(value, list | tuple)
        and len(value) > 1
        and all(isinstance(r, list | tuple) and len(r) == 1 for r in value)
    )


def _flatten(func: str, arg: str, value: Sequence[Any]) -> list[Any]:
    if not value or not isinstance(value[0], list | tuple):
        return list(value)
    if len(value) == 1:
        return list(value[0])
    if all(isinstance(r, list | tuple) and len(r) == 1 for r in value):
        return [r[0] for r in value]
    raise ArgumentError(
        f"{func}: '{arg}': expected one row or one column, got {len(value)} rows x "
        f"{len(value[0])} columns"
    )


def as_row(
    func: str, arg: str, value: object, blank: float | None = None, length: int | None = None
) -> FloatArray:
    """A row or a column of numbers as a 1-D array; blanks give ``blank`` (else an error).

    >>> as_row("f", "net", [[1], [2.5]]).tolist()
    [1.0, 2.5]
    >>> as_row("f", "net", [1, None], blank=0.0).tolist()
    [1.0, 0.0]
    >>> as_row("f", "net", [1, 2], length=3)
    Traceback (most recent call last):
    cypsxl.excel._convert.ArgumentError: f: 'net': has 2 values; expected 3, one per year
    """
    if isinstance(value, np.ndarray):
        value = value.tolist()
    cells = _flatten(func, arg, value) if isinstance(value, list | tuple) else [value]
    if length is not None and len(cells) != length:
        raise ArgumentError(
            f"{func}: '{arg}': has {len(cells)} values; expected {length}, one per year"
        )
    if set(map(type, cells)) <= _PLAIN:  # the common case: every cell a number
        row = np.array(cells, dtype=np.float64)
        if np.isfinite(row).all():
            return row
    return np.array([_number(func, arg, v, i, blank) for i, v in enumerate(cells)])


def as_years(func: str, value: object) -> int:
    """The ``years`` a projection runs: a whole number from 1 to 100.

    >>> as_years("f", 3.0)
    3
    >>> as_years("f", 2.5)
    Traceback (most recent call last):
    cypsxl.excel._convert.ArgumentError: f: 'years': expected a whole number from 1 to 100, got 2.5
    """
    n = as_number(func, "years", value)
    if n != int(n) or not 1 <= n <= 100:
        raise ArgumentError(f"{func}: 'years': expected a whole number from 1 to 100, got {n:g}")
    return int(n)


def per_later_year(func: str, arg: str, value: object, years: int) -> FloatArray:
    """One number for every year after the first, or one for them all, as a 1-D array.

    >>> per_later_year("f", "rate", [[0.1, 0.2]], 3).tolist()
    [0.1, 0.2]
    >>> try:
    ...     per_later_year("f", "rate", [0.1, 0.2], 4)
    ... except ArgumentError as exc:
    ...     print(exc)
    f: 'rate': has 2 values; expected 1 or 3 (one per year after the first)
    """
    row = as_row(func, arg, value)
    if row.size not in (1, years - 1):
        raise ArgumentError(
            f"{func}: '{arg}': has {row.size} values; expected 1 or {years - 1} "
            "(one per year after the first)"
        )
    return row


def as_lines(func: str, arg: str, value: object, length: int) -> FloatArray:
    """Lines x years summed over lines: several rows (or columns) of ``length`` years.

    Blanks are zero (an empty cell in a pressure or proposal line adds nothing).

    >>> as_lines("f", "pressures", [[1, 2], [3, 4]], 2).tolist()
    [4.0, 6.0]
    >>> as_lines("f", "pressures", [[1, 3], [2, 4]], 2).tolist()   # years down
    [3.0, 7.0]
    """
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if not (isinstance(value, list | tuple) and value and isinstance(value[0], list | tuple)):
        return as_row(func, arg, value, blank=0.0, length=length)
    if len(value) == 1 or all(len(r) == 1 for r in value):
        return as_row(func, arg, value, blank=0.0, length=length)
    width = len(value[0])
    grid: FloatArray | None = None
    if all(len(r) == width and set(map(type, r)) <= _PLAIN for r in value):
        grid = np.array(value, dtype=np.float64)
    if grid is None or not np.isfinite(grid).all():
        grid = np.array(
            [
                [_number(func, arg, v, (i, j), 0.0) for j, v in enumerate(r)]
                for i, r in enumerate(value)
            ]
        )
    if grid.shape[1] == length:
        return grid.sum(axis=0)
    if grid.shape[0] == length:
        return grid.sum(axis=1)
    raise ArgumentError(
        f"{func}: '{arg}': is {grid.shape[0]} x {grid.shape[1]}; expected {length} years "
        "across (one line per row) or down (one line per column)"
    )


def orient(rows: Cells, column: bool) -> Cells:
    """``rows`` as they are, or transposed when the input came as a column.

    >>> orient([[1, 2], [3, 4]], True)
    [[1, 3], [2, 4]]
    """
    return [list(r) for r in zip(*rows, strict=True)] if column else rows


def year_or_none(year: int | None) -> int | str:
    """A 1-based year for a cell, or the text ``"none"``.

    >>> year_or_none(3), year_or_none(None)
    (3, 'none')
    """
    return "none" if year is None else int(year)


def checked(func: str, arg: str, values: Any, rule: Rule) -> Any:
    """``values`` (a number or a row) unchanged if ``rule`` accepts each, else an error.

    The rules are the case file's (:mod:`cypsxl.model.input_rules`), so a function refuses
    what a case file refuses, in the same words.

    >>> from cypsxl.model.input_rules import CHILDREN, WEEKS_PER_YEAR
    >>> checked("f", "weeks", 52.0, WEEKS_PER_YEAR)
    52.0
    >>> checked("f", "n", np.array([0.0, -37.0]), CHILDREN)
    Traceback (most recent call last):
    cypsxl.excel._convert.ArgumentError: f: 'n' value 2: expected a count of children >= 0, got -37
    """
    row = np.atleast_1d(values)
    refused = first_refused(rule, row.tolist())
    if refused is not None:
        index, value = refused
        where = f"'{arg}'" if np.ndim(values) == 0 else f"'{arg}' value {index + 1}"
        raise ArgumentError(f"{func}: {where}: expected {rule.expected}, got {value:g}")
    return values
