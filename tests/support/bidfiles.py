"""Filled bid templates and damaged copies of them, for the hostile-input tests and the fuzzing.

Every damaged file starts from a template cypsxl itself writes (a filled copy of the
reference case's CYPS_2), so each test changes exactly one thing: a zip member's bytes,
a declared size, a cell. Nothing binary is committed except what the fuzzing found
(``tests/data/fuzz/``).
"""

from __future__ import annotations

import re
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl

from cypsxl.casefile import reference_case
from cypsxl.workbook.template import write_bid_template

__all__ = [
    "BID_SHEET_PART",
    "CASE",
    "declare_sizes",
    "edit_cells",
    "good_bid",
    "rewrite",
    "sub",
    "with_cached",
]

CASE = reference_case()
#: The Bid sheet's part in a template cypsxl writes.
BID_SHEET_PART = "xl/worksheets/sheet1.xml"


def good_bid(folder: Path, name: str = "CYPS_2.xlsx", index: int = 2) -> Path:
    """A filled template of the reference case's bid ``index`` (CYPS_2 by default)."""
    folder.mkdir(parents=True, exist_ok=True)
    return write_bid_template(folder / name, CASE.bids[index], CASE)


def rewrite(
    src: Path,
    dst: Path,
    edits: dict[str, Callable[[bytes], bytes]],
    extra: dict[str, bytes] | None = None,
    drop: tuple[str, ...] = (),
) -> Path:
    """Copy a package, editing members (name -> function of its bytes), adding some and
    leaving out ``drop``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            data = zin.read(info.filename)
            if info.filename in edits:
                data = edits[info.filename](data)
            zout.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            zout.writestr(name, data)
    return dst


def sub(pattern: bytes, repl: bytes) -> Callable[[bytes], bytes]:
    """An edit replacing the first match of ``pattern`` (which must match)."""

    def edit(data: bytes) -> bytes:
        new, n = re.subn(pattern, repl, data, count=1)
        assert n == 1, pattern
        return new

    return edit


def edit_cells(src: Path, dst: Path, values: dict[str, object]) -> Path:
    """Set cells (``"Bid!D16": value``) with openpyxl; text is stored as text."""
    wb = openpyxl.load_workbook(src)
    for coord, value in values.items():
        sheet, cell = coord.split("!")
        wb[sheet][cell] = value
        if isinstance(value, str) and not value.startswith("="):
            wb[sheet][cell].data_type = "s"
    wb.save(dst)
    return dst


def with_cached(src: Path, dst: Path, cached: dict[str, tuple[str, str]]) -> Path:
    """A copy whose calculated cells on the Bid sheet carry saved results, as Excel leaves
    them: ``{"E25": ("n", "-0.463")}`` (a number) or ``{"D27": ("str", "2017/18")}`` (text)."""

    def edit(data: bytes) -> bytes:
        for ref, (kind, value) in cached.items():
            t = b' t="str"' if kind == "str" else b""
            pattern = rb'(<c r="' + ref.encode() + rb'"[^>]*)>(<f>[^<]*</f>)<v\s*/>'
            data, n = re.subn(pattern, rb"\1" + t + rb">\2<v>" + value.encode() + b"</v>", data)
            assert n == 1, ref
        return data

    return rewrite(src, dst, {BID_SHEET_PART: edit})


def declare_sizes(path: Path, sizes: dict[str, int]) -> Path:
    """Patch the uncompressed size each named member declares, in its local header
    (offset 22) and its central directory entry (offset 24), leaving the data as is."""
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        offsets = {name: zf.getinfo(name).header_offset for name in sizes}
    for name, size in sizes.items():
        struct.pack_into("<I", raw, offsets[name] + 22, size)
        entry = raw.find(b"PK\x01\x02")
        while raw[entry + 46 : entry + 46 + len(name)] != name.encode():
            entry = raw.find(b"PK\x01\x02", entry + 4)
        struct.pack_into("<I", raw, entry + 24, size)
    path.write_bytes(bytes(raw))
    return path
