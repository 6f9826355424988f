"""Write a workbook's VBA project (``xl/vbaProject.bin``) with new module source.

An Excel VBA project is an OLE compound file [MS-CFB] holding streams in the [MS-OVBA]
format: ``PROJECT`` (text), ``VBA/dir`` (the project's records, compressed), one stream
per module (compiled p-code, then the compressed source) and ``VBA/_VBA_PROJECT``. A
project written here carries **source only**, as [MS-OVBA] 2.3.4.1 says a writer must:
``_VBA_PROJECT`` holds version 0xFFFF and no p-code cache, every module's source starts
at offset 0, so Excel compiles the modules from their source when it opens the file.

:func:`rewrite_project` keeps an existing project's references, documents (sheet and
workbook modules) and settings, and replaces or adds standard modules' source. oletools
(olevba) reads the result back, which the tests do.

>>> blob = compress(b"Attribute VB_Name = " + b'"M"' * 3)
>>> from oletools.olevba import decompress_stream
>>> bytes(decompress_stream(bytearray(blob)))
b'Attribute VB_Name = "M""M""M"'
"""

from __future__ import annotations

import io
import struct
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["compress", "decompress", "rewrite_project", "write_compound_file"]

# ----------------------------------------------------------------- MS-OVBA compression

_CHUNK = 4096


def _bit_count(position: int) -> int:
    """Bits of a copy token's offset at ``position`` bytes into a chunk ([MS-OVBA] 2.4.1.3.19.1)."""
    bits = 4
    while (1 << bits) < position:
        bits += 1
    return min(max(bits, 4), 12)


def _compress_chunk(data: bytes) -> bytes:
    """One compressed chunk of at most 4096 bytes of ``data``, greedy longest matches."""
    out = bytearray()
    i = 0
    while i < len(data):
        flags, tokens = 0, bytearray()
        for bit in range(8):
            if i >= len(data):
                break
            offset_bits = _bit_count(i)
            max_length = (0xFFFF >> offset_bits) + 3
            best_len, best_off = 0, 0
            for start in range(max(0, i - (1 << offset_bits)), i):
                length = 0
                while (
                    length < max_length
                    and i + length < len(data)
                    and data[start + length] == data[i + length]
                ):
                    length += 1
                if length > best_len:
                    best_len, best_off = length, i - start
            if best_len >= 3:
                token = ((best_off - 1) << (16 - offset_bits)) | (best_len - 3)
                tokens += struct.pack("<H", token)
                flags |= 1 << bit
                i += best_len
            else:
                tokens.append(data[i])
                i += 1
        out.append(flags)
        out += tokens
    if len(out) <= _CHUNK:
        return struct.pack("<H", 0xB000 | (len(out) + 2 - 3)) + bytes(out)
    if len(data) == _CHUNK:  # no gain: a whole chunk is stored raw
        return struct.pack("<H", 0x3000 | (_CHUNK - 1)) + data
    # a raw chunk is always 4096 bytes: a short last chunk that will not compress cannot
    # be stored without adding bytes (never the case for VBA source, which is text)
    raise ValueError("a short final chunk does not compress; MS-OVBA cannot store it exactly")


def compress(data: bytes) -> bytes:
    """``data`` as an [MS-OVBA] 2.4.1 compressed container."""
    chunks = [data[i : i + _CHUNK] for i in range(0, len(data), _CHUNK)]
    return b"\x01" + b"".join(_compress_chunk(c) for c in chunks)


