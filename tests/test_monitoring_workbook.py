"""The monitoring demo workbook: reproducible; refreshed by ``cypsxl refresh`` and by the
button; recalculated by LibreOffice; every output cell compared with ``cypsxl monitor
--json`` of the same case; bad inputs named by sheet and cell."""

from __future__ import annotations

import asyncio
import json
import math
import re
import shutil
import textwrap
import zipfile
from pathlib import Path
from typing import Any

import driver_sheets
import openpyxl
import pytest
import tomli_w
import xlwings as xw
from hypothesis import given, settings
from support.recalc import formula_mismatches, recalculate, values
from test_monitoring_properties import cases
from xlcall import json_book
from xlwings.server import custom_scripts_call

from cypsxl.casefile._monitoring import parse_monitoring
from cypsxl.cli import main as cli
from cypsxl.excel import scripts
from cypsxl.excel.monitor_demo import DEMO_NAME, build_demo, example_text, write_demo
from cypsxl.model.monitoring import monitor
from cypsxl.monitoring_report import monitoring_to_dict
from cypsxl.workbook.binding import Area

ROOT = Path(__file__).resolve().parents[1]
WORKBOOKS = ROOT / "workbooks"
EXAMPLE = ROOT / "docs" / "examples" / "northshire_monitoring_2025.toml"


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i.filename) for i in z.infolist()}


def test_the_packaged_example_is_the_documented_one():
    assert example_text() == EXAMPLE.read_text("utf-8")


@pytest.mark.parametrize("suffix", [".xlsx", ".xlsm"])
def test_regenerated_demo_is_identical(tmp_path: Path, suffix: str) -> None:
    write_demo(tmp_path)
    new, old = tmp_path / f"{DEMO_NAME}{suffix}", WORKBOOKS / f"{DEMO_NAME}{suffix}"
    a, b = parts(new), parts(old)
    assert sorted(a) == sorted(b)
    different = [name for name in a if a[name] != b[name]]
    assert not different, f"parts differ: {different}; run python -m cypsxl.excel.monitor_demo"
    assert (tmp_path / f"{DEMO_NAME}.py").read_text("utf-8") == (
        WORKBOOKS / f"{DEMO_NAME}.py"
    ).read_text("utf-8")
    assert ("xl/vbaProject.bin" in a) == (suffix == ".xlsm")


# --------------------------------------------------------------------------- the oracle


