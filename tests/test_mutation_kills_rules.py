"""Dates, cost-driver rules and input bounds: checks that kill mutants which survived every
other test (docs/mutation.md).

Each test names what it pins. Day numbers are worked out by hand in the comments: days
since 1 January 1970; 1970-2024 is 55 years with 14 leap days (1972 ... 2024), so
1 January 2025 is 55 x 365 + 14 = 20,089 and 1 April 2025 is 20,089 + 31 + 28 + 31 = 20,179.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from cypsxl.model import Assumptions, Bid, Case, CypsBudget, Mtfs
from cypsxl.model.dates import (
    day_number,
    day_numbers,
    days_in_fy,
    excel_serial_to_day,
    fy_of_day,
    month_ends,
    month_starts,
)
from cypsxl.model.driver_rules import placement_problems, post_problems
from cypsxl.model.limits import implausible_money, larger_than_budget, plausibility_warnings
from cypsxl.model.timeline import fy_start

APR_1_2025 = 20_179  # see the module docstring
MAR_31_2026 = APR_1_2025 + 364  # 2025/26 has no 29 February: 365 days
APR_1_2026 = MAR_31_2026 + 1
NAN = float("nan")
POUNDS = "is it in pounds? Case money is in £m"


# --------------------------------------------------------------------------- dates


def test_day_number_of_a_datetime_drops_the_time_of_day():
    # 18:30 on 1 April 2025 is still day 20,179
    assert day_number(dt.datetime(2025, 4, 1, 18, 30)) == APR_1_2025
    assert day_number(dt.date(2025, 4, 1)) == APR_1_2025
    assert day_number("1970-01-02") == 1


def test_day_numbers_of_texts_and_dates_are_int64():
    got = day_numbers(["2025-04-01", "2026-03-31"])
    assert got.dtype == np.int64
    assert got.tolist() == [APR_1_2025, MAR_31_2026]
    got = day_numbers([dt.date(1970, 1, 1), dt.date(2025, 4, 1)])
    assert got.dtype == np.int64
    assert got.tolist() == [0, APR_1_2025]


def test_excel_serial_to_day_subtracts_25569():
    # Excel's 45,748 is 1 April 2025: 45,748 - 25,569 = 20,179; a time of day (0.75 = 18:00)
    # stays in the same day
    assert excel_serial_to_day(45_748) == APR_1_2025
    assert excel_serial_to_day(45_748.75) == APR_1_2025
    assert excel_serial_to_day(25_569) == 0


def test_days_in_fy_counts_both_ends():
    # 1 April 2025 to 31 March 2026: 365 days; 2027/28 holds 29 February 2028: 366
    assert days_in_fy("2025/26") == 365
    assert days_in_fy("2027/28") == 366


def test_fy_start_is_the_first_calendar_year():
    assert fy_start("2020/21") == 2020
    assert fy_start("1999/00") == 1999


def test_fy_of_day_april_opens_the_financial_year():
    # 31 March 2026 is the last day of 2025/26; 1 and 30 April 2026 are in 2026/27
    assert fy_of_day(MAR_31_2026) == "2025/26"
    assert fy_of_day(APR_1_2026) == "2026/27"
    assert fy_of_day(APR_1_2026 + 29) == "2026/27"  # 30 April 2026
    assert fy_of_day(APR_1_2025 - 1) == "2024/25"  # 31 March 2025


def test_month_starts_and_ends_of_2025_26_as_int64_day_numbers():
    # month lengths April 2025 ... March 2026: 30 31 30 31 31 30 31 30 31 31 28 31
    lengths = [30, 31, 30, 31, 31, 30, 31, 30, 31, 31, 28, 31]
    starts = [APR_1_2025]
    for n in lengths[:-1]:
        starts.append(starts[-1] + n)
    # 20179, 20209, 20240, 20270, 20301, 20332, 20362, 20393, 20423, 20454, 20485, 20513
    assert starts[-1] == 20_513
    ends = [s + n - 1 for s, n in zip(starts, lengths, strict=True)]
    assert ends[-1] == MAR_31_2026  # 20,513 + 31 - 1 = 20,543
    got_starts, got_ends = month_starts("2025/26"), month_ends("2025/26")
    assert got_starts.dtype == np.int64
    assert got_ends.dtype == np.int64
    assert got_starts.tolist() == starts
    assert got_ends.tolist() == ends


# --------------------------------------------------------------------------- placements


def _placements(**given: list[float]) -> list[tuple[int, str, str]]:
    """placement_problems of n placements; fields not given are fine (1 April 2025 to
    31 March 2026, £100 a week, one child, no shares)."""
    n = len(next(iter(given.values())))
    fields: dict[str, list[float]] = {
        "weekly_cost": [100.0] * n,
        "start": [APR_1_2025] * n,
        "end": [MAR_31_2026] * n,
        "count": [1.0] * n,
        "health_share": [0.0] * n,
        "education_share": [0.0] * n,
    }
    fields.update(given)
    return placement_problems(**fields)


def test_placement_magnitude_bound_is_inclusive_at_1e9():
    # 1e9 (MAX_MAGNITUDE) is accepted; 2e9 is above it and refused although it is >= 0
    assert _placements(weekly_cost=[1e9, 2e9]) == [
        (1, "weekly_cost", "expected £ a week >= 0, got 2e+09")
    ]


def test_placement_weekly_cost_zero_and_fractions_accepted():
    assert _placements(weekly_cost=[0.0, 0.5]) == []


def test_placement_shares_out_of_range_named_by_field_and_not_summed():
    # a share outside 0..1 is reported once, by its field; the sum check skips that row
    got = _placements(health_share=[-0.5, 1.5, 0.0, 0.0], education_share=[0.0, 0.0, -0.25, 1.5])
    assert got == [
        (0, "health_share", "expected a fraction from 0 to 1, got -0.5"),
        (1, "health_share", "expected a fraction from 0 to 1, got 1.5"),
        (2, "education_share", "expected a fraction from 0 to 1, got -0.25"),
        (3, "education_share", "expected a fraction from 0 to 1, got 1.5"),
    ]


def test_placement_shares_at_their_bounds_accepted():
    # 1 + 0 = 1, 0 + 1 = 1, 0.5 + 0.5 = 1: none above 1
    assert _placements(health_share=[1.0, 0.0, 0.5], education_share=[0.0, 1.0, 0.5]) == []


def test_placement_shares_summing_above_one_reported_on_education_share():
    # 1 + 0.5 = 1.5; 0.25 + 1 = 1.25 (each share alone is within 0..1)
    assert _placements(health_share=[1.0, 0.25], education_share=[0.5, 1.0]) == [
        (0, "education_share", "health_share + education_share = 1.5; expected at most 1"),
        (1, "education_share", "health_share + education_share = 1.25; expected at most 1"),
    ]


def test_placement_share_sum_rounded_to_nine_decimals():
    # 0.5 + 0.5000000004 = 1.0000000004, which is 1.000000000 to 9 decimals: accepted
    assert _placements(health_share=[0.5], education_share=[0.5000000004]) == []


def test_placement_problems_sorted_by_placement_only():
    # placement 0: weekly cost then count (the order the rules run, not alphabetical);
    # placement 1 ends (1 April 2025 - 1) before it starts
    got = _placements(
        weekly_cost=[-1.0, 100.0], count=[0.0, 1.0], end=[MAR_31_2026, APR_1_2025 - 1]
    )
    assert got == [
        (0, "weekly_cost", "expected £ a week >= 0, got -1"),
        (0, "count", "expected a number of children > 0, got 0"),
        (1, "end", "ends before it starts (end < start)"),
    ]


# --------------------------------------------------------------------------- posts


def _posts(
    kind: list[str],
    annual: list[float] | None = None,
    weekly: list[float] | None = None,
    fte: list[float] | None = None,
    start: list[int] | None = None,
    end: list[int] | None = None,
) -> list[tuple[int, str, str]]:
    n = len(kind)
    return post_problems(
        kind,
        fte if fte is not None else [1.0] * n,
        annual if annual is not None else [NAN] * n,
        weekly if weekly is not None else [NAN] * n,
        start if start is not None else [APR_1_2025] * n,
        end if end is not None else [MAR_31_2026] * n,
    )


def test_permanent_post_without_annual_cost_message():
    assert _posts(["permanent"]) == [
        (0, "annual_cost", "missing; a permanent post needs its annual cost (£ per FTE)")
    ]


def test_weekly_rate_on_a_post_that_is_not_agency_message():
    got = _posts(["vacant", "permanent"], annual=[NAN, 40_000.0], weekly=[500.0, 600.0])
    assert got == [
        (0, "weekly_rate", "is for agency posts; this post is vacant"),
        (1, "weekly_rate", "is for agency posts; this post is permanent"),
    ]


def test_negative_annual_cost_and_weekly_rate_messages():
    got = _posts(["permanent", "agency"], annual=[-100.0, NAN], weekly=[NAN, -5.0])
    assert got == [
        (0, "annual_cost", "expected £ a year >= 0, got -100"),
        (1, "weekly_rate", "expected £ a week >= 0, got -5"),
    ]


def test_zero_and_fractional_post_costs_accepted():
    # >= 0 is the rule: £0 and £0.50 are fine for an annual cost and a weekly rate
    got = _posts(
        ["permanent", "permanent", "agency", "agency"],
        annual=[0.0, 0.5, NAN, NAN],
        weekly=[NAN, NAN, 0.0, 0.5],
    )
    assert got == []


def test_post_dates_to_before_from_refused_same_day_accepted():
    got = _posts(["vacant"] * 3, start=[10, 10, 10], end=[9, 10, 11])
    assert got == [(0, "to", "ends before it starts (to < from)")]


def test_post_problems_sorted_by_post_only():
    # post 0: the missing weekly rate is found before its FTE (rule order, not alphabetical);
    # post 1 ends on day 9 before it starts on day 10
    got = _posts(["agency", "vacant"], fte=[0.0, 1.0], start=[10, 10], end=[20, 9])
    assert got == [
        (0, "weekly_rate", "missing; an agency post needs its weekly rate (£ a week per FTE)"),
        (0, "fte", "expected an FTE > 0, got 0"),
        (1, "to", "ends before it starts (to < from)"),
    ]


# --------------------------------------------------------------------------- limits


def test_implausible_money_strictly_above_1000_skipping_blanks():
    # 1,000 is plausible (not above); 1,000.5 and |-2,000| are above; None is skipped
    assert implausible_money([0.25, None, 1000.0, 1000.5, -2000.0]) == [3, 4]
    assert implausible_money([None]) == []


def _case(budget: tuple[float, ...], *bids: Bid) -> Case:
    years = ("2025/26", "2026/27", "2027/28", "2028/29")[: len(bids[0].investment)]
    return Case(
        "x",
        years,
        years,
        Assumptions(),
        CypsBudget(budget, {}),
        bids,
        (),
        Mtfs((0.0,) * len(years)),
    )


def test_larger_than_budget_compares_each_positive_budget_year():
    # year 1: budget £80m; investment 80 is not more; gross saving 81 is
    # year 2: budget £1m; investment 2 is more; gross saving 0.25 is not
    # year 3: budget £0m (none held): nothing is compared
    bid = Bid(ref="B1", title="t", investment=(80.0, 2.0, 5.0), gross_saving=(81.0, 0.25, 5.0))
    # (the investment row is read first, then the gross saving)
    assert larger_than_budget(_case((80.0, 1.0, 0.0), bid)) == [
        (
            "B1",
            "investment",
            1,
            "£2m in 2026/27 is more than the CYPS net budget of £1m that year",
        ),
        (
            "B1",
            "gross_saving",
            0,
            "£81m in 2025/26 is more than the CYPS net budget of £80m that year",
        ),
    ]


def test_larger_than_budget_skips_years_past_the_budget_row():
    # the budget gives one year; the bid's second year (£500m) has nothing to compare with
    bid = Bid(ref="B1", title="t", investment=(90.0, 500.0))
    assert larger_than_budget(_case((80.0,), bid)) == [
        (
            "B1",
            "investment",
            0,
            "£90m in 2025/26 is more than the CYPS net budget of £80m that year",
        ),
    ]


def test_plausibility_warnings_gross_saving_and_current_budget():
    # budget £5,000m so that no figure is larger than the budget
    # B1: gross saving 2,500 > 1,000 and current budget 1,500 > 1,000: two warnings
    # B2: gross saving and current budget exactly 1,000: not above, no warning
    b1 = Bid(ref="B1", title="t", investment=(0.0,), gross_saving=(2500.0,), current_budget=1500.0)
    b2 = Bid(ref="B2", title="t", investment=(0.0,), gross_saving=(1000.0,), current_budget=1000.0)
    assert plausibility_warnings(_case((5000.0,), b1, b2)) == [
        ("bid B1", "gross_saving", 0, f"£2,500m in 2025/26 is more than £1,000m: {POUNDS}"),
        ("bid B1", "current_budget", None, f"£1,500m is more than £1,000m: {POUNDS}"),
    ]


# --------------------------------------------------------------------------- refs, text, years


def test_a_bad_reference_is_quoted_whole_up_to_40_characters() -> None:
    from cypsxl.model.limits import ref_problem

    rule = "expected a reference of letters, digits, '_' or '-' starting with a letter"
    forty = "A" * 40  # too long (at most 32) but short enough to quote whole
    assert ref_problem(forty) == f"{rule} (at most 32), got '{forty}'"
    # 41 characters: the first 37 and "..." (40 shown)
    assert ref_problem("B" * 41) == f"{rule} (at most 32), got '{'B' * 37}...'"


def test_text_problem_makes_breaks_spaces_unless_lines_are_kept() -> None:
    from cypsxl.model.limits import text_problem

    # by default a line break and a tab are each one space
    assert text_problem("Edge\nof\tcare") == ("Edge of care", None)
    # keep_lines: Windows and old Mac line ends become "\n"; a tab is still a space
    assert text_problem("a\r\nb\rc\td", keep_lines=True) == ("a\nb\nc d", None)


def test_within_bounds_includes_the_bound_itself() -> None:
    from cypsxl.model.limits import MAX_MAGNITUDE, within_bounds

    assert MAX_MAGNITUDE == 1e9
    # whole numbers (any size) and floats: 1e9 and -1e9 are allowed, one more is not
    assert within_bounds(10**9) and within_bounds(-(10**9))
    assert not within_bounds(10**9 + 1) and not within_bounds(-(10**9) - 1)
    assert within_bounds(1e9) and within_bounds(-1e9) and not within_bounds(1e9 + 1)


def test_timeline_messages_and_an_empty_mtfs_run() -> None:
    import pytest

    from cypsxl.model.timeline import FinancialYearError, validate_timeline

    with pytest.raises(FinancialYearError) as err:
        validate_timeline([])
    assert str(err.value) == "at least one year is needed"
    years = ["2016/17", "2017/18", "2018/19"]
    with pytest.raises(FinancialYearError) as err:
        validate_timeline(years, ["2017/18", "2018/19"])  # not from the first year
    assert str(err.value) == (
        "MTFS years ['2017/18', '2018/19'] must be a leading run of the years "
        "['2016/17', '2017/18', '2018/19']"
    )
    with pytest.raises(FinancialYearError) as err:
        validate_timeline(years, [])  # an MTFS of no years is not a leading run
    assert str(err.value).startswith("MTFS years [] must be a leading run")


def test_parse_fy_messages_for_a_number_and_a_wrong_second_year() -> None:
    import pytest

    from cypsxl.model.timeline import FinancialYearError, parse_fy

    with pytest.raises(FinancialYearError) as err:
        parse_fy(2016)  # type: ignore[arg-type]  # a number typed where text is expected
    assert str(err.value) == "2016 is not a financial year like '2016/17'"
    with pytest.raises(FinancialYearError) as err:
        parse_fy("2016/18")  # 2016 + 1 = 2017, so the second part must be 17
    assert str(err.value) == "'2016/18': the second part must be the year after 2016 ('2016/17')"
