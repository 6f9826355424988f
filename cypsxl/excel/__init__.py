"""cypsxl in Excel: custom functions (:mod:`cypsxl.excel.functions`), the refresh button
(:mod:`cypsxl.excel.scripts`) and the refresh logic shared with ``cypsxl refresh``
(:mod:`cypsxl.excel.refresh`, which never imports xlwings).

Outside Pyodide, xlwings' Office.js layer tries ``from pyodide.ffi import JsNull`` for
every value it converts, and the failed import searches ``sys.path`` each time. Marking
``pyodide`` as absent makes that import fail at once (same results, several times
faster); inside Pyodide (xlwings Lite) the real module is left alone.
"""

from __future__ import annotations

import sys

if sys.platform != "emscripten":  # pragma: no branch
    sys.modules.setdefault("pyodide", None)  # type: ignore[arg-type]
    sys.modules.setdefault("pyodide.ffi", None)  # type: ignore[arg-type]

__all__: list[str] = []
