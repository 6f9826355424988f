"""What a person reads, printed: every generated workbook through LibreOffice to PDF.

For each workbook (report, demo, consolidated bids, bid template blank and filled with a
2,000-character answer, monitoring report) and each sheet: the pages it prints (one page
wide, A4, the orientation asked), no "###", every cell's text whole on the page (from the PDF's own
text) and no wider than its column (from the font's metrics), every chart titled with
titled axes and series holding numbers, and each page like its golden picture under
tests/golden/ (40 dpi, 1% of pixels may differ). After a deliberate layout change,
regenerate the pictures and review them:

    CYPSXL_UPDATE_GOLDEN=1 python3 -m pytest -q tests/test_print.py

All workbooks are printed in one LibreOffice run.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
from pathlib import Path

import openpyxl
import pytest
from support.printed import (
    Page,
    chart_problems,
    clipped_cells,
    compare_png,
    pages,
    print_to_pdf,
    too_wide_cells,
)

from cypsxl import load_case, run_case
from cypsxl.casefile._monitoring import load_monitoring
from cypsxl.cli import main
from cypsxl.excel.demo import build_demo
from cypsxl.model.monitoring import monitor
from cypsxl.workbook.files import save_deterministic
from cypsxl.workbook.monitoring_report import build_monitoring_report
from cypsxl.workbook.report import ReportInfo, build_report
from cypsxl.workbook.template import (
    bid_values,
    build_workbook,
    write_blank_template,
)
from cypsxl.workbook.template import save_deterministic as save_template

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("CYPSXL_UPDATE_GOLDEN") == "1"
STAMP = dt.datetime(2016, 11, 23, 9, 0)
LANDSCAPE, PORTRAIT = "landscape", "portrait"

#: What each workbook must print: sheet -> (pages, orientation).
EXPECTED: dict[str, dict[str, tuple[int, str]]] = {
    "report": {
        "Cover": (1, LANDSCAPE),
        "Table 1": (1, LANDSCAPE),
        "Table 2": (1, LANDSCAPE),
        "Table 3": (1, LANDSCAPE),
        "Table 4": (1, LANDSCAPE),
        "Bid profiles": (1, LANDSCAPE),
        "Funding charts": (1, LANDSCAPE),
        "Bid charts": (1, LANDSCAPE),
    },
    "report_northshire": {  # another shape: four years, recurring, placements priced
        "Cover": (1, LANDSCAPE),
        "Table 1": (1, LANDSCAPE),
        "Table 2": (1, LANDSCAPE),
        "Table 3": (1, LANDSCAPE),
        "Table 4": (1, LANDSCAPE),
        "Bid profiles": (1, LANDSCAPE),
        "Placements": (1, LANDSCAPE),
        "Funding charts": (1, LANDSCAPE),
        "Bid charts": (1, LANDSCAPE),
    },
    "demo": {
        "Inputs": (1, LANDSCAPE),
        "Bids": (1, LANDSCAPE),
        "Outputs": (2, LANDSCAPE),  # Table 1; then Table 2 on a page of its own
        "Funding": (1, LANDSCAPE),  # Tables 3 and 4
        "Bid summary": (1, LANDSCAPE),
        "Checks": (1, LANDSCAPE),
        "What if": (1, LANDSCAPE),
        "cypsxl": (1, LANDSCAPE),
        "xlwings.conf": (1, LANDSCAPE),
        "Charts": (1, LANDSCAPE),
    },
    "consolidated": {
        "Bids": (1, LANDSCAPE),
        "Profiles": (2, LANDSCAPE),  # 44 rows: 11 bids x 4 measures
        "Tables": (4, LANDSCAPE),  # a table a page
        "Errors": (1, LANDSCAPE),
        "Chart": (1, LANDSCAPE),
    },
    "template": {
        "Bid": (2, LANDSCAPE),  # sections 1-4; section 5 and the chart
        "Narrative": (3, PORTRAIT),  # two questions a page
        "Guidance": (1, PORTRAIT),
    },
    "template_filled": {
        "Bid": (2, LANDSCAPE),
        "Narrative": (3, PORTRAIT),
        "Guidance": (1, PORTRAIT),
    },
    "monitoring": {
        "Cover": (1, LANDSCAPE),
        "Summary": (1, LANDSCAPE),
        "Risks and savings": (1, LANDSCAPE),
        "Variance by line": (1, LANDSCAPE),
        "Forecast by period": (1, LANDSCAPE),
        "Charts": (1, LANDSCAPE),
    },
}
#: Sheets whose cells are checked for clipping (the demo's other sheets are inputs and
#: live functions, which print "#NAME?" without Python).
TEXT_SHEETS = {
    "demo": {"Outputs", "Funding", "Bid summary", "Checks", "Charts"},
}
CHARTS = {
    "report": 4,
    "report_northshire": 4,
    "demo": 2,
    "consolidated": 1,
    "template": 1,
    "template_filled": 1,
    "monitoring": 2,
}
MONITORING = Path(__file__).parents[1] / "docs" / "examples" / "northshire_monitoring_2025.toml"

#: A 300-word answer of 1,990 characters, the most the box must show whole.
LONG_ANSWER = (
    (
        "Demand for placements has risen for three years and the quarterly performance "
        "reports show that early help keeps children safely at home with their families. "
    )
    * 12
)[:1990].rstrip()


def _workbooks(root: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    case = load_case()
    out: dict[str, Path] = {}
    info = ReportInfo(dt.date(2016, 11, 23), "0.1.0", "0" * 64)
    out["report"] = save_deterministic(
        build_report(run_case(case), info), root / "report.xlsx", STAMP
    )
    northshire = Path(__file__).parents[1] / "docs" / "examples" / "northshire_2025.toml"
    out["report_northshire"] = save_deterministic(
        build_report(run_case(load_case(northshire)), info), root / "report_northshire.xlsx", STAMP
    )
    out["demo"] = save_deterministic(build_demo(), root / "demo.xlsx", STAMP)
    monkeypatch.chdir(root)  # relative file names in the consolidated workbook
    assert main(["template", "fill", "-o", "bids"]) == 0
    assert main(["bids", "collect", "bids", "-q", "-o", "consolidated.xlsx"]) == 0
    out["consolidated"] = root / "consolidated.xlsx"
    out["template"] = write_blank_template(root / "template.xlsx", "CYPS_12")
    values = bid_values(case.bids[6], case)  # CYPS_5 Edge of Care
    answers = (LONG_ANSWER, *values.answers[1:])
    filled = dataclasses.replace(values, answers=answers)
    out["template_filled"] = save_template(
        build_workbook(case.years, filled), root / "template_filled.xlsx"
    )
    results = monitor(load_monitoring(MONITORING))  # a fixed hash: the page shows it
    m_info = ReportInfo(dt.date(2025, 11, 5), "0.1.0", "0" * 64)
    out["monitoring"] = save_deterministic(
        build_monitoring_report(results, m_info), root / "monitoring.xlsx", STAMP
    )
    out["bad"] = _bad_workbook(root / "bad.xlsx")
    return out


def _bad_workbook(path: Path) -> Path:
    """What the checks must catch: a title cut by its neighbour, a figure too wide for
    its column (printed ###), a chart without axis titles or data."""
    from openpyxl.chart import BarChart, Reference

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Bad"
    ws["A1"], ws["B1"] = "Children's Social Care", "x"
    ws["A2"], ws["B2"] = "ok", 123456.789
    ws["B2"].number_format = '#,##0.000;(#,##0.000);"-"'
    ws.column_dimensions["A"].width = 10
    ws.column_dimensions["B"].width = 4
    ws.oddHeader.right.text = "&A"
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=3, min_row=1, max_row=2))  # C1:C2 are empty
    ws.add_chart(chart, "D1")
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, list[Page]]]:
    root = tmp_path_factory.mktemp("print")
    with pytest.MonkeyPatch.context() as mp:
        books = _workbooks(root, mp)
    pdfs = print_to_pdf(list(books.values()), root / "pdf")
    out = {}
    for name, path in books.items():  # the header names the sheet
        sheets = openpyxl.load_workbook(path, read_only=True).sheetnames
        out[name] = (path, pages(pdfs[path], sheets))
    return out


