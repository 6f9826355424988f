"""Recalculate workbooks without Excel (LibreOffice headless) and compare formula cells.

``recalculate`` opens each file in LibreOffice with "always recalculate on load" set in a
private profile, saves a copy, and returns the copies' paths; ``formula_mismatches`` reads
every formula cell of the original and the computed value of the copy and returns
``{"Sheet!A1": (expected, got, formula)}`` for cells that differ - assert it is empty.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.worksheet.formula import ArrayFormula

__all__ = [
    "SOFFICE",
    "cell_values",
    "formula_cells",
    "formula_mismatches",
    "recalculate",
    "values",
]

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

#: LibreOffice's --convert-to stops silently after ~247 files in one process.
CHUNK = 150

_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def _profile() -> Path:
    """A private LibreOffice profile, one per test process, set to recalculate on load."""
    root = Path(tempfile.gettempdir()) / f"cypsxl-lo-profile-{os.getpid()}"
    user = root / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(_XCU, "utf-8")
    return root


def recalculate(paths: Iterable[Path], outdir: Path, timeout: float = 300) -> dict[Path, Path]:
    """Recalculate ``paths`` with LibreOffice; return {original: recalculated copy}.

    Raises RuntimeError if LibreOffice is missing or a copy was not written.
    """
    if SOFFICE is None:
        raise RuntimeError(
            "LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui"
        )
    files = [Path(p) for p in paths]
    outdir.mkdir(parents=True, exist_ok=True)
    profile = _profile().as_uri()
    for start in range(0, len(files), CHUNK):
        chunk = files[start : start + CHUNK]
        cmd = [
            SOFFICE,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(outdir),
            *map(str, chunk),
        ]
        subprocess.run(cmd, check=True, capture_output=True, timeout=timeout)
    out = {p: outdir / (p.stem + ".xlsx") for p in files}
    missing = [str(p) for p, q in out.items() if not q.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice wrote no copy of: {', '.join(missing)}")
    return out


def formula_cells(path: Path) -> dict[str, str]:
    """Every formula cell of a workbook: {"Sheet!A1": "=formula"}.

    A cell is a formula by its stored type (``data_type == "f"``, which covers array
    formulas), never by its text: a string cell that starts with ``=`` is text.
    """
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type != "f":
                    continue
                value = cell.value
                text = value.text if isinstance(value, ArrayFormula) else value
                out[f"{ws.title}!{cell.coordinate}"] = str(text)
    return out


def values(path: Path) -> dict[str, Any]:
    """Every cell value of a (recalculated) workbook: {"Sheet!A1": value}."""
    return cell_values(openpyxl.load_workbook(path, data_only=True))


def cell_values(wb: openpyxl.Workbook) -> dict[str, Any]:
    """Every non-blank cell value of a loaded workbook: {"Sheet!A1": value}."""
    return {
        f"{ws.title}!{c.coordinate}": c.value
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    }


def _same(expected: Any, got: Any, tol: float) -> bool:
    if isinstance(expected, bool) or isinstance(got, bool):
        return expected == got
    if isinstance(expected, int | float) and isinstance(got, int | float):
        return math.isclose(float(expected), float(got), rel_tol=0, abs_tol=tol)
    return expected == got


def formula_mismatches(
    original: Path,
    recalculated: Path,
    expected: Mapping[str, Any] | Callable[[str], Any],
    tol: float = 1e-9,
    require_all: bool = True,
) -> dict[str, tuple[Any, Any, str]]:
    """Compare each formula cell's recalculated value with ``expected``.

    ``expected`` maps "Sheet!A1" to the engine's value (or is a function of the address).
    With ``require_all`` every formula cell must have an expectation: a formula nobody
    checks is reported as a mismatch with expected ``"<no expectation>"``.
    """
    got = values(recalculated)
    out: dict[str, tuple[Any, Any, str]] = {}
    for address, formula in formula_cells(original).items():
        if callable(expected):
            want = expected(address)
        else:
            want = expected.get(address, "<no expectation>")
        if want == "<no expectation>" and not require_all:
            continue
        value = got.get(address)
        if not _same(want, value, tol):
            out[address] = (want, value, formula)
    return out
