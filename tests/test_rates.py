"""Discount-rate schedules: banded rates, the packaged Green Book schedule, the case key."""

from __future__ import annotations

import numpy as np
import pytest

from cypsxl import CaseError, parse_case
from cypsxl.model import RateBand, rate_schedule
from cypsxl.model.appraisal import GREEN_BOOK_RATE, discount_factors, npv
from cypsxl.reference_data import green_book_schedule

CASE = """\
[case]
name = "Long"
years = [{years}]
[assumptions]
discount_rates = {rates}
[cyps_budget]
net_budget = [{zeros}]
[mtfs]
base_gap = [{zeros}]
"""


def case_text(n: int, rates: str) -> str:
    years = ", ".join(f'"{2025 + i}/{(26 + i) % 100:02d}"' for i in range(n))
    zeros = ", ".join("0.0" for _ in range(n))
    return CASE.format(years=years, zeros=zeros, rates=rates)


def test_packaged_green_book_schedule_as_published():
    # HM Treasury Green Book: 3.5% years 0-30, 3.0% 31-75, 2.5% 76-125, 2.0% 126-200,
    # 1.5% 201-300, 1.0% from 301
    data = green_book_schedule()
    got = [(b.first_year, b.last_year, b.rate) for b in data.bands]
    assert got == [
        (0, 30, 0.035),
        (31, 75, 0.03),
        (76, 125, 0.025),
        (126, 200, 0.02),
        (201, 300, 0.015),
        (301, None, 0.01),
    ]
    assert "Green Book" in data.source
    assert data.bands[0].rate == GREEN_BOOK_RATE  # the code's default is the published rate


def test_rate_schedule_spreads_bands_over_years():
    rates = rate_schedule(green_book_schedule().bands, 33)
    assert rates[:31].tolist() == [0.035] * 31  # years 0-30
    assert rates[31:].tolist() == [0.03, 0.03]  # years 31 and 32
    with pytest.raises(ValueError, match="follow on"):
        rate_schedule([RateBand(0, 1, 0.1), RateBand(3, None, 0.1)], 5)
    with pytest.raises(ValueError, match="stop before year 4"):
        rate_schedule([RateBand(0, 2, 0.1)], 5)


def test_case_can_name_the_green_book_schedule():
    case = parse_case(case_text(3, '"green_book"'))
    assert case.assumptions.discount_rates == (0.035, 0.035, 0.035)
    # 33 years: the last two years step down to 3.0%
    long = parse_case(case_text(33, '"green_book"')).assumptions.discount_rates
    assert long is not None and long[-2:] == (0.03, 0.03)
    # DF[32] = 1 / (1.035^30 x 1.03^2): year 31 is discounted at 3.0% back to year 30
    factors = discount_factors(long, 33)
    assert factors[32] == pytest.approx(1 / (1.035**30 * 1.03**2))
    # a saving of 1 in year 32 only: NPV = that factor
    assert npv(np.eye(33)[32], long) == pytest.approx(1 / (1.035**30 * 1.03**2))


def test_unknown_schedule_name_is_a_located_problem():
    with pytest.raises(CaseError) as info:
        parse_case(case_text(2, '"treasury"'), "long.toml")
    assert [str(p) for p in info.value.problems] == [
        "long.toml:5: [assumptions]: 'discount_rates': expected one rate per year or one of "
        "['green_book'], got 'treasury'"
    ]
