"""A refresh keeps the user's workbook whole: only cypsxl's own cells change.

The corpus (tests/support/corpus.py) is built by XlsxWriter with what council workbooks
carry - text box, picture, sparklines, data bars, rich text, a note, a chart and a chart
sheet, defined names, an Excel table, custom properties, formulas with saved results, a
form button in an .xlsm - plus one of them saved by LibreOffice, and the demo workbooks.
Each is refreshed by ``cypsxl refresh``; then, against the file before:

- the package, part by part: the same parts in the same order with the same compression,
  and every part byte for byte the same except the worksheets holding cypsxl's cells and
  the workbook part (told to recalculate on open);
- those worksheets, cell by cell: every ``<c>`` element outside cypsxl's areas byte for
  byte the same, and every byte outside the cell data (views, merges, conditional
  formats, extLst, drawing links, ...) the same but the ``<dimension>`` hint;
- the figures: LibreOffice recalculates the result and the check cells, the user's
  formulas over the tables and the tables themselves agree with the engine; openpyxl and
  python-calamine read the written values and the user's saved results.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
import warnings
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from python_calamine import CalamineWorkbook
from support.corpus import build
from support.recalc import SOFFICE, recalculate

from cypsxl import reference_case, run_case
from cypsxl.cli import main as cli
from cypsxl.excel.refresh import read_case
from cypsxl.workbook.binding import Area, OpenpyxlBook

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "workbooks" / "cypsxl_demo.xlsx"
CASE = reference_case()


def load(path: Path, **kw: Any) -> openpyxl.Workbook:
    with warnings.catch_warnings():  # openpyxl warns of the extensions it does not model
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(path, **kw)


def changed_case() -> Any:
    """The reference case with the 2017/18 demand pressure at 8.0 instead of 7.346."""
    demand = list(CASE.budget.pressures["demand"])
    demand[1] = 8.0
    pressures = {**CASE.budget.pressures, "demand": tuple(demand)}
    return dataclasses.replace(CASE, budget=dataclasses.replace(CASE.budget, pressures=pressures))


def refresh_to(source: Path, out: Path) -> dict[str, Any]:
    code = cli(["refresh", str(source), "-o", str(out), "--json"])
    assert code == 0
    return {}


def run_json(args: list[str], capsys) -> dict[str, Any]:
    assert cli([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


# --------------------------------------------------------------------------- comparing


def parts(path: Path) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(path) as z:
        return [(i, z.read(i.filename)) for i in z.infolist()]


def raw_entries(path: Path) -> dict[str, bytes]:
    """Each entry's compressed bytes as stored (what "copied byte for byte" means)."""
    out = {}
    data = path.read_bytes()
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            at = info.header_offset
            name_len = int.from_bytes(data[at + 26 : at + 28], "little")
            extra_len = int.from_bytes(data[at + 28 : at + 30], "little")
            start = at + 30 + name_len + extra_len
            out[info.filename] = data[start : start + info.compress_size]
    return out


def sheet_parts(path: Path) -> dict[str, str]:
    """Worksheet name -> its part, read from the workbook part and its relationships."""
    with zipfile.ZipFile(path) as z:
        wb = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    targets = {
        m["id"]: m["t"]
        for m in re.finditer(
            r'<Relationship [^>]*?Id="(?P<id>[^"]+)"[^>]*?Target="(?P<t>[^"]+)"', rels
        )
    }
    targets.update(
        {
            m["id"]: m["t"]
            for m in re.finditer(
                r'<Relationship [^>]*?Target="(?P<t>[^"]+)"[^>]*?Id="(?P<id>[^"]+)"', rels
            )
        }
    )
    out = {}
    for m in re.finditer(r'<sheet [^>]*?name="(?P<n>[^"]+)"[^>]*?r:id="(?P<id>[^"]+)"', wb):
        target = targets[m["id"]].lstrip("/")
        name = m["n"].replace("&apos;", "'").replace("&amp;", "&")
        out[name] = target if target.startswith("xl/") else "xl/" + target
    return out


_CELL = re.compile(rb'<(?:\w+:)?c [^>]*?r="([A-Z]+\d+)"[^>]*?(?:/>|>.*?</(?:\w+:)?c>)', re.S)
_SHEETDATA = re.compile(rb"<(?:\w+:)?sheetData>.*</(?:\w+:)?sheetData>|<(?:\w+:)?sheetData/>", re.S)
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="[^"]*"/>')


