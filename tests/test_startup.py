"""Commands that print tables start without the workbook libraries.

``python -X importtime`` lists every module a process imports, on stderr: the command
lines below must not load openpyxl (workbooks), xlwings (Excel) or the template writer,
which only the workbook commands need. benchmarks/startup.py measures the time.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "northshire_2025.toml"
HEAVY = ("openpyxl", "xlwings", "pandas", "cypsxl.workbook.template", "cypsxl.excel")


def imported(*argv: str) -> set[str]:
    """Modules ``python -m cypsxl ARGV`` imports (it must succeed)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "cypsxl", *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line for line in done.stderr.splitlines() if line.startswith("import time:")]
    return {line.rsplit("|", 1)[1].strip() for line in lines}


@pytest.mark.parametrize(
    "argv",
    [
        ("run",),
        ("run", "--json"),
        ("check", str(EXAMPLE)),
        ("appraise", str(EXAMPLE)),
        ("scenarios", "-n", "50", "--seed", "1"),
    ],
    ids=" ".join,
)
def test_table_commands_do_not_import_workbook_libraries(argv):
    modules = imported(*argv)
    assert "cypsxl.model" in modules  # the listing is real: the engine shows up
    loaded = sorted(m for m in modules if m.split(".")[0] in HEAVY or m.startswith(HEAVY))
    assert loaded == [], f"cypsxl {' '.join(argv)} imported {loaded}"


def test_the_workbook_commands_still_load_what_they_need():
    # The listing would catch them: the template command imports openpyxl through the
    # writer - and only its own command's libraries (not refresh's cypsxl.excel).
    modules = imported("template", "--help")
    assert {"openpyxl", "cypsxl.workbook.template"} <= modules
    assert not any(m.startswith(("cypsxl.excel", "xlwings")) for m in modules)
