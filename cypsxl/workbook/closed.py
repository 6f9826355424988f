"""A user's closed workbook as a :class:`~cypsxl.workbook.binding.Book`: read, record, patch.

:class:`FileBook` reads values straight from the package (the results the workbook last
saved; a formula with no saved result reads as ``Uncalculated``), records every write
and clear, and on :meth:`FileBook.save` applies them with :func:`~.ooxml.patch`: only the
cells written change, every other byte of the workbook stays as it was. Any writer into a
file the user owns goes through it - the refresh, the bid import, and whatever is added
next - with :func:`update_workbook`::

    update_workbook(Path("MTFS.xlsx"), refresh)      # in place, keeping backups

A write into something cypsxl cannot write safely - part of a merged area, an Excel table,
an array formula, a pivot table, a chart sheet, or past the last row or column - stops with
a located :class:`~cypsxl.errors.CaseError` before anything is written.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from ..errors import CaseError, Problem
from .binding import Area, Book, check_package_sizes
from .files import atomic_write_bytes
from .ooxml import CLEAR, MAX_COLUMN, MAX_ROW, Package, PackageError, col_letter

__all__ = ["FileBook", "backup_path", "open_file_book", "update_workbook", "write_result"]

_T = TypeVar("_T")


def _fail(name: str, where: str, message: str) -> CaseError:
    return CaseError([Problem(name, where, "", message)])


class FileBook:
    """:class:`~cypsxl.workbook.binding.Book` over a closed .xlsx/.xlsm, patched on save."""

    def __init__(self, data: bytes, name: str = "workbook") -> None:
        self.name = name
        try:
            self.package = Package(data, name)
        except PackageError as exc:
            raise _fail(name, exc.where, exc.message) from None
        self.edits: dict[str, dict[tuple[int, int], Any]] = {}

    # ---------------------------------------------------------------- reading

    def sheet_names(self) -> list[str]:
        return [s.name for s in self.package.sheets]

    def chart_sheets(self) -> list[str]:
        """Sheets that hold no cells (chart sheets, dialog sheets)."""
        return [s.name for s in self.package.sheets if s.kind != "worksheet"]

    def defined_names(self) -> dict[str, str]:
        return self.package.defined_names()

    def _cells(self, area: Area) -> Any:
        info = next((s for s in self.package.sheets if s.name == area.sheet), None)
        if info is None:
            raise _fail(self.name, area.sheet, "no such sheet")
        if info.kind != "worksheet":
            raise _fail(self.name, area.address, f"is on a {_kind(info.kind)}, which has no cells")
        try:
            return self.package.cells(area.sheet)
        except PackageError as exc:
            raise _fail(self.name, exc.where, exc.message) from None

    def read(self, area: Area) -> list[list[Any]]:
        cells = self._cells(area)
        pending = self.edits.get(area.sheet, {})
        width = area.right - area.left + 1
        rows = []
        for r in range(area.top, area.bottom + 1):
            stored = cells.values.get(r)
            row = [None] * width
            if stored:
                for c, v in stored.items():
                    if area.left <= c <= area.right:
                        row[c - area.left] = v
            rows.append(row)
        for (r, c), v in pending.items():  # what was written reads back
            if area.contains(r, c):
                rows[r - area.top][c - area.left] = None if v is CLEAR else v
        return rows

    def merged(self, area: Area) -> list[Area]:
        """The merged ranges of the sheet that share a cell with ``area``."""
        found = (
            Area(area.sheet, m.top, m.left, m.bottom, m.right) for m in self._cells(area).merges
        )
        return [m for m in found if m.overlaps(area)]

    def unwritable(self, area: Area) -> list[tuple[str, str]]:
        """(where, what) for everything in ``area`` cypsxl cannot write safely.

        Merged cells, Excel tables, array formulas and data tables, pivot tables; the
        refresh names them, with the output that needs the area, before writing anything.
        """
        if area.bottom > MAX_ROW or area.right > MAX_COLUMN:
            return [(area.sheet, _beyond(area))]
        cells = self._cells(area)
        box = (area.top, area.left, area.bottom, area.right)
        out = [
            (_address(area.sheet, m.ref), "is merged cells")
            for m in cells.merges
            if m.overlaps(*box)
        ]
        out += [
            (_address(area.sheet, a.ref), "is an array formula")
            for a in cells.arrays
            if a.overlaps(*box)
        ]
        out += [
            (_address(area.sheet, rect.ref), "is a formula filled from a cell it would overwrite")
            for r, c, rect in cells.shared
            if area.contains(r, c) and not _inside(rect, area)
        ]
        try:
            tables = self.package.tables(area.sheet)
            pivots = self.package.pivots(area.sheet)
        except PackageError as exc:
            raise _fail(self.name, exc.where, exc.message) from None
        out += [
            (_address(area.sheet, t.ref), f"is the Excel table {name!r}")
            for name, t in tables
            if t.overlaps(*box)
        ]
        out += [
            (_address(area.sheet, p.ref), f"is the pivot table {name!r}")
            for name, p in pivots
            if p.overlaps(*box)
        ]
        return out

    # ---------------------------------------------------------------- writing

    def _check_writable(self, area: Area) -> None:
        if area.bottom > MAX_ROW or area.right > MAX_COLUMN:
            raise _fail(self.name, area.sheet, _beyond(area) + ". Nothing was written")
        found = self.unwritable(area)
        if found:
            raise CaseError(
                [
                    Problem(
                        self.name,
                        where,
                        "",
                        f"{what}; cypsxl cannot write {area.address} there. Nothing was written",
                    )
                    for where, what in found
                ]
            )

    def write(self, area: Area, values: list[list[Any]]) -> None:
        self._check_writable(area)
        pending = self.edits.setdefault(area.sheet, {})
        for i, row in enumerate(values):
            for j, value in enumerate(row):
                pending[(area.top + i, area.left + j)] = CLEAR if value is None else value

    def clear(self, area: Area) -> None:
        self._check_writable(area)
        cells = self._cells(area)
        pending = self.edits.setdefault(area.sheet, {})
        for r in range(area.top, area.bottom + 1):
            for c in cells.values.get(r, {}):
                if area.left <= c <= area.right:
                    pending[(r, c)] = CLEAR
        for r, c in cells.formulas:
            if area.contains(r, c):
                pending[(r, c)] = CLEAR
        for r, c in list(pending):
            if area.contains(r, c):
                pending[(r, c)] = CLEAR

    def patched(self) -> bytes | None:
        """The workbook's bytes with every recorded write applied (None: nothing changed)."""
        from .ooxml import patch

        try:
            return patch(self.package, self.edits)
        except PackageError as exc:
            raise _fail(self.name, exc.where, exc.message) from None


