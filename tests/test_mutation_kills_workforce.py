"""Workforce and cost-driver checks that kill mutants which survived the other tests.

Each test says what it pins (docs/mutation.md). Figures are worked out by hand in the
comments. 2025/26 runs from 1 April 2025 (day 20179) to 31 March 2026 (day 20543),
365 days; a £36,500 a year post costs £100 a day and a £700 a week agency post £100 a day.
"""

from __future__ import annotations

import numpy as np
import pytest

from cypsxl.model.dates import OPEN_END, day_number
from cypsxl.model.drivers import (
    Cohort,
    cohort_pressures,
    cohort_risks,
    placements_line_cost,
    workforce_line_cost,
)
from cypsxl.model.register import PlacementTypes, Register
from cypsxl.model.workforce import (
    Establishment,
    agency_conversion,
    agency_premium,
    post_costs,
    summarise_workforce,
)

YEAR = "2025/26"
FIRST = 20179  # 1 April 2025
LAST = 20543  # 31 March 2026


def d(text: str) -> int:
    return day_number(text)


def test_day_numbers_of_the_year_used_here() -> None:
    """The day numbers the hand-worked figures below rely on."""
    assert (d("2025-04-01"), d("2026-03-31")) == (FIRST, LAST)
    assert LAST - FIRST + 1 == 365


# --------------------------------------------------------------------------- cohorts


def test_cohort_risk_and_pressure_take_the_councils_share() -> None:
    """A cohort's risk and pressure line are the council's share of its cost."""
    c = Cohort("Half funded", 10, 700, d("2026-01-01"), share=0.5, risk=True, pressure="demand")
    # 2025/26: 1 January - 31 March 2026 = 31 + 28 + 31 = 90 days
    # 10 x 700 x 90 / 7 x 0.5 = 10 x 100 x 90 x 0.5 = £45,000 = £0.045m
    risks = cohort_risks([c], YEAR)
    assert list(risks) == ["Half funded"]
    assert risks["Half funded"] == pytest.approx(0.045, rel=1e-12)
    # 2026/27: 365 days -> 10 x 100 x 365 x 0.5 = £182,500 = £0.1825m
    got = cohort_pressures([c], (YEAR, "2026/27"))
    assert list(got) == ["demand"]
    assert got["demand"].tolist() == pytest.approx([0.045, 0.1825], rel=1e-12)


def test_cohort_pressures_on_one_line_are_summed() -> None:
    """Two cohorts on the same pressure line add up; another line is kept apart."""
    a = Cohort("More IFA", 10, 700, d("2026-01-01"), pressure="demand")
    b = Cohort("One secure", 1, 1_400, d("2026-03-25"), pressure="demand")
    c = Cohort("Parents", 1, 700, d("2026-03-31"), pressure="parent_child")
    got = cohort_pressures([a, b, c], (YEAR, "2026/27"))
    # a: 10 x 100 x 90 = 90,000 then 10 x 100 x 365 = 365,000
    # b: 25-31 March = 7 days x 200 = 1,400 then 365 x 200 = 73,000
    # demand: 0.09 + 0.0014 = 0.0914; 0.365 + 0.073 = 0.438 (£m)
    assert sorted(got) == ["demand", "parent_child"]
    assert got["demand"].tolist() == pytest.approx([0.0914, 0.438], rel=1e-12)
    # c: 1 day x 100 = 100 then 365 x 100 = 36,500
    assert got["parent_child"].tolist() == pytest.approx([0.0001, 0.0365], rel=1e-12)


# --------------------------------------------------------------------------- placements line


def _register() -> Register:
    t = PlacementTypes(("ifa", "secure"), ("IFA", "Secure"))
    # IFA £7,000 a week = £1,000 a day; secure £70,000 a week = £10,000 a day; both open
    return Register.build(t, ["A", "B"], ["ifa", "secure"], [7_000, 70_000], d("2025-01-01"))


def test_placements_line_of_all_types_when_none_named() -> None:
    """``types=None`` costs every placement of the register."""
    # as at 24 March 2026: 7 days to come x 11,000 = 77,000; to date 358 days x 11,000
    remaining, to_date = placements_line_cost(_register(), YEAR, d("2026-03-24"))
    assert remaining == pytest.approx(0.077, rel=1e-12)
    assert to_date == pytest.approx(3.938, rel=1e-12)
    # IFA only: 7 x 1,000 = 7,000; 358 x 1,000 = 358,000
    assert placements_line_cost(_register(), YEAR, d("2026-03-24"), ["ifa"]) == pytest.approx(
        (0.007, 0.358), rel=1e-12
    )


