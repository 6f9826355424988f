"""The checks on a workbook's parts before they are parsed: DTDs and entity declarations
in every encoding a parser accepts, and what a damaged part is told (docs/mutation.md,
"The bid reader and the file-safety checks").

A spreadsheet part never declares a DTD, so any part that does is refused before the
fast parser sees it; the test must find one whatever the part's encoding.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
from pathlib import Path

import pytest
from support.bidfiles import edit_cells, good_bid, rewrite

from cypsxl.workbook import reader, safety
from cypsxl.workbook.safety import (
    HostileFile,
    Package,
    _check_directory,
    _check_size,
    _has_dtd,
    open_package,
    parse_part,
    parse_xml,
)

_ENTITY = '<!DOCTYPE a [<!ENTITY e "boom">]><a>&e;</a>'


@pytest.mark.parametrize(
    ("text", "codec", "found"),
    [
        ('<!DOCTYPE a SYSTEM "x"><a/>', "utf-16", True),  # byte-order mark, little-endian
        ('<!doctype a SYSTEM "x"><a/>', "utf-16", True),  # lower case
        ('<!ENTITY e "x"><a/>', "utf-16", True),  # an entity without a DOCTYPE
        ('<!entity e "x"><a/>', "utf-16", True),
        ("<a><b/></a>", "utf-16", False),
        (_ENTITY, "utf-16-be", True),  # no byte-order mark: starts 00 3C
        (_ENTITY, "utf-16-le", True),  # no byte-order mark: starts 3C 00
        ("<a><b/></a>", "utf-16-be", False),
        ('<!DOCTYPE a SYSTEM "x"><a/>', "utf-8", True),
        ('<!doctype a SYSTEM "x"><a/>', "utf-8", True),
        ('<!ENTITY e "x"><a/>', "utf-8", True),
        ('<!entity e "x"><a/>', "utf-8", True),
        ("<a><b/></a>", "utf-8", False),
    ],
    ids=[
        "utf16_doctype",
        "utf16_doctype_lower",
        "utf16_entity",
        "utf16_entity_lower",
        "utf16_none",
        "utf16be_no_bom",
        "utf16le_no_bom",
        "utf16be_none",
        "utf8_doctype",
        "utf8_doctype_lower",
        "utf8_entity",
        "utf8_entity_lower",
        "utf8_none",
    ],
)
def test_a_dtd_is_found_in_any_encoding_and_case(text: str, codec: str, found: bool) -> None:
    """A DOCTYPE or an ENTITY, in upper or lower case, alone or together, is found in
    UTF-8 and in UTF-16 of either byte order with or without a byte-order mark; a part
    with neither is not refused (kills ``and`` for ``or``, ``not in``, a marker or the
    codec changed, and the text lower-cased before looking for upper case)."""
    assert _has_dtd(text.encode(codec)) is found


def test_utf16_that_does_not_decode_is_refused() -> None:
    """A byte-order mark, then "<" and half of "a" (5 bytes): not UTF-16, so the part is
    refused rather than guessed at (kills ``return False`` there)."""
    assert _has_dtd(b"\xff\xfe<\x00a") is True


@pytest.mark.parametrize("codec", ["utf-16-be", "utf-8"], ids=["utf16be", "utf8"])
def test_a_part_with_an_entity_is_refused_before_parsing(codec: str) -> None:
    """The expat parser reads UTF-16 big-endian without a byte-order mark, as it reads
    UTF-8, and would expand the entity ("boom"); parse_part refuses it first, naming the
    part (kills the message dropped)."""
    with pytest.raises(HostileFile) as caught:
        parse_part(_ENTITY.encode(codec), "xl/sharedStrings.xml")
    assert str(caught.value) == (
        "contains XML entity declarations in xl/sharedStrings.xml (unsafe; refused)"
    )


def test_a_part_cut_short_quotes_the_parser() -> None:
    """ "<a>" ends before its element closes: the parser's own words, "no element found:
    line 1, column 3", are quoted with the part's name."""
    with pytest.raises(HostileFile) as caught:
        parse_part(b"<a>", "xl/styles.xml")
    assert str(caught.value) == (
        "is damaged (xl/styles.xml is not valid XML: no element found: line 1, column 3)"
    )


# --------------------------------------------------------------------------- the zip directory

_REQUIRED = ("[Content_Types].xml", "xl/workbook.xml")


