"""Workbook IO with openpyxl: the bid template, reading filled bids, the consolidated book.

No finance rules here: every derived figure comes from :mod:`cypsxl.model`.
"""