def test_placements_line_as_at_on_or_before_the_eve_of_the_year() -> None:
    """As at 31 March of the year before, or earlier, the whole year is still to come."""
    # IFA only: 365 days x 1,000 = £365,000 to come, nothing to date
    for as_at in (FIRST - 1, d("2025-03-24")):
        remaining, to_date = placements_line_cost(_register(), YEAR, as_at, ["ifa"])
        assert remaining == pytest.approx(0.365, rel=1e-12)
        assert to_date == 0.0


# --------------------------------------------------------------------------- workforce line


def _teams() -> Establishment:
    # team A: permanent 1 FTE £36,500 (100 a day), vacant 1 FTE £36,500;
    # team B: permanent 1 FTE £73,000 (200 a day). All year.
    return Establishment.build(
        ["A", "A", "B"],
        ["SW", "SW", "SW"],
        ["permanent", "vacant", "permanent"],
        [1, 1, 1],
        annual_cost=[36_500, 36_500, 73_000],
    )


def test_workforce_line_of_one_team_without_its_vacant_post() -> None:
    """Only the named team's filled posts count, priced over the year's 365 days."""
    # as at 30 September 2025: 183 days to date (30+31+30+31+31+30), 182 to come
    # team A's permanent post: 36,500 x 182 / 365 = 18,200; 36,500 x 183 / 365 = 18,300
    remaining, to_date = workforce_line_cost(_teams(), YEAR, d("2025-09-30"), ["A"])
    assert remaining == pytest.approx(0.0182, rel=1e-12)
    assert to_date == pytest.approx(0.0183, rel=1e-12)


def test_workforce_line_of_teams_and_kinds_together() -> None:
    """Teams and kinds both filter: team B's permanent posts only."""
    # B: 73,000 x 182 / 365 = 36,400; 73,000 x 183 / 365 = 36,600
    got = workforce_line_cost(_teams(), YEAR, d("2025-09-30"), ["B"], ["permanent"])
    assert got == pytest.approx((0.0364, 0.0366), rel=1e-12)
    # team A's agency posts: none
    assert workforce_line_cost(_teams(), YEAR, d("2025-09-30"), ["A"], ["agency"]) == (0.0, 0.0)


def test_workforce_line_as_at_on_or_before_the_eve_of_the_year() -> None:
    """As at 31 March of the year before, or earlier, the whole year is still to come."""
    # team A's permanent post: 365 days x 100 = £36,500 to come, nothing to date
    for as_at in (FIRST - 1, d("2025-03-24")):
        remaining, to_date = workforce_line_cost(_teams(), YEAR, as_at, ["A"])
        assert remaining == pytest.approx(0.0365, rel=1e-12)
        assert to_date == 0.0


def test_workforce_line_of_an_empty_establishment() -> None:
    """No posts (a case without a workforce table) cost nothing, whatever the filter."""
    empty = Establishment.build([], [], [], [])
    assert workforce_line_cost(empty, YEAR, d("2025-09-30"), ["A"], ["agency"]) == (0.0, 0.0)
    assert len(empty.filtered(["A"])) == 0
    assert len(empty.filtered(None, ["agency"])) == 0


# --------------------------------------------------------------------------- establishment


def test_unknown_kind_of_post_message() -> None:
    """The message names the kind given and the kinds expected."""
    with pytest.raises(ValueError) as err:
        Establishment.build(["A"], ["SW"], ["contractor"], [1])
    assert str(err.value) == (
        "unknown kind of post 'contractor'; expected one of ('permanent', 'agency', 'vacant')"
    )


def test_post_dates_are_stored_as_day_numbers() -> None:
    """Start and end given as whole floats or as dates are kept as int64 day numbers."""
    e = Establishment.build(
        ["A", "B"],
        ["SW", "SW"],
        ["permanent", "permanent"],
        [1, 1],
        start=[20361.0, 20179.0],
        end=np.array(["2026-03-31", "2025-12-31"], "datetime64[D]"),
    )
    assert e.start.dtype == np.int64 and e.end.dtype == np.int64
    assert e.start.tolist() == [20361, 20179]
    assert e.end.tolist() == [LAST, d("2025-12-31")]


def test_filtered_keeps_team_role_and_kind_of_the_posts_chosen() -> None:
    """Filtering by team keeps those posts only, with their own team, role and kind."""
    e = Establishment.build(
        ["A", "B", "C", "A"],
        ["SW", "TM", "SW", "PA"],
        ["permanent", "agency", "vacant", "agency"],
        [1, 2, 3, 4],
    )
    got = e.filtered(["A", "C"])
    assert got.team == ("A", "C", "A")
    assert got.role == ("SW", "SW", "PA")
    assert got.kind == ("permanent", "vacant", "agency")
    assert got.fte.tolist() == [1.0, 3.0, 4.0]
    both = e.filtered(["A", "B"], ["agency"])
    assert (both.team, both.role, both.fte.tolist()) == (("B", "A"), ("TM", "PA"), [2.0, 4.0])


