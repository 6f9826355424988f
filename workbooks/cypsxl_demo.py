"""The demo workbook's module: the .xlsm's macro and "Import Functions" use it.

Its buttons run cypsxl.excel.scripts directly; xlwings' "Import Functions" imports the
functions from the module of the same name as the workbook.
"""

from cypsxl.excel.functions import *  # noqa: F403
from cypsxl.excel.scripts import main  # noqa: F401
