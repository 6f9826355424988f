"""The monitoring demo workbook's module, for xlwings' "Import Functions".

Its Refresh button runs cypsxl.excel.scripts directly; "Import Functions" imports the
functions from the module of the same name as the workbook.
"""

from cypsxl.excel.functions import *  # noqa: F403
from cypsxl.excel.scripts import main  # noqa: F401
