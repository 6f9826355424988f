"""Hostile and broken files: each kind gets one clear, located error; none crashes the run.

The corpus is generated here (no binaries committed): a filled reference template is
the starting point for every damaged or tampered variant.
"""

from __future__ import annotations

import io
import re
import struct
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest
from support.bidfiles import rewrite, sub

from cypsxl.casefile import reference_case
from cypsxl.cli import main
from cypsxl.workbook.layout import TEMPLATE_VERSION
from cypsxl.workbook.reader import CollectResult, collect_bids, read_bid_file
from cypsxl.workbook.template import write_bid_template, write_blank_template

CASE = reference_case()
SHEET = "xl/worksheets/sheet1.xml"  # the Bid sheet


def _lying_bomb(src: Path, dst: Path, member: str, size: int, declared: int) -> Path:
    """A copy whose ``member`` inflates to ``size`` bytes but declares ``declared``.

    The uncompressed size is patched in the member's local header (offset 22) and its
    central directory entry (offset 24), so the directory checks see a small part.
    """
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = b"0" * size if info.filename == member else zin.read(info.filename)
            zout.writestr(info.filename, data)
    raw = bytearray(dst.read_bytes())
    with zipfile.ZipFile(dst) as zf:
        offset = zf.getinfo(member).header_offset
    struct.pack_into("<I", raw, offset + 22, declared)
    entry = raw.find(b"PK\x01\x02")  # central directory entries, in member order
    while raw[entry + 46 : entry + 46 + len(member)] != member.encode():
        entry = raw.find(b"PK\x01\x02", entry + 4)
    struct.pack_into("<I", raw, entry + 24, declared)
    dst.write_bytes(bytes(raw))
    return dst