def monitor_json(capsys, text: str, tmp: Path) -> dict[str, Any]:
    case = tmp / "case.toml"
    case.write_text(text, "utf-8")
    assert cli(["monitor", str(case), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def report_area(book: Path) -> Area:
    """The area the last refresh wrote the report to (column C of its mapping row)."""
    ws = openpyxl.load_workbook(book)["cypsxl"]
    for r in range(1, ws.max_row + 1):
        if ws.cell(r, 1).value == "output_report":
            return Area.parse(ws.cell(r, 3).value)
    raise AssertionError("no output_report record")


def _close(got: Any, want: Any, where: str) -> None:
    if want is None:
        assert got is None, where
    elif isinstance(want, float):
        assert isinstance(got, int | float) and math.isclose(got, want, abs_tol=1e-9), (
            where,
            got,
            want,
        )
    else:
        assert got == want, (where, got, want)


def compare_report(book: Path, computed: Path, doc: dict[str, Any]) -> int:
    """Every cell of the report against the JSON document, by its label; the cells seen."""
    return compare_cells(report_area(book), values(computed), doc)


def compare_cells(area: Area, got: dict[str, Any], doc: dict[str, Any]) -> int:
    """The report's cells ({"Sheet!A1": value}) against the JSON document, by label."""

    def cell(r: int, c: int) -> Any:
        return got.get(f"{area.sheet}!{area.cell(r, c)}")

    money = ("budget", "actual_to_date", "forecast_outturn", "variance")
    lines, groups = doc["lines"], doc["groups"]
    savings = doc["savings"]
    seen = 0
    headline = [p for s in doc["headline"] for p in textwrap.wrap(s, 110)]
    rows = area.shape[0]
    labels = [cell(r, 0) for r in range(rows)]
    start = next(r for r, v in enumerate(labels) if v == headline[0])
    assert labels[start : start + len(headline)] == headline
    seen += len(headline)
    for r, label in enumerate(labels):
        if not isinstance(label, str):
            continue
        name = label.strip()
        at = f"{area.sheet} row {area.top + r}: {name}"
        if label.startswith("  ") and name in lines and cell(r, 6) is not None:
            line = lines[name]
            for c, key in enumerate(money, start=1):
                _close(cell(r, c), line[key], f"{at} {key}")
            _close(cell(r, 5), line["variance_pct"], f"{at} variance_pct")
            _close(cell(r, 6), line["rag"].capitalize(), f"{at} rag")
            _close(cell(r, 7), line["movement"], f"{at} movement")
            seen += 8
        elif name.startswith("Total ") and name[6:] in groups:
            for c, key in enumerate(money, start=1):
                _close(cell(r, c), groups[name[6:]][key], f"{at} {key}")
            seen += 4
        elif name == "General Fund total":
            for c, key in enumerate(money, start=1):
                _close(cell(r, c), doc["general_fund"][key], f"{at} {key}")
            seen += 4
        elif name == "Ring-fenced total":
            for c, key in enumerate(money, start=1):
                _close(cell(r, c), doc["ring_fenced"][key], f"{at} {key}")
            seen += 4
        elif name in ("Deficit brought forward", "Variance in the year", "Deficit carried forward"):
            key = {"Deficit brought forward": "opening_deficit", "Variance in the year": "variance"}
            _close(cell(r, 1), doc["ring_fenced"][key.get(name, "closing_deficit")], at)
            seen += 1
        elif label.startswith("  ") and name in doc["risks"]:
            _close(cell(r, 1), doc["risks"][name], at)
            seen += 1
        elif label.startswith("  ") and name in doc.get("cost_avoided", {}):
            _close(cell(r, 1), doc["cost_avoided"][name], at)
            seen += 1
        elif name == "Total cost avoided":
            _close(cell(r, 1), doc["cost_avoided_total"], at)
            seen += 1
        elif name == "Forecast with risks":
            _close(cell(r, 1), doc["forecast_with_risks"], at)
            seen += 1
        elif name.split(" ")[0] in savings:
            s = savings[name.split(" ")[0]]
            for c, key in enumerate(("planned", "forecast", "shortfall"), start=1):
                _close(cell(r, c), s[key], f"{at} {key}")
            _close(cell(r, 6), s["rag"].capitalize(), f"{at} rag")
            seen += 4
    # every line, group, risk and saving was found in the report
    assert seen == len(headline) + 8 * len(lines) + 4 * len(groups) + 4 + (
        4 + 3 if any(v["ring_fenced"] for v in lines.values()) else 0
    ) + len(doc["risks"]) + 1 + 4 * len(savings) + (
        len(doc["cost_avoided"]) + 1 if doc["cost_avoided"] else 0
    )
    return seen


CHANGE = ("actual_to_date = 7.9      # £m, spend to the end of the period", "actual_to_date = 8.4")


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """The demo as committed; the demo after an input changed and ``cypsxl refresh``; and
    the demo with a tampered output - recalculated by one LibreOffice run."""
    tmp = tmp_path_factory.mktemp("monitoring")
    demo = tmp / "demo.xlsx"
    shutil.copy(WORKBOOKS / f"{DEMO_NAME}.xlsx", demo)
    changed_in = tmp / "changed_in.xlsx"
    wb = openpyxl.load_workbook(demo)
    assert wb["Lines"]["D4"].value == 7.9  # Agency placements, actual to date
    wb["Lines"]["D4"] = 8.4
    wb.save(changed_in)
    changed = tmp / "changed.xlsx"
    assert cli(["refresh", str(changed_in), "-o", str(changed)]) == 0
    tampered = tmp / "tampered.xlsx"
    wb = openpyxl.load_workbook(demo)
    area = report_area(demo)
    ws = wb[area.sheet]
    total = next(
        r for r in range(area.top, area.bottom + 1) if ws.cell(r, 1).value == "General Fund total"
    )
    ws.cell(total, 4).value += 1  # the General Fund forecast one too high
    wb.save(tampered)
    out = recalculate([demo, changed, tampered], tmp / "lo")
    return {name: (p, out[p]) for name, p in (("demo", demo), ("changed", changed),
                                                ("tampered", tampered))}  # fmt: skip


def _what_if_expected(text: str) -> dict[str, Any]:
    """The "What if" sheet: links to each line, a built-in run rate (actual / period x 12,
    worked from the case file), and cypsxl's functions, #NAME? without Python."""
    import tomllib

    doc = tomllib.loads(text)
    period = doc["monitoring"]["period"]
    want: dict[str, Any] = {}
    for k, line in enumerate(doc["line"]):
        r = 5 + k
        want[f"What if!A{r}"] = line["name"]
        want[f"What if!B{r}"] = line["budget"]
        want[f"What if!C{r}"] = line["actual_to_date"]
        want[f"What if!D{r}"] = line["actual_to_date"] / period * 12
        for col in "EFG":
            want[f"What if!{col}{r}"] = "#NAME?"
    return want


def _checks_expected(
    book: Path, broken: set[str] = frozenset(), text: str | None = None
) -> dict[str, Any]:
    ws = openpyxl.load_workbook(book)["Checks"]
    want: dict[str, Any] = _what_if_expected(text or EXAMPLE.read_text("utf-8"))
    want |= driver_sheets.expected()  # "Placements" and "Workforce": the engine's figures
    for r in range(2, ws.max_row + 1):
        label = ws.cell(r, 1).value
        if label is None:
            continue
        bad = label in broken
        want[f"Checks!B{r}"] = 1.0 if bad else 0.0
        want[f"Checks!C{r}"] = "CHECK" if bad else "OK"
    return want


def test_demo_report_is_the_engines(recalculated, capsys, tmp_path):
    book, computed = recalculated["demo"]
    doc = monitor_json(capsys, EXAMPLE.read_text("utf-8"), tmp_path)
    assert compare_report(book, computed, doc) > 100
    assert formula_mismatches(book, computed, _checks_expected(book)) == {}


def test_refreshed_after_a_change_is_the_engines(recalculated, capsys, tmp_path):
    book, computed = recalculated["changed"]
    text = EXAMPLE.read_text("utf-8")
    assert CHANGE[0] in text
    doc = monitor_json(capsys, text.replace(CHANGE[0], CHANGE[1]), tmp_path)
    # 8.4 / 7 x 12 = 14.4 against 11.5: +2.9
    assert doc["lines"]["Agency placements"]["forecast_outturn"] == pytest.approx(14.4)
    compare_report(book, computed, doc)
    changed = text.replace(CHANGE[0], CHANGE[1])
    assert formula_mismatches(book, computed, _checks_expected(book, text=changed)) == {}


def test_a_tampered_total_fails_its_checks(recalculated):
    book, computed = recalculated["tampered"]
    # the General Fund forecast one too high breaks the General Fund total's tie to its
    # groups, the risks block's copy of it, and the forecast with risks (it + the risks)
    broken = {
        "General Fund total = sum of its groups",
        "Risks: General Fund forecast outturn = the General Fund total's",
        "Forecast with risks = General Fund forecast outturn + risks",
    }
    assert formula_mismatches(book, computed, _checks_expected(book, broken)) == {}


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("sheet", "cell", "value", "expected"),
    [
        ("Lines", "C5", "abc", "Lines!C5: 'budget': expected an amount in £m, got 'abc'"),
        ("Inputs", "C7", 13, "Inputs!C7: 'period': expected a whole number from 1 (April)"),
        ("Lines", "E6", "manual", "Lines!F6: 'forecast_outturn': missing; a manual line needs"),
        ("Lines", "A5", "Agency placements", "Lines!A5: 'name': duplicate line name"),
        ("Inputs", "C10", 0.2, "Inputs!C11: 'red': thresholds out of order: amber 0.2"),
        ("Lines", "M8", -1, "Lines!M8: 'profile': expected a number >= 0, got -1"),
        ("Lines", "E4", "run_rat", "Lines!E4: 'forecast': did you mean 'run_rate'?"),
    ],
)
def test_bad_input_is_named_by_cell_and_nothing_written(
    tmp_path, capsys, sheet, cell, value, expected
):
    book = tmp_path / "m.xlsx"
    wb = openpyxl.load_workbook(WORKBOOKS / f"{DEMO_NAME}.xlsx")
    wb[sheet][cell] = value
    wb.save(book)
    before = book.read_bytes()
    assert cli(["refresh", str(book)]) == 2
    err = capsys.readouterr().err
    assert expected in err, err
    assert "Traceback" not in err
    assert book.read_bytes() == before


def test_an_unknown_column_suggests_the_nearest(tmp_path, capsys):
    book = tmp_path / "m.xlsx"
    wb = openpyxl.load_workbook(WORKBOOKS / f"{DEMO_NAME}.xlsx")
    wb["Lines"]["C3"] = "budgte"
    wb.save(book)
    assert cli(["refresh", str(book)]) == 2
    assert "Lines!C3: 'lines': unknown column 'budgte'; did you mean 'budget'?" in (
        capsys.readouterr().err
    )


# --------------------------------------------------------------------------- the button


def test_the_button_writes_what_the_command_wrote():
    wb = build_demo()
    book = asyncio.run(
        custom_scripts_call(scripts, "cyps_refresh", typehint_to_value={xw.Book: json_book(wb)})
    )
    actions = book.json()["actions"]
    assert [a["func"] for a in actions] == ["setValues"] * 3
    sheets = wb.sheetnames
    for a in actions:
        area = Area.at(
            sheets[a["sheet_position"]],
            a["start_row"] + 1,
            a["start_column"] + 1,
            a["row_count"],
            a["column_count"],
        )
        ws = wb[area.sheet]
        written = [
            ["" if ws.cell(r, c).value is None else ws.cell(r, c).value for c in
             range(area.left, area.right + 1)]
            for r in range(area.top, area.bottom + 1)
        ]  # fmt: skip
        assert a["values"] == written, area


def test_a_driver_line_shows_its_reconciliation_in_the_report():
    import dataclasses

    from cypsxl.casefile import load_monitoring
    from cypsxl.excel.monitor_refresh import report_rows
    from cypsxl.model.monitoring import DriverCost, monitor

    case = load_monitoring(EXAMPLE)
    lines = list(case.lines)
    lines[0] = dataclasses.replace(lines[0], forecast="example_register")
    case = dataclasses.replace(case, lines=tuple(lines))
    rows = report_rows(monitor(case, remaining={"Agency placements": DriverCost(5.0, 8.1)}))
    line = next(r for r in rows if r.kind == "line" and r[0] == "  Agency placements")
    # 7.9 actual + 5.0 remaining = 12.9 forecast
    assert line[3] == pytest.approx(12.9)
    (recon,) = [r for r in rows if r.kind == "reconciliation"]
    # the driver's 8.1 to date - the ledger's 7.9 = 0.2
    assert recon[0] == "  Agency placements" and recon[1] == pytest.approx(0.2)


# --------------------------------------------------------------------------- generated


@settings(max_examples=25, deadline=None)
@given(cases())
def test_generated_cases_through_the_workbook_door(doc):
    """Any case, written into the workbook's input sheets and refreshed (no LibreOffice:
    every report cell is a value), gives the figures of the case file's own run."""
    text = tomli_w.dumps(doc)
    want = monitoring_to_dict(monitor(parse_monitoring(text, "generated.toml")))
    wb = build_demo(doc=json.loads(json.dumps(doc)))
    ws = wb["cypsxl"]
    record = next(
        ws.cell(r, 3).value for r in range(1, 30) if ws.cell(r, 1).value == "output_report"
    )
    area = Area.parse(record)
    got = {
        f"{area.sheet}!{area.cell(r, c)}": wb[area.sheet].cell(area.top + r, area.left + c).value
        for r in range(area.shape[0])
        for c in range(area.shape[1])
        if wb[area.sheet].cell(area.top + r, area.left + c).value is not None
    }
    compare_cells(area, got, want)


def _edited(tmp_path: Path, edit) -> Path:
    book = tmp_path / "m.xlsx"
    wb = openpyxl.load_workbook(WORKBOOKS / f"{DEMO_NAME}.xlsx")
    edit(wb)
    wb.save(book)
    return book


def _mapping_row(wb, key: str) -> int:
    ws = wb["cypsxl"]
    return next(r for r in range(1, 40) if ws.cell(r, 1).value == key)


def test_a_misspelt_lines_binding_is_named(tmp_path, capsys):
    def edit(wb):
        wb["cypsxl"].cell(_mapping_row(wb, "lines"), 1).value = "line"

    book = _edited(tmp_path, edit)
    assert cli(["refresh", str(book)]) == 2
    err = capsys.readouterr().err
    assert "cypsxl!A10: 'line': unknown key; did you mean 'lines'?" in err
    assert "'lines': missing binding; add a row for it to the cypsxl sheet" in err


def test_a_whole_sheet_bound_as_lines_is_refused_before_reading(tmp_path, capsys):
    def edit(wb):
        wb["cypsxl"].cell(_mapping_row(wb, "lines"), 2).value = "Lines!A1:XFD1048576"

    book = _edited(tmp_path, edit)
    assert cli(["refresh", str(book)]) == 2
    err = capsys.readouterr().err
    assert "cypsxl!B10: 'lines': Lines!A1:XFD1048576 is 1,048,576 x 16,384 cells" in err


def test_an_output_over_someone_elses_cell_writes_nothing(tmp_path, capsys):
    def edit(wb):
        wb["Report"]["A60"] = "my note"  # below the report, where a longer one would go
        wb["cypsxl"].cell(_mapping_row(wb, "output_report"), 2).value = "Report!A20"

    book = _edited(tmp_path, edit)
    before = book.read_bytes()
    assert cli(["refresh", str(book)]) == 2
    err = capsys.readouterr().err
    assert "Report!A60: 'output_report': is not empty and cypsxl does not own it" in err
    assert book.read_bytes() == before


def test_the_xlsm_refresh_button_runs_the_refresh():
    """The .xlsm's one button, read back from the file: a form control on the Report sheet
    whose macro is a VBA Sub running cypsxl.excel.scripts.main (the refresh)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from oletools.olevba import VBA_Parser

    xlsm = WORKBOOKS / f"{DEMO_NAME}.xlsm"
    parser = VBA_Parser(str(xlsm))
    code = {name: text for _, _, name, text in parser.extract_macros()}
    parser.close()
    subs = dict(
        re.findall(
            r'Sub (\w+)\(\)\s+(?:\'[^\n]*\s+)?RunPython "([^"]+)"\s+End Sub', code["Module1.bas"]
        )
    )
    with zipfile.ZipFile(xlsm) as z:
        book = z.read("xl/workbook.xml").decode()
        rid = re.search(r'<sheet name="Report"[^>]*r:id="(\w+)"', book).group(1)
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        part = re.search(rf'<Relationship[^>]*Target="/?([^"]+)"[^>]*Id="{rid}"', rels).group(1)
        sheet = z.read(part).decode()
        folder, name = part.rsplit("/", 1)
        sheet_rels = z.read(f"{folder}/_rels/{name}.rels").decode()
        drawing = re.search(r'<legacyDrawing r:id="(\w+)"', sheet).group(1)
        target = re.search(rf'Id="{drawing}"[^>]*Target="/?([^"]+)"', sheet_rels).group(1)
        vml = z.read(target).decode()
    buttons = re.findall(
        r"<font[^>]*>([^<]+)</font>.*?<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml, re.S
    )
    assert buttons == [("Refresh", "CypsxlRefresh")]
    assert subs == {"CypsxlRefresh": "import cypsxl.excel.scripts as s; s.main()"}
    assert "<x:PrintObject>False</x:PrintObject>" in vml  # never on the printed report
