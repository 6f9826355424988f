"""The "Placements" and "Workforce" sheets of the monitoring demo workbook.

Each sheet holds a small register (placements, or posts) as inputs and prices it with
native formulas only - days inside a window, weekly x count x days / 7 net of the health
and education shares, annual x days / days in the year, by type and by kind - so a
finance officer can follow every figure without Python, and the tests recalculate the
sheets with LibreOffice and compare each formula cell with the engine
(:mod:`cypsxl.model.register`, :mod:`cypsxl.model.workforce`). The inputs are the
``DEMO`` case tables below (see ``docs/drivers.md``).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from typing import Any

from openpyxl.styles import Alignment, Border, Side
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ..model.dates import date_of, fy_bounds
from ..reference_data import placement_reference
from ..workbook.printing import (
    BOLD,
    FMT_MONEY,
    NOTE,
    print_setup,
    rule_total,
    title_and_note,
)

__all__ = ["DEMO", "FIRST_ROW", "add_driver_sheets", "placements_sheet", "workforce_sheet"]

#: The demo's placements and posts, as case-file tables (2025/26, as at 31 October 2025).
DEMO = """
[register]
year = "2025/26"
as_at = 2025-10-31

[[placement]]
ref = "P1"
type = "in_house_fostering"
weekly_cost = 450
start = 2024-06-01

[[placement]]
ref = "P2"
type = "ifa"
weekly_cost = 910
start = 2025-05-12

[[placement]]
ref = "P3"
type = "ifa"
weekly_cost = 880
start = 2025-01-06
end = 2025-09-30

[[placement]]
ref = "P4"
type = "residential_external"
weekly_cost = 5600
start = 2025-08-18
education_share = 0.25

[[placement]]
ref = "P5"
type = "secure"
weekly_cost = 7800
start = 2025-10-20
end = 2025-12-19
health_share = 0.5

[[placement]]
ref = "P6"
type = "semi_independent"
weekly_cost = 1250
start = 2026-01-05

[[placement]]
ref = "P7"
type = "parent_and_child"
weekly_cost = 3100
start = 2025-10-31
end = 2025-10-31

[[placement]]
ref = "C1"
type = "ifa"
weekly_cost = 900
start = 2026-01-01
count = 3

[workforce]
agency_cap = 3

[[post]]
team = "Safeguarding"
role = "Social worker"
kind = "permanent"
fte = 12
annual_cost = 52000

[[post]]
team = "Safeguarding"
role = "Social worker"
kind = "agency"
fte = 4
weekly_rate = 1400
to = 2026-01-31

[[post]]
team = "Safeguarding"
role = "Social worker"
kind = "vacant"
fte = 2
annual_cost = 52000

[[post]]
team = "Children in care"
role = "Team manager"
kind = "permanent"
fte = 1
annual_cost = 68000
from = 2025-09-01

