"""The demo MTFS workbook in ``workbooks/``: reproducible, and right when recalculated.

Regenerating it must give the committed files byte for byte (a failure names the part).
LibreOffice recalculates every formula that uses Excel's built-ins - the check cells and
the "What if" links - and the values must be the engine's; cypsxl's own functions show
``#NAME?`` where there is no Python, as the workbook says.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from support.recalc import formula_mismatches, recalculate

from cypsxl import reference_case, run_case
from cypsxl.cli import main as cli
from cypsxl.excel.demo import DEMO_NAME, write_demo
from cypsxl.excel.refresh import read_case
from cypsxl.workbook.binding import OpenpyxlBook

ROOT = Path(__file__).resolve().parents[1]
WORKBOOKS = ROOT / "workbooks"
CASE = reference_case()


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i.filename) for i in z.infolist()}


@pytest.mark.parametrize("suffix", [".xlsx", ".xlsm"])
def test_regenerated_demo_is_identical(tmp_path: Path, suffix: str) -> None:
    written = write_demo(tmp_path)
    new, old = tmp_path / f"{DEMO_NAME}{suffix}", WORKBOOKS / f"{DEMO_NAME}{suffix}"
    assert new in written
    a, b = parts(new), parts(old)
    assert sorted(a) == sorted(b)
    different = [name for name in a if a[name] != b[name]]
    assert not different, (
        f"parts differ from workbooks/: {different}; run python -m cypsxl.excel.demo"
    )
    assert new.read_bytes() == old.read_bytes()
    module = (tmp_path / f"{DEMO_NAME}.py").read_text("utf-8")
    assert module == (WORKBOOKS / f"{DEMO_NAME}.py").read_text("utf-8")


def test_demo_sheets_and_xlsm_macros() -> None:
    wb = openpyxl.load_workbook(WORKBOOKS / f"{DEMO_NAME}.xlsx")
    assert wb.sheetnames == [
        "Inputs", "Bids", "Outputs", "Funding", "Bid summary", "Checks", "What if", "cypsxl",
        "xlwings.conf", "Charts",
    ]  # fmt: skip
    conf = wb["xlwings.conf"]
    assert (conf["A1"].value, conf["B1"].value) == ("UDF Modules", "cypsxl.excel.functions")
    assert "xl/vbaProject.bin" in parts(WORKBOOKS / f"{DEMO_NAME}.xlsm")
    assert "xl/vbaProject.bin" not in parts(WORKBOOKS / f"{DEMO_NAME}.xlsx")
    module = (WORKBOOKS / f"{DEMO_NAME}.py").read_text("utf-8")
    assert "from cypsxl.excel.scripts import main" in module


# --------------------------------------------------------------------------- LibreOffice

CHECK_ROWS = range(2, 12)  # Checks!A2:C11, ten checks
UDF_CELLS = ("C8", "C10", "C14", "C16", "C19", "C20", "C25", "C27")
EXTRA = (0.0, 0.5, 0.5, 0.5)  # What if!C23:F23, extra recurring funding (£m)


def expectations(case: Any, checks: dict[int, float] | None = None) -> dict[str, Any]:
    """The engine's value of every formula cell of the demo (built-ins) or #NAME? (cypsxl)."""
    r = run_case(case)
    want: dict[str, Any] = {}
    for row in CHECK_ROWS:
        diff = (checks or {}).get(row, 0.0)
        want[f"Checks!B{row}"] = diff
        want[f"Checks!C{row}"] = "OK" if diff == 0 else "CHECK"
    for j, year in enumerate(case.years):
        want[f"What if!{'CDEFG'[j]}4"] = year
    for j, year in enumerate(case.mtfs_years):
        want[f"What if!{'CDEF'[j]}22"] = year
        # Table 3 total (engine) + the extra recurring funding typed on the sheet
        want[f"What if!{'CDEF'[j]}24"] = float(r.additional.total[j]) + EXTRA[j]
    want["What if!C6"] = case.budget.lac_numbers
    for cell in UDF_CELLS:
        want[f"What if!{cell}"] = "#NAME?"
    return want


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory) -> dict[str, tuple[Path, Path, dict[str, Any]]]:
    """Three books recalculated by one LibreOffice run: the demo as committed; the demo
    refreshed by ``cypsxl refresh`` after an input changed; the demo with a tampered
    output (its check cells must say so)."""
    tmp = tmp_path_factory.mktemp("demo")
    demo = tmp / "demo.xlsx"
    shutil.copy(WORKBOOKS / f"{DEMO_NAME}.xlsx", demo)

    changed = tmp / "changed.xlsx"
    wb = openpyxl.load_workbook(demo)
    wb["Inputs"]["D8"] = 8.0  # demand pressure 2017/18: 7.346 -> 8.0
    wb["Bids"]["H4"] = 2.0  # CYPS_1A investment 2017/18: 1.276 -> 2.0
    wb.save(changed)
    assert cli(["refresh", str(changed), "-o", str(tmp / "changed_out.xlsx")]) == 0
    changed = tmp / "changed_out.xlsx"
    case, _, _ = read_case(OpenpyxlBook(openpyxl.load_workbook(changed)))
    assert case.budget.pressures["demand"][1] == 8.0

    tampered = tmp / "tampered.xlsx"
    wb = openpyxl.load_workbook(demo)
    wb["Outputs"]["C8"] = wb["Outputs"]["C8"].value + 1  # net forecast 2017/18 one too high
    wb.save(tampered)

    out = recalculate([demo, changed, tampered], tmp / "lo")
    # the tampered forecast breaks two ties: forecast = budget + lines (off by 1), and
    # funding support = forecast - budget (off by 1); the other checks do not read it
    return {
        "demo": (demo, out[demo], expectations(CASE)),
        "changed": (changed, out[changed], expectations(case)),
        "tampered": (tampered, out[tampered], expectations(CASE, {2: 1.0, 3: 1.0})),
    }


@pytest.mark.parametrize("which", ["demo", "changed", "tampered"])
def test_formulas_recalculate_to_the_engines_values(recalculated, which: str) -> None:
    original, computed, expected = recalculated[which]
    assert formula_mismatches(original, computed, expected, tol=1e-9) == {}


def test_refreshed_copy_holds_the_engines_new_figures(recalculated) -> None:
    original, _, _ = recalculated["changed"]
    wb = openpyxl.load_workbook(original)
    case, _, _ = read_case(OpenpyxlBook(wb))
    r = run_case(case)
    # 2017/18 investment rises by 2.0 - 1.276 = 0.724 and the demand pressure by 0.654
    base = run_case(CASE)
    assert r.budget.funding_support[1] == pytest.approx(
        base.budget.funding_support[1] + 0.724 + 0.654, abs=1e-12
    )
    assert wb["Outputs"]["C9"].value == pytest.approx(r.budget.funding_support[1], abs=1e-12)
    assert wb["Funding"]["C16"].value == pytest.approx(r.gap.revised[1], abs=1e-12)
