"""The cost drivers' Excel functions through xlwings' real Office.js conversion layer.

Dates arrive as Excel date serials (numbers): 45748 = 1 April 2025, 46112 = 31 March 2026.
"""

from __future__ import annotations

import datetime as dt

import pytest
from xlcall import call
from xlwings.server import custom_functions_meta

from cypsxl.excel import functions
from cypsxl.excel._convert import ArgumentError

APR_2025 = 45748  # =DATE(2025,4,1)
MAR_2026 = 46112  # =DATE(2026,3,31)

NAMES = {
    "CYPS_PLACEMENT_COST_DATES": ["weekly_cost", "start", "end", "from_date", "to_date", "count"],
    "CYPS_LAC_GROWTH": ["start", "rate", "years"],
    "CYPS_IMPLIED_GROWTH": ["then", "now"],
    "CYPS_IMPLIED_WEEKLY_COST": ["placements", "annual_cost", "weeks"],
    "CYPS_PLACEMENTS_TO_END": ["saving", "weekly_cost", "end_date"],
    "CYPS_COHORT_COST": ["children", "weekly_cost", "from_date"],
    "CYPS_AGENCY_PREMIUM": ["fte", "weekly_rate", "permanent_annual_cost", "days_in_year"],
    "CYPS_AGENCY_CONVERSION": ["fte", "weekly_rate", "permanent_annual_cost", "from_date"],
}


def test_registered_with_their_arguments_and_help() -> None:
    meta = {f["name"]: f for f in custom_functions_meta(functions)["functions"]}
    for name, params in NAMES.items():
        assert [p["name"] for p in meta[name]["parameters"]] == params, name
        assert all(len(p["description"]) > 15 for p in meta[name]["parameters"]), name
    assert meta["CYPS_PLACEMENT_COST_DATES"]["parameters"][5].get("optional") is True


def test_excel_serials_match_the_calendar() -> None:
    # the serials used here are Excel's DATE(): 1 April 2025 and 31 March 2026
    assert dt.date(1899, 12, 30) + dt.timedelta(days=APR_2025) == dt.date(2025, 4, 1)
    assert dt.date(1899, 12, 30) + dt.timedelta(days=MAR_2026) == dt.date(2026, 3, 31)


def test_placement_cost_dates_by_hand() -> None:
    # £840 a week from 20 March 2026 (serial 46101) to 10 April 2026 (46122), costed over
    # 2025/26: 20-31 March = 12 days -> 840 x 12 / 7 = 1,440
    assert call("cyps_placement_cost_dates", 840, 46101, 46122, APR_2025, MAR_2026) == [[1440.0]]
    # open (blank end), 2 children, April 2025 only (30 days): 700 x 2 x 30 / 7 = 6,000
    got = call("cyps_placement_cost_dates", 700, APR_2025, None, APR_2025, APR_2025 + 29, 2)
    assert got == [[pytest.approx(6_000.0)]]
    # dates as text, a one-day placement: 3,500 / 7 = 500
    assert call(
        "cyps_placement_cost_dates", 3500, "2025-06-15", "15/06/2025", APR_2025, MAR_2026
    ) == [[500.0]]


def test_placement_cost_dates_a_column_of_placements() -> None:
    # 2025/26: A £700 from 1 April open -> 700 x 365 / 7 = 36,500;
    # B £7,000 1-7 April 2025 -> 7,000
    got = call(
        "cyps_placement_cost_dates",
        [[700], [7000]],
        [[APR_2025], [APR_2025]],
        [[None], [APR_2025 + 6]],
        APR_2025,
        MAR_2026,
    )
    assert got == [[pytest.approx(36_500.0)], [pytest.approx(7_000.0)]]


