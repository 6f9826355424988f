"""Bid reader and file-safety checks that kill mutants which survived the hostile-input
tests (docs/mutation.md, "The bid reader and the file-safety checks").

Each test names the change it catches; messages are compared whole, as the budget
holder sees them, with the sheet and cell they name. Figures are worked out by hand in
the comments.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from support.bidfiles import CASE, edit_cells, good_bid, with_cached

from cypsxl.workbook import safety
from cypsxl.workbook.reader import (
    CellProblem,
    _reading_order,
    collect_bids,
    find_workbooks,
    natural_key,
    read_bid_file,
)
from cypsxl.workbook.template import write_blank_template

_SAVE_AS = "save it as an Excel Workbook (.xlsx) and send it again"


@pytest.fixture
def cyps2(tmp_path: Path) -> Path:
    """CYPS_2 filled: investment 0.1, 0.164 x 4 (row 16); prevented 0, 15, 27, 30, 30
    (row 18); £22,000 a child (C19); part-year factor 0.5 (C20). No cached results."""
    return good_bid(tmp_path / "src")


# CYPS_2 by hand (years 2016/17 .. 2020/21):
#   child-years avoided = children to date - (1 - 0.5) x this year's children
#     0 - 0 = 0;  15 - 7.5 = 7.5;  42 - 13.5 = 28.5;  72 - 15 = 57;  102 - 15 = 87
#   cost avoidance = child-years x 22,000 / 1e6 = 0, 0.165, 0.627, 1.254, 1.914 (= gross)
#   net = investment - gross = 0.1, -0.001, -0.463, -1.09, -1.75
#   cumulative net = 0.1, 0.099, -0.364, -1.454, -3.204
#   payback year 2 (2017/18, first net < 0); break-even year 3 (2018/19)
CYPS_2_CACHED = {
    **{f"{c}21": ("n", v) for c, v in zip("CDEFG", ["0", "7.5", "28.5", "57", "87"], strict=True)},
    **{
        f"{c}22": ("n", v)
        for c, v in zip("CDEFG", ["0", "0.165", "0.627", "1.254", "1.914"], strict=True)
    },
    **{
        f"{c}24": ("n", v)
        for c, v in zip("CDEFG", ["0", "0.165", "0.627", "1.254", "1.914"], strict=True)
    },
    **{
        f"{c}25": ("n", v)
        for c, v in zip("CDEFG", ["0.1", "-0.001", "-0.463", "-1.09", "-1.75"], strict=True)
    },
    **{
        f"{c}26": ("n", v)
        for c, v in zip("CDEFG", ["0.1", "0.099", "-0.364", "-1.454", "-3.204"], strict=True)
    },
    "C27": ("n", "2"),
    "D27": ("str", "2017/18"),
    "C28": ("n", "3"),
    "D28": ("str", "2018/19"),
}


# --------------------------------------------------------------------------- saved results


def test_saved_results_equal_to_the_engines_are_accepted(cyps2: Path, tmp_path: Path) -> None:
    """Kills: numbers compared as ``cached + want``, text compared with ``!=`` or with
    ``and`` in place of ``or`` (a text result against a number), the tolerance dropped."""
    path = with_cached(cyps2, tmp_path / "saved.xlsx", CYPS_2_CACHED)
    r = read_bid_file(path)
    assert r.errors == []
    assert r.data is not None and r.data.ref == "CYPS_2"


def test_a_saved_result_within_the_tolerance_is_accepted(cyps2: Path, tmp_path: Path) -> None:
    """C21 is 0 child-years (no child prevented in 2016/17); a saved 0.000001 differs by
    exactly the tolerance, 1e-6, and is accepted (kills ``<`` for ``<=``); 0.0000011
    is not."""
    ok = with_cached(cyps2, tmp_path / "ok.xlsx", {"C21": ("n", "0.000001")})
    assert read_bid_file(ok).errors == []
    bad = read_bid_file(with_cached(cyps2, tmp_path / "bad.xlsx", {"C21": ("n", "0.0000011")}))
    assert [(e.sheet, e.cell, e.message) for e in bad.errors] == [
        (
            "Bid",
            "C21",
            "saved result '1.1e-06' differs from the engine's 0.0: a formula or a "
            "calculated cell was changed",
        )
    ]


def test_a_wrong_saved_year_is_refused_located(cyps2: Path, tmp_path: Path) -> None:
    """The payback year saved as text "2018/19" where the engine says 2017/18 (D27);
    the break-even year number saved as 2 where the engine says 3 (C28); the break-even
    year saved as the number 3 where the engine says the text 2018/19 (D28)."""
    path = with_cached(
        cyps2,
        tmp_path / "years.xlsx",
        {"D27": ("str", "2018/19"), "C28": ("n", "2"), "D28": ("n", "3")},
    )
    r = read_bid_file(path)
    assert r.data is None
    assert [(e.sheet, e.cell, e.message) for e in r.errors] == [
        (
            "Bid",
            "D27",
            "saved result '2018/19' differs from the engine's '2017/18': a formula or a "
            "calculated cell was changed",
        ),
        (
            "Bid",
            "C28",
            "saved result '2.0' differs from the engine's 3: a formula or a calculated "
            "cell was changed",
        ),
        (
            "Bid",
            "D28",
            "saved result '3.0' differs from the engine's '2018/19': a formula or a "
            "calculated cell was changed",
        ),
    ]


# --------------------------------------------------------------------------- duplicates


def _copies(src: Path, folder: Path, n: int) -> list[Path]:
    folder.mkdir()
    paths = [folder / f"copy{i}.xlsx" for i in range(1, n + 1)]
    for p in paths:
        p.write_bytes(src.read_bytes())
    return paths


def test_two_files_with_one_reference_name_each_other(cyps2: Path, tmp_path: Path) -> None:
    """Two copies: each names the other and counts no others (0 left, no "and ...");
    located at the reference, Bid!C6."""
    a, b = _copies(cyps2, tmp_path / "two", 2)
    result = collect_bids([a, b], workers=1)
    assert result.bids == []
    assert [
        (r.file, [(e.sheet, e.cell, e.message) for e in r.errors]) for r in result.rejected
    ] == [
        (
            str(p),
            [
                (
                    "Bid",
                    "C6",
                    f"bid reference CYPS_2 is also used by {other}; each bid needs its own "
                    "reference (remove the old version or renumber)",
                )
            ],
        )
        for p, other in ((a, b), (b, a))
    ]


@pytest.mark.parametrize(("n", "more"), [(3, "1 other file"), (4, "2 other files")])
def test_more_files_are_counted(cyps2: Path, tmp_path: Path, n: int, more: str) -> None:
    """n copies: one other named, n - 1 - 1 others counted ("file" for one, else "files")."""
    paths = _copies(cyps2, tmp_path / "many", n)
    result = collect_bids(paths, workers=1)
    assert [e.message for e in result.rejected[0].errors] == [
        f"bid reference CYPS_2 is also used by {paths[1]} and {more}; each bid needs its own "
        "reference (remove the old version or renumber)"
    ]


# --------------------------------------------------------------------------- years


def test_a_shorter_bid_is_padded_in_every_row(tmp_path: Path) -> None:
    """A bid for 2017/18-2019/20 in a 2016/17-2020/21 collection: zeros before (2016/17)
    and after (2020/21) in investment, children prevented, FTE and each outcome measure;
    its avoided cost and part-year factor are kept."""
    path = write_blank_template(
        tmp_path / "middle.xlsx", "CYPS_13", ["2017/18", "2018/19", "2019/20"]
    )
    edit_cells(
        path,
        path,
        {
            "Bid!C7": "Middle years",
            **{f"Bid!{c}16": 0.2 for c in "CDE"},
            "Bid!C18": 1,
            "Bid!D18": 2,
            "Bid!E18": 3,
            "Bid!C19": 30000,
            "Bid!C20": 0.25,
            **{f"Bid!{c}31": v for c, v in zip("CDE", [1.5, 2.0, 2.5], strict=True)},
            "Bid!A36": "Families supported",
            **{f"Bid!{c}36": v for c, v in zip("CDE", [4, 5, 6], strict=True)},
        },
    )
    result = collect_bids([path], years=CASE.years, workers=1)
    assert result.rejected == []
    (bid,) = result.bids
    assert bid.investment == (0.0, 0.2, 0.2, 0.2, 0.0)
    assert bid.prevented == (0.0, 1.0, 2.0, 3.0, 0.0)
    assert bid.gross_saving is None
    assert bid.fte == (0.0, 1.5, 2.0, 2.5, 0.0)
    assert dict(bid.outcomes) == {"Families supported": (0.0, 4.0, 5.0, 6.0, 0.0)}
    assert bid.avoided_cost_per_child_per_year == 30000.0 and bid.part_year_factor == 0.25


# --------------------------------------------------------------------------- file safety


def test_an_encrypted_workbook_and_a_legacy_one_are_told_apart(tmp_path: Path) -> None:
    """Both are OLE2 containers; only the encrypted one holds "EncryptionInfo"."""
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    encrypted = tmp_path / "locked.xlsx"
    encrypted.write_bytes(ole2 + b"\0" * 500 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 9)
    legacy = tmp_path / "old.xls"
    legacy.write_bytes(ole2 + b"\0" * 500 + "Workbook".encode("utf-16-le"))
    with pytest.raises(safety.HostileFile) as exc:
        safety.open_package(encrypted)
    assert str(exc.value) == (
        "is password-protected (encrypted); remove the password (File > Info > Protect "
        f"Workbook) and {_SAVE_AS}"
    )
    with pytest.raises(safety.HostileFile) as exc:
        safety.open_package(legacy)
    assert str(exc.value) == f"is a legacy Excel 97-2003 workbook (.xls); {_SAVE_AS}"


@pytest.mark.parametrize(
    ("head", "message"),
    [
        # only the first 8 bytes are looked at: plain text with a space, no comma or
        # semicolon; the lowest and highest bytes taken as text (space, "~", 0x80)
        (b"to whom it may concern", "is text, not an Excel workbook"),
        (b"~ \x80abcde", "is text, not an Excel workbook"),
        # a CSV: printable characters, a tab and a line break
        (b"a,b\tc\r\nd,e", "is CSV or other text, not an Excel workbook"),
        # byte-order marks, then characters that are not printable on their own (the
        # zero bytes of UTF-16, a control character after a UTF-8 mark)
        (b"\xef\xbb\xbfa,\x00b\x01", "is CSV or other text, not an Excel workbook"),
        (b"\xff\xfer\x00,\x00f\x00", "is CSV or other text, not an Excel workbook"),
        (b"\xfe\xff\x00r\x00;\x00f", "is CSV or other text, not an Excel workbook"),
        (b"\xfe\xff\x00r\x00f\x00x", "is text, not an Excel workbook"),
    ],
)
def test_text_files_are_named_text(tmp_path: Path, head: bytes, message: str) -> None:
    path = tmp_path / "bid.xlsx"
    path.write_bytes(head)
    with pytest.raises(safety.HostileFile) as exc:
        safety.open_package(path)
    assert str(exc.value) == f"{message}; fill in the bid template and {_SAVE_AS}"


def test_binary_content_is_unrecognised(tmp_path: Path) -> None:
    """Control characters with no byte-order mark: not text (kills ``sample or ...``)."""
    path = tmp_path / "bid.xlsx"
    path.write_bytes(b"\x00\x01\x02\x03,;\x04\x05 and more")
    with pytest.raises(safety.HostileFile) as exc:
        safety.open_package(path)
    assert str(exc.value) == "is not an Excel workbook (unrecognised content)"


@pytest.mark.parametrize("odd", [b"\x7f", b"\x1f", b"\x0b"])
def test_one_control_character_makes_text_unrecognised(tmp_path: Path, odd: bytes) -> None:
    """DEL (0x7f), 0x1f (below the space) and a vertical tab (not tab, CR or LF) among
    7 letters: not text."""
    path = tmp_path / "bid.xlsx"
    path.write_bytes(b"abc" + odd + b"defg")
    with pytest.raises(safety.HostileFile) as exc:
        safety.open_package(path)
    assert str(exc.value) == "is not an Excel workbook (unrecognised content)"


# --------------------------------------------------------------------------- cell values


def test_text_in_a_number_cell_is_quoted_whole_up_to_40_characters(
    cyps2: Path, tmp_path: Path
) -> None:
    """40 characters are shown whole; 41 are cut to 37 and "..." (40 in all)."""
    path = edit_cells(cyps2, tmp_path / "text.xlsx", {"Bid!D16": "a" * 40, "Bid!E16": "b" * 41})
    r = read_bid_file(path)
    assert r.data is None
    assert [(e.sheet, e.cell, e.message) for e in r.errors] == [
        ("Bid", "D16", f"funding sought 2017/18: expected a number, got text '{'a' * 40}'"),
        ("Bid", "E16", f"funding sought 2018/19: expected a number, got text '{'b' * 37}...'"),
    ]


@pytest.mark.parametrize(
    ("sheet", "cell", "line"),
    [
        ("Bid", "D16", "CYPS_2.xlsx: Bid!D16: expected a number >= 0, got -1"),
        ("Bid", "", "CYPS_2.xlsx: Bid: expected a number >= 0, got -1"),
        ("", "", "CYPS_2.xlsx: expected a number >= 0, got -1"),
    ],
)
def test_a_problem_reads_as_file_sheet_cell_message(sheet: str, cell: str, line: str) -> None:
    """A problem located to a cell, to a sheet, or to the whole file, on one line."""
    assert str(CellProblem("CYPS_2.xlsx", sheet, cell, "expected a number >= 0, got -1")) == line


# --------------------------------------------------------------------------- folders


def test_a_folder_scan_finds_workbooks_only_in_natural_order(tmp_path: Path) -> None:
    """Hidden files and folders are left out, other kinds of file ignored, a folder
    named like a workbook (any case) returned as a file. Sorted by the path, letters
    without case ("area/" < "bids.xlsx" < "cyps_"), numbers by value (2 < 10)."""
    root = tmp_path / "returns"
    for rel in (
        "CYPS_10.xlsx",
        "CYPS_2.xlsx",
        "notes.docx",
        ".hidden.xlsx",
        ".git/CYPS_3.xlsx",
        "area/CYPS_1.csv",
        "Bids.XLSX/CYPS_4.xlsx",
    ):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(b"x")
    files, locks, missing = find_workbooks([root])
    assert [p.relative_to(root).as_posix() for p in files] == [
        "area/CYPS_1.csv",
        "Bids.XLSX",
        "CYPS_2.xlsx",
        "CYPS_10.xlsx",
    ]
    assert locks == [] and missing == []


def test_natural_order_sorts_numbers_by_value() -> None:
    """Given in reverse: 10 > 9 > 2 by value, not by character."""
    names = ["b/CYPS_10.xlsx", "b/CYPS_9.xlsx", "b/CYPS_2.xlsx", "a/CYPS_30.xlsx"]
    assert sorted(names, key=lambda n: natural_key(Path(n))) == [
        "a/CYPS_30.xlsx",
        "b/CYPS_2.xlsx",
        "b/CYPS_9.xlsx",
        "b/CYPS_10.xlsx",
    ]


def test_a_bid_with_years_outside_the_collection_is_refused_located(
    cyps2: Path, tmp_path: Path
) -> None:
    """CYPS_2 runs 2016/17-2020/21; a 2017/18-2021/22 collection cannot hold it, and a
    collection with no years holds nothing. Located at the years row, Bid!C15:G15."""
    later = ["2017/18", "2018/19", "2019/20", "2020/21", "2021/22"]
    tail = "; use a template for years within the collection's (or collect with --years)"
    outside = collect_bids([cyps2], years=later, workers=1)
    assert [(e.sheet, e.cell, e.message) for e in outside.rejected[0].errors] == [
        (
            "Bid",
            "C15:G15",
            "the bid's years 2016/17-2020/21 run outside this collection's years "
            "2017/18-2021/22" + tail,
        )
    ]
    none = collect_bids([cyps2], years=[], workers=1)
    assert [e.message for e in none.rejected[0].errors] == ["this collection has no years" + tail]


# --------------------------------------------------------------------------- problems


def test_problems_sort_file_wide_bid_narrative_then_other_sheets() -> None:
    """File-wide first, then the Bid sheet (a problem with no cell first, then row by row,
    left to right), the Narrative, any other sheet."""
    given = [
        ("Lists", "B2"),
        ("Narrative", "C5"),
        ("Bid", "E25"),
        ("Bid", "A1"),
        ("Bid", ""),
        ("Bid", "D16"),
        ("", ""),
    ]
    problems = [CellProblem("f.xlsx", sheet, cell, "m") for sheet, cell in given]
    assert [(p.sheet, p.cell) for p in sorted(problems, key=_reading_order)] == [
        ("", ""),
        ("Bid", ""),
        ("Bid", "A1"),
        ("Bid", "D16"),
        ("Bid", "E25"),
        ("Narrative", "C5"),
        ("Lists", "B2"),
    ]


def test_a_workbook_not_from_the_template_is_a_file_wide_problem(tmp_path: Path) -> None:
    """No sheet and no cell: the whole file is refused."""
    wb = openpyxl.Workbook()
    wb.active["A1"] = "My bid"
    path = tmp_path / "mine.xlsx"
    wb.save(path)
    assert read_bid_file(path).errors == [
        CellProblem(
            str(path),
            "",
            "",
            "is not a cypsxl bid template (no template version in its document properties); "
            "fill in the bid template issued by finance",
        )
    ]