# --------------------------------------------------------------------------- costs


def test_a_post_with_no_cost_given_costs_nothing() -> None:
    """Neither an annual cost nor a weekly rate: the post costs 0, not NaN."""
    got = post_costs(1, np.nan, np.nan, -OPEN_END, OPEN_END, FIRST, LAST, 365)
    assert float(got) == 0.0
    # beside a priced post: 36,500 x 365 / 365 and 700 x 365 / 7
    many = post_costs(
        1, [np.nan, 36_500, np.nan], [np.nan, np.nan, 700], -OPEN_END, OPEN_END, FIRST, LAST, 365
    )
    assert many.tolist() == [0.0, 36_500.0, 36_500.0]


def test_agency_premium_year_is_365_days_by_default() -> None:
    """The default year is 365 days."""
    # 2 x (700 x 365 / 7 - 30,000) = 2 x (36,500 - 30,000) = 13,000
    assert float(agency_premium(2, 700, 30_000)) == pytest.approx(13_000.0, rel=1e-12)


def test_summary_fte_on_the_as_at_date_and_each_figure() -> None:
    """FTE counts posts starting or ending on the as-at date; every field of the summary."""
    as_at = d("2025-09-30")
    e = Establishment.build(
        ["A"] * 4,
        ["SW"] * 4,
        ["permanent", "permanent", "agency", "vacant"],
        [1, 0.5, 1, 2],
        annual_cost=[36_500, 36_500, np.nan, 36_500],
        weekly_rate=[np.nan, np.nan, 1_400, np.nan],
        start=[as_at, -OPEN_END, -OPEN_END, -OPEN_END],
        end=[OPEN_END, as_at, OPEN_END, OPEN_END],
    )
    s = summarise_workforce(e, YEAR, as_at, agency_cap=0.25)
    assert s.year == YEAR and s.as_at == as_at
    # on 30 September: permanent 1 (starts that day) + 0.5 (ends that day); agency 1; vacant 2
    assert s.fte.tolist() == [1.5, 1.0, 2.0]
    # permanent 1 FTE from 30 September: 1 day to date (100), 182 to come (18,200)
    # permanent 0.5 FTE to 30 September: 183 days x 100 x 0.5 = 9,150 to date
    # agency 1,400 a week = 200 a day: 183 x 200 = 36,600 to date, 182 x 200 = 36,400 to come
    assert s.cost_to_date.tolist() == pytest.approx([9_250.0, 36_600.0, 0.0], rel=1e-12)
    assert s.rest_of_year.tolist() == pytest.approx([18_200.0, 36_400.0, 0.0], rel=1e-12)
    assert s.full_year.tolist() == pytest.approx([27_450.0, 73_000.0, 0.0], rel=1e-12)
    # vacant 2 FTE x 36,500 for all 365 days = 73,000
    assert s.vacancy_cost == pytest.approx(73_000.0, rel=1e-12)
    # permanent equivalent of SW: (36,500 x 1 + 36,500 x 0.5) / 1.5 = 36,500
    # premium 73,000 - 36,500 = 36,500
    assert s.agency_premium == pytest.approx(36_500.0, rel=1e-12)
    assert s.agency_cap == 0.25 and s.agency_over_cap == pytest.approx(0.75, rel=1e-12)


def test_summary_as_at_before_the_eve_of_the_year() -> None:
    """As at a week before the year: nothing to date, the year's 365 days to come."""
    e = Establishment.build(["A"], ["SW"], ["permanent"], [1], annual_cost=36_500)
    s = summarise_workforce(e, YEAR, d("2025-03-24"))
    assert s.cost_to_date.tolist() == [0.0, 0.0, 0.0]
    assert s.rest_of_year.tolist() == pytest.approx([36_500.0, 0.0, 0.0], rel=1e-12)
    assert s.full_year.tolist() == pytest.approx([36_500.0, 0.0, 0.0], rel=1e-12)


def _two_roles() -> Establishment:
    # permanent: SW 0.5 FTE at 40,000; TM 0.25 FTE at 70,000
    # agency: SW 1 FTE at 1,400 a week; PA (no permanent PA) 1 FTE at 700 a week
    return Establishment.build(
        ["A"] * 4,
        ["SW", "TM", "SW", "PA"],
        ["permanent", "permanent", "agency", "agency"],
        [0.5, 0.25, 1, 1],
        annual_cost=[40_000, 70_000, np.nan, np.nan],
        weekly_rate=[np.nan, np.nan, 1_400, 700],
    )