def test_leap_year_2027_28() -> None:
    # 1 April 2027 = 46478; 31 March 2028 = 46843: 366 days -> 700 x 366 / 7 = 36,600
    assert call("cyps_placement_cost_dates", 700, 46478, None, 46478, 46843) == [
        [pytest.approx(36_600.0)]
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((-1, APR_2025, None, APR_2025, MAR_2026), "'weekly_cost': expected £ a week >= 0, got -1"),
        ((700, MAR_2026, APR_2025, APR_2025, MAR_2026), "'end': ends before it starts"),
        ((700, APR_2025, None, MAR_2026, APR_2025), "'to_date': the window ends before it starts"),
        ((700, "31/02/2025", None, APR_2025, MAR_2026), "'start': expected a date"),
        ((700, "#N/A", None, APR_2025, MAR_2026), "'start' is the Excel error #N/A"),
        ((700, None, None, APR_2025, MAR_2026), "'start' is blank; expected a date"),
        ((700, APR_2025, None, APR_2025, MAR_2026, 0), "'count': expected a number of children"),
        (([[700], [800]], [[APR_2025]] * 3, None, APR_2025, MAR_2026), "differ in length"),
    ],
)
def test_placement_cost_dates_errors(args, message) -> None:
    with pytest.raises(ArgumentError, match=message.replace("(", r"\(").replace(")", r"\)")):
        functions.cyps_placement_cost_dates(*args)


def test_lac_growth_and_implied_growth() -> None:
    # 577 growing 6% a year: 577, 611.62, 648.3172
    assert call("cyps_lac_growth", 577, 0.06, 3) == [
        [577.0, pytest.approx(611.62), pytest.approx(648.3172)]
    ]
    # 577 on 1 April, 612 now: 35 / 577 = 0.060659
    assert call("cyps_implied_growth", 577, 612) == [[pytest.approx(35 / 577)]]
    assert call("cyps_implied_growth", 0, 5) == [["none"]]
    with pytest.raises(ArgumentError, match="'rate': expected a fraction a year > -1"):
        functions.cyps_lac_growth(577, -1, 3)


def test_inverse_questions() -> None:
    # 6 placements = £520,104 a year -> 520,104 / (6 x 52) = £1,667 a week
    assert call("cyps_implied_weekly_cost", 6, 520_104) == [[pytest.approx(1_667.0)]]
    # end on 31 October 2025 (serial 45961): 151 days left; each saves 5,000 x 151 / 7 =
    # 107,857.14; £610,000 needs 610,000 / 107,857.14 = 5.66 -> 6
    assert call("cyps_placements_to_end", 610_000, 5_000, 45961) == [[6]]
    assert call("cyps_placements_to_end", 1, 5_000, MAR_2026) == [["none"]]
    with pytest.raises(ArgumentError, match="'weekly_cost': expected £ a week > 0"):
        functions.cyps_placements_to_end(1, 0, MAR_2026)


def test_cohort_and_agency() -> None:
    # 55 children at £700 from 1 January 2026 (46023): 90 days -> 495,000; next year 365
    # days -> 55 x 700 x 365 / 7 = 2,007,500
    assert call("cyps_cohort_cost", 55, 700, 46023) == [
        [pytest.approx(495_000.0), pytest.approx(2_007_500.0)]
    ]
    # 14 agency FTE at £1,400 vs £52,000: 14 x (1,400 x 365 / 7 - 52,000) = 294,000
    assert call("cyps_agency_premium", 14, 1400, 52_000) == [[pytest.approx(294_000.0)]]
    # a 366-day year: 14 x (1,400 x 366 / 7 - 52,000) = 14 x 21,200 = 296,800
    assert call("cyps_agency_premium", 14, 1400, 52_000, 366) == [[pytest.approx(296_800.0)]]
    # converting 14 from 1 January 2026: 14 x (1,400 x 90 / 7 - 52,000 x 90 / 365)
    this = 14 * (1_400 * 90 / 7 - 52_000 * 90 / 365)
    assert call("cyps_agency_conversion", 14, 1400, 52_000, 46023) == [
        [pytest.approx(this), pytest.approx(294_000.0)]
    ]
    with pytest.raises(ArgumentError, match="'days_in_year': expected 365 or 366"):
        functions.cyps_agency_premium(1, 1, 1, 360)
    # no FTE, or a negative one, is refused: the rule of the model's agency conversion
    for fte in (0, -2):
        with pytest.raises(ArgumentError) as err:
            functions.cyps_agency_conversion(fte, 1400, 52_000, 46023)
        assert str(err.value) == f"cyps_agency_conversion: 'fte': expected an FTE > 0, got {fte}"