def _inside(rect: Any, area: Area) -> bool:
    return (
        area.top <= rect.top
        and rect.bottom <= area.bottom
        and area.left <= rect.left
        and rect.right <= area.right
    )


def _kind(kind: str) -> str:
    return {"chartsheet": "chart sheet", "dialogsheet": "dialog sheet"}.get(kind, kind)


def _address(sheet: str, ref: str) -> str:
    return f"{Area.parse(ref, sheet).address}"


def _beyond(area: Area) -> str:
    rows, cols = area.shape
    anchor = f"{col_letter(area.left)}{area.top}"
    return (
        f"{rows:,} x {cols:,} cells from {anchor} run past the last row (1,048,576) or "
        "column (XFD) of a worksheet"
    )


# ---------------------------------------------------------------------- files


def _readable(path: Path) -> CaseError | None:
    name = str(path)
    if not path.exists():
        return _fail(name, "", "file not found; expected an Excel workbook (.xlsx or .xlsm)")
    if path.is_dir():
        return _fail(name, "", "is a folder; expected an Excel workbook (.xlsx or .xlsm)")
    return None


def open_file_book(path: Path) -> FileBook:
    """Read ``path`` as a :class:`FileBook`; a file that is not a workbook is a CaseError."""
    name = str(path)
    problem = _readable(path)
    if problem is not None:
        raise problem
    if path.suffix.lower() == ".xlsb":
        raise _fail(name, "", "is a binary workbook (.xlsb); save it as .xlsx or .xlsm")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _fail(name, "", f"cannot be read ({exc.strerror or exc})") from None
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _fail(name, "", "is a legacy .xls or a password-protected workbook; save it as .xlsx")
    if not zipfile.is_zipfile(path):
        raise _fail(name, "", "is not an Excel workbook (.xlsx); is it a CSV or a damaged file?")
    check_package_sizes(path, lambda message: _fail(name, "", message))
    return FileBook(data, name)