def _edit_cells(src: Path, dst: Path, values: dict[str, object]) -> Path:
    wb = openpyxl.load_workbook(src)
    for coord, value in values.items():
        sheet, cell = coord.split("!")
        wb[sheet][cell] = value
        if isinstance(value, str) and not value.startswith("="):
            wb[sheet][cell].data_type = "s"
    wb.save(dst)
    return dst


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b"]><workbook>&lol9;</workbook>"
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every hostile kind, one file (or folder) each, in one folder."""
    root = tmp_path_factory.mktemp("hostile")
    good = root / "src"
    good.mkdir()
    cyps2 = write_bid_template(good / "CYPS_2.xlsx", CASE.bids[2], CASE)
    d = root / "returns"
    d.mkdir()
    k: dict[str, Path] = {}
    k["csv"] = d / "csv.xlsx"
    k["csv"].write_text("ref,title,investment\nCYPS_1,Foster care,1.2\n")
    k["xls"] = d / "legacy.xls"
    k["xls"].write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000 + "Workbook".encode("utf-16-le")
    )
    k["encrypted"] = d / "encrypted.xlsx"
    k["encrypted"].write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 500
        + "EncryptionInfo".encode("utf-16-le")
        + b"\0" * 500
    )
    k["xlsm"] = rewrite(cyps2, d / "macros.xlsm", {}, {"xl/vbaProject.bin": b"\0" * 64})
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>")
        zf.writestr("xl/workbook.xml", b"<workbook/>")
        zf.writestr(SHEET, b"0" * 30_000_000)
    k["zip_bomb"] = d / "bomb.xlsx"
    k["zip_bomb"].write_bytes(bomb.getvalue())
    # 5,000,000 zeros deflate to about 5 kB: a ratio near 1,000, far above 200
    zeros = b"0" * 5_000_000
    k["zip_bomb_ratio"] = rewrite(cyps2, d / "bomb_ratio.xlsx", {SHEET: lambda _: zeros})
    # inflates to 50,000,000 bytes but declares 1,000: never inflated past what it declares
    k["zip_bomb_lying"] = _lying_bomb(cyps2, d / "bomb_lying.xlsx", SHEET, 50_000_000, 1000)
    k["billion_laughs"] = rewrite(cyps2, d / "laughs.xlsx", {"xl/workbook.xml": lambda _: LAUGHS})
    xxe = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    k["xxe"] = rewrite(cyps2, d / "xxe.xlsx", {SHEET: lambda _: xxe})
    k["truncated"] = d / "truncated.xlsx"
    k["truncated"].write_bytes(cyps2.read_bytes()[: cyps2.stat().st_size // 2])
    k["empty"] = d / "empty.xlsx"
    k["empty"].write_bytes(b"")
    k["folder"] = d / "folder.xlsx"
    k["folder"].mkdir()
    k["lock"] = d / "~$CYPS_2.xlsx"
    k["lock"].write_bytes(b"\x0bowner" + b"\0" * 100)
    k["ods"] = d / "other.xlsx"
    with zipfile.ZipFile(k["ods"], "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<office:document-content/>")
    plain = openpyxl.Workbook()
    plain.active["A1"] = "My bid"
    k["not_template"] = d / "not_template.xlsx"
    plain.save(k["not_template"])
    k["other_version"] = rewrite(
        cyps2,
        d / "old_version.xlsx",
        {
            "docProps/custom.xml": sub(
                b"<vt:lpwstr>" + re.escape(TEMPLATE_VERSION.encode()) + b"</vt:lpwstr>",
                b"<vt:lpwstr>0.9</vt:lpwstr>",
            )
        },
    )
    k["missing_name"] = rewrite(
        cyps2,
        d / "missing_name.xlsx",
        {"xl/workbook.xml": sub(rb'<definedName name="net">[^<]*</definedName>', b"")},
    )
    k["duplicate_name"] = rewrite(
        cyps2,
        d / "duplicate_name.xlsx",
        {
            "xl/workbook.xml": sub(
                rb"(<definedName name=\"investment\">[^<]*</definedName>)",
                rb'\1<definedName name="investment">Bid!$C$30:$G$30</definedName>',
            )
        },
    )
    k["text_in_number"] = _edit_cells(cyps2, d / "text_in_number.xlsx", {"Bid!D16": "lots"})
    k["negative_money"] = _edit_cells(cyps2, d / "negative_money.xlsx", {"Bid!D16": -1})
    k["negative_count"] = _edit_cells(cyps2, d / "negative_count.xlsx", {"Bid!E18": -3})
    k["other_years"] = write_blank_template(
        d / "other_years.xlsx", "CYPS_99", ["2017/18", "2018/19", "2019/20", "2020/21", "2021/22"]
    )
    k["other_years"] = _edit_cells(
        k["other_years"],
        k["other_years"],
        {"Bid!C7": "Later plan", **{f"Bid!{c}16": 0.1 for c in "CDEFG"}},
    )
    k["duplicate_ref_a"] = write_bid_template(d / "dup_a.xlsx", CASE.bids[5], CASE)
    k["duplicate_ref_b"] = write_bid_template(d / "dup_b.xlsx", CASE.bids[5], CASE)
    k["long_text"] = _edit_cells(cyps2, d / "long_text.xlsx", {"Bid!C7": "x" * 5000})
    k["typed_over"] = _edit_cells(cyps2, d / "typed_over.xlsx", {"Bid!E25": 0.5})
    k["formula_changed"] = _edit_cells(cyps2, d / "formula_changed.xlsx", {"Bid!E26": "=0"})
    k["stale_cache"] = rewrite(
        cyps2,
        d / "stale_cache.xlsx",
        {SHEET: sub(rb"(<c r=\"E25\"[^>]*><f>E16-E24</f>)<v\s*/?>(</v>)?", rb"\1<v>99</v>")},
    )
    k["formula_in_input"] = _edit_cells(cyps2, d / "formula_in_input.xlsx", {"Bid!E16": "=1+1"})
    k["crc"] = rewrite(cyps2, d / "crc.xlsx", {})
    raw = bytearray(k["crc"].read_bytes())
    with zipfile.ZipFile(k["crc"]) as zf:
        info = zf.getinfo(SHEET)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 40
    raw[start : start + 8] = bytes(b ^ 0x55 for b in raw[start : start + 8])
    k["crc"].write_bytes(bytes(raw))
    k["formula_text"] = _edit_cells(
        cyps2,
        d / "formula_text.xlsx",
        {
            "Bid!C7": '=HYPERLINK("http://evil","click")',
            "Bid!C10": "+44 1709",
            "Bid!C11": "-rm",
            "Bid!C6": "CYPS_77",
            "Bid!C8": "@SUM(A1)",
        },
    )
    # the formula-looking title must be text, not a formula: rewrite as a string cell
    k["formula_text"] = _edit_cells(k["formula_text"], k["formula_text"], {})
    wb = openpyxl.load_workbook(k["formula_text"])
    wb["Bid"]["C7"].value = '=HYPERLINK("http://evil","click")'
    wb["Bid"]["C7"].data_type = "s"
    wb.save(k["formula_text"])
    return k


@pytest.fixture(scope="module")
def collected(corpus: dict[str, Path]) -> CollectResult:
    folder = corpus["csv"].parent
    return collect_bids([folder], years=CASE.years, base=CASE.assumptions, workers=1)


def _errors(collected: CollectResult, path: Path) -> list[tuple[str, str, str]]:
    for r in collected.rejected:
        if Path(r.file) == path:
            return [(e.sheet, e.cell, e.message) for e in r.errors]
    raise AssertionError(f"{path.name} was not rejected")


FILE_WIDE = {
    "csv": "is CSV or other text, not an Excel workbook",
    "xls": "is a legacy Excel 97-2003 workbook (.xls)",
    "encrypted": "is password-protected (encrypted)",
    "zip_bomb": "looks like a zip bomb: part xl/worksheets/sheet1.xml would unpack to 30,000,000",
    "zip_bomb_ratio": "looks like a zip bomb: part xl/worksheets/sheet1.xml would unpack to 5,000,",
    "zip_bomb_lying": "is damaged (xl/worksheets/sheet1.xml: Bad CRC-32",
    "billion_laughs": "contains XML entity declarations in xl/workbook.xml",
    "xxe": "contains XML entity declarations in xl/worksheets/sheet1.xml",
    "truncated": "is damaged or truncated",
    "empty": "is empty (0 bytes)",
    "folder": "is a folder, not a workbook",
    "ods": "is a zip file but not an Excel workbook (no [Content_Types].xml)",
    "not_template": "is not a cypsxl bid template",
    "other_version": "is made from bid template version 0.9",
    "missing_name": "defined name 'net' is missing",
    "duplicate_name": "defined name 'investment' is defined 2 times; expected once",
    "crc": "is damaged (xl/worksheets/sheet1.xml",
}


@pytest.mark.parametrize("kind", sorted(FILE_WIDE))
def test_file_wide_problems(kind: str, corpus: dict[str, Path], collected: CollectResult) -> None:
    errors = _errors(collected, corpus[kind])
    assert any(FILE_WIDE[kind] in message for _, _, message in errors), errors


CELL = {
    "text_in_number": ("Bid", "D16", "funding sought 2017/18: expected a number, got text 'lots'"),
    "negative_money": ("Bid", "D16", "funding sought 2017/18: expected a number >= 0, got -1"),
    "negative_count": ("Bid", "E18", "children prevented 2018/19: expected a whole number >= 0"),
    "long_text": ("Bid", "C7", "Title is 5,000 characters long; at most 200"),
    "typed_over": ("Bid", "E25", "calculated cell holds the value '0.5': its formula =E16-E24"),
    "formula_changed": ("Bid", "E26", "formula changed to =0; expected =SUM($C$25:E25)"),
    "stale_cache": ("Bid", "E25", "saved result '99.0' differs from the engine's"),
    "formula_in_input": ("Bid", "E16", "holds a formula (=1+1); type the value instead"),
    "duplicate_ref_a": ("Bid", "C6", "bid reference CYPS_5 is also used by"),
    "duplicate_ref_b": ("Bid", "C6", "bid reference CYPS_5 is also used by"),
    "other_years": (
        "Bid",
        "C15:G15",
        "the bid's years 2017/18-2021/22 run outside this collection's years 2016/17-2020/21",
    ),
}


@pytest.mark.parametrize("kind", sorted(CELL))
def test_located_problems(kind: str, corpus: dict[str, Path], collected: CollectResult) -> None:
    sheet, cell, fragment = CELL[kind]
    errors = _errors(collected, corpus[kind])
    assert any(s == sheet and c == cell and fragment in m for s, c, m in errors), errors


def test_memory_stays_bounded(corpus: dict[str, Path]) -> None:
    """Reading any file of the corpus allocates at most a few MB (the bombs would
    inflate to 5,000,000-50,000,000 bytes; a filled template reads in about 1 MB)."""
    peaks = {}
    for kind, path in corpus.items():
        tracemalloc.start()
        try:
            read_bid_file(path)
            peaks[kind] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert {k: v for k, v in peaks.items() if v > 4_000_000} == {}


def test_macros_are_flagged_but_values_read(
    corpus: dict[str, Path], collected: CollectResult
) -> None:
    assert collected.files.get("CYPS_2") is not None  # macros.xlsm or the text variants
    flagged = {Path(w.file).name: [e.message for e in w.errors] for w in collected.warnings}
    assert "the macros were not run" in flagged["macros.xlsm"][0]


def test_lock_files_are_skipped(corpus: dict[str, Path], collected: CollectResult) -> None:
    assert collected.skipped == [str(corpus["lock"])]
    assert all(Path(r.file) != corpus["lock"] for r in collected.rejected)


def test_formula_like_text_is_kept_as_text(corpus: dict[str, Path]) -> None:
    r = read_bid_file(corpus["formula_text"])
    assert r.errors == [] and r.data is not None
    assert r.data.title == '=HYPERLINK("http://evil","click")'
    assert r.data.service_area == "@SUM(A1)" and r.data.cabinet_member == "+44 1709"


def test_formula_like_text_is_written_as_text(corpus: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "consolidated.xlsx"
    code = main(["bids", "collect", str(corpus["formula_text"]), "-q", "-o", str(out)])
    assert code == 0
    ws = openpyxl.load_workbook(out)["Bids"]
    titles = {ws.cell(r, 2).value: ws.cell(r, 2).data_type for r in range(2, ws.max_row + 1)}
    assert titles == {'=HYPERLINK("http://evil","click")': "s"}
    with zipfile.ZipFile(out) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # no formula anywhere in the bids table


def test_one_bad_file_never_stops_the_run(
    corpus: dict[str, Path], collected: CollectResult
) -> None:
    # accepted: the .xlsm (values read) and the formula-looking text bid; the CYPS_5
    # duplicates reject each other
    assert sorted(collected.files) == ["CYPS_2", "CYPS_77"]
    # every file-wide and cell-level kind is rejected - each one, by name, and no other
    rejected = sorted(Path(r.file).name for r in collected.rejected)
    assert rejected == sorted(corpus[kind].name for kind in (*FILE_WIDE, *CELL))
    assert len(set(rejected)) == len(FILE_WIDE) + len(CELL)  # one file per kind


def test_cli_exit_code_3_when_some_rejected(
    corpus: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    folder = corpus["csv"].parent
    assert main(["bids", "collect", str(folder), "-q", "--json"]) == 3
    out = capsys.readouterr().out
    assert '"rejected"' in out and "is a folder, not a workbook" in out
