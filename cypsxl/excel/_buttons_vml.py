"""The demo .xlsm's buttons: Refresh, Import bids and New bid template.

Each button is an Excel form control (a legacy VML drawing shape, ``ObjectType="Button"``)
whose macro (``FmlaMacro``) is a VBA Sub in the workbook's ``Module1``; each Sub is one
``RunPython`` call of an entry point in :mod:`cypsxl.excel.scripts`, through the xlwings
add-in the workbook references. :func:`add_buttons` writes the module's source into the
workbook's VBA project (:func:`cypsxl.workbook.vba.rewrite_project`; Excel compiles it on
opening), the VML drawing with the three buttons on a sheet, and the links between them.

>>> print(module_source().splitlines()[3])
Sub CypsxlRefresh()
>>> [b.entry_point for b in BUTTONS]
['main', 'import_bids_main', 'new_template_main']
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from ..workbook.files import atomic_write_bytes, reproducible_package
from ..workbook.vba import rewrite_project

__all__ = ["BUTTONS", "Button", "add_buttons", "module_source", "vml_drawing"]

#: The module the entry points live in (imported by each macro's RunPython).
SCRIPTS = "cypsxl.excel.scripts"


@dataclass(frozen=True)
class Button:
    """A button's label, the VBA Sub it runs and the Python entry point that Sub calls."""

    label: str
    macro: str
    entry_point: str
    top_row: int  # 0-based row of the button's top edge


BUTTONS = (
    Button("Refresh", "CypsxlRefresh", "main", 1),
    Button("Import bids", "CypsxlImportBids", "import_bids_main", 4),
    Button("New bid template", "CypsxlNewBidTemplate", "new_template_main", 7),
)

#: Columns (0-based) the buttons span: I to K, right of the Inputs sheet's figures.
_LEFT, _RIGHT = 8, 10


def module_source(buttons: Sequence[Button] = BUTTONS) -> str:
    """``Module1``: one Sub per button, each one ``RunPython`` call of its entry point."""
    subs = [
        f"Sub {b.macro}()\n"
        f"    ' the {b.label} button\n"
        f'    RunPython "import {SCRIPTS} as s; s.{b.entry_point}()"\n'
        "End Sub\n"
        for b in buttons
    ]
    head = "' cypsxl buttons: each runs an entry point of cypsxl/excel/scripts.py (xlwings)\n"
    return head + "Option Explicit\n\n" + "\n".join(subs)


def _shape(i: int, b: Button) -> str:
    anchor = f"{_LEFT}, 0, {b.top_row}, 0, {_RIGHT}, 0, {b.top_row + 2}, 0"
    return (
        f'<v:shape id="_x0000_s{1025 + i}" type="#_x0000_t201" '
        'style="position:absolute;z-index:1" o:button="t" fillcolor="buttonFace [67]" '
        'strokecolor="windowText [64]" o:insetmode="auto">'
        '<v:fill color2="buttonFace [67]" o:detectmouseclick="t"/>'
        '<o:lock v:ext="edit" rotation="t"/>'
        '<v:textbox style="mso-direction-alt:auto" o:singleclick="f">'
        '<div style="text-align:center"><font face="Calibri" size="220" color="auto">'
        f"{escape(b.label)}</font></div></v:textbox>"
        '<x:ClientData ObjectType="Button">'
        f"<x:Anchor>{anchor}</x:Anchor>"
        "<x:PrintObject>False</x:PrintObject><x:AutoFill>False</x:AutoFill>"
        f"<x:FmlaMacro>[0]!{b.macro}</x:FmlaMacro>"
        "<x:TextHAlign>Center</x:TextHAlign><x:TextVAlign>Center</x:TextVAlign>"
        "</x:ClientData></v:shape>"
    )


def vml_drawing(buttons: Sequence[Button] = BUTTONS) -> str:
    """The legacy drawing holding the buttons (form controls, not printed)."""
    shapes = "".join(_shape(i, b) for i, b in enumerate(buttons))
    return (
        '<xml xmlns:v="urn:schemas-microsoft-com:vml" '
        'xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:x="urn:schemas-microsoft-com:office:excel">'
        '<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="1"/></o:shapelayout>'
        '<v:shapetype id="_x0000_t201" coordsize="21600,21600" o:spt="201" '
        'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
        '<v:path shadowok="f" o:extrusionok="f" strokeok="f" fillok="f" '
        'o:connecttype="rect"/><o:lock v:ext="edit" shapetype="t"/></v:shapetype>'
        f"{shapes}</xml>"
    )


_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_VML_TYPE = "application/vnd.openxmlformats-officedocument.vmlDrawing"
#: Elements a worksheet may hold after ``legacyDrawing`` (ECMA-376 CT_Worksheet order).
_AFTER = ("legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
          "webPublishItems", "tableParts", "extLst")  # fmt: skip


def _sheet_part(parts: dict[str, bytes], sheet: str) -> str:
    """The worksheet part of the sheet named ``sheet``."""
    book = parts["xl/workbook.xml"].decode()
    rid = re.search(rf'<sheet name="{re.escape(sheet)}"[^>]*r:id="(\w+)"', book)
    assert rid, f"no sheet {sheet!r}"
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    target = re.search(rf'<Relationship[^>]*Target="/?([^"]+)"[^>]*Id="{rid.group(1)}"', rels)
    assert target, f"no part for sheet {sheet!r}"
    return target.group(1)


def add_buttons(
    path: Path, stamp: dt.datetime, sheet: str = "Inputs", buttons: Sequence[Button] = BUTTONS
) -> None:
    """Give the .xlsm at ``path`` its buttons on ``sheet`` and their macros (in place)."""
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    parts["xl/vbaProject.bin"] = rewrite_project(
        parts["xl/vbaProject.bin"], {"Module1": module_source(buttons)}
    )
    part = _sheet_part(parts, sheet)
    folder, name = part.rsplit("/", 1)
    rels_name = f"{folder}/_rels/{name}.rels"
    assert rels_name not in parts, f"{part} has relationships already"
    parts["xl/drawings/vmlDrawingButtons.vml"] = vml_drawing(buttons).encode()
    parts[rels_name] = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rIdButtons" Type="{_REL}/vmlDrawing" '
        'Target="/xl/drawings/vmlDrawingButtons.vml"/></Relationships>'
    ).encode()
    xml = parts[part].decode()
    if "xmlns:r=" not in xml[:500]:
        xml = xml.replace("<worksheet ", f'<worksheet xmlns:r="{_REL}" ', 1)
    tag = '<legacyDrawing r:id="rIdButtons" />'
    later = [xml.find(f"<{e}") for e in _AFTER if f"<{e}" in xml]
    at = min(later) if later else xml.rindex("</worksheet>")
    parts[part] = (xml[:at] + tag + xml[at:]).encode()
    types = parts["[Content_Types].xml"].decode()
    if 'Extension="vml"' not in types:
        types = types.replace(
            "<Default ", f'<Default Extension="vml" ContentType="{_VML_TYPE}" /><Default ', 1
        )
    parts["[Content_Types].xml"] = types.encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    atomic_write_bytes(path, reproducible_package(out.getvalue(), stamp))
