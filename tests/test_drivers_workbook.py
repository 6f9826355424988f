"""The Placements and Workforce sheets: native formulas recalculated by LibreOffice, every
formula cell compared with the engine."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from driver_sheets import YEAR, demo_drivers, expected
from support.recalc import formula_mismatches, recalculate

from cypsxl.excel.drivers_demo import add_driver_sheets
from cypsxl.model.dates import OPEN_END, day_number
from cypsxl.model.register import summarise_register


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("drivers_book")
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    add_driver_sheets(wb)
    book = tmp / "drivers.xlsx"
    wb.save(book)
    return book, recalculate([book], tmp / "lo")[book]


def test_every_formula_cell_is_the_engines(recalculated) -> None:
    book, computed = recalculated
    assert formula_mismatches(book, computed, expected(), tol=1e-6) == {}


def test_the_demo_register_by_hand() -> None:
    drivers = demo_drivers()
    s = summarise_register(drivers.register, YEAR, drivers.as_at)
    types = drivers.types
    # as at 31 October 2025: P1, P2, P4, P5, P7 in placement (P3 ended 30 September;
    # P6 and the cohort C1 start in January)
    assert s.children.sum() == 5
    # P5 secure £7,800 a week from 20 October, health pays half: to date 12 days ->
    # 7,800 x 12 / 7 x 0.5 = 6,685.71; to come 1 November - 19 December = 49 days ->
    # 7,800 x 49 / 7 x 0.5 = 27,300
    i = types.index("secure")
    assert s.cost_to_date[i] == pytest.approx(7_800 * 12 / 7 * 0.5)
    assert s.rest_of_year[i] == pytest.approx(27_300.0)
    # the cohort C1: 3 x £900 from 1 January 2026, 90 days -> 3 x 900 x 90 / 7 = 34,714.29
    ifa = types.index("ifa")
    p2 = 910 * (365 - 41) / 7  # P2 from 12 May 2025: 41 days of the year gone before
    p3 = 880 * 183 / 7  # P3 to 30 September: 183 days of the year
    assert s.full_year[ifa] == pytest.approx(p2 + p3 + 3 * 900 * 90 / 7)
    assert drivers.establishment.end[1] == day_number("2026-01-31")
    assert drivers.establishment.start[0] == -OPEN_END