def _zip_bytes(names: list[str]) -> bytes:
    """A zip of one-byte stored members."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for name in names:
            zf.writestr(name, b"x")
    return buf.getvalue()


def _zip(names: list[str], sizes: dict[str, tuple[int, int]] | None = None) -> zipfile.ZipFile:
    """A zip of one-byte stored members, each named member's directory entry declaring
    (compressed, unpacked) sizes from ``sizes`` (only the directory is looked at)."""
    raw = bytearray(_zip_bytes(names))
    entry = raw.find(b"PK\x01\x02")
    while entry != -1:
        n = struct.unpack_from("<H", raw, entry + 28)[0]
        name = raw[entry + 46 : entry + 46 + n].decode()
        if name in (sizes or {}):
            struct.pack_into("<II", raw, entry + 20, *sizes[name])  # type: ignore[index]
        entry = raw.find(b"PK\x01\x02", entry + 4)
    return zipfile.ZipFile(io.BytesIO(bytes(raw)))


def _refusal(zf: zipfile.ZipFile) -> str:
    with pytest.raises(HostileFile) as caught:
        _check_directory(zf)
    return str(caught.value)


def test_three_hundred_parts_pass_and_one_more_is_refused() -> None:
    """300 parts is the most a package may have (kills ``>=``); 301 is refused, counted."""
    names = [*_REQUIRED, *(f"xl/p{i}.xml" for i in range(298))]
    assert _check_directory(_zip(names)) == []
    assert _refusal(_zip([*names, "xl/p298.xml"])) == (
        "has 301 parts; a bid workbook has far fewer (refused)"
    )


def test_sizes_at_each_limit_pass_and_more_is_refused() -> None:
    """Declared (compressed, unpacked) sizes, the two required parts declaring 0 bytes:
    25,000,000 from 125,000 (ratio 200: both at their limits) and 1,000,000 from 1,000
    (ratio 1,000, but not above 1,000,000 bytes) pass; so do three parts of 20,000,000
    (a total of exactly 60,000,000). Adding two parts of 17,500,000 from 87,500 to the
    first pair makes 25 + 1 + 35 = 61,000,000 > 60,000,000 bytes: refused whole (kills
    ``>=`` for each limit)."""
    empty = dict.fromkeys(_REQUIRED, (1, 0))
    at_limits = {"xl/a.xml": (125_000, 25_000_000), "xl/b.xml": (1_000, 1_000_000)}
    assert _check_directory(_zip([*_REQUIRED, *at_limits], empty | at_limits)) == []
    sixty = {f"xl/{c}.xml": (100_000, 20_000_000) for c in "abc"}
    assert _check_directory(_zip([*_REQUIRED, *sixty], empty | sixty)) == []
    more = at_limits | {f"xl/{c}.xml": (87_500, 17_500_000) for c in "cd"}
    assert _refusal(_zip([*_REQUIRED, *more], empty | more)) == (
        "would unpack to 61,000,000 bytes; a bid workbook is far smaller"
    )


def test_an_encrypted_member_is_refused_and_another_flag_is_not() -> None:
    """General-purpose flag bit 0 marks an encrypted member: refused, word for word;
    bit 1 (a compression option) is harmless (kills testing bit 1 instead)."""

    def flagged(bits: int) -> zipfile.ZipFile:
        zf = _zip([*_REQUIRED, "xl/a.xml"])
        zf.getinfo("xl/a.xml").flag_bits = bits
        return zf

    assert _check_directory(flagged(0x2)) == []
    assert _refusal(flagged(0x1)) == "is an encrypted zip archive, not an Excel workbook"


def test_macros_and_links_are_warned_once_each() -> None:
    """xl/vbaProject.bin (any case) warns of macros and xl/externalLinks/ parts of links,
    each once however many parts, in that order (kills each test's case or text changed
    and each message changed)."""
    names = [*_REQUIRED, "xl/vbaProject.bin", "xl/externalLinks/externalLink1.xml"]
    names.append("xl/externalLinks/externalLink2.xml")
    assert _check_directory(_zip(names)) == [
        "contains macros (xl/vbaProject.bin): values were read, the macros were not run; "
        "save it as an Excel Workbook (.xlsx) and send it again",
        "links to other workbooks: the links were ignored",
    ]


def test_a_zip_without_a_workbook_part_is_refused_by_name() -> None:
    """A zip with [Content_Types].xml but no xl/workbook.xml (an OpenDocument file or
    another archive): refused naming the missing part."""
    assert _refusal(_zip(["[Content_Types].xml", "content.xml"])) == (
        "is a zip file but not an Excel workbook (no xl/workbook.xml); it may be an "
        "OpenDocument (.ods) file or another archive; save it as an Excel Workbook (.xlsx) "
        "and send it again"
    )


# --------------------------------------------------------------------------- reading a part


def _package(tmp_path: Path, members: dict[str, bytes]) -> Package:
    path = tmp_path / "p.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return Package(path, zipfile.ZipFile(path))


def test_a_missing_part_is_named_to_80_characters(tmp_path: Path) -> None:
    """A part named with 100 characters that is not in the file: quoted to its first 80."""
    pkg = _package(tmp_path, {"xl/workbook.xml": b"<w/>"})
    with pytest.raises(HostileFile) as caught:
        pkg.read("x" * 100)
    assert str(caught.value) == (
        f"is damaged (it refers to a part {'x' * 80!r} that is not in the file); "
        "save it as an Excel Workbook (.xlsx) and send it again"
    )


def test_a_part_that_fails_its_crc_is_damaged(tmp_path: Path) -> None:
    """A stored part whose bytes were changed after the zip was written ("<w/>" to
    "<v/>"): zipfile's CRC check fails and the part is named with zipfile's words."""
    path = tmp_path / "p.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("xl/workbook.xml", b"<w/>")
    path.write_bytes(path.read_bytes().replace(b"<w/>", b"<v/>", 1))
    pkg = Package(path, zipfile.ZipFile(path))
    with pytest.raises(HostileFile) as caught:
        pkg.read("xl/workbook.xml")
    assert str(caught.value) == (
        "is damaged (xl/workbook.xml: Bad CRC-32 for file 'xl/workbook.xml'); "
        "save it as an Excel Workbook (.xlsx) and send it again"
    )


def test_a_part_larger_than_the_member_limit_is_refused_on_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the per-part limit lowered to 10 bytes, a part of exactly 10 bytes is read
    whole (kills ``>=``) and one of 20 is refused after 11 bytes, whatever its declared
    size says (kills ``and`` for ``or``): the read is bounded even where the directory
    check was passed."""
    monkeypatch.setattr(safety, "MAX_MEMBER_BYTES", 10)
    pkg = _package(tmp_path, {"xl/ten.xml": b"0123456789", "xl/twenty.xml": b"x" * 20})
    assert pkg.read("xl/ten.xml") == b"0123456789"
    with pytest.raises(HostileFile) as caught:
        pkg.read("xl/twenty.xml")
    assert str(caught.value) == "is damaged (xl/twenty.xml is larger than its zip entry declares)"