def decompress(blob: bytes) -> bytes:
    """The data of an [MS-OVBA] 2.4.1 compressed container.

    >>> decompress(compress(b"abcabcabcabc" * 40)) == b"abcabcabcabc" * 40
    True
    """
    if not blob or blob[0] != 1:
        raise ValueError("not an MS-OVBA compressed container (signature byte 0x01)")
    out = bytearray()
    i = 1
    while i < len(blob):
        (header,) = struct.unpack_from("<H", blob, i)
        end = min(i + (header & 0x0FFF) + 3, len(blob))
        i += 2
        start = len(out)
        if not header & 0x8000:  # stored raw
            out += blob[i : i + _CHUNK]
            i += _CHUNK
            continue
        while i < end:
            flags = blob[i]
            i += 1
            for bit in range(8):
                if i >= end:
                    break
                if not flags >> bit & 1:
                    out.append(blob[i])
                    i += 1
                    continue
                (token,) = struct.unpack_from("<H", blob, i)
                i += 2
                bits = _bit_count(len(out) - start)
                offset = (token >> (16 - bits)) + 1
                for _ in range((token & (0xFFFF >> bits)) + 3):
                    out.append(out[-offset])
    return bytes(out)


# ----------------------------------------------------------------- the dir stream


@dataclass
class _Module:
    name: str
    stream: str
    offset: int
    offset_at: int  # where MODULEOFFSET's value sits in the decompressed dir stream
    document: bool


def _records(d: bytes) -> list[tuple[int, int, int]]:
    """(id, start of data, size) of each record of a decompressed dir stream."""
    out, i = [], 0
    while i + 6 <= len(d):
        rid, size = struct.unpack_from("<HI", d, i)
        if rid == 0x0009:  # PROJECTVERSION: its size field says 4, its data is 6 bytes
            size = 6
        out.append((rid, i + 6, size))
        i += 6 + size
        if rid == 0x0010:  # the modules' Terminator: Reserved follows
            break
    return out


def _modules(d: bytes) -> list[_Module]:
    found: list[_Module] = []
    current: dict[str, object] = {}
    for rid, start, size in _records(d):
        data = d[start : start + size]
        if rid == 0x0019:  # MODULENAME
            current = {"name": data.decode("latin-1"), "document": False}
        elif rid == 0x001A:  # MODULESTREAMNAME (then its Unicode form, id 0x0032)
            current["stream"] = data.decode("latin-1")
        elif rid == 0x0031:  # MODULEOFFSET
            current["offset"] = struct.unpack("<I", data)[0]
            current["offset_at"] = start
        elif rid == 0x0022:  # MODULETYPE document
            current["document"] = True
        elif rid == 0x002B:  # module Terminator
            found.append(_Module(**current))  # type: ignore[arg-type]
    return found


def _module_records(name: str) -> bytes:
    """The dir records of a new standard module ``name`` (source at offset 0)."""
    raw, wide = name.encode("latin-1"), name.encode("utf-16-le")

    def record(rid: int, data: bytes) -> bytes:
        return struct.pack("<HI", rid, len(data)) + data

    return b"".join(
        [
            record(0x0019, raw),
            record(0x0047, wide),  # MODULENAMEUNICODE
            record(0x001A, raw),
            record(0x0032, wide),
            record(0x001C, b""),  # MODULEDOCSTRING (empty), then its Unicode form
            record(0x0048, b""),
            record(0x0031, struct.pack("<I", 0)),
            record(0x001E, struct.pack("<I", 0)),  # MODULEHELPCONTEXT
            record(0x002C, struct.pack("<H", 0xFFFF)),  # MODULECOOKIE
            record(0x0021, b""),  # MODULETYPE: procedural
            record(0x002B, b""),  # Terminator
        ]
    )


# ----------------------------------------------------------------- MS-CFB writing

_FREE, _END, _FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
_SECTOR, _MINI, _CUTOFF = 512, 64, 4096


@dataclass
class _Entry:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    data: bytes = b""
    children: list[_Entry] | None = None
    start: int = _END
    left: int = _FREE
    right: int = _FREE
    child: int = _FREE


def _tree(streams: Mapping[str, bytes]) -> _Entry:
    root = _Entry("Root Entry", 5, children=[])
    for path, data in streams.items():
        node = root
        *folders, name = path.split("/")
        for folder in folders:
            assert node.children is not None
            node = next((c for c in node.children if c.name == folder), None) or _add(
                node, _Entry(folder, 1, children=[])
            )
        _add(node, _Entry(name, 2, data))
    return root