def backup_path(path: Path, today: dt.date | None = None) -> Path | None:
    """Where the state before an in-place write is kept; None when it is already kept.

    The rule: ``MTFS.bak.xlsx`` is the workbook as it was before cypsxl first wrote into
    it, and is never replaced. Once it exists, the state before the first write of each
    day goes to ``MTFS.bak-YYYY-MM-DD.xlsx`` (later writes that day keep that one).

    >>> import tempfile, pathlib, datetime
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "MTFS.xlsx"
    >>> backup_path(p).name
    'MTFS.bak.xlsx'
    >>> _ = p.with_name("MTFS.bak.xlsx").write_bytes(b"")
    >>> backup_path(p, datetime.date(2026, 11, 30)).name
    'MTFS.bak-2026-11-30.xlsx'
    """
    first = path.with_name(f"{path.stem}.bak{path.suffix}")
    if not first.exists() and not first.is_symlink():
        return first
    day = (today or dt.datetime.now(dt.UTC).date()).isoformat()
    dated = path.with_name(f"{path.stem}.bak-{day}{path.suffix}")
    return None if dated.exists() or dated.is_symlink() else dated


def _refuse_read_only(path: Path) -> None:
    """A workbook without write permission is the user's way of saying "do not change"."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK):
        raise _fail(
            str(path), "", "is read-only; cypsxl does not replace a read-only workbook. "
            "Make it writable, or write the result elsewhere with -o. Nothing was written"
        )  # fmt: skip


def write_result(
    book: FileBook, source: Path, target: Path | None = None
) -> tuple[bool, Path | None]:
    """Write ``book``'s changes: (whether the file changed, the backup made or None).

    In place (``target`` None or the workbook itself, or a symlink to it): the real file
    behind any symlink is replaced atomically, keeping its permissions, after the state
    before the write was kept as :func:`backup_path` says. Nothing changed: nothing is
    written, not even a backup. To another file: the patched copy (or an exact copy).
    """
    data = book.patched()
    real = source.resolve()
    in_place = target is None or target.resolve() == real
    if not in_place:
        assert target is not None
        if target.exists():
            _refuse_read_only(target)
        _write(target, data if data is not None else source.read_bytes())
        return data is not None, None
    _refuse_read_only(real)
    if data is None:
        return False, None
    backup = backup_path(real)
    if backup is not None:
        _write(backup, real.read_bytes(), like=real)
    _write(real, data)
    return True, backup


def _write(path: Path, data: bytes, like: Path | None = None) -> None:
    """Write atomically; a backup (``like`` the workbook) gets its permissions and times."""
    try:
        atomic_write_bytes(path, data)
        if like is not None:
            info = like.stat()
            os.chmod(path, stat.S_IMODE(info.st_mode))
            os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    except OSError as exc:
        raise _fail(
            str(path), "", f"cannot be written ({exc.strerror or exc}); is it open in Excel or "
            "read-only? The workbook was not changed"
        ) from None  # fmt: skip


def update_workbook(
    path: Path, action: Callable[[Book], _T], output: Path | None = None
) -> tuple[_T, bool, Path | None]:
    """Run ``action`` on the closed workbook at ``path`` and write what it wrote.

    Returns (the action's result, whether the file changed, the backup made). The action
    raising writes nothing.
    """
    book = open_file_book(path)
    if output is None or output.resolve() == path.resolve():
        _refuse_read_only(path.resolve())
    result = action(book)
    changed, backup = write_result(book, path, output)
    return result, changed, backup