# --------------------------------------------------------------------------- the path


def test_a_missing_path_a_folder_and_a_pipe_are_refused_in_words(tmp_path: Path) -> None:
    """Nothing at the path, a folder, and a named pipe (not a regular file): each
    refused before any byte is read, word for word."""

    folder = tmp_path / "bids.xlsx"
    folder.mkdir()
    pipe = tmp_path / "pipe.xlsx"
    os.mkfifo(pipe)
    assert _refused(tmp_path / "none.xlsx") == "does not exist"
    assert _refused(folder) == "is a folder, not a workbook"
    assert _refused(pipe) == "is not a regular file"


_SAVE_AS = "save it as an Excel Workbook (.xlsx) and send it again"


def _refused(path: Path) -> str:
    with pytest.raises(HostileFile) as caught:
        open_package(path)
    return str(caught.value)


def test_a_file_at_the_size_limit_is_looked_at_and_one_byte_more_is_refused(
    tmp_path: Path,
) -> None:
    """20,000,000 bytes of zeros (a sparse file) is at the limit, so its content is looked
    at: not a workbook (kills ``>=``); 20,000,001 is refused by its size alone."""
    at, over = tmp_path / "at.xlsx", tmp_path / "over.xlsx"
    for path, size in ((at, 20_000_000), (over, 20_000_001)):
        with path.open("wb") as fh:
            fh.truncate(size)
    assert _refused(at) == "is not an Excel workbook (unrecognised content)"
    assert _refused(over) == "is 20,000,001 bytes; a bid workbook is far smaller (refused)"


def test_a_csv_is_known_by_a_comma_past_its_first_eight_bytes(tmp_path: Path) -> None:
    """ "Reference Title, Funding": the first comma is byte 15, so the file is looked at
    beyond the 8 bytes that tell a zip from anything else, and called a CSV."""
    path = tmp_path / "bids.xlsx"
    path.write_text("Reference Title, Funding\n")
    assert _refused(path) == (
        f"is CSV or other text, not an Excel workbook; fill in the bid template and {_SAVE_AS}"
    )


def test_a_zip_header_with_nothing_after_it_is_damaged(tmp_path: Path) -> None:
    """A zip's first four bytes and then 60 bytes of junk: not a complete zip package."""
    path = tmp_path / "cut.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x07" * 60)
    assert _refused(path) == f"is damaged or truncated (not a complete zip package); {_SAVE_AS}"


def test_a_file_that_cannot_be_opened_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening the file fails with "Permission denied" (errno 13): the system's words."""
    path = tmp_path / "locked.xlsx"
    path.write_bytes(b"PK\x03\x04")

    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", denied)
    assert _refused(path) == "cannot be read: Permission denied"


# --------------------------------------------------------------------------- what the reader says


