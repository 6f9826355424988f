"""cypsxl's workbook buttons, as xlwings Server loads them."""

from cypsxl.excel.scripts import cyps_refresh

__all__ = ["cyps_refresh"]