def cells_xml(xml: bytes) -> dict[str, bytes]:
    return {m[1].decode(): m[0] for m in _CELL.finditer(xml)}


def outside_cells(xml: bytes) -> bytes:
    return _DIMENSION.sub(b"", _SHEETDATA.sub(b"<sheetData/>", xml))


def owned_cells(out: Path, written: dict[str, str]) -> dict[str, set[str]]:
    """Sheet -> every cell cypsxl wrote: the output areas and the records in column C."""
    owned: dict[str, set[str]] = {}
    for address in written.values():
        area = Area.parse(address)
        owned.setdefault(area.sheet, set()).update(
            f"{openpyxl.utils.get_column_letter(c)}{r}" for r, c in area.cells()
        )
    ws = load(out)["cypsxl"]
    for row in ws.iter_rows(min_col=1, max_col=1):
        if str(row[0].value or "").startswith("output_"):
            owned.setdefault("cypsxl", set()).add(f"C{row[0].row}")
    return owned


def assert_only_owned_cells_changed(before: Path, after: Path, written: dict[str, str]) -> None:
    old, new = parts(before), parts(after)
    owned = owned_cells(after, written)
    touched = {sheet_parts(before)[s] for s in owned}
    names_old = [i.filename for i, _ in old]
    names_new = [i.filename for i, _ in new]
    dropped = set(names_old) - set(names_new)
    assert dropped <= {"xl/calcChain.xml"}, dropped
    assert [n for n in names_old if n not in dropped] == names_new  # same order
    may_differ = touched | {"xl/workbook.xml"}
    if dropped:
        may_differ |= {"[Content_Types].xml", "xl/_rels/workbook.xml.rels"}
    raw_old, raw_new = raw_entries(before), raw_entries(after)
    data_new = {i.filename: (i, d) for i, d in new}
    for info, data in old:
        if info.filename in dropped:
            continue
        info2, data2 = data_new[info.filename]
        assert info2.compress_type == info.compress_type, info.filename
        if info.filename not in may_differ:
            assert data2 == data, f"{info.filename} changed"
            assert raw_new[info.filename] == raw_old[info.filename], info.filename
    sheets = sheet_parts(before)
    for sheet, cells in owned.items():
        a = dict(old)[next(i for i, _ in old if i.filename == sheets[sheet])]
        b = data_new[sheets[sheet]][1]
        assert outside_cells(a) == outside_cells(b), f"{sheet}: bytes outside the cells changed"
        ca, cb = cells_xml(a), cells_xml(b)
        for ref in set(ca) | set(cb):
            if ref not in cells:
                assert ca.get(ref) == cb.get(ref), f"{sheet}!{ref} changed"
    with zipfile.ZipFile(after) as z:
        assert z.testzip() is None


# --------------------------------------------------------------------------- the corpus

USER_FORMULAS = {"Inputs!C7": 56.468, "Outputs!L12": 1235.5}  # =50+6.468, =K12+1


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, dict[str, Any]]:
    """Each corpus workbook before and after ``cypsxl refresh -o``, and what was written."""
    tmp = tmp_path_factory.mktemp("corpus")
    built = {
        "xlsxwriter": build(tmp / "xlsxwriter.xlsx"),
        "xlsxwriter_changed": build(tmp / "xlsxwriter_changed.xlsx", demand_2017=8.0),
        "stale_xlsm": build(tmp / "stale_xlsm.xlsm", demand_2017=8.0, stale=True),
    }
    stale = build(tmp / "lo_source.xlsx", demand_2017=8.0, stale=True)
    lo_dir = tmp / "lo"
    assert SOFFICE is not None, "LibreOffice (soffice) is needed"
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={(tmp / 'profile').as_uri()}", "--headless",
         "--convert-to", "xlsx", "--outdir", str(lo_dir), str(stale)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    built["libreoffice"] = (lo_dir / "lo_source.xlsx").rename(tmp / "libreoffice.xlsx")
    for suffix in (".xlsx", ".xlsm"):
        demo = tmp / f"demo{suffix.replace('.', '_')}{suffix}"
        shutil.copy(DEMO.with_suffix(suffix), demo)
        built[demo.stem] = demo
        # the demo with an input changed (the file made by openpyxl here, as a fixture)
        changed = tmp / f"demo_changed{suffix.replace('.', '_')}{suffix}"
        wb = load(demo, keep_vba=suffix == ".xlsm")
        wb["Inputs"]["D8"] = 8.0
        wb.save(changed)
        built[changed.stem] = changed
    out: dict[str, dict[str, Any]] = {}
    for name, path in built.items():
        result = tmp / f"{name}.out{path.suffix}"
        assert cli(["refresh", str(path), "-o", str(result), "--json"]) == 0
        out[name] = {"before": path, "after": result}
    return out