[[post]]
team = "Children in care"
role = "Social worker"
kind = "agency"
fte = 1
weekly_rate = 1550
"""

#: First data row of both sheets (the year's dates sit above the table).
FIRST_ROW = 9
_THIN = Side(style="thin")
_DATE = "dd/mm/yyyy"


def _dates_block(ws: Worksheet, year: str, as_at: dt.date) -> None:
    first, last = fy_bounds(year)
    for r, (label, value) in enumerate(
        (("Year starts", date_of(first)), ("As at", as_at), ("Year ends", date_of(last))), 4
    ):
        ws.cell(r, 1, label).font = BOLD
        ws.cell(r, 2, value).number_format = _DATE
    ws.cell(7, 1, "Days in the year").font = BOLD
    ws.cell(7, 2, "=B6-B4+1")


def _header(ws: Worksheet, names: tuple[str, ...]) -> None:
    for c, name in enumerate(names, 1):
        cell = ws.cell(FIRST_ROW - 1, c, name)
        cell.font = BOLD
        cell.border = Border(bottom=_THIN)
        cell.alignment = Alignment(horizontal="left" if c <= 2 else "right", wrap_text=True)


def _summary_head(cell: Any) -> None:
    cell.font = BOLD
    cell.border = Border(bottom=_THIN)
    cell.alignment = Alignment(
        horizontal="left" if cell.column == 1 else "right", wrap_text=True, vertical="bottom"
    )


def _date_or_none(value: Any) -> dt.date | None:
    return value if isinstance(value, dt.date) else None


def placements_sheet(ws: Worksheet, doc: dict[str, Any]) -> int:
    """Fill a "Placements" sheet from the ``[[placement]]`` tables; return its last row."""
    title_and_note(
        ws,
        "Placement register: cost by days in the year (native formulas)",
        "Cost = £ a week x count x days / 7 x (1 - health - education share); both ends "
        "of every date range count. Blank end = open.",
    )
    _dates_block(ws, doc["register"]["year"], doc["register"]["as_at"])
    _header(ws, ("Ref", "Type", "£ a week", "Start", "End", "Count", "Health share",
                 "Education share", "Days to date", "Days to come", "To date £",
                 "Rest of year £", "Full year £", "In placement at as at"))  # fmt: skip
    rows = doc["placement"]
    last = FIRST_ROW + len(rows) - 1
    for k, p in enumerate(rows):
        r = FIRST_ROW + k
        ws.cell(r, 1, p["ref"])
        ws.cell(r, 2, p["type"])
        ws.cell(r, 3, p["weekly_cost"]).number_format = "#,##0"
        ws.cell(r, 4, p["start"]).number_format = _DATE
        ws.cell(r, 5, _date_or_none(p.get("end"))).number_format = _DATE
        ws.cell(r, 6, p.get("count", 1))
        ws.cell(r, 7, p.get("health_share", 0))
        ws.cell(r, 8, p.get("education_share", 0))
        end = f'IF(E{r}="",$B$6,E{r})'
        ws.cell(r, 9, f"=MAX(0,MIN({end},$B$5)-MAX(D{r},$B$4)+1)")
        ws.cell(r, 10, f"=MAX(0,MIN({end},$B$6)-MAX(D{r},$B$5+1,$B$4)+1)")
        share = f"(1-G{r}-H{r})"
        ws.cell(r, 11, f"=C{r}*F{r}*I{r}/7*{share}").number_format = "#,##0"
        ws.cell(r, 12, f"=C{r}*F{r}*J{r}/7*{share}").number_format = "#,##0"
        ws.cell(r, 13, f"=K{r}+L{r}").number_format = "#,##0"
        ws.cell(r, 14, f'=IF(AND(D{r}<=$B$5,OR(E{r}="",E{r}>=$B$5)),F{r},0)')
    total = last + 1
    ws.cell(total, 1, "Total")
    for c in (11, 12, 13, 14):
        col = "KLMN"[c - 11]
        ws.cell(total, c, f"=SUM({col}{FIRST_ROW}:{col}{last})").number_format = (
            "#,##0" if c < 14 else "0"
        )
    rule_total(ws, total, 1, 14)
    top = total + 2
    ws.cell(top, 1, "By type (£m)").font = BOLD
    heads = ("Type", "", "", "", "", "", "", "", "", "Children at as at", "To date",
             "Rest of year", "Full year")  # fmt: skip
    for c, name in enumerate(heads, 1):
        if name:
            _summary_head(ws.cell(top + 1, c, name))
    ws.row_dimensions[top + 1].height = 30
    types = placement_reference().types
    span = f"$B${FIRST_ROW}:$B${last}"
    for k, key in enumerate(types.keys):
        r = top + 2 + k
        ws.cell(r, 1, types.labels[k])
        ws.cell(r, 2, key).font = NOTE
        ws.cell(r, 10, f"=SUMIF({span},$B{r},$N${FIRST_ROW}:$N${last})")
        for c, col in ((11, "K"), (12, "L"), (13, "M")):
            formula = f"=SUMIF({span},$B{r},${col}${FIRST_ROW}:${col}${last})/1000000"
            ws.cell(r, c, formula).number_format = FMT_MONEY
    end_row = top + 1 + len(types.keys)
    grand = end_row + 1
    ws.cell(grand, 1, "Total")
    for c, col in ((10, "J"), (11, "K"), (12, "L"), (13, "M")):
        ws.cell(grand, c, f"=SUM({col}{top + 2}:{col}{end_row})").number_format = (
            FMT_MONEY if c > 10 else "0"
        )
    rule_total(ws, grand, 1, 13)
    widths = {"A": 44, "B": 21, "C": 9, "D": 11, "E": 11, "F": 7, "G": 8, "H": 10, "I": 8,
              "J": 10, "K": 11, "L": 11, "M": 11, "N": 11}  # fmt: skip
    for col, width in widths.items():
        ws.column_dimensions[col].width = width
    ws.row_dimensions[FIRST_ROW - 1].height = 45
    return grand


def workforce_sheet(ws: Worksheet, doc: dict[str, Any]) -> int:
    """Fill a "Workforce" sheet from the ``[[post]]`` tables; return its last row."""
    title_and_note(
        ws,
        "Workforce: posts costed for the year (native formulas)",
        "Annual cost x FTE x days / days in the year; agency: £ a week x FTE x days / 7. "
        "A vacant post costs nothing. Blank from / to = all year.",
    )
    _dates_block(ws, doc["register"]["year"], doc["register"]["as_at"])
    _header(ws, ("Team", "Role", "Kind", "FTE", "Annual cost £", "£ a week", "From", "To",
                 "Days to date", "Days to come", "To date £", "Rest of year £", "Full year £",
                 "Permanent cost of the post £", "Agency premium £",
                 "FTE at as at"))  # fmt: skip
    posts = doc["post"]
    last = FIRST_ROW + len(posts) - 1
    for k, p in enumerate(posts):
        r = FIRST_ROW + k
        for c, key in enumerate(("team", "role", "kind", "fte"), 1):
            ws.cell(r, c, p.get(key, ""))
        ws.cell(r, 5, p.get("annual_cost")).number_format = "#,##0"
        ws.cell(r, 6, p.get("weekly_rate")).number_format = "#,##0"
        ws.cell(r, 7, _date_or_none(p.get("from"))).number_format = _DATE
        ws.cell(r, 8, _date_or_none(p.get("to"))).number_format = _DATE
        lo = f'IF(G{r}="",$B$4,MAX(G{r},$B$4))'
        hi = f'IF(H{r}="",$B$6,H{r})'
        ws.cell(r, 9, f"=MAX(0,MIN({hi},$B$5)-{lo}+1)")
        ws.cell(r, 10, f"=MAX(0,MIN({hi},$B$6)-MAX({lo},$B$5+1)+1)")
        rate = f'IF(F{r}<>"",F{r}*D{r}/7,E{r}*D{r}/$B$7)'
        for c, days in ((11, "I"), (12, "J")):
            formula = f'=IF(C{r}="vacant",0,{rate}*{days}{r})'
            ws.cell(r, c, formula).number_format = "#,##0"
        ws.cell(r, 13, f"=K{r}+L{r}").number_format = "#,##0"
        perm = f'($C${FIRST_ROW}:$C${last}="permanent")*($B${FIRST_ROW}:$B${last}=B{r})'
        fte = f"$D${FIRST_ROW}:$D${last}"
        cost = f"$E${FIRST_ROW}:$E${last}"
        ws.cell(
            r, 14, f'=IF(E{r}<>"",E{r},SUMPRODUCT({perm}*{fte}*{cost})/SUMPRODUCT({perm}*{fte}))'
        ).number_format = "#,##0"
        ws.cell(
            r, 15, f'=IF(C{r}="agency",M{r}-N{r}*D{r}*(I{r}+J{r})/$B$7,0)'
        ).number_format = "#,##0"
        ws.cell(r, 16, f"=IF(AND({lo}<=$B$5,{hi}>=$B$5),D{r},0)")
    total = last + 1
    ws.cell(total, 1, "Total")
    for c, col in ((11, "K"), (12, "L"), (13, "M"), (15, "O")):
        ws.cell(total, c, f"=SUM({col}{FIRST_ROW}:{col}{last})").number_format = "#,##0"
    rule_total(ws, total, 1, 16)
    top = total + 2
    ws.cell(top, 1, "By kind (£m)").font = BOLD
    for c, name in ((1, "Kind"), (4, "FTE at as at"), (11, "To date"), (12, "Rest of year"),
                    (13, "Full year")):  # fmt: skip
        _summary_head(ws.cell(top + 1, c, name))
    ws.row_dimensions[top + 1].height = 30
    span = f"$C${FIRST_ROW}:$C${last}"
    for k, kind in enumerate(("permanent", "agency", "vacant")):
        r = top + 2 + k
        ws.cell(r, 1, kind)
        ws.cell(r, 4, f"=SUMIF({span},$A{r},$P${FIRST_ROW}:$P${last})")
        for c, col in ((11, "K"), (12, "L"), (13, "M")):
            formula = f"=SUMIF({span},$A{r},${col}${FIRST_ROW}:${col}${last})/1000000"
            ws.cell(r, c, formula).number_format = FMT_MONEY
    cap_row = top + 5
    cap = doc.get("workforce", {}).get("agency_cap")
    ws.cell(cap_row, 1, "Agency cap (FTE)").font = BOLD
    ws.cell(cap_row, 4, cap)
    ws.cell(cap_row + 1, 1, "Agency FTE over the cap").font = BOLD
    ws.cell(cap_row + 1, 4, f"=MAX(0,D{top + 3}-D{cap_row})")
    ws.cell(cap_row + 2, 1, "Agency premium (£m)").font = BOLD
    ws.cell(cap_row + 2, 13, f"=O{total}/1000000").number_format = FMT_MONEY
    widths = {"A": 24, "B": 15, "C": 10, "D": 7, "E": 10, "F": 8, "G": 11, "H": 11, "I": 8,
              "J": 8, "K": 11, "L": 11, "M": 11, "N": 11, "O": 11, "P": 8}  # fmt: skip
    for col, width in widths.items():
        ws.column_dimensions[col].width = width
    ws.row_dimensions[FIRST_ROW - 1].height = 45
    return cap_row + 2


def add_driver_sheets(wb: Workbook, title: str = "cypsxl demo") -> None:
    """Add (or refill) "Placements" and "Workforce" sheets priced from :data:`DEMO`."""
    doc = tomllib.loads(DEMO)
    for name, fill in (("Placements", placements_sheet), ("Workforce", workforce_sheet)):
        if name in wb.sheetnames:
            ws = wb[name]
            ws.delete_rows(1, ws.max_row)
        else:
            ws = wb.create_sheet(name)
        last = fill(ws, doc)
        print_setup(ws, title, print_area=f"A1:P{last}")
