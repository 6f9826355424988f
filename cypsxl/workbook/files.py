"""Writing files safely: atomic replacement, and reproducible .xlsx/.xlsm packages.

A user's file is never half-written: data goes to a temporary file in the same folder,
which then replaces the target in one rename. Generated workbooks get fixed zip entry
dates and a fixed "modified" time, so the same content gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import stat
import tempfile
import zipfile
from pathlib import Path
from typing import Protocol

__all__ = ["atomic_write_bytes", "reproducible_package", "save_atomic", "save_deterministic"]

_MODIFIED = re.compile(rb"<dcterms:modified([^>]*)>[^<]*</dcterms:modified>")


class _Saveable(Protocol):
    def save(self, filename: io.BytesIO) -> None: ...


def _mode_for(target: Path) -> int:
    """Permissions for ``target``: those of the file it replaces, or a new file's usual ones."""
    if target.exists():
        return stat.S_IMODE(target.stat().st_mode)
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename.

    The result keeps the permissions of the file it replaces (a new file gets the
    usual ones), not the temporary file's owner-only mode.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> atomic_write_bytes(p, b"x"); p.read_bytes()
    b'x'
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _mode_for(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())  # whole on disk before it replaces anything
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _bytes_of(wb: _Saveable) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def save_atomic(wb: _Saveable, path: str | Path) -> Path:
    """Save an openpyxl workbook atomically (see :func:`atomic_write_bytes`)."""
    target = Path(path)
    atomic_write_bytes(target, _bytes_of(wb))
    return target


def reproducible_package(raw: bytes, stamp: dt.datetime) -> bytes:
    """Rewrite an OOXML package with every zip entry dated ``stamp`` and that modified time."""
    when = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    date_time = max(stamp, dt.datetime(1980, 1, 1)).timetuple()[:6]
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(raw)) as zin,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _MODIFIED.sub(
                    rb"<dcterms:modified\1>" + when + rb"</dcterms:modified>", data
                )
            entry = zipfile.ZipInfo(info.filename, date_time=date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            zout.writestr(entry, data)
    return out.getvalue()


def save_deterministic(wb: _Saveable, path: str | Path, stamp: dt.datetime) -> Path:
    """Save ``wb`` atomically with fixed timestamps (same content, same bytes)."""
    target = Path(path)
    atomic_write_bytes(target, reproducible_package(_bytes_of(wb), stamp))
    return target
