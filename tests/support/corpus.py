"""Workbooks that carry what council workbooks carry, for the refresh's fidelity tests.

``build`` writes, with XlsxWriter, an MTFS workbook bound like the demo (its Inputs,
Bids and ``cypsxl`` sheets copied cell for cell) plus the things openpyxl cannot keep: a
text box, a picture, sparklines, data bars, rich text, notes, a chart and a chart sheet,
defined names, an Excel table, custom document properties, formulas with saved results,
merged cells, frozen panes, a data validation, a hyperlink and, in an ``.xlsm``, a form
button running a macro. With ``stale=True`` the output tables are already there, as an
officer's last refresh left them: rounded figures in money format, and their areas
recorded in column C of the ``cypsxl`` sheet.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import xlsxwriter

from cypsxl.excel.demo import build_demo

__all__ = ["USER_CELLS", "build", "png"]

ROOT = Path(__file__).resolve().parents[2]

#: The user's own cells on the sheets cypsxl writes into (never owned by cypsxl), with
#: the values or saved formula results the workbook carries.
USER_CELLS = {
    "Outputs!K2": "Officer's notes",
    "Outputs!K12": 1234.5,
    "Outputs!L12": 1235.5,  # =K12+1, saved result
    "Checks!H2": "Reviewed by Head of Finance",
}


def png(width: int = 4, height: int = 3) -> bytes:
    """A small red PNG image, made here (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _copy_sheet(ws_in: Any, ws: Any, money: Any, skip: tuple[str, ...] = ()) -> None:
    for row in ws_in.iter_rows():
        for cell in row:
            if cell.coordinate in skip or cell.value is None:
                continue
            value = cell.value
            if isinstance(value, bool):
                ws.write_boolean(cell.row - 1, cell.column - 1, value)
            elif isinstance(value, int | float):
                ws.write_number(cell.row - 1, cell.column - 1, value, money)
            else:
                ws.write_string(cell.row - 1, cell.column - 1, str(value))


def build(
    path: Path,
    *,
    demand_2017: float = 7.346,
    stale: bool = False,
    rebind: dict[str, str] | None = None,
    extra: Any = None,
) -> Path:
    """Write the corpus workbook to ``path`` (.xlsx or .xlsm) and return it.

    ``demand_2017`` is the demand pressure of 2017/18 (Inputs!D8; 7.346 in the reference
    case). Inputs!C7, the 2016/17 net budget, is the formula ``=50+6.468`` with its saved
    result 56.468: the refresh must read the saved result. ``rebind`` replaces column B of
    mapping rows (key -> range); ``extra(workbook, sheets)`` adds to the XlsxWriter book
    before it is closed.
    """
    demo = build_demo()
    macro = path.suffix.lower() == ".xlsm"
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties(
        {"title": "MTFS 2016/17", "company": "Northshire Council", "manager": "Head of Finance"}
    )
    wb.set_custom_property("Checked by", "Finance Business Partner")
    money = wb.add_format({"num_format": "#,##0.000;(#,##0.000)"})
    bold = wb.add_format({"bold": True})
    red = wb.add_format({"color": "red", "bold": True})

    inputs = wb.add_worksheet("Inputs")
    _copy_sheet(demo["Inputs"], inputs, money, skip=("A2", "C7", "D8"))
    inputs.write_formula("C7", "=50+6.468", money, 56.468)
    inputs.write_number("D8", demand_2017, money)
    inputs.write_rich_string("A2", "Money in ", bold, "£m", " unless ", red, "stated", ".")
    inputs.write_comment("D8", "Demand pressure agreed at DMT, 14 Nov", {"author": "CFO"})
    inputs.data_validation("C15", {"validate": "decimal", "criteria": "between", "minimum": 0,
                                   "maximum": 1})  # fmt: skip
    bids = wb.add_worksheet("Bids")
    _copy_sheet(demo["Bids"], bids, money)

    outputs = wb.add_worksheet("Outputs")
    summary = wb.add_worksheet("Bid summary")
    checks = wb.add_worksheet("Checks")
    outputs.write_string("K2", "Officer's notes", bold)
    outputs.write_number("K12", 1234.5)
    outputs.write_formula("L12", "=K12+1", None, 1235.5)
    outputs.insert_textbox("K4", "Figures from the November update", {"width": 240, "height": 60})
    outputs.conditional_format("B9:F9", {"type": "data_bar", "bar_solid": True})
    outputs.freeze_panes(2, 1)
    outputs.merge_range("K20:M20", "merged note", bold)
    checks.write_string("H2", "Reviewed by Head of Finance")
    if stale:
        for name, ws in (("Outputs", outputs), ("Bid summary", summary), ("Checks", checks)):
            _stale_copy(demo[name], ws, money)

    notes = wb.add_worksheet("Notes")
    notes.write_string("A1", "Funding support 2017/18 in £k", bold)
    support_2017 = float(demo["Outputs"]["C9"].value)
    notes.write_formula("B2", "=Outputs!C9*1000", None, support_2017 * 1000 if stale else 0)
    notes.insert_image("D2", "crest.png", {"image_data": _BytesIO(png())})
    notes.add_sparkline("F2", {"range": "Outputs!B9:F9"})
    notes.add_table("H2:J5", {"name": "Contacts", "data": [["A", 1, 2], ["B", 3, 4], ["C", 5, 6]],
                              "columns": [{"header": "Team"}, {"header": "Posts"},
                                          {"header": "Vacant"}]})  # fmt: skip
    notes.write_url("A8", "https://www.gov.uk/guidance", string="Green Book")
    notes.merge_range("A10:C10", "Merged heading", bold)
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"name": "Funding support", "values": "=Outputs!$B$9:$F$9"})
    notes.insert_chart("D12", chart)
    wb.define_name("SupportRow", "=Outputs!$B$9:$F$9")
    wb.define_name("Notes!LocalName", "=Notes!$A$1")

    funding = wb.add_worksheet("Funding")  # Tables 3 and 4 (after Notes: sheet numbers kept)
    if stale:
        _stale_copy(demo["Funding"], funding, money)
    mapping = wb.add_worksheet("cypsxl")
    records = tuple(
        f"C{row[0].row}" for row in demo["cypsxl"].iter_rows(min_col=3, max_col=3, min_row=2)
    )
    _copy_sheet(demo["cypsxl"], mapping, None, skip=() if stale else records)  # no refresh yet
    for row in demo["cypsxl"].iter_rows(min_col=1, max_col=1):
        if rebind and row[0].value in rebind:
            mapping.write_string(row[0].row - 1, 1, rebind[row[0].value])
    sheet = wb.add_chartsheet("Chart")
    chart2 = wb.add_chart({"type": "line"})
    chart2.add_series({"name": "Revised gap", "values": "=Funding!$B$16:$E$16"})
    sheet.set_chart(chart2)

    if macro:
        with zipfile.ZipFile(ROOT / "workbooks" / "cypsxl_demo.xlsm") as z:
            vba = z.read("xl/vbaProject.bin")
        wb.add_vba_project(_BytesIO(vba), is_stream=True)
        outputs.insert_button("K14", {"macro": "RefreshCypsxl", "caption": "Refresh"})
    if extra is not None:
        extra(wb, {"Outputs": outputs, "Notes": notes, "Checks": checks, "Inputs": inputs})
    wb.close()
    return path


def _stale_copy(source: Any, ws: Any, money: Any) -> None:
    """Copy a refreshed demo sheet's values as a refresh long ago left them (3 decimals)."""
    for row in source.iter_rows():
        for cell in row:
            v = cell.value
            if v is None:
                continue
            r, c = cell.row - 1, cell.column - 1
            if isinstance(v, str) and v.startswith("="):
                ws.write_formula(r, c, v, None, 0 if cell.column == 2 else "OK")
            elif isinstance(v, int | float) and not isinstance(v, bool):
                ws.write_number(r, c, round(v, 3), money)  # as a refresh long ago left it
            else:
                ws.write_string(r, c, str(v))


def _BytesIO(data: bytes) -> Any:
    import io

    return io.BytesIO(data)
