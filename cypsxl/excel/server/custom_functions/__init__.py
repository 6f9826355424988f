"""cypsxl's Excel functions, as xlwings Server loads them."""

from cypsxl.excel.functions import *  # noqa: F403
from cypsxl.excel.functions import __all__  # noqa: F401
