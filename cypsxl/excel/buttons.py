"""The bid buttons: import a folder of returned bid templates into the workbook's bids
table, and write a new blank template for a budget holder.

Both work on any :class:`~cypsxl.workbook.binding.Book` (never importing xlwings) and
use the folders bound on the ``cypsxl`` sheet (``bid_folder``, ``template_folder``),
relative to the workbook's own folder. The import writes only inside the bound ``bids``
range; bids already there keep their rows unless a template with the same reference
replaces them, and new bids are added at the end. A bid file that is rejected is
reported with its sheet and cell and does not stop the others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CaseError, Problem
from ..model import Bid
from ..workbook.binding import BID_LINES, Area, Binding, Book, is_empty, read_binding

__all__ = ["ImportResult", "import_bids", "new_template", "next_ref"]

_UNITS = {"investment": "£m", "gross_saving": "£m", "prevented": "children", "fte": "FTE"}


@dataclass
class ImportResult:
    """What the import did: bids added, bids replaced, files rejected (one line each)."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    area: Area | None = None

    def summary(self) -> str:
        """One message for the user."""
        lines = [
            f"Imported {len(self.added) + len(self.replaced)} bid(s): "
            f"{len(self.added)} new, {len(self.replaced)} replaced."
        ]
        if self.rejected:
            lines.append(f"{len(self.rejected)} file(s) not imported:")
            lines += self.rejected[:15]
        lines.append("Press Refresh to update the tables.")
        return "\n".join(lines)


def _fail(book: Book, where: str, key: str, message: str) -> CaseError:
    return CaseError([Problem(book.name, where, key, message)])


def _raise_binding_problems(binding: Binding, *keys: str) -> None:
    """Stop on a problem with these keys' bindings (a bad address, a range too big to read)."""
    mine = [p for p in binding.problems if p.key in keys]
    if mine:
        raise CaseError(mine)


def _folder(book: Book, binding: Binding, key: str, base: Path, fallback: str = "") -> Path:
    _raise_binding_problems(binding, key, fallback)
    area = binding.settings.get(key) or binding.settings.get(fallback)
    if area is None:
        raise _fail(
            book,
            "cypsxl",
            key,
            "missing binding; add a row whose column B is a cell holding the folder",
        )
    value = book.read(Area.at(area.sheet, area.top, area.left, 1, 1))[0][0]
    if is_empty(value) or not isinstance(value, str):
        raise _fail(book, area.address, key, f"expected a folder, got {value!r}")
    folder = Path(value.strip()).expanduser()
    return folder if folder.is_absolute() else base / folder


def _years(book: Book, binding: Binding) -> list[str]:
    _raise_binding_problems(binding, "years")
    area = binding.inputs.get("years")
    if area is None:
        raise _fail(book, "cypsxl", "years", "missing binding; the templates need the years")
    cells = [v for row in book.read(area) for v in row]
    return [str(v).strip() for v in cells if not is_empty(v)]


def _table(book: Book, binding: Binding) -> tuple[Area, list[str], list[list[Any]]]:
    _raise_binding_problems(binding, "bids")
    area = binding.inputs.get("bids")
    if area is None:
        raise _fail(book, "cypsxl", "bids", "missing binding; bind the bids table to import into")
    values = book.read(area)
    header = [str(v).strip() if not is_empty(v) else "" for v in values[0]]
    for required in ("ref", "line"):
        if required not in header:
            raise _fail(book, area.address, "bids", f"the header row has no {required!r}")
    return area, header, values[1:]


