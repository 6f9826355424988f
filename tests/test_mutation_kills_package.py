"""The checks on a workbook's parts before they are parsed: DTDs and entity declarations
in every encoding a parser accepts, and what a damaged part is told (docs/mutation.md,
"The bid reader and the file-safety checks").

A spreadsheet part never declares a DTD, so any part that does is refused before the
fast parser sees it; the test must find one whatever the part's encoding.
"""

from __future__ import annotations

import pytest

from cypsxl.workbook.safety import HostileFile, _has_dtd, parse_part

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
    """"<a>" ends before its element closes: the parser's own words, "no element found:
    line 1, column 3", are quoted with the part's name."""
    with pytest.raises(HostileFile) as caught:
        parse_part(b"<a>", "xl/styles.xml")
    assert str(caught.value) == (
        "is damaged (xl/styles.xml is not valid XML: no element found: line 1, column 3)"
    )
