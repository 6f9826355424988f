"""The workbook buttons: refresh (and, with the bid reader, import bids / new template).

Each button is one function over an xlwings book with two thin entry points: an
``@script`` for the Office.js / xlwings Lite task pane, and a parameterless function for
a desktop VBA button::

    Sub RefreshCypsxl()
        RunPython "import cypsxl.excel.scripts as s; s.main()"
    End Sub

A problem in the workbook (a missing binding, a bad value, an output that would cover a
cell cypsxl does not own) is shown to the user in an alert naming the sheet and cell,
and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import xlwings as xw
from xlwings import script

from ..errors import CaseError
from ..workbook.binding import Area, Formula
from .buttons import import_bids, new_template
from .refresh import RefreshResult, refresh

__all__ = [
    "XlwingsBook",
    "cyps_refresh",
    "import_bids_main",
    "main",
    "new_template_main",
    "refresh_book",
]

ALERT_TITLE = "cypsxl refresh"
_IMPORT_TITLE = "cypsxl import bids"
_TEMPLATE_TITLE = "cypsxl new bid template"

_T = TypeVar("_T")


def _cell_value(value: Any) -> Any:
    if isinstance(value, Formula):
        return str(value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # text from a workbook is data, never a formula
    return value


class XlwingsBook:
    """:class:`~cypsxl.workbook.binding.Book` over an xlwings ``Book`` (desktop or Office.js)."""

    def __init__(self, book: xw.Book) -> None:
        self.book = book
        self.name = book.name

    def sheet_names(self) -> list[str]:
        return [s.name for s in self.book.sheets]

    def defined_names(self) -> dict[str, str]:
        out = {}
        for n in self.book.names:
            if "!" not in n.name:  # sheet-scoped names are not bindings
                out[n.name] = str(n.refers_to).lstrip("=")
        return out

    def _range(self, area: Area) -> Any:
        sheet = self.book.sheets[area.sheet]
        return sheet.range((area.top, area.left), (area.bottom, area.right))

    def read(self, area: Area) -> list[list[Any]]:
        # an error cell reads as its text ("#N/A"), never as a blank: a blank bid year is
        # zero and a blank cell may be overwritten, an error is neither
        values = self._range(area).options(ndim=2, err_to_str=True).value
        return [list(row) for row in values]

    def write(self, area: Area, values: list[list[Any]]) -> None:
        rows = [[_cell_value(v) for v in row] for row in values]
        self.book.sheets[area.sheet].range((area.top, area.left)).value = rows

    def clear(self, area: Area) -> None:
        self._range(area).clear_contents()


def _alert_problems(book: xw.Book, exc: CaseError, title: str = ALERT_TITLE) -> None:
    lines = [str(p) for p in exc.problems]
    shown = lines[:15] + ([f"... and {len(lines) - 15} more"] if len(lines) > 15 else [])
    book.app.alert("Nothing was written.\n" + "\n".join(shown), title=title, buttons="ok")


def _guarded(book: xw.Book, title: str, action: Callable[[XlwingsBook], _T]) -> _T | None:
    """Run a button's ``action``; on a problem, alert the user under ``title`` (None)."""
    try:
        return action(XlwingsBook(book))
    except CaseError as exc:
        _alert_problems(book, exc, title)
        return None


def refresh_book(book: xw.Book) -> RefreshResult | None:
    """Refresh ``book``; on a problem, alert the user and write nothing (returns None)."""
    return _guarded(book, ALERT_TITLE, refresh)


def _folder_of(book: xw.Book) -> Path:
    return Path(book.fullname).resolve().parent


def import_bids_main() -> None:
    """Desktop button: ``RunPython "import cypsxl.excel.scripts as s; s.import_bids_main()"``.

    Imports every returned template in the ``bid_folder`` into the bids table.
    """
    book = xw.Book.caller()
    result = _guarded(book, _IMPORT_TITLE, lambda b: import_bids(b, _folder_of(book)))
    if result is not None:
        book.app.alert(result.summary(), title=_IMPORT_TITLE, buttons="ok")


def new_template_main() -> None:
    """Desktop button: ``RunPython "import cypsxl.excel.scripts as s; s.new_template_main()"``.

    Writes a blank bid template, with the next free reference, into the template folder.
    """
    book = xw.Book.caller()
    path = _guarded(book, _TEMPLATE_TITLE, lambda b: new_template(b, _folder_of(book)))
    if path is not None:
        book.app.alert(f"New bid template written:\n{path}", title=_TEMPLATE_TITLE)


@script
def cyps_refresh(book: xw.Book) -> None:
    """Refresh cypsxl's output tables from the inputs bound on the cypsxl sheet."""
    refresh_book(book)


def main() -> None:
    """Desktop button: ``RunPython "import cypsxl.excel.scripts as s; s.main()"``."""
    refresh_book(xw.Book.caller())
