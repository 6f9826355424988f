"""The generated bid template: structure, protection, validation, print set-up, determinism,
and the committed ``templates/`` copy being up to date (compared part by part)."""

from __future__ import annotations

import importlib.util
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from cypsxl.casefile import reference_case
from cypsxl.cli import main
from cypsxl.workbook import layout as L
from cypsxl.workbook.template import (
    build_workbook,
    fill_templates,
    write_bid_template,
    write_blank_template,
)

ROOT = Path(__file__).resolve().parents[1]
YEARS = ["2017/18", "2018/19", "2019/20", "2020/21"]


@pytest.fixture(scope="module")
def blank(tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    path = write_blank_template(tmp_path_factory.mktemp("t") / "b.xlsx", "CYPS_12", YEARS)
    return openpyxl.load_workbook(path)


# --------------------------------------------------------------------------- golden compare

#: What must differ between two generations of the same template, masked in ONE place:
#: openpyxl's application name and version in docProps/app.xml (it changes with the
#: openpyxl release, not with the template). Timestamps are fixed by the generator.
MASKS = {
    "docProps/app.xml": [
        (re.compile(rb"<Application>[^<]*</Application>"), b"<Application/>"),
        (re.compile(rb"<AppVersion>[^<]*</AppVersion>"), b"<AppVersion/>"),
    ],
}


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    for name, masks in MASKS.items():
        for pattern, repl in masks:
            parts[name] = pattern.sub(repl, parts.get(name, b""))
    return parts


def compare_parts(expected: Path, got: Path) -> list[str]:
    """Differences between two packages, one line per differing XML part (named)."""
    a, b = _parts(expected), _parts(got)
    out = [f"{n}: only in {expected.name}" for n in sorted(a.keys() - b.keys())]
    out += [f"{n}: only in {got.name}" for n in sorted(b.keys() - a.keys())]
    out += [f"{n}: content differs" for n in sorted(a.keys() & b.keys()) if a[n] != b[n]]
    return out


def test_committed_template_is_up_to_date(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("generate", ROOT / "templates" / "generate.py")
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    fresh = generator.generate(tmp_path / "fresh.xlsx")
    committed = ROOT / "templates" / "cypsxl_bid_template.xlsx"
    diffs = compare_parts(committed, fresh)
    assert diffs == [], "regenerate with: python templates/generate.py\n" + "\n".join(diffs)


def test_compare_parts_names_the_differing_part(tmp_path: Path) -> None:
    a = write_blank_template(tmp_path / "a.xlsx", None, YEARS)
    b = write_blank_template(tmp_path / "b.xlsx", "CYPS_1", YEARS)
    assert "xl/worksheets/sheet1.xml: content differs" in compare_parts(a, b)


def test_output_is_byte_for_byte_deterministic(tmp_path: Path) -> None:
    a = write_blank_template(tmp_path / "a.xlsx", "CYPS_3", YEARS)
    b = write_blank_template(tmp_path / "b.xlsx", "CYPS_3", YEARS)
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as zf:
        core = zf.read("docProps/core.xml").decode()
    assert "2016-04-01T00:00:00Z" in core  # FIXED_TIMESTAMP, created and modified


# --------------------------------------------------------------------------- structure


def test_sheets_and_workbook_scoped_names(blank: openpyxl.Workbook) -> None:
    assert blank.sheetnames == ["Bid", "Narrative", "Guidance", "Lists"]
    assert blank["Lists"].sheet_state == "hidden"
    required = {
        "bid_ref",
        "bid_title",
        "service_area",
        "directorate",
        "cabinet_member",
        "years",
        "investment",
        "current_budget",
        "prevented",
        "avoided_cost_per_child",
        "part_year_factor",
        "gross_saving",
        "net",
        "cumulative_net",
        "payback_year",
        "breakeven_year",
    }
    names = set(blank.defined_names)  # workbook-scoped only (sheet names live on sheets)
    assert required <= names
    assert {f.name for f in L.FIELDS} <= names
    assert all(not ws.defined_names for ws in blank.worksheets)
    # four years in C:F; rows from row 16 (see layout.default_layout)
    assert blank.defined_names["years"].attr_text == "Bid!$C$15:$F$15"
    assert blank.defined_names["investment"].attr_text == "Bid!$C$16:$F$16"
    assert [c.value for c in blank["Bid"]["C15:F15"][0]] == YEARS


def test_version_and_schema_properties(blank: openpyxl.Workbook) -> None:
    props = {p.name: p.value for p in blank.custom_doc_props.props}
    assert props == {
        "cypsxl_template_version": L.TEMPLATE_VERSION,
        "cypsxl_schema": L.SCHEMA_FINGERPRINT,
    }
    assert re.fullmatch(r"[0-9a-f]{16}", L.SCHEMA_FINGERPRINT)


def _input_cells(wb: openpyxl.Workbook) -> set[str]:
    lay = L.default_layout(len(YEARS))
    kinds = (
        "text",
        "date",
        "money",
        "pounds",
        "factor",
        "money_row",
        "count_row",
        "fte_row",
        "text_column",
        "measure_block",
        "answer",
    )
    return {
        f"{lay[f.name].sheet}!{openpyxl.utils.get_column_letter(c)}{r}"
        for f in L.FIELDS
        if f.kind in kinds
        for r, c in lay[f.name].cells()
    }


def test_inputs_unlocked_and_validated_calculations_locked(blank: openpyxl.Workbook) -> None:
    inputs = _input_cells(blank)
    # 7 header + 5 rows x 4 years + 3 single numbers + 4 outcome names and 4 units
    # + 4 outcomes x 4 years + 6 answers = 60
    assert len(inputs) == 7 + 5 * 4 + 3 + 4 + 4 + 4 * 4 + 6
    validated: dict[str, set[str]] = {}
    for ws in (blank["Bid"], blank["Narrative"]):
        assert ws.protection.sheet is True and not ws.protection.password
        for dv in ws.data_validations.dataValidation:
            assert dv.showErrorMessage is True
            for rng in dv.sqref.ranges:
                for row in ws[rng.coord] if ":" in rng.coord else [[ws[rng.coord]]]:
                    for cell in row:
                        validated.setdefault(ws.title, set()).add(cell.coordinate)
    for address in inputs:
        sheet, coord = address.split("!")
        cell = blank[sheet][coord]
        assert cell.protection.locked is False, address
        assert cell.style == "Input", address
        assert coord in validated[sheet], f"{address} has no data validation"
    formulas = L.expected_formulas(L.default_layout(len(YEARS)))
    for (sheet, row, col), formula in formulas.items():
        cell = blank[sheet].cell(row, col)
        assert cell.value == formula
        assert cell.protection.locked is True and cell.style == "Calculation"
        assert cell.number_format != "General"


def test_validation_kinds(blank: openpyxl.Workbook) -> None:
    ws = blank["Bid"]
    kinds = {
        str(dv.sqref): (dv.type, dv.operator, dv.formula1, dv.formula2)
        for dv in ws.data_validations.dataValidation
    }
    assert kinds["C16:F16"] == ("decimal", "greaterThanOrEqual", "0", None)  # money
    assert kinds["C18:F18"] == ("whole", "greaterThanOrEqual", "0", None)  # children
    assert kinds["C20"] == ("decimal", "between", "0", "1")  # part-year factor
    assert kinds["C8"] == ("list", None, "list_service_areas", None)
    assert kinds["C9"] == ("list", None, "list_directorates", None)
    # the reference: 1 to 32 characters, the length collect and the case file accept
    assert kinds["C6"] == ("textLength", "between", "1", "32")


def test_units_on_every_row(blank: openpyxl.Workbook) -> None:
    ws = blank["Bid"]
    lay = L.default_layout(len(YEARS))
    for f in (*L.HEADER, *L.FINANCE, *L.STAFFING):
        assert f.unit and ws.cell(lay[f.name].row, 2).value == f.unit, f.name


def test_print_setup_chart_and_panes(blank: openpyxl.Workbook) -> None:
    ws = blank["Bid"]
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)  # 9 = A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    # every printed sheet names the bid, the Guidance too
    for sheet in ("Bid", "Narrative", "Guidance"):
        assert blank[sheet].oddHeader.left.text == "Investment bid CYPS_12", sheet
    assert ws.freeze_panes == "C4"
    assert len(ws._charts) == 1  # openpyxl keeps loaded charts only when written by itself


def test_chart_series_are_net_and_cumulative(tmp_path: Path) -> None:
    wb = build_workbook(YEARS)
    chart = wb["Bid"]._charts[0]
    refs = [s.val.numRef.f for s in chart.series]
    assert refs == ["'Bid'!$C$25:$F$25", "'Bid'!$C$26:$F$26"]
    # the years are text: categories by string reference, labels below negative values
    assert [s.cat.strRef.f for s in chart.series] == ["Bid!$C$15:$F$15"] * 2
    assert [s.smooth for s in chart.series] == [False, False]
    assert (chart.x_axis.delete, chart.y_axis.delete) == (False, False)  # both axes shown
    assert chart.x_axis.tickLblPos == "low"


def test_filled_template_holds_the_bid(tmp_path: Path) -> None:
    case = reference_case()
    path = write_bid_template(tmp_path / "b.xlsx", case.bids[2], case)  # CYPS_2
    ws = openpyxl.load_workbook(path)["Bid"]
    assert ws["C6"].value == "CYPS_2" and ws["C7"].value == "Family Group Conferencing"
    assert [c.value for c in ws["C18:G18"][0]] == [0, 15, 27, 30, 30]  # prevented, as given
    assert ws["C19"].value == 22000 and ws["C20"].value == 0.5  # the case's assumptions
    assert [c.value for c in ws["C23:G23"][0]] == [None] * 5  # no typed-in gross saving
    assert "CYPS_2" in ws.oddHeader.left.text


def test_text_like_a_formula_is_written_as_text(tmp_path: Path) -> None:
    case = reference_case()
    bid = case.bids[0]
    import dataclasses

    evil = dataclasses.replace(bid, title='=HYPERLINK("http://x","y")', cabinet_member="+1-2")
    path = write_bid_template(tmp_path / "e.xlsx", evil, case)
    ws = openpyxl.load_workbook(path)["Bid"]
    assert ws["C7"].data_type == "s" and ws["C7"].value == '=HYPERLINK("http://x","y")'
    assert ws["C10"].data_type == "s"


def test_fill_writes_one_file_per_bid(tmp_path: Path) -> None:
    paths = fill_templates(reference_case(), tmp_path)
    assert [p.name for p in paths][:3] == ["CYPS_1A.xlsx", "CYPS_1B.xlsx", "CYPS_2.xlsx"]
    assert len(paths) == 11  # reference report, Appendix 1: bids CYPS_1A..CYPS_10


def test_cli_template_new_and_fill(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "x.xlsx"
    assert (
        main(["template", "new", "-o", str(out), "--ref", "CYPS_7", "--years", "2017/18:2019/20"])
        == 0
    )
    wb = openpyxl.load_workbook(out)
    assert [c.value for c in wb["Bid"]["C15:E15"][0]] == ["2017/18", "2018/19", "2019/20"]
    assert wb["Bid"]["C6"].value == "CYPS_7"
    assert main(["template", "new", "-o", str(out)]) == 2  # exists: no overwrite
    assert "exists" in capsys.readouterr().err
    assert main(["template", "new", "-o", str(tmp_path / "y.xlsx"), "--years", "2017/18:x"]) == 2
    assert main(["template", "fill", "-o", str(tmp_path / "bids")]) == 0
    assert len(list((tmp_path / "bids").glob("*.xlsx"))) == 11
    assert main(["template", "fill", "-o", str(tmp_path / "bids")]) == 2  # would overwrite
