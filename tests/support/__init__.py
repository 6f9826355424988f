"""Test helpers shared by several test modules (recalculation, workbook comparison)."""
