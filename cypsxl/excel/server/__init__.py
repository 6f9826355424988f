"""The xlwings Server project of ``cypsxl serve``: ``XLWINGS_PROJECT_DIR`` points here.

xlwings Server imports the top-level packages ``custom_functions`` and ``custom_scripts``
from this folder; each re-exports cypsxl's functions or buttons.
"""

from pathlib import Path

__all__ = ["PROJECT_DIR", "server_settings"]

#: The folder to give xlwings Server as ``XLWINGS_PROJECT_DIR``.
PROJECT_DIR = Path(__file__).resolve().parent


def server_settings() -> dict[str, str]:
    """The environment xlwings Server reads its cypsxl settings from (``cypsxl serve``).

    The add-in is named cypsxl in Excel (its manifest, ribbon tab and task pane), and the
    functions appear as ``CYPSXL.CYPS_...``.

    >>> server_settings()["XLWINGS_PROJECT_NAME"]
    'cypsxl'
    """
    return {
        "XLWINGS_PROJECT_DIR": str(PROJECT_DIR),
        "XLWINGS_PROJECT_NAME": "cypsxl",
        "XLWINGS_FUNCTIONS_NAMESPACE": "CYPSXL",
    }
