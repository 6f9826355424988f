"""The demo .xlsm's buttons call the entry points they are named for.

Read back with independent readers: oletools (olevba) for the VBA project, the sheet's
legacy VML drawing for the form controls, and LibreOffice, which opens the .xlsm and
binds each button to its macro. The VBA writer's two formats are checked on their own:
MS-OVBA compression against oletools' decompressor, the compound file against olefile.
"""

from __future__ import annotations

import io
import re
import subprocess
import warnings
import zipfile
from pathlib import Path

import olefile
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cypsxl.excel import scripts
from cypsxl.workbook.vba import compress, decompress, write_compound_file

with warnings.catch_warnings():
    # oletools' parser sets up pyparsing with a name pyparsing has since renamed
    warnings.simplefilter("ignore", DeprecationWarning)
    from oletools.olevba import VBA_Parser, decompress_stream

ROOT = Path(__file__).resolve().parent.parent
XLSM = ROOT / "workbooks" / "cypsxl_demo.xlsm"

#: What each button is for: its label and the entry point that does that.
MEANT = {
    "Refresh": scripts.main,
    "Import bids": scripts.import_bids_main,
    "New bid template": scripts.new_template_main,
}


def _macros() -> dict[str, str]:
    """VBA Sub name -> the Python statement its RunPython runs (from the .xlsm's VBA)."""
    parser = VBA_Parser(str(XLSM))
    code = {name: text for _, _, name, text in parser.extract_macros()}
    parser.close()
    subs = re.findall(
        r'Sub (\w+)\(\)\s+(?:\'[^\n]*\s+)?RunPython "([^"]+)"\s+End Sub', code["Module1.bas"]
    )
    return dict(subs)


def _buttons() -> dict[str, str]:
    """Button label -> the macro its form control runs (from the Inputs sheet's drawing)."""
    with zipfile.ZipFile(XLSM) as z:
        rels = z.read("xl/worksheets/_rels/sheet1.xml.rels").decode()
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        rid = re.search(r'<legacyDrawing r:id="(\w+)"', sheet)
        assert rid, "the Inputs sheet has no legacy drawing"
        target = re.search(rf'Id="{rid.group(1)}"[^>]*Target="/?([^"]+)"', rels)
        assert target
        vml = z.read(target.group(1)).decode()
    shapes = re.findall(r"<v:shape .*?</v:shape>", vml, re.S)
    found = {}
    for shape in shapes:
        assert '<x:ClientData ObjectType="Button">' in shape  # a form-control button
        label = re.search(r"<font[^>]*>([^<]+)</font>", shape)
        macro = re.search(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", shape)
        assert label and macro
        found[label.group(1)] = macro.group(1)
    return found


def test_each_button_runs_the_entry_point_it_names():
    buttons, macros = _buttons(), _macros()
    assert sorted(buttons) == sorted(MEANT)
    for label, macro in buttons.items():
        statement = macros[macro]  # the button's macro is in the workbook's VBA
        call = re.fullmatch(r"import cypsxl\.excel\.scripts as s; s\.(\w+)\(\)", statement)
        assert call, f"{label}: {macro} runs {statement!r}"
        assert getattr(scripts, call.group(1)) is MEANT[label], f"{label} -> {call.group(1)}"


def test_the_vba_project_is_source_only_for_excel_to_compile():
    with zipfile.ZipFile(XLSM) as z:
        ole = olefile.OleFileIO(io.BytesIO(z.read("xl/vbaProject.bin")))
    # [MS-OVBA] 2.3.4.1: 0x61CC, version 0xFFFF, no p-code cache
    assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("CC61FFFF000000")
    assert "Module=Module1" in ole.openstream("PROJECT").read().decode("latin-1")
    # the xlwings add-in stays referenced: RunPython comes from it
    directory = bytes(decompress_stream(bytearray(ole.openstream("VBA/dir").read())))
    assert b"xlwings.xlam" in directory


def test_buttons_do_not_print_and_sit_right_of_the_inputs():
    with zipfile.ZipFile(XLSM) as z:
        vml = z.read("xl/drawings/vmlDrawingButtons.vml").decode()
    assert vml.count("<x:PrintObject>False</x:PrintObject>") == 3
    # columns I to K (0-based 8 to 10): the Inputs sheet's figures end in column G
    anchors = re.findall(r"<x:Anchor>([^<]+)</x:Anchor>", vml)
    assert [a.split(", ")[0] for a in anchors] == ["8", "8", "8"]


def test_libreoffice_opens_the_buttons_bound_to_their_macros(tmp_path):
    done = subprocess.run(
        ["soffice", "--headless", "--convert-to", "ods", "--outdir", str(tmp_path), str(XLSM)],
        capture_output=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(tmp_path / "cypsxl_demo.ods") as z:
        content = z.read("content.xml").decode()
    labels = re.findall(r'<form:button [^>]*form:label="([^"]+)"', content)
    bound = re.findall(r"vnd\.sun\.star\.script:VBAProject\.Module1\.(\w+)\?", content)
    assert dict(zip(labels, bound, strict=True)) == _buttons()


@settings(max_examples=60, deadline=None)
@given(
    st.text("ab \n\"'", max_size=9000).map(str.encode)
    | st.integers(1, 2).flatmap(lambda k: st.binary(min_size=4096 * k, max_size=4096 * k))
)
def test_compression_round_trips_through_oletools(data):
    # VBA source is text; random bytes come in whole 4096-byte chunks (stored raw)
    blob = compress(data)
    assert bytes(decompress_stream(bytearray(blob))) == data
    assert decompress(blob) == data


@settings(max_examples=30, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["PROJECT", "PROJECTwm", "VBA/dir", "VBA/Module1", "VBA/Sheet1", "X/y"]),
        st.binary(max_size=6000),
        min_size=1,
    )
)
def test_compound_file_streams_read_back_with_olefile(streams):
    ole = olefile.OleFileIO(write_compound_file(streams))
    for path, data in streams.items():
        assert ole.openstream(path).read() == data


@pytest.mark.parametrize("label", list(MEANT))
def test_entry_points_are_the_documented_desktop_buttons(label):
    # docs/excel.md names each button's RunPython statement; it is the one the macro runs
    doc = (ROOT / "docs" / "excel.md").read_text("utf-8")
    statement = next(s for m, s in _macros().items() if _buttons()[label] == m)
    assert statement.split("; ")[1] in doc, f"docs/excel.md does not show {statement}"