@pytest.fixture(scope="module")
def reports(corpus, tmp_path_factory) -> dict[str, dict[str, Any]]:
    """The JSON report of each refresh (run again: the same result, nothing new)."""
    import contextlib
    import io

    tmp = tmp_path_factory.mktemp("again")
    got = {}
    for name, c in corpus.items():
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            assert (
                cli(["refresh", str(c["before"]), "-o", str(tmp / c["after"].name), "--json"]) == 0
            )
        got[name] = json.loads(buf.getvalue())
    return got


CHANGED = (
    "xlsxwriter_changed",
    "stale_xlsm",
    "libreoffice",
    "demo_changed_xlsx",
    "demo_changed_xlsm",
)


def expected_case(name: str) -> Any:
    return changed_case() if name in CHANGED else CASE


@pytest.mark.parametrize(
    "name",
    [*CHANGED, "xlsxwriter", "demo_xlsx", "demo_xlsm"],
)
def test_only_cypsxls_cells_change(corpus, reports, name: str) -> None:
    c = corpus[name]
    written = reports[name]["written"]
    if not reports[name]["changed"]:  # the demo is refreshed already: nothing new to write
        assert c["after"].read_bytes() == c["before"].read_bytes()
        return
    assert_only_owned_cells_changed(c["before"], c["after"], written)


def test_what_the_corpus_carries_is_all_still_there(corpus) -> None:
    # the parts openpyxl would lose or rewrite, kept: checked by name here, by bytes above
    for name in ("xlsxwriter", "stale_xlsm", "libreoffice"):
        after = {i.filename for i, _ in parts(corpus[name]["after"])}
        before = {i.filename for i, _ in parts(corpus[name]["before"])}
        assert after == before, name
        assert any(n.startswith("xl/media/") for n in after), name  # the picture
        assert any(n.startswith("xl/tables/") for n in after), name
        assert any("comments" in n for n in after), name
        assert any(n.startswith("xl/charts/") for n in after), name
        if name != "libreoffice":  # LibreOffice saves a chart sheet as a sheet with a chart
            assert any(n.startswith("xl/chartsheets/") for n in after), name
    xlsm = {i.filename for i, _ in parts(corpus["stale_xlsm"]["after"])}
    assert "xl/vbaProject.bin" in xlsm and "xl/drawings/vmlDrawing2.vml" in xlsm  # the button
    with zipfile.ZipFile(corpus["xlsxwriter"]["after"]) as z:
        app = z.read("docProps/app.xml").decode()
        assert "<Company>Northshire Council</Company>" in app
        assert "<Manager>Head of Finance</Manager>" in app
        outputs = z.read("xl/worksheets/sheet3.xml").decode()
        assert "x14:dataBar" in outputs and "<drawing r:id=" in outputs  # data bars, text box
        notes = z.read("xl/worksheets/sheet6.xml").decode()
        assert "x14:sparklineGroups" in notes


def test_a_refresh_with_nothing_new_writes_nothing(corpus, tmp_path: Path, capsys) -> None:
    # the refreshed corpus workbook, refreshed again in place: not one byte changes, no backup
    for name in ("xlsxwriter", "stale_xlsm", "libreoffice"):
        path = tmp_path / corpus[name]["after"].name
        shutil.copy(corpus[name]["after"], path)
        before = path.read_bytes()
        report = run_json(["refresh", str(path)], capsys)
        assert report["changed"] is False and report["backup"] is None
        assert path.read_bytes() == before
        assert [p.name for p in tmp_path.iterdir() if p.stem.startswith(path.stem)] == [path.name]


