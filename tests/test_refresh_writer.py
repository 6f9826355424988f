"""Writing into the user's closed workbook: backups, permissions, links, refusals.

Every refusal is a located error with exit 2, and the workbook's bytes are unchanged with
no backup or temporary file left beside it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import shutil
import warnings
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.corpus import build

from cypsxl.cli import main as cli
from cypsxl.errors import CaseError
from cypsxl.excel.buttons import import_bids
from cypsxl.workbook import closed
from cypsxl.workbook.binding import Area, Formula
from cypsxl.workbook.closed import FileBook, backup_path, open_file_book, update_workbook
from cypsxl.workbook.template import fill_templates

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "workbooks" / "cypsxl_demo.xlsx"


def set_cell(path: Path, sheet: str, cell: str, value: object) -> None:
    """Change one input as a user would (patched in place, nothing else touched)."""
    book = open_file_book(path)
    book.write(Area.parse(f"'{sheet}'!{cell}"), [[value]])
    data = book.patched()
    if data is not None:  # None: the cell held that value already
        path.write_bytes(data)


def only(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --------------------------------------------------------------------------- backups


def test_a_second_in_place_refresh_keeps_the_original(tmp_path: Path, capsys) -> None:
    path = build(tmp_path / "MTFS.xlsx")
    original = path.read_bytes()
    assert cli(["refresh", str(path)]) == 0  # first refresh: the tables are written
    first = path.read_bytes()
    assert first != original and (tmp_path / "MTFS.bak.xlsx").read_bytes() == original
    set_cell(path, "Inputs", "D8", 8.0)  # the officer changes an input
    edited = path.read_bytes()
    assert cli(["refresh", str(path)]) == 0
    today = dt.datetime.now(dt.UTC).date().isoformat()
    # the original is still there; the state before this refresh is today's backup
    assert (tmp_path / "MTFS.bak.xlsx").read_bytes() == original
    assert (tmp_path / f"MTFS.bak-{today}.xlsx").read_bytes() == edited
    set_cell(path, "Inputs", "D8", 9.0)
    assert cli(["refresh", str(path)]) == 0  # later the same day: the day's first state kept
    assert (tmp_path / f"MTFS.bak-{today}.xlsx").read_bytes() == edited
    assert only(tmp_path) == ["MTFS.bak-" + today + ".xlsx", "MTFS.bak.xlsx", "MTFS.xlsx"]
    assert "backup" in capsys.readouterr().out


def test_backup_names() -> None:
    day = dt.date(2026, 11, 30)
    folder = Path(__file__).parent  # no backups of this name there
    assert backup_path(folder / "nothing.xlsm", day) == folder / "nothing.bak.xlsm"


def test_a_failed_write_leaves_the_workbook_and_the_backup_whole(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    path = build(tmp_path / "MTFS.xlsx")
    backup = tmp_path / "MTFS.bak.xlsx"
    backup.write_bytes(b"the good backup")
    before = path.read_bytes()
    real = closed.atomic_write_bytes

    def disk_full(target: Path, data: bytes) -> None:
        if target.name == "MTFS.xlsx":
            raise OSError(28, "No space left on device")
        real(target, data)

    monkeypatch.setattr(closed, "atomic_write_bytes", disk_full)
    assert cli(["refresh", str(path)]) == 2
    err = capsys.readouterr().err
    assert "cannot be written (No space left on device)" in err and "Traceback" not in err
    assert path.read_bytes() == before and backup.read_bytes() == b"the good backup"


def test_a_read_only_workbook_is_refused(tmp_path: Path, capsys) -> None:
    path = build(tmp_path / "MTFS.xlsx")
    before = path.read_bytes()
    path.chmod(0o444)
    assert cli(["refresh", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: is read-only" in err and "Nothing was written" in err
    assert path.read_bytes() == before and only(tmp_path) == ["MTFS.xlsx"]
    assert path.stat().st_mode & 0o777 == 0o444
    # written elsewhere it is fine
    assert cli(["refresh", str(path), "-o", str(tmp_path / "new.xlsx")]) == 0


def test_a_symlinked_workbook_is_refreshed_through_the_link(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    target = build(shared / "MTFS.xlsx")
    target.chmod(0o664)
    os.utime(target, ns=(1_480_000_000 * 10**9, 1_480_000_000 * 10**9))  # November 2016
    saved = target.stat().st_mtime_ns
    original = target.read_bytes()
    link = tmp_path / "my MTFS.xlsx"
    link.symlink_to(target)
    assert cli(["refresh", str(link)]) == 0
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert target.read_bytes() != original  # the shared workbook itself was refreshed
    assert (shared / "MTFS.bak.xlsx").read_bytes() == original
    assert target.stat().st_mode & 0o777 == 0o664
    # the backup is shared as the workbook was, and keeps the original's date
    backup = (shared / "MTFS.bak.xlsx").stat()
    assert backup.st_mode & 0o777 == 0o664 and backup.st_mtime_ns == saved


# --------------------------------------------------------------------------- refusals


def _table_on_outputs(wb, sheets) -> None:
    sheets["Outputs"].add_table("B3:D5", {"name": "MyTable"})  # inside Table 1, A1:F9


def _array_on_outputs(wb, sheets) -> None:
    sheets["Outputs"].write_array_formula("B25:C25", "{=K12:L12*2}")  # Table 2's total row


REFUSED: dict[str, tuple[dict[str, Any], str]] = {
    "an Excel table": (
        {"extra": _table_on_outputs},
        "Outputs!B3:D5: 'output_table1': is the Excel table 'MyTable', and output_table1 "
        "needs Outputs!A1:F9: convert it to a range or move the output. Nothing was written",
    ),
    "an array formula": (
        {"extra": _array_on_outputs},
        "Outputs!B25:C25: 'output_table2': is an array formula, and output_table2 needs "
        "Outputs!A12:I25",
    ),
    "a chart sheet as an output": (
        {"rebind": {"output_run_stamp": "Chart!A1"}},
        "'output_run_stamp': refers to 'Chart', a chart sheet, which has no cells; bind a "
        "range on a worksheet",
    ),
    "a chart sheet as an input": (
        {"rebind": {"base_gap": "Chart!C11:F11"}},
        "'base_gap': refers to 'Chart', a chart sheet, which has no cells",
    ),
    "an output at the last row": (
        {"rebind": {"output_run_stamp": "Checks!E1048575"}},
        "Checks!E1048575: 'output_run_stamp': needs 5 rows x 2 columns from Checks!E1048575, "
        "past the last row (1,048,576) or column (XFD) of a worksheet",
    ),
    "an output at the last columns": (
        {"rebind": {"output_table1": "Outputs!XFA1"}},
        "Outputs!XFA1: 'output_table1': needs 9 rows x 6 columns from Outputs!XFA1, past the "
        "last row (1,048,576) or column (XFD)",
    ),
    # a record in column C pointing at another sheet's cells: not provably cypsxl's
    "a record on another sheet": (
        {"stale": True, "rebind": {}},
        "the record of the last refresh, Notes!A1:F9, does not start with the title cypsxl "
        "writes there ('Table 3: total additional funding')",
    ),
}


@pytest.mark.parametrize("kind", list(REFUSED))
def test_unsafe_writes_are_located_errors_and_nothing_is_written(
    tmp_path: Path, capsys, kind: str
) -> None:
    options, message = REFUSED[kind]
    path = build(tmp_path / "MTFS.xlsx", **options)
    if kind == "a record on another sheet":
        set_cell(path, "cypsxl", "C22", "Notes!A1:F9")  # output_table3's record
    before = path.read_bytes()
    assert cli(["refresh", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err, err
    assert "Traceback" not in err
    assert path.read_bytes() == before and only(tmp_path) == ["MTFS.xlsx"]


def _with_part(path: Path, name: str, data: bytes, rels: tuple[str, bytes] | None = None) -> None:
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info, body in items:
            if rels and info.filename == rels[0]:
                body = body.replace(b"</Relationships>", rels[1] + b"</Relationships>")
            z.writestr(info, body)
        if name:
            z.writestr(name, data)
    path.write_bytes(out.getvalue())


def test_a_pivot_table_where_a_table_goes_is_refused(tmp_path: Path, capsys) -> None:
    path = build(tmp_path / "MTFS.xlsx")
    pivot = (
        b'<pivotTableDefinition xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
        b'main" name="PivotTable1"><location ref="A14:C18" firstHeaderRow="1" '
        b'firstDataRow="1" firstDataCol="1"/></pivotTableDefinition>'
    )
    rel = (
        b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/pivotTable" Target="../pivotTables/pivotTable1.xml"/>'
    )
    _with_part(
        path, "xl/pivotTables/pivotTable1.xml", pivot, ("xl/worksheets/_rels/sheet3.xml.rels", rel)
    )
    before = path.read_bytes()
    assert cli(["refresh", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Outputs!A14:C18: 'output_table2': is the pivot table 'PivotTable1'" in err, err
    assert path.read_bytes() == before and only(tmp_path) == ["MTFS.xlsx"]


def test_formats_it_cannot_patch(tmp_path: Path, capsys) -> None:
    xlsb = tmp_path / "MTFS.xlsb"
    with zipfile.ZipFile(xlsb, "w") as z:
        z.writestr("xl/workbook.bin", b"\0")
    assert cli(["refresh", str(xlsb)]) == 2
    assert "is a binary workbook (.xlsb); save it as .xlsx or .xlsm" in capsys.readouterr().err
    strict = build(tmp_path / "strict.xlsx")
    with zipfile.ZipFile(strict) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(strict, "w") as z:
        for info, body in items:
            if info.filename == "xl/workbook.xml":
                body = body.replace(
                    b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                    b"http://purl.oclc.org/ooxml/spreadsheetml/main",
                )
            z.writestr(info, body)
    before = strict.read_bytes()
    assert cli(["refresh", str(strict)]) == 2
    err = capsys.readouterr().err
    assert "is saved as Strict Open XML" in err and "Traceback" not in err
    assert strict.read_bytes() == before


def test_a_moved_output_clears_its_old_table_by_its_title(tmp_path: Path) -> None:
    # Table 3 moved from Funding!A1 to Notes!A20: its old area starts with its title, so
    # it is provably cypsxl's and is cleared; the user's cells around it stay
    path = build(tmp_path / "MTFS.xlsx")
    assert cli(["refresh", str(path)]) == 0
    set_cell(path, "cypsxl", "B22", "Notes!A20")
    assert cli(["refresh", str(path)]) == 0
    book = open_file_book(path)
    assert book.read(Area.parse("Funding!A1:E7")) == [[None] * 5] * 7
    assert book.read(Area.parse("Notes!A20"))[0][0] == "Table 3: total additional funding (£m)"
    assert book.read(Area.parse("cypsxl!C22"))[0][0] == "Notes!A20:E26"
    assert book.read(Area.parse("Outputs!K12:L12")) == [[1234.5, 1235.5]]


# --------------------------------------------------------------------------- import bids


def test_import_bids_into_the_closed_workbook_writes_only_the_bids_table(tmp_path: Path) -> None:
    from cypsxl import reference_case

    path = build(tmp_path / "MTFS.xlsx")
    bids = tmp_path / "returned"
    bids.mkdir()
    fill_templates(reference_case(), bids)
    for other in bids.iterdir():  # one returned bid: CYPS_3's
        if not other.name.startswith("CYPS_3"):
            other.unlink()
    set_cell(path, "Inputs", "C34", str(bids))
    before = path.read_bytes()
    result, changed, backup = update_workbook(path, lambda b: import_bids(b, tmp_path))
    assert result.replaced == ["CYPS_3"] and changed and backup == tmp_path / "MTFS.bak.xlsx"
    assert backup.read_bytes() == before
    with zipfile.ZipFile(io.BytesIO(before)) as a, zipfile.ZipFile(path) as b:
        differ = [i.filename for i in a.infolist() if a.read(i.filename) != b.read(i.filename)]
        assert b'fullCalcOnLoad="1"' in b.read("xl/workbook.xml")  # (XlsxWriter sets it too)
    assert differ == ["xl/worksheets/sheet2.xml"]  # the Bids sheet, nothing else


# --------------------------------------------------------------------------- the patcher


CELL_VALUES = st.one_of(
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.integers(-(10**12), 10**12),
    # (control characters are written as _xHHHH_, which openpyxl does not decode in
    # inline strings; _esc's doctest covers them)
    st.text(
        st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"], exclude_characters="_"),
        max_size=8,
    ),
    st.sampled_from([Formula("=1+2"), Formula('=IF(A1<2,"a&b",0)'), True, False]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    existing=st.dictionaries(
        st.tuples(st.integers(1, 12), st.integers(1, 6)),
        st.floats(-1e6, 1e6).map(lambda x: round(x, 6)),  # XlsxWriter keeps 16 digits
        max_size=20,
    ),
    edits=st.dictionaries(
        st.tuples(st.integers(1, 14), st.integers(1, 8)), CELL_VALUES, max_size=25
    ),
)
def test_patched_cells_read_back_and_the_rest_is_untouched(existing, edits) -> None:
    import openpyxl
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("S")
    for (r, c), v in existing.items():
        ws.write_number(r - 1, c - 1, v)
    wb.add_worksheet("Other").write_string("A1", "untouched")
    wb.close()
    book = FileBook(buf.getvalue(), "t.xlsx")
    for (r, c), v in edits.items():
        book.write(Area("S", r, c, r, c), [[v]])
    data = book.patched() or buf.getvalue()
    want = dict(existing)
    for at, v in edits.items():
        want[at] = v
    got = openpyxl.load_workbook(io.BytesIO(data))
    cells = {(c.row, c.column): c.value for row in got["S"].iter_rows() for c in row}
    for at, v in want.items():
        value = cells.get(at)
        if v is None or v == "":
            assert value is None or value == "", at
        elif isinstance(v, Formula):
            assert value == str(v), at
        elif isinstance(v, bool):
            assert value is v, at
        elif isinstance(v, str):
            assert value == v, at
        else:
            assert value == v, at  # numbers round-trip exactly
    assert {k for k, v in cells.items() if v not in (None, "")} <= set(want)
    with zipfile.ZipFile(buf) as a, zipfile.ZipFile(io.BytesIO(data)) as b:
        assert a.read("xl/worksheets/sheet2.xml") == b.read("xl/worksheets/sheet2.xml")
        assert [i.filename for i in a.infolist()] == [i.filename for i in b.infolist()]


def test_a_prefixed_sheet_and_rows_without_numbers(tmp_path: Path) -> None:
    # some writers prefix the main namespace (x:) and leave out r on rows and cells
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="http://schemas.'
        b'openxmlformats.org/spreadsheetml/2006/main"><x:sheetData><x:row><x:c><x:v>1</x:v>'
        b'</x:c><x:c><x:v>2</x:v></x:c></x:row><x:row r="3"><x:c r="B3"><x:v>5</x:v></x:c>'
        b"</x:row></x:sheetData></x:worksheet>"
    )
    path = build(tmp_path / "MTFS.xlsx")
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w") as z:
        for info, body in items:
            z.writestr(info, sheet if info.filename == "xl/worksheets/sheet6.xml" else body)
    book = open_file_book(path)
    assert book.read(Area.parse("Notes!A1:B3")) == [[1, 2], [None, None], [None, 5]]
    book.write(Area.parse("Notes!A2:C2"), [[Formula("=A1+B1"), "x<y", None]])
    book.write(Area.parse("Notes!A1"), [[10]])
    data = book.patched()
    assert data is not None
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("xl/worksheets/sheet6.xml")
    assert xml == (
        b'<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="http://schemas.'
        b'openxmlformats.org/spreadsheetml/2006/main"><x:sheetData><x:row><x:c r="A1">'
        b'<x:v>10</x:v></x:c><x:c r="B1"><x:v>2</x:v></x:c></x:row><x:row r="2"><x:c r="A2">'
        b'<x:f>A1+B1</x:f></x:c><x:c r="B2" t="inlineStr"><x:is><x:t>x&lt;y</x:t></x:is></x:c>'
        b'</x:row><x:row r="3"><x:c r="B3"><x:v>5</x:v></x:c></x:row></x:sheetData></x:worksheet>'
    )


def test_calc_chain_dropped_only_when_formulas_come_or_go(tmp_path: Path) -> None:
    path = build(tmp_path / "MTFS.xlsx")
    chain = b'<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
    rel = (
        b'<Relationship Id="rId90" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/calcChain" Target="calcChain.xml"/>'
    )
    _with_part(path, "xl/calcChain.xml", chain, ("xl/_rels/workbook.xml.rels", rel))
    book = open_file_book(path)
    book.write(Area.parse("Outputs!K12"), [[99.0]])  # a value for a value: chain kept
    with zipfile.ZipFile(io.BytesIO(book.patched() or b"")) as z:
        assert "xl/calcChain.xml" in z.namelist()
        assert b'fullCalcOnLoad="1"' in z.read("xl/workbook.xml")
    book.write(Area.parse("Outputs!L12"), [[1.0]])  # the formula =K12+1 goes: chain dropped
    with zipfile.ZipFile(io.BytesIO(book.patched() or b"")) as z:
        assert "xl/calcChain.xml" not in z.namelist()
        assert b"calcChain" not in z.read("xl/_rels/workbook.xml.rels")


def test_writing_into_a_merged_area_through_the_book_is_refused() -> None:
    book = open_file_book(build(Path(os.environ.get("TMPDIR", "/tmp")) / "merged_t.xlsx"))
    with pytest.raises(CaseError) as err:
        book.write(Area.parse("Outputs!L20:L21"), [[1], [2]])
    assert str(err.value).endswith(
        "Outputs!K20:M20: is merged cells; cypsxl cannot write Outputs!L20:L21 there. "
        "Nothing was written"
    )


def test_the_demo_refreshed_twice_in_place_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "demo.xlsx"
    shutil.copy(DEMO, path)
    assert cli(["refresh", str(path)]) == 0
    once = path.read_bytes()
    names = only(tmp_path)
    assert cli(["refresh", str(path)]) == 0
    assert path.read_bytes() == once and only(tmp_path) == names


def test_a_package_with_bytes_before_the_zip_is_rewritten_whole(tmp_path: Path) -> None:
    # its entries cannot be copied as stored, so every part is recompressed - same parts,
    # same order, same contents but the cells written - and the source is left as it was
    path = build(tmp_path / "MTFS.xlsx")
    path.write_bytes(b"#!stub\n" + path.read_bytes())
    book = open_file_book(path)
    book.write(Area.parse("Outputs!K12"), [[99.0]])
    book.write(Area.parse("Outputs!K13"), [["new"]])
    data = book.patched()
    assert data is not None and not data.startswith(b"#!stub")
    with zipfile.ZipFile(path) as a, zipfile.ZipFile(io.BytesIO(data)) as b:
        assert [i.filename for i in a.infolist()] == [i.filename for i in b.infolist()]
        differ = [i.filename for i in a.infolist() if a.read(i.filename) != b.read(i.filename)]
        assert differ == ["xl/worksheets/sheet3.xml"]
    assert open_file_book(path).read(Area.parse("Outputs!K12:K13")) == [[1234.5], [None]]
    assert book.patched() == data  # the book still reads its own package after a write
    again = FileBook(data, "again")
    assert again.read(Area.parse("Outputs!K12:K13")) == [[99.0], ["new"]]


def test_the_two_cell_readers_agree(tmp_path: Path) -> None:
    # the pattern reader (UTF-8 parts, what Excel writes) and the XML-tree reader (any
    # other encoding) give the same values, formulas, merges and array formulas
    from cypsxl.workbook.ooxml import Package

    def arrays(wb, sheets) -> None:
        sheets["Notes"].write_array_formula("A30:B30", "{=K12:L12*2}", None, 5)
        sheets["Notes"].write_string("A31", "a & b < c ' \" \u00e9 \U0001f600")

    path = build(tmp_path / "MTFS.xlsm", stale=True, extra=arrays)
    package = Package(path.read_bytes(), "t")
    for info in package.sheets:
        if info.kind != "worksheet":
            continue
        xml = package.read(info.part)
        fast, tree = package._read_cells_fast(info, xml), package._read_cells_tree(info, xml)
        assert fast == tree, info.name
    notes = package.cells("Notes")
    assert notes.value(31, 1) == "a & b < c ' \" \u00e9 \U0001f600"
    assert notes.arrays and notes.merges


def test_a_shared_formula_reaching_outside_the_table_is_refused(tmp_path: Path, capsys) -> None:
    # K12:K20 filled down from K12 (Excel keeps it as one shared formula); the stamp moved
    # so that it would overwrite K12 and not the rest: the other cells would lose their
    # formula, so nothing is written
    sheet3 = "xl/worksheets/sheet3.xml"
    path = build(tmp_path / "MTFS.xlsx", rebind={"output_run_stamp": "Outputs!J12"})
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w") as z:
        for info, body in items:
            if info.filename == sheet3:
                body = body.replace(
                    b'<c r="K12"><v>1234.5</v></c>',
                    b'<c r="K12"><f t="shared" ref="K12:K20" si="0">ROW()</f><v>12</v></c>',
                )
            z.writestr(info, body)
    before = path.read_bytes()
    assert cli(["refresh", str(path)]) == 2
    err = capsys.readouterr().err
    assert (
        "Outputs!K12:K20: 'output_run_stamp': is a formula filled from a cell it would "
        "overwrite, and output_run_stamp needs Outputs!J12:K16: clear those formulas or move "
        "the output. Nothing was written"
    ) in err, err
    assert path.read_bytes() == before


def test_shared_strings_read_alike_by_both_readers(tmp_path: Path) -> None:
    from cypsxl.workbook.ooxml import Package, _local, _text_of

    def rich(wb, sheets) -> None:
        bold = wb.add_format({"bold": True})
        sheets["Notes"].write_rich_string("A40", "plain ", bold, "bold & <b>", " end ")
        sheets["Notes"].write_string("A41", "  spaced\nlines  ")

    path = build(tmp_path / "MTFS.xlsx", extra=rich)
    package = Package(path.read_bytes(), "t")
    tree = package._xml("xl/sharedStrings.xml")
    assert list(package.strings()) == [_text_of(si) for si in tree if _local(si.tag) == "si"]
    assert package.cells("Notes").value(40, 1) == "plain bold & <b> end "
    assert package.cells("Notes").value(41, 1) == "  spaced\nlines  "


# --------------------------------------------------------------------------- odd mappings

_SHEETS = ["Inputs", "Outputs", "Notes", "Chart", "cypsxl", "'Bid summary'", "Nowhere", ""]
_CELLS = ["A1", "C7", "A14", "E1048575", "A1048576", "XFA1", "XFD1", "B3:D5", "A1:XFD1048576"]
_TEXT = st.one_of(
    st.builds(
        lambda s, c: f"{s}!{c}" if s else c, st.sampled_from(_SHEETS), st.sampled_from(_CELLS)
    ),
    st.sampled_from(["SupportRow", "Notes!LocalName", "=Outputs!$A$1", "", " ", "#REF!", "ZZZZ9"]),
    st.text(max_size=12),
)


@pytest.fixture(scope="module")
def mapped(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("odd") / "MTFS.xlsx", stale=True)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    changes=st.lists(
        st.tuples(st.integers(2, 27), st.sampled_from(["B", "C"]), _TEXT), min_size=1, max_size=3
    )
)
def test_odd_mappings_end_cleanly(mapped: Path, tmp_path_factory, changes) -> None:
    # whatever column B or C of the mapping sheet says: exit 0 or 2, no traceback, and on
    # exit 2 the workbook as it was with nothing beside it
    folder = tmp_path_factory.mktemp("case")
    path = folder / "MTFS.xlsx"
    shutil.copy(mapped, path)
    for row, col, text in changes:
        set_cell(path, "cypsxl", f"{col}{row}", text)
    before = path.read_bytes()
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = cli(["refresh", str(path)])
    assert code in (0, 2) and "Traceback" not in err.getvalue()
    if code == 2:
        assert path.read_bytes() == before and only(folder) == ["MTFS.xlsx"]
    else:
        book = open_file_book(path)  # the result reads back
        assert book.read(Area.parse("Outputs!K12:L12")) == [[1234.5, 1235.5]]


def test_text_that_looks_like_a_formula_stays_text_in_the_file(tmp_path: Path) -> None:
    import openpyxl

    path = build(tmp_path / "MTFS.xlsx")
    set_cell(path, "Bids", "B4", '=HYPERLINK("http://example.invalid","x")')  # a bid title
    assert cli(["refresh", str(path)]) == 0
    with warnings.catch_warnings():  # openpyxl warns of the extensions it does not model
        warnings.simplefilter("ignore")
        cell = openpyxl.load_workbook(path)["Outputs"]["B14"]  # Table 2, first bid's title
    assert cell.value == '=HYPERLINK("http://example.invalid","x")' and cell.data_type == "s"
    with zipfile.ZipFile(path) as z:
        assert b"<f>HYPERLINK" not in z.read("xl/worksheets/sheet3.xml")