def test_agency_premium_priced_by_role_else_all_permanent_posts() -> None:
    """An agency post's permanent equivalent: its role's FTE-weighted average, else all
    permanent posts' (here fewer than 1 permanent FTE in all and in each role)."""
    s = summarise_workforce(_two_roles(), YEAR, d("2025-09-30"))
    # SW: 40,000 (its own role). PA: no permanent PA, so all permanent posts:
    # (40,000 x 0.5 + 70,000 x 0.25) / 0.75 = (20,000 + 17,500) / 0.75 = 50,000
    # SW agency 1,400 x 365 / 7 = 73,000 - 40,000 = 33,000
    # PA agency   700 x 365 / 7 = 36,500 - 50,000 = -13,500; premium 19,500
    assert s.agency_premium == pytest.approx(19_500.0, rel=1e-12)


def test_agency_conversion_priced_by_role_else_all_permanent_posts() -> None:
    """Converting both agency FTE uses the average of their permanent equivalents."""
    this, full = agency_conversion(_two_roles(), 2, d("2026-01-01"), YEAR)
    # rate (1,400 + 700) / 2 = 1,050 a week; permanent (40,000 + 50,000) / 2 = 45,000
    # 90 days: 2 x (1,050 x 90 / 7 - 45,000 x 90 / 365) = 2 x (13,500 - 11,095.89)
    assert this == pytest.approx(2 * (13_500 - 45_000 * 90 / 365), rel=1e-12)
    # full year: 2 x (1,050 x 365 / 7 - 45,000) = 2 x (54,750 - 45,000) = 19,500
    assert full == pytest.approx(19_500.0, rel=1e-12)


def test_agency_conversion_counts_posts_starting_or_ending_that_day() -> None:
    """Agency posts in place on the conversion day include those starting or ending on it."""
    day = d("2026-01-01")
    e = Establishment.build(
        ["A"] * 3,
        ["SW"] * 3,
        ["permanent", "agency", "agency"],
        [1, 1, 1],
        annual_cost=[52_000, np.nan, np.nan],
        weekly_rate=[np.nan, 1_400, 1_400],
        start=[-OPEN_END, day, -OPEN_END],
        end=[OPEN_END, OPEN_END, day],
    )
    this, full = agency_conversion(e, 2, day, YEAR)
    # 90 days: 2 x (1,400 x 90 / 7 - 52,000 x 90 / 365) = 2 x (18,000 - 12,821.92)
    assert this == pytest.approx(2 * (18_000 - 52_000 * 90 / 365), rel=1e-12)
    # full year: 2 x (73,000 - 52,000) = 42,000
    assert full == pytest.approx(42_000.0, rel=1e-12)
    # the tolerance of 1e-9 FTE is inclusive: 2 + 1e-9 FTE of the 2 in place is allowed
    this_tol, _ = agency_conversion(e, 2 + 1e-9, day, YEAR)
    assert this_tol == pytest.approx((2 + 1e-9) * (18_000 - 52_000 * 90 / 365), rel=1e-12)
    with pytest.raises(ValueError) as err:
        agency_conversion(e, 2.5, day, YEAR)
    assert str(err.value) == "2.5 agency FTE to convert, but 2 in place on that date"


def test_agency_conversion_with_no_agency_in_place_saves_nothing() -> None:
    """No agency posts on the day: converting a rounding residue of FTE (as 0.1 + 0.2 -
    0.3 gives) saves exactly nothing; converting 0, a negative or NaN FTE is refused, as
    CYPS_AGENCY_CONVERSION refuses it."""
    e = Establishment.build(["A"], ["SW"], ["permanent"], [1], annual_cost=52_000)
    for bad, shown in ((0, "0"), (-1, "-1"), (float("nan"), "nan")):
        with pytest.raises(ValueError) as err:
            agency_conversion(e, bad, d("2026-01-01"), YEAR)
        assert str(err.value) == f"expected agency FTE > 0 to convert, got {shown}"
    # rate and permanent cost are 0 without agency FTE: n x (0 x 90 / 7 - 0 x 90 / 365) = 0
    residue = 0.1 + 0.2 - 0.3  # 5.55e-17
    assert 0 < residue < 1e-9
    assert agency_conversion(e, residue, d("2026-01-01"), YEAR) == (0.0, 0.0)


def test_agency_conversion_without_a_permanent_cost_message() -> None:
    """No permanent post or own annual cost: the message says so."""
    e = Establishment.build(["A"], ["SW"], ["agency"], [1], weekly_rate=1_400)
    with pytest.raises(ValueError) as err:
        agency_conversion(e, 1, d("2026-01-01"), YEAR)
    assert str(err.value) == "no permanent cost known for the agency posts' roles"
