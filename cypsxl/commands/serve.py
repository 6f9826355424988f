"""``cypsxl serve``: xlwings Server with cypsxl's functions and buttons (Office.js add-in).

Needs the optional extra: ``pip install "cypsxl[server]"``. xlwings Server is
dual-licensed: commercial, or PolyForm Noncommercial 1.0.0, whose noncommercial
organisations include government institutions (a council); set
``XLWINGS_LICENSE_KEY=noncommercial`` to accept that licence, or a commercial key.
"""

from __future__ import annotations

import argparse
import importlib.util
import os

__all__ = ["register"]

HELP = """Run xlwings Server with cypsxl's Excel functions and refresh button.

Excel (desktop, Mac or the web) loads them as an Office.js add-in: sideload the manifest
served at http://HOST:PORT/manifest (Excel > Add-ins > My add-ins > Upload My Add-in).

Licence: xlwings Server is dual-licensed, commercial or PolyForm Noncommercial 1.0.0
(which permits government institutions such as councils). Set XLWINGS_LICENSE_KEY to
'noncommercial' to use it under that licence, or to your commercial key.
Office.js needs https except on localhost: see docs/excel.md.

examples:
  pip install "cypsxl[server]"
  XLWINGS_LICENSE_KEY=noncommercial cypsxl serve            http://127.0.0.1:8000
  XLWINGS_LICENSE_KEY=noncommercial cypsxl serve --port 8080 --host 0.0.0.0
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``serve`` command."""
    p = subparsers.add_parser(
        "serve",
        help="run xlwings Server with cypsxl's functions (optional extra)",
        description=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from ..cli import InputError

    if (
        importlib.util.find_spec("xlwings_server") is None
        or importlib.util.find_spec("uvicorn") is None
    ):
        raise InputError('xlwings Server is not installed: pip install "cypsxl[server]"')
    if not os.environ.get("XLWINGS_LICENSE_KEY"):
        raise InputError(
            "set XLWINGS_LICENSE_KEY first: 'noncommercial' to use xlwings Server under "
            "PolyForm Noncommercial 1.0.0 (government institutions qualify), or a commercial key"
        )
    from ..excel.server import server_settings

    for key, value in server_settings().items():
        os.environ.setdefault(key, value)
    import uvicorn

    print(f"cypsxl functions at http://{args.host}:{args.port}/manifest (Ctrl+C to stop)")
    uvicorn.run("xlwings_server.main:main_app", host=args.host, port=args.port)
    return 0