@pytest.mark.parametrize("name", ["CYPS_2.xlsm", "CYPS_2.XLSM", "CYPS_2.xltm"])
def test_a_macro_enabled_name_is_warned_file_wide_with_the_cells_warnings(
    tmp_path: Path, name: str
) -> None:
    """CYPS_2 saved under a macro-enabled name (any case) but with no macros in it, and a
    current budget of 250,000 typed in pounds (C17): accepted, with the file-wide
    warning first and the cell's after it (kills either list replacing the other, the
    suffix compared in upper case, each name changed, and each part of the file-wide
    warning dropped or changed)."""
    src = edit_cells(good_bid(tmp_path / "a"), tmp_path / "b.xlsx", {"Bid!C17": 250_000})
    path = src.rename(tmp_path / name)
    r = reader.read_bid_file(path)
    assert r.errors == [] and r.data is not None
    assert [(w.file, w.sheet, w.cell, w.message) for w in r.warnings] == [
        (str(path), "", "", f"is a macro-enabled workbook (.xlsm); {_SAVE_AS}"),
        (
            str(path),
            "Bid",
            "C17",
            "current budget £250,000m is more than £1,000m: is it in pounds? This cell is in £m",
        ),
    ]


def test_a_workbook_with_macros_is_warned_of_them_once(tmp_path: Path) -> None:
    """CYPS_2 as an .xlsm holding xl/vbaProject.bin: the macros are the warning, and the
    macro-enabled name adds nothing (kills the name's warning given when there are
    others)."""
    path = rewrite(
        good_bid(tmp_path / "a"), tmp_path / "CYPS_2.xlsm", {}, {"xl/vbaProject.bin": b"\0" * 64}
    )
    assert [w.message for w in reader.read_bid_file(path).warnings] == [
        "contains macros (xl/vbaProject.bin): values were read, the macros were not run; "
        + _SAVE_AS
    ]


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (RecursionError(), "is too complex to read ("),
        (MemoryError(), "is too complex to read ("),
        (ValueError("odd"), "could not be read (ValueError; "),
    ],
    ids=["recursion", "memory", "other"],
)
def test_a_file_that_defeats_the_reader_is_rejected_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: Exception, message: str
) -> None:
    """Reading fails part way, after a bid was half read: the file is rejected with one
    file-wide problem naming it, and no bid is kept (kills the problem's file, sheet,
    cell or text dropped or changed, and the half-read bid kept)."""

    def fail(p: Path, result: reader.FileResult) -> None:
        result.data = "half"  # type: ignore[assignment]
        raise error

    monkeypatch.setattr(reader, "_read_file", fail)
    path = tmp_path / "odd.xlsx"
    r = reader.read_bid_file(path)
    assert r.data is None
    assert [(e.file, e.sheet, e.cell, e.message) for e in r.errors] == [
        (str(path), "", "", f"{message}{reader.UNREADABLE})")
    ]


# --------------------------------------------------------------------------- small parts


def test_a_hundred_thousand_elements_pass_and_one_more_is_refused() -> None:
    """100,000 "<" is the most a part may open (kills ``>=``); a small part with 100,001
    elements is refused by parse_xml naming it."""
    _check_size(b"<" * 100_000, "xl/worksheets/sheet1.xml")
    with pytest.raises(HostileFile) as caught:
        parse_xml(b"<a/>" * 100_001, "xl/workbook.xml")
    assert str(caught.value) == (
        "has 100,001 XML elements in xl/workbook.xml; a bid workbook has far fewer "
        "(at most 100,000; refused)"
    )


def test_a_small_part_may_name_a_dtd_but_not_declare_entities() -> None:
    """A DOCTYPE with no declarations parses (kills forbidding every DTD); a small part cut
    short is damaged, quoting the parser."""
    assert parse_xml(b"<!DOCTYPE a><a/>", "docProps/custom.xml").tag == "a"
    with pytest.raises(HostileFile) as caught:
        parse_xml(b"<a>", "xl/workbook.xml")
    assert str(caught.value) == (
        "is damaged (xl/workbook.xml is not valid XML: no element found: line 1, column 3)"
    )


def test_a_zip_needing_a_newer_zip_version_is_refused_in_words(tmp_path: Path) -> None:
    """A part whose directory entry says it needs zip version 6.4 to extract (a feature
    Excel never writes): zipfile will not open it, and the refusal quotes why."""
    raw = bytearray(_zip_bytes(["[Content_Types].xml", "xl/workbook.xml"]))
    entry = raw.find(b"PK\x01\x02")
    struct.pack_into("<H", raw, entry + 6, 64)  # version needed to extract: 6.4
    path = tmp_path / "new.xlsx"
    path.write_bytes(bytes(raw))
    assert (
        _refused(path)
        == f"is damaged or not a workbook Excel saved (zip file version 6.4); {_SAVE_AS}"
    )