def _add(parent: _Entry, entry: _Entry) -> _Entry:
    assert parent.children is not None
    parent.children.append(entry)
    return entry


def _order(entries: list[_Entry]) -> list[_Entry]:
    """Siblings in [MS-CFB] order: shorter names first, then by upper-case name."""
    return sorted(entries, key=lambda e: (len(e.name), e.name.upper()))


def _flatten(root: _Entry) -> list[_Entry]:
    out = [root]
    pending = [root]
    while pending:
        node = pending.pop(0)
        for child in _order(node.children or []):
            out.append(child)
            pending.append(child)
    return out


def _link(entries: list[_Entry]) -> None:
    """Each storage's children as a balanced binary search tree (all black)."""
    index = {id(e): i for i, e in enumerate(entries)}

    def build(nodes: list[_Entry]) -> int:
        if not nodes:
            return _FREE
        mid = len(nodes) // 2
        node = nodes[mid]
        node.left, node.right = build(nodes[:mid]), build(nodes[mid + 1 :])
        return index[id(node)]

    for e in entries:
        if e.children:
            e.child = build(_order(e.children))


def _sectors(data: bytes, size: int) -> int:
    return (len(data) + size - 1) // size


def write_compound_file(streams: Mapping[str, bytes]) -> bytes:
    """An OLE compound file (version 3, 512-byte sectors) holding ``streams``.

    Keys are paths with ``/`` between storage and stream names (``VBA/dir``).

    >>> import olefile
    >>> ole = olefile.OleFileIO(write_compound_file({"A": b"x" * 5000, "S/b": b"yz"}))
    >>> ole.openstream("S/b").read(), len(ole.openstream("A").read())
    (b'yz', 5000)
    """
    entries = _flatten(_tree(streams))
    _link(entries)
    small = [e for e in entries if e.kind == 2 and len(e.data) < _CUTOFF]
    big = [e for e in entries if e.kind == 2 and len(e.data) >= _CUTOFF]
    # the mini stream: small streams in 64-byte mini sectors, chained in the mini FAT
    mini, minifat = bytearray(), []
    for e in small:
        if not e.data:
            continue
        e.start = len(mini) // _MINI
        count = _sectors(e.data, _MINI)
        minifat += [e.start + k + 1 for k in range(count - 1)] + [_END]
        mini += e.data.ljust(count * _MINI, b"\x00")
    root = entries[0]
    root.data = bytes(mini)
    n_dir = _sectors(b"\x00" * 128 * len(entries), _SECTOR)
    n_minifat = _sectors(b"\x00" * 4 * len(minifat), _SECTOR)
    n_mini = _sectors(root.data, _SECTOR)
    n_big = [_sectors(e.data, _SECTOR) for e in big]
    n_fat = 1
    while (n_fat + n_dir + n_minifat + n_mini + sum(n_big)) > n_fat * (_SECTOR // 4):
        n_fat += 1
    assert n_fat <= 109, "a VBA project this large needs DIFAT sectors"
    fat: list[int] = [_FATSECT] * n_fat
    sector = n_fat

    def chain(count: int) -> int:
        nonlocal sector
        if count == 0:
            return _END
        first = sector
        fat.extend([sector + k + 1 for k in range(count - 1)] + [_END])
        sector += count
        return first

    first_dir = chain(n_dir)
    first_minifat = chain(n_minifat)
    root.start = chain(n_mini)
    for e, count in zip(big, n_big, strict=True):
        e.start = chain(count)
    fat += [_FREE] * (n_fat * (_SECTOR // 4) - len(fat))

    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        bytes.fromhex("D0CF11E0A1B11AE1"),
        b"\x00" * 16,
        0x003E,
        0x0003,
        0xFFFE,
        9,
        6,
        b"\x00" * 6,
        0,
        n_fat,
        first_dir,
        0,
        _CUTOFF,
        first_minifat if n_minifat else _END,
        n_minifat,
        _END,
        0,
    )
    header += struct.pack("<109I", *(list(range(n_fat)) + [_FREE] * (109 - n_fat)))
    out = io.BytesIO()
    out.write(header)
    out.write(struct.pack(f"<{len(fat)}I", *fat))
    unused = _dir_entry(_Entry("", 0))  # free slots: no name, no siblings, no child
    free = (n_dir * _SECTOR // 128) - len(entries)
    out.write(b"".join(_dir_entry(e) for e in entries) + unused * free)
    if n_minifat:
        table = minifat + [_FREE] * (n_minifat * (_SECTOR // 4) - len(minifat))
        out.write(struct.pack(f"<{len(table)}I", *table))
    out.write(root.data.ljust(n_mini * _SECTOR, b"\x00"))
    for e, count in zip(big, n_big, strict=True):
        out.write(e.data.ljust(count * _SECTOR, b"\x00"))
    return out.getvalue()


def _dir_entry(e: _Entry) -> bytes:
    name = (e.name + "\x00").encode("utf-16-le") if e.kind else b""
    size = len(e.data) if e.kind != 1 else 0
    start = 0 if e.kind == 1 else (e.start if size else _END)
    return struct.pack(
        "<64sHBBIII16sIQQIII",
        name,
        len(name),
        e.kind,
        1 if e.kind else 0,  # black
        e.left,
        e.right,
        e.child,
        b"\x00" * 16,
        0,
        0,
        0,
        start,
        size,
        0,
    )


# ----------------------------------------------------------------- the project


def rewrite_project(vba_project: bytes, modules: Mapping[str, str]) -> bytes:
    """``vba_project`` with each of ``modules`` (name -> VBA source) written as source.

    A name the project has is replaced; a new one is added as a standard module. Every
    other module keeps its source; the compiled p-code and caches are dropped, so Excel
    compiles the project from source.
    """
    import olefile

    ole = olefile.OleFileIO(io.BytesIO(vba_project))
    d = bytearray(decompress(ole.openstream("VBA/dir").read()))
    existing = _modules(bytes(d))
    sources: dict[str, bytes] = {}
    for m in existing:
        stream = ole.openstream(f"VBA/{m.stream}").read()
        sources[m.stream] = decompress(stream[m.offset :])
        d[m.offset_at : m.offset_at + 4] = struct.pack("<I", 0)
    project = ole.openstream("PROJECT").read()
    project_wm = ole.openstream("PROJECTwm").read()
    known = {m.name for m in existing}
    for name, text in modules.items():
        body = f'Attribute VB_Name = "{name}"\r\n' + text.replace("\r\n", "\n").replace(
            "\n", "\r\n"
        )
        sources[name] = body.encode("cp1252")
        if name not in known:
            d = _with_module(d, name)
            project = project.replace(b"Name=", f"Module={name}\r\nName=".encode(), 1)
            wide = name.encode("latin-1") + b"\x00" + name.encode("utf-16-le") + b"\x00\x00"
            project_wm = project_wm[:-2] + wide + b"\x00\x00"
    streams = {
        "PROJECT": project,
        "PROJECTwm": project_wm,
        "VBA/_VBA_PROJECT": bytes.fromhex("CC61FFFF000000"),
        "VBA/dir": compress(bytes(d)),
        **{f"VBA/{stream}": compress(src) for stream, src in sources.items()},
    }
    return write_compound_file(streams)


def _with_module(d: bytearray, name: str) -> bytearray:
    """The dir stream with one more module: its records before the modules' Terminator,
    and PROJECTMODULES' count raised by one."""
    records = _records(bytes(d))
    count_at = next(start for rid, start, _ in records if rid == 0x000F)
    end = next(start for rid, start, _ in records if rid == 0x0010) - 6
    (count,) = struct.unpack_from("<H", d, count_at)
    d[count_at : count_at + 2] = struct.pack("<H", count + 1)
    return d[:end] + _module_records(name) + d[end:]
