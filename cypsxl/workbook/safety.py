"""Checks on an uploaded workbook before any of it is parsed: every file is hostile.

What is checked, cheapest first: that the path is a file of a sane size; its first bytes
(an OOXML zip, or an OLE2 container - a legacy .xls or a password-encrypted workbook -,
text such as a CSV); the zip directory (member count, declared sizes and compression
ratios, so a zip bomb is refused before anything is inflated); every member read is
bounded by its declared size and CRC-checked by :mod:`zipfile`; XML is parsed with
:mod:`defusedxml` (no entity declarations, no external entities). Macros (.xlsm,
``vbaProject.bin``) are never run: the file is flagged.
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import XMLParser

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

__all__ = [
    "LOCK_PREFIX",
    "MAX_FILE_BYTES",
    "MAX_MEMBERS",
    "MAX_MEMBER_BYTES",
    "MAX_RATIO",
    "MAX_TOTAL_BYTES",
    "MAX_XML_ELEMENTS",
    "HostileFile",
    "Package",
    "is_lock_file",
    "open_package",
    "parse_part",
    "parse_xml",
]

#: Limits, far above a real bid template (about 30 kB zipped, 200 kB unzipped).
MAX_FILE_BYTES = 20_000_000
MAX_MEMBERS = 300
MAX_MEMBER_BYTES = 25_000_000
MAX_TOTAL_BYTES = 60_000_000
#: XML elements in one part (a filled template's Bid sheet has about 1,300).
MAX_XML_ELEMENTS = 100_000
#: Compression ratio above which a large member is treated as a zip bomb.
MAX_RATIO = 200
_RATIO_FROM = 1_000_000

#: Bytes of a file that is not a zip looked at to say what it is (an encrypted
#: workbook's marker lies well inside its first megabytes).
_SNIFF_BYTES = 4_000_000

LOCK_PREFIX = "~$"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04",)
_ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")
_SAVE_AS = "save it as an Excel Workbook (.xlsx) and send it again"


class HostileFile(Exception):
    """The file cannot be read safely; the message says why, for a budget holder."""


def is_lock_file(path: Path) -> bool:
    """Excel's owner file ``~$name.xlsx``, left while a workbook is open.

    >>> is_lock_file(Path("bids/~$CYPS_1.xlsx")), is_lock_file(Path("CYPS_1.xlsx"))
    (True, False)
    """
    return path.name.startswith(LOCK_PREFIX)


def _sniff(head: bytes, data_for_ole: bytes) -> str:
    """What a non-zip file is, in words."""
    if head.startswith(_OLE2):
        if _ENCRYPTED_MARK in data_for_ole:
            return (
                "is password-protected (encrypted); remove the password (File > Info > "
                f"Protect Workbook) and {_SAVE_AS}"
            )
        return f"is a legacy Excel 97-2003 workbook (.xls); {_SAVE_AS}"
    sample = head[:512]
    if sample.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) or (
        sample and all(b in b"\t\r\n" or 32 <= b < 127 or b >= 128 for b in sample)
    ):
        kind = "CSV or other text" if b"," in sample or b";" in sample else "text"
        return f"is {kind}, not an Excel workbook; fill in the bid template and {_SAVE_AS}"
    return "is not an Excel workbook (unrecognised content)"


@dataclass
class Package:
    """An opened, directory-checked workbook package; read members with :meth:`read`."""

    path: Path
    zip: zipfile.ZipFile
    warnings: list[str] = field(default_factory=list)

    def has(self, name: str) -> bool:
        """Whether the package holds member ``name``."""
        try:
            self.zip.getinfo(name)
        except KeyError:
            return False
        return True

    def read(self, name: str) -> bytes:
        """A member's bytes, bounded by its declared size; CRC-checked by zipfile.

        One bounded read: zipfile inflates at most the bytes asked for, so a member
        that declares a small size but inflates to far more never takes more memory
        than its declared size (and then fails its CRC check).
        """
        try:
            info = self.zip.getinfo(name)
        except KeyError:
            raise HostileFile(
                f"is damaged (it refers to a part {name[:80]!r} that is not in the file); "
                f"{_SAVE_AS}"
            ) from None
        try:
            with self.zip.open(info) as fh:
                data = fh.read(min(info.file_size, MAX_MEMBER_BYTES) + 1)
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            OSError,
            NotImplementedError,
            ValueError,  # a local header name that is not UTF-8, say
        ) as exc:
            raise HostileFile(f"is damaged ({name}: {_short(exc)}); {_SAVE_AS}") from None
        if len(data) > info.file_size or len(data) > MAX_MEMBER_BYTES:
            raise HostileFile(f"is damaged ({name} is larger than its zip entry declares)")
        return data

    def close(self) -> None:
        """Close the zip file."""
        self.zip.close()


def _check_directory(zf: zipfile.ZipFile) -> list[str]:
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise HostileFile(f"has {len(infos)} parts; a bid workbook has far fewer (refused)")
    total = 0
    warnings = []
    for info in infos:
        if info.flag_bits & 0x1:
            raise HostileFile("is an encrypted zip archive, not an Excel workbook")
        size = info.file_size
        total += size
        ratio = size / max(info.compress_size, 1)
        if size > MAX_MEMBER_BYTES or (size > _RATIO_FROM and ratio > MAX_RATIO):
            raise HostileFile(
                f"looks like a zip bomb: part {info.filename} would unpack to {size:,} bytes "
                f"from {info.compress_size:,} (refused before unpacking)"
            )
        name = info.filename.lower()
        if name.endswith("vbaproject.bin"):
            warnings.append(
                "contains macros (xl/vbaProject.bin): values were read, the macros were not "
                f"run; {_SAVE_AS}"
            )
        elif name.startswith("xl/externallinks/"):
            warnings.append("links to other workbooks: the links were ignored")
    if total > MAX_TOTAL_BYTES:
        raise HostileFile(f"would unpack to {total:,} bytes; a bid workbook is far smaller")
    for required in ("[Content_Types].xml", "xl/workbook.xml"):
        try:
            zf.getinfo(required)
        except KeyError:
            raise HostileFile(
                f"is a zip file but not an Excel workbook (no {required}); it may be an "
                f"OpenDocument (.ods) file or another archive; {_SAVE_AS}"
            ) from None
    return sorted(set(warnings))


def open_package(path: Path) -> Package:
    """Open ``path`` as a workbook package after the cheap checks; raise :class:`HostileFile`.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "bid.xlsx"
    >>> _ = p.write_text("ref,title\\nCYPS_1,Foster care\\n")
    >>> open_package(p)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cypsxl.workbook.safety.HostileFile: is CSV or other text, not an Excel workbook; ...
    """
    try:
        st = path.stat()
    except FileNotFoundError:
        raise HostileFile("does not exist") from None
    except OSError as exc:
        raise HostileFile(f"cannot be read: {exc.strerror}") from None
    if stat.S_ISDIR(st.st_mode):
        raise HostileFile("is a folder, not a workbook")
    if not stat.S_ISREG(st.st_mode):
        raise HostileFile("is not a regular file")
    if st.st_size == 0:
        raise HostileFile("is empty (0 bytes); the upload may have failed")
    if st.st_size > MAX_FILE_BYTES:
        raise HostileFile(f"is {st.st_size:,} bytes; a bid workbook is far smaller (refused)")
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
            if not head.startswith(_ZIP):
                rest = fh.read(min(st.st_size, _SNIFF_BYTES))
                raise HostileFile(_sniff(head + rest, rest))
        zf = zipfile.ZipFile(path)
    except HostileFile:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError):
        raise HostileFile(
            f"is damaged or truncated (not a complete zip package); {_SAVE_AS}"
        ) from None
    except NotImplementedError as exc:  # a zip feature Excel never writes (version 6.4...)
        raise HostileFile(f"is damaged or not a workbook Excel saved ({exc}); {_SAVE_AS}") from None
    except OSError as exc:
        raise HostileFile(f"cannot be read: {exc.strerror}") from None
    try:
        warnings = _check_directory(zf)
    except BaseException:
        zf.close()
        raise
    if path.suffix.lower() in (".xlsm", ".xltm") and not warnings:
        warnings.append(f"is a macro-enabled workbook (.xlsm); {_SAVE_AS}")
    return Package(path, zf, warnings)


def parse_xml(data: bytes, part: str) -> Any:
    """Parse one XML part with defusedxml; raise :class:`HostileFile` on anything unsafe.

    >>> parse_xml(b"<a><b/></a>", "x.xml").tag
    'a'
    >>> parse_xml(b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', "xl/workbook.xml")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cypsxl.workbook.safety.HostileFile: contains XML entity declarations in xl/workbook.xml ...
    """
    _check_size(data, part)
    try:
        return fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise HostileFile(f"contains XML entity declarations in {part} (unsafe; refused)") from None
    except (ParseError, LookupError, ValueError, UnicodeError) as exc:
        raise HostileFile(f"is damaged ({part} is not valid XML: {_short(exc)})") from None


def _short(exc: BaseException) -> str:
    """An exception's message on one short line."""
    text = " ".join(str(exc).split())
    return text if len(text) <= 100 else text[:97] + "..."


def _check_size(data: bytes, part: str) -> None:
    """Refuse a part with more XML elements than :data:`MAX_XML_ELEMENTS` before parsing
    (each ``<`` opens at most one element), so memory and time stay bounded.

    >>> _check_size(b"<a/>" * 100_001, "xl/worksheets/sheet1.xml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cypsxl.workbook.safety.HostileFile: has 100,001 XML elements in xl/worksheets/sheet1.xml; ...
    """
    count = data.count(b"<")
    if count > MAX_XML_ELEMENTS:
        raise HostileFile(
            f"has {count:,} XML elements in {part}; a bid workbook has far fewer "
            f"(at most {MAX_XML_ELEMENTS:,}; refused)"
        )


#: How a UTF-16 part starts (byte-order mark, or "<" as two bytes), by byte order.
_UTF16_BE = (b"\xfe\xff", b"\0<")
_UTF16_LE = (b"\xff\xfe", b"<\0")


def _has_dtd(data: bytes) -> bool:
    """Whether an XML part declares a DTD (any encoding a parser would accept).

    >>> _has_dtd("<!DOCTYPE a><a/>".encode("utf-16-be")), _has_dtd(b"<a/>")
    (True, False)
    """
    if data.startswith(_UTF16_BE + _UTF16_LE):
        codec = "utf-16-be" if data.startswith(_UTF16_BE) else "utf-16-le"
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            return True  # not decodable: refuse rather than guess
        return "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper()
    upper = data.upper()
    return b"<!DOCTYPE" in upper or b"<!ENTITY" in upper


def parse_part(data: bytes, part: str) -> Any:
    """Parse a large workbook part (a sheet, shared strings) quickly and safely.

    A spreadsheet part never declares a DTD, so any part that does is refused before
    parsing (no entity can then be defined, expanded or fetched); the rest is parsed
    by the C-accelerated ElementTree parser, several times faster than defusedxml's
    pure-Python tree builder. Small parts (workbook.xml, relationships, properties)
    go through :func:`parse_xml` (defusedxml).

    >>> parse_part(b"<a><b/></a>", "x.xml").tag
    'a'
    >>> parse_part(b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', "sheet1.xml")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cypsxl.workbook.safety.HostileFile: contains XML entity declarations in sheet1.xml ...
    """
    if _has_dtd(data):
        raise HostileFile(f"contains XML entity declarations in {part} (unsafe; refused)")
    _check_size(data, part)
    try:
        parser = XMLParser()
        parser.feed(data)
        return parser.close()
    except (ParseError, LookupError, ValueError, UnicodeError) as exc:
        raise HostileFile(f"is damaged ({part} is not valid XML: {_short(exc)})") from None