KINDS = list(EXPECTED)


def test_compare_png_sees_a_change(tmp_path: Path) -> None:
    from PIL import Image

    white = Image.new("L", (100, 100), 255)
    white.save(tmp_path / "a.png")
    small, large = white.copy(), white.copy()
    small.paste(0, (0, 0, 5, 5))  # 25 of 10,000 pixels: 0.25%, within 1%
    large.paste(0, (0, 0, 20, 20))  # 400 pixels: 4%
    small.save(tmp_path / "small.png")
    large.save(tmp_path / "large.png")
    assert compare_png(tmp_path / "a.png", tmp_path / "small.png") is None
    assert compare_png(tmp_path / "a.png", tmp_path / "large.png") == (
        "4.0% of the pixels differ (tolerance 1%)"
    )
    Image.new("L", (50, 100), 255).save(tmp_path / "narrow.png")
    assert compare_png(tmp_path / "a.png", tmp_path / "narrow.png") == (
        "size (50, 100) is not the golden (100, 100)"
    )


def test_the_checks_catch_a_bad_workbook(printed) -> None:
    path, got = printed["bad"]
    assert {p.sheet for p in got} == {"Bad"}  # not fitted: the chart runs onto page 2
    assert "###" in got[0].text  # 123,456.789 in a column 4 wide
    # "Children's Social Care" cut by "x" beside it; the figure printed as ### is not whole
    assert clipped_cells(path, got) == {
        "Bad!A1": "Children's Social Care",
        "Bad!B2": "123,456.789",
    }
    wide = too_wide_cells(path)
    assert sorted(wide) == ["Bad!A1", "Bad!B2"]
    _text, width, column = wide["Bad!A1"]
    assert column == 10 * 7.0 and width > column  # 10 widths of "0" (7 pt) = 70 pt
    count, problems = chart_problems(path)
    assert count == 1 and problems == [
        "xl/charts/chart1.xml: no title",
        "xl/charts/chart1.xml: valAx has no title",
        "xl/charts/chart1.xml: catAx has no title",
        "xl/charts/chart1.xml: 'Bad'!$C$1:$C$2 holds no numbers",
    ]


