"""The xlwings Server project of ``cypsxl serve``: ``XLWINGS_PROJECT_DIR`` points here.

xlwings Server imports the top-level packages ``custom_functions`` and ``custom_scripts``
from this folder; each re-exports cypsxl's functions or buttons.
"""

from pathlib import Path

__all__ = ["PROJECT_DIR"]

#: The folder to give xlwings Server as ``XLWINGS_PROJECT_DIR``.
PROJECT_DIR = Path(__file__).resolve().parent
