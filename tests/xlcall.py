"""Call cypsxl's Excel functions and scripts the way Excel does, through xlwings' own layer.

conftest.py has set the xlwings environment before this module imports xlwings.
"""

from __future__ import annotations

import asyncio
from types import ModuleType
from typing import Any

import xlwings as xw
from xlwings.server import custom_functions_call

from cypsxl.excel import functions

__all__ = ["book_snapshot", "call", "json_book", "payload"]


def payload(func_name: str, *args: Any) -> dict[str, Any]:
    """The POST body xlwings' Office.js custom-functions code sends (every arg 2-D)."""
    return {
        "client": "Office.js",
        "version": xw.__version__,
        "runtime": "1.4",
        "func_name": func_name,
        "args": [a if isinstance(a, list) else [[a]] for a in args],
        "caller_address": "[MTFS.xlsx]What if!B2",
        "session_id": "test-session",
        "culture_info_name": "en-GB",
        "date_format": "dd/mm/yyyy",
    }


def call(func_name: str, *args: Any, module: ModuleType = functions) -> Any:
    """The 2-D list Excel would show for ``=FUNC_NAME(args...)``."""
    return asyncio.run(custom_functions_call(payload(func_name, *args), module))


def json_book(wb: Any, name: str = "MTFS.xlsx") -> xw.Book:
    """An xlwings book over the Office.js snapshot of an openpyxl workbook."""
    return xw.Book(json=book_snapshot(wb, name))


def book_snapshot(wb: Any, name: str = "MTFS.xlsx") -> dict[str, Any]:
    """The Office.js book snapshot (the request body) of an openpyxl workbook.

    Formula cells stand as their text, which is never empty, as their value would be.
    """

    def value(v: Any) -> Any:
        text = getattr(v, "text", v)  # an ArrayFormula keeps its text in .text
        return "" if text is None else text

    sheets = []
    for ws in wb.worksheets:
        rows = [[value(c.value) for c in row] for row in ws.iter_rows()]
        sheets.append({"name": ws.title, "values": rows or [[""]], "pictures": [], "tables": []})
    names = []
    for n, dn in wb.defined_names.items():
        sheet, _, address = dn.attr_text.partition("!")
        names.append(
            {
                "name": n,
                "refers_to": "=" + dn.attr_text,
                "sheet_index": wb.sheetnames.index(sheet.strip("'")),
                "address": address.replace("$", ""),
                "scope_sheet_name": None,
                "scope_sheet_index": None,
                "book_scope": True,
            }
        )
    return {
        "client": "Office.js",
        "version": xw.__version__,
        "book": {"name": name, "active_sheet_index": 0, "selection": "A1"},
        "names": names,
        "sheets": sheets,
    }