# --------------------------------------------------------------------------- the figures


def engine_cells(case: Any) -> dict[str, float]:
    r = run_case(case)
    want = {}
    for j, col in enumerate("BCDEF"):
        want[f"Outputs!{col}9"] = float(r.budget.funding_support[j])  # Table 1, last row
    for j, col in enumerate("BCDE"):
        want[f"Funding!{col}16"] = float(r.gap.revised[j])  # Table 4, revised gap
    want["Notes!B2"] = float(r.budget.funding_support[1]) * 1000  # the user's =Outputs!C9*1000
    return want


@pytest.fixture(scope="module")
def recalculated(corpus, tmp_path_factory) -> dict[str, Path]:
    files = [c["after"] for c in corpus.values()]
    got = recalculate(files, tmp_path_factory.mktemp("recalc"))
    return {name: got[c["after"]] for name, c in corpus.items()}


@pytest.mark.parametrize("name", [*CHANGED, "xlsxwriter"])
def test_recalculated_by_libreoffice_the_figures_are_the_engines(
    corpus, recalculated, name
) -> None:
    case = expected_case(name)
    wb = load(recalculated[name], data_only=True)
    for address, want in engine_cells(case).items():
        if "demo" in name and address.startswith("Notes"):
            continue  # the demo has no Notes sheet
        sheet, cell = address.split("!")
        assert wb[sheet][cell].value == pytest.approx(want, abs=1e-9), address
    for address, want in USER_FORMULAS.items() if "demo" not in name else ():
        sheet, cell = address.split("!")
        assert wb[sheet][cell].value == pytest.approx(want, abs=1e-12), address
    checks = wb["Checks"]
    for row in range(2, 12):  # ten checks: every difference 0, every status OK
        assert checks.cell(row, 2).value == 0, row
        assert checks.cell(row, 3).value == "OK", row
    if name != "xlsxwriter":
        # the 2017/18 demand pressure 7.346 -> 8.0 raises funding support by 0.654
        base = run_case(CASE).budget.funding_support[1]
        assert wb["Outputs"]["C9"].value == pytest.approx(base + 0.654, abs=1e-9)


@pytest.mark.parametrize("name", ["xlsxwriter_changed", "stale_xlsm", "libreoffice"])
def test_openpyxl_and_calamine_read_the_written_values_and_saved_results(corpus, name) -> None:
    out = corpus[name]["after"]
    want = engine_cells(expected_case(name))
    wb = load(out, data_only=True)
    cw = CalamineWorkbook.from_path(str(out))
    grids = {s: cw.get_sheet_by_name(s).to_python() for s in ("Outputs", "Funding", "Inputs")}
    for address in ("Outputs!B9", "Outputs!C9", "Outputs!F9", "Funding!C16"):
        sheet, cell = address.split("!")
        assert wb[sheet][cell].value == pytest.approx(want[address], abs=1e-12)
        r, c = openpyxl.utils.cell.coordinate_to_tuple(cell)
        assert grids[sheet][r - 1][c - 1] == pytest.approx(want[address], abs=1e-12)
    assert wb["Outputs"]["A1"].value == "Table 1: CYPS budget (£m; savings negative)"
    assert grids["Outputs"][0][0] == "Table 1: CYPS budget (£m; savings negative)"
    # the user's formulas keep their saved results for readers with no calculation engine
    for address, saved in USER_FORMULAS.items():
        sheet, cell = address.split("!")
        r, c = openpyxl.utils.cell.coordinate_to_tuple(cell)
        assert wb[sheet][cell].value == pytest.approx(saved)
        assert grids[sheet][r - 1][c - 1] == pytest.approx(saved)
    formulas = load(out)
    assert formulas["Inputs"]["C7"].value == "=50+6.468"
    assert formulas["Outputs"]["L12"].value == "=K12+1"


def test_the_case_read_back_is_the_changed_case(corpus) -> None:
    # read with openpyxl (not cypsxl's reader): the refresh read the formula's saved result
    wb = load(corpus["libreoffice"]["after"], data_only=True)
    case, _, _ = read_case(OpenpyxlBook(wb, name="x"))
    assert case.budget.net_budget[0] == 56.468 and case.budget.pressures["demand"][1] == 8.0