def _bid_rows(bid: Bid, header: list[str], years: list[str]) -> list[list[Any]]:
    fields = {
        "ref": bid.ref,
        "title": bid.title,
        "service_area": bid.service_area,
        "directorate": bid.directorate,
        "cabinet_member": bid.cabinet_member,
        "current_budget": bid.current_budget,
        "avoided_cost_per_child_per_year": bid.avoided_cost_per_child_per_year,
        "part_year_factor": bid.part_year_factor,
    }
    rows: list[list[Any]] = []
    for line in BID_LINES:
        values = getattr(bid, line)
        if values is None:
            continue
        row: list[Any] = [None] * len(header)
        for j, h in enumerate(header):
            if h in fields and (not rows or h == "ref"):
                row[j] = fields[h] if fields[h] != "" else None
            elif h == "line":
                row[j] = line
            elif h == "unit":
                row[j] = _UNITS[line]
            elif h in years:
                row[j] = float(values[years.index(h)])
        rows.append(row)
    return rows


def import_bids(book: Book, base: Path) -> ImportResult:
    """Import every bid template in the ``bid_folder`` into the bound ``bids`` table."""
    from ..workbook.reader import collect_bids

    binding = read_binding(book)
    folder = _folder(book, binding, "bid_folder", base)
    if not folder.is_dir():
        raise _fail(book, binding.settings["bid_folder"].address, "bid_folder",
                    f"folder not found: {folder}")  # fmt: skip
    years = _years(book, binding)
    area, header, rows = _table(book, binding)
    missing = [y for y in years if y not in header]
    if missing:
        raise _fail(book, area.address, "bids", f"no column for year(s) {', '.join(missing)}")
    collected = collect_bids([folder], years=years)
    result = ImportResult(area=area)
    for r in collected.rejected:
        first = r.errors[0] if r.errors else None
        where = f"{first.sheet}!{first.cell}: " if first and first.cell else ""
        result.rejected.append(f"{Path(r.file).name}: {where}{first.message if first else ''}")
    j_ref = header.index("ref")
    groups: dict[str, list[list[Any]]] = {}
    order: list[str] = []
    last = ""
    for row in rows:
        if all(is_empty(v) for v in row):
            continue
        ref = str(row[j_ref]).strip() if not is_empty(row[j_ref]) else last
        last = ref
        if ref not in groups:
            order.append(ref)
        groups.setdefault(ref, []).append(list(row))
    for bid in collected.bids:
        (result.replaced if bid.ref in groups else result.added).append(bid.ref)
        if bid.ref not in groups:
            order.append(bid.ref)
        groups[bid.ref] = _bid_rows(bid, header, years)
    body = [row for ref in order for row in groups[ref]]
    room = area.shape[0] - 1
    if len(body) > room:
        raise _fail(
            book,
            area.address,
            "bids",
            f"the bids table has room for {room} rows and the import needs {len(body)}; "
            "extend its range on the cypsxl sheet. Nothing was written",
        )
    blank = [None] * len(header)
    book.write(area.sub(1, 0, room, len(header)), body + [list(blank)] * (room - len(body)))
    return result


def next_ref(refs: list[str], prefix: str = "CYPS_") -> str:
    """The next free reference after the highest ``CYPS_<n>``.

    >>> next_ref(["CYPS_1A", "CYPS_10", "CYPS_2"])
    'CYPS_11'
    """
    numbers = [int(m.group(1)) for r in refs if (m := re.match(rf"{prefix}(\d+)", r))]
    return f"{prefix}{max(numbers, default=0) + 1}"


def new_template(book: Book, base: Path) -> Path:
    """Write a blank bid template with the next free reference; return its path."""
    from ..workbook.template import write_blank_template

    binding = read_binding(book)
    folder = _folder(book, binding, "template_folder", base, fallback="bid_folder")
    years = _years(book, binding)
    refs: list[str] = []
    if "bids" in binding.inputs or "bids" in binding.rows:  # a bad bids binding stops here
        _, header, rows = _table(book, binding)
        refs = [str(r[header.index("ref")]) for r in rows if not is_empty(r[header.index("ref")])]
    ref = next_ref(refs)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{ref} bid template.xlsx"
    n = 2
    while path.exists():
        path, n = folder / f"{ref} bid template ({n}).xlsx", n + 1
    return write_blank_template(path, ref=ref, years=years)
