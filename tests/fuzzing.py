"""Hypothesis strategies that damage valid inputs: bid templates (zip parts, XML bytes, cell
values), case files (TOML text), and refresh mappings (the ``cypsxl`` sheet's rows).

Each strategy starts from something cypsxl accepts and changes it the way a careless
colleague, a broken upload or an attacker would. The tests in ``test_fuzz.py`` run them
for :data:`EXAMPLES` examples each (``CYPSXL_FUZZ_EXAMPLES=5000 pytest tests/test_fuzz.py``
for a longer hunt); every crash found is kept under ``tests/data/fuzz/``.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from typing import Any

from hypothesis import strategies as st

__all__ = [
    "EXAMPLES",
    "case_texts",
    "cell_edits",
    "members",
    "package",
    "package_mutations",
    "refresh_mappings",
    "xml_mutations",
]

#: Examples per fuzzing test: about a minute for the whole default run.
EXAMPLES = int(os.environ.get("CYPSXL_FUZZ_EXAMPLES", "150"))


def members(data: bytes) -> dict[str, bytes]:
    """The parts of a package, by name."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i.filename) for i in zf.infolist()}


def package(parts: dict[str, bytes]) -> bytes:
    """A package of ``parts`` (deflated)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return out.getvalue()


# --------------------------------------------------------------------------- XML bytes

_ODD_TEXT = st.sampled_from(
    [
        "",
        "19",
        "C12345678",
        "abc",
        "-1",
        "0",
        "XFE1",
        "A0",
        "1e308",
        "nan",
        "inf",
        "-0",
        "\x00",
        "\u200b",
        "\ud800",
        "=1+1",
        "<",
        "&amp;",
        "&#0;",
        "'",
        '"',
        "A1:XFD1048576",
        "Lists!$A$1",
        "#REF!",
        "9" * 400,
        "UTF-9",
        "utf-7",
        "shared",
        "s",
        "e",
        "b",
        "str",
    ]
) | st.text(max_size=12)


@st.composite
def _xml_edit(draw: st.DrawFn, data: bytes) -> bytes:
    """One edit of an XML part: flip, cut, insert or duplicate bytes, or change an
    attribute's value or an element's text."""
    if not data:
        return data
    kind = draw(st.sampled_from(["flip", "cut", "insert", "repeat", "attr", "text", "decl"]))
    i = draw(st.integers(0, len(data) - 1))
    if kind == "flip":
        return data[:i] + bytes([data[i] ^ draw(st.integers(1, 255))]) + data[i + 1 :]
    if kind == "cut":
        j = draw(st.integers(i, min(len(data), i + 200)))
        return data[:i] + data[j:]
    if kind == "insert":
        return data[:i] + draw(st.binary(max_size=40)) + data[i:]
    if kind == "repeat":
        j = draw(st.integers(i, min(len(data), i + 300)))
        return data[:j] + data[i:j] * draw(st.integers(1, 50)) + data[j:]
    if kind == "decl":
        enc = draw(st.sampled_from([b"UTF-9", b"utf-7", b"utf-16", b"ascii", b"latin-1", b"x"]))
        return b'<?xml version="1.0" encoding="' + enc + b'"?>' + data
    spans = [
        m.span(1)
        for m in re.finditer(rb'="([^"]*)"' if kind == "attr" else rb">([^<]+)<", data[:200_000])
    ]
    if not spans:
        return data
    a, b = draw(st.sampled_from(spans))
    value = draw(_ODD_TEXT).encode("utf-8", "surrogatepass")
    return data[:a] + value + data[b:]


@st.composite
def xml_mutations(draw: st.DrawFn, members: dict[str, bytes], names: list[str]) -> dict[str, bytes]:
    """``members`` with the XML of one of the parts ``names`` edited 1-3 times."""
    name = draw(st.sampled_from(names))
    data = members[name]
    for _ in range(draw(st.integers(1, 3))):
        data = draw(_xml_edit(data))
    return {**members, name: data}


# --------------------------------------------------------------------------- zip parts


@st.composite
def package_mutations(draw: st.DrawFn, members: dict[str, bytes]) -> dict[str, bytes]:
    """``members`` with a part dropped, emptied, swapped with another, renamed or junk."""
    names = sorted(members)
    kind = draw(st.sampled_from(["drop", "empty", "swap", "rename", "junk"]))
    a = draw(st.sampled_from(names))
    b = draw(st.sampled_from(names))
    out = dict(members)
    if kind == "drop":
        del out[a]
    elif kind == "empty":
        out[a] = b""
    elif kind == "swap":
        out[a], out[b] = out[b], out[a]
    elif kind == "rename":
        out["xl/" + a.rsplit("/", 1)[-1].upper()] = out.pop(a)
    else:
        out[a] = draw(st.binary(max_size=200))
    return out


# --------------------------------------------------------------------------- cell values

#: Input cells of the Bid sheet (5 years: C-G): header texts, money, counts, factors.
INPUT_CELLS = (
    ["C6", "C7", "C8", "C19", "C20", "C17"]
    + [f"{c}{r}" for c in "CDEFG" for r in (16, 18, 23, 32, 33)]
    + ["H16", "Z18", "C15", "D15"]
)

_VALUES = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(lambda v: ("n", repr(v))),
    st.integers(-(10**30), 10**30).map(lambda v: ("n", str(v))),
    st.sampled_from(["1.797e308", "-1.797e308", "1e-320", "2.5", "-3", "NaN", "INF", ""]).map(
        lambda v: ("n", v)
    ),
    st.text(max_size=50).map(lambda v: ("str", v)),
    st.sampled_from(["#VALUE!", "#DIV/0!", "#REF!"]).map(lambda v: ("e", v)),
    st.sampled_from(["1", "0", "true", "x"]).map(lambda v: ("b", v)),
    st.integers(-5, 5).map(lambda v: ("s", str(v))),
)


def _xml_text(text: str) -> bytes:
    clean = "".join(ch for ch in text if ch in "\t\n\r" or (ch >= " " and ch not in "\ufffe\uffff"))
    clean = clean.encode("utf-8", "replace").decode("utf-8")
    return clean.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode("utf-8")


@st.composite
def cell_edits(draw: st.DrawFn, members: dict[str, bytes], sheet: str) -> dict[str, bytes]:
    """``members`` with 1-4 input cells of the Bid sheet part ``sheet`` set to odd values,
    at the XML level (so types openpyxl would never write: errors, booleans,
    shared-string indexes, numbers beyond a float)."""
    edits = draw(st.lists(st.tuples(st.sampled_from(INPUT_CELLS), _VALUES), min_size=1, max_size=4))
    data = members[sheet]
    for ref, (t, value) in edits:
        cell = b'<c r="%s" t="%s"><v>%s</v></c>' % (ref.encode(), t.encode(), _xml_text(value))
        pattern = rb'<c r="' + ref.encode() + rb'"[^>]*?(/>|>.*?</c>)'
        new, n = re.subn(pattern, lambda _, c=cell: c, data, count=1, flags=re.S)
        if n == 0:
            row = re.sub(rb"\D", b"", ref.encode())
            new = re.sub(
                rb'(<row r="' + row + rb'"[^>]*>)', lambda m, c=cell: m.group(1) + c, data, count=1
            )
        data = new
    return {**members, sheet: data}


# --------------------------------------------------------------------------- case files

_TOML_VALUES = st.sampled_from(
    [
        "1.797e308",
        "-1.797e308",
        "inf",
        "nan",
        "-inf",
        "9" * 400,
        "-" + "9" * 30,
        "0",
        "-1",
        "1e-320",
        '""',
        '"CYPS_1\\u200b"',
        '"x\\ny"',
        "true",
        "[]",
        "[[]]",
        "{}",
        "[" * 60 + "]" * 60,
        "[1, 2]",
        '"2016/17"',
        "0.5",
        "1.5",
        "52",
        "1e9",
        "1e10",
    ]
)


@st.composite
def case_texts(draw: st.DrawFn, text: str) -> str:
    """``text`` (a valid case file) with 1-4 lines changed: a value replaced by an odd
    one, a line deleted or repeated, a table header duplicated."""
    lines = text.splitlines()
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["value", "item", "delete", "repeat", "junk"]))
        line = lines[i]
        if kind == "value" and "=" in line:
            key = line.split("=", 1)[0]
            lines[i] = f"{key}= {draw(_TOML_VALUES)}"
        elif kind == "item" and line.strip().endswith(","):
            lines[i] = f"    {draw(_TOML_VALUES)},"
        elif kind == "delete":
            del lines[i]
        elif kind == "repeat":
            lines.insert(i, line)
        else:
            lines.insert(i, draw(st.text(max_size=30)).replace("\x00", ""))
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- refresh mappings

#: Characters a worksheet cell can hold (no controls, no lone surrogates).
_CELL_TEXT = st.characters(blacklist_categories=("Cs", "Cc"))
#: Ranges and names a ``cypsxl`` sheet's column B might hold.
_TARGETS = st.sampled_from(
    [
        "XFA1",
        "XFD1",
        "A1048575",
        "A1048576",
        "A0",
        "'Chart1'!A1",
        "Chart1!A1",
        "xlwings.conf!A1",
        "'What if'!A1:F9",
        "Inputs!A1:XFD1",
        "#REF!",
        "",
        "=A1",
        "'It''s'!B2",
        "Sheet99!A1",
        "Inputs!$B$2:$F$2",
        "Outputs!A1",
        "Outputs!A20",
        "bid_ref",
        "nonexistent_name",
        "Inputs!A1:A1048576",
    ]
) | st.text(_CELL_TEXT, max_size=20)


@st.composite
def refresh_mappings(draw: st.DrawFn, keys: list[str]) -> list[tuple[str, str]]:
    """Rows (key, target) of a ``cypsxl`` sheet: known keys bound to odd places, and
    unknown keys, for the refresh's binding reader."""
    rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from(keys) | st.text(_CELL_TEXT, max_size=12),
                _TARGETS,
            ),
            min_size=1,
            max_size=6,
        )
    )
    return rows


def describe(value: Any) -> str:
    """A short text of a failing example, for the regression file's name."""
    return re.sub(r"[^A-Za-z0-9]+", "_", str(value))[:40]