@pytest.mark.parametrize("kind", KINDS)
def test_pages_per_sheet_one_page_wide(printed, kind: str) -> None:
    _path, got = printed[kind]
    counts: dict[str, list[Page]] = {}
    for page in got:
        counts.setdefault(page.sheet, []).append(page)
    assert {s: len(p) for s, p in counts.items()} == {s: n for s, (n, _o) in EXPECTED[kind].items()}
    for sheet, (_n, orientation) in EXPECTED[kind].items():
        for page in counts[sheet]:
            # A4: 841.89 x 595.28 points
            long, short = max(page.width, page.height), min(page.width, page.height)
            assert (round(long), round(short)) == (842, 595), (sheet, page.number)
            landscape = page.width > page.height
            assert landscape == (orientation == LANDSCAPE), (sheet, page.number)
            assert f"Page {page.number} of {len(got)}" in page.text, (sheet, page.number)


@pytest.mark.parametrize("kind", KINDS)
def test_no_cell_cut_and_no_hashes(printed, kind: str) -> None:
    path, got = printed[kind]
    sheets = TEXT_SHEETS.get(kind, set(EXPECTED[kind]))
    text_pages = [p for p in got if p.sheet in sheets]
    assert not [p.number for p in text_pages if "###" in p.text]
    clipped = {
        k: v for k, v in clipped_cells(path, text_pages).items() if k.split("!")[0] in sheets
    }
    assert clipped == {}


@pytest.mark.parametrize("kind", KINDS)
def test_no_cell_text_wider_than_its_column(printed, kind: str) -> None:
    path, _got = printed[kind]
    sheets = TEXT_SHEETS.get(kind, set(EXPECTED[kind]))
    wide = {k: v for k, v in too_wide_cells(path).items() if k.split("!")[0] in sheets}
    assert wide == {}


@pytest.mark.parametrize("kind", KINDS)
def test_charts_have_titles_axes_and_data(printed, kind: str) -> None:
    path, _got = printed[kind]
    count, problems = chart_problems(path)
    assert (count, problems) == (CHARTS[kind], [])


@pytest.mark.parametrize("kind", KINDS)
def test_pages_look_like_the_golden_pictures(printed, kind: str, tmp_path: Path) -> None:
    path, got = printed[kind]
    pdf = path.parent / "pdf" / f"{path.stem}.pdf"
    subprocess.run(
        ["pdftoppm", "-png", "-gray", "-r", "40", str(pdf), str(tmp_path / kind)], check=True
    )
    pictures = sorted(tmp_path.glob(f"{kind}-*.png"))
    assert len(pictures) == len(got)
    folder = GOLDEN / kind
    if UPDATE:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.png"):
            old.unlink()
        for k, picture in enumerate(pictures, start=1):
            (folder / f"page-{k:02d}.png").write_bytes(picture.read_bytes())
    goldens = sorted(folder.glob("page-*.png"))
    assert len(goldens) == len(pictures), "regenerate: CYPSXL_UPDATE_GOLDEN=1 pytest"
    problems = {
        g.name: why
        for g, p in zip(goldens, pictures, strict=True)
        if (why := compare_png(g, p)) is not None
    }
    assert problems == {}, "if the change is meant, regenerate with CYPSXL_UPDATE_GOLDEN=1"
