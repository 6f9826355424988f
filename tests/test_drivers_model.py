"""The cost drivers' rules, worked by hand, and against a day-by-day oracle (hypothesis)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from driver_oracle import placement_cost as oracle_cost
from driver_oracle import post_cost as oracle_post
from driver_oracle import summary as oracle_summary
from hypothesis import given, settings
from hypothesis import strategies as st

from cypsxl.model.dates import OPEN_END, day_number, fy_bounds, month_ends
from cypsxl.model.demand import (
    cohort_cost,
    cohort_cost_by_year,
    implied_growth,
    implied_weekly_cost,
    lac_growth,
    placements_to_end,
)
from cypsxl.model.register import (
    Register,
    by_type,
    placement_cost_dates,
    placements_in_place,
    register_costs,
    summarise_register,
)
from cypsxl.model.workforce import (
    Establishment,
    agency_conversion,
    post_costs,
    summarise_workforce,
)
from cypsxl.reference_data import placement_reference

REF = placement_reference()
TYPES = REF.types


def d(text: str) -> int:
    return day_number(text)


# --------------------------------------------------------------------------- reference data


def test_every_place_code_maps_to_a_listed_type() -> None:
    for code in REF.mapping.codes.values():
        assert code.type in TYPES.keys, code
        assert set(code.by_provider.values()) <= set(TYPES.keys), code
    # fostering with other carers and children's homes: own provision by PLACE_PROVIDER
    assert REF.mapping.type_of("U6", "PR1") == "in_house_fostering"
    assert REF.mapping.type_of("U6", "PR5") == "ifa"
    assert REF.mapping.type_of("K2", "PR1") == "residential_in_house"
    assert REF.mapping.type_of("K2", "PR4") == "residential_external"
    assert REF.mapping.type_of("U2", "PR4") == "connected_carers"
    assert REF.source.startswith("DfE")


# --------------------------------------------------------------------------- placements


def test_cost_across_a_year_end() -> None:
    # £840 a week from 20 March to 10 April 2026:
    # 2025/26: 20-31 March = 12 days -> 840 x 12 / 7 = 1,440
    # 2026/27: 1-10 April = 10 days -> 840 x 10 / 7 = 1,200
    first_a, last_a = fy_bounds("2025/26")
    first_b, last_b = fy_bounds("2026/27")
    cost = placement_cost_dates(840, d("2026-03-20"), d("2026-04-10"), first_a, last_a)
    assert float(cost) == pytest.approx(1_440.0, abs=1e-9)
    cost = placement_cost_dates(840, d("2026-03-20"), d("2026-04-10"), first_b, last_b)
    assert float(cost) == pytest.approx(1_200.0, abs=1e-9)


def test_leap_year_2027_28_has_366_days() -> None:
    # £700 a week, open from 1 April 2027: 366 days -> 700 x 366 / 7 = 36,600;
    # February 2028 alone: 29 days -> 700 x 29 / 7 = 2,900
    first, last = fy_bounds("2027/28")
    assert float(placement_cost_dates(700, first, OPEN_END, first, last)) == pytest.approx(36_600)
    feb = placement_cost_dates(700, first, OPEN_END, d("2028-02-01"), d("2028-02-29"))
    assert float(feb) == pytest.approx(2_900.0)
    assert month_ends("2027/28")[10] == d("2028-02-29")


def test_a_placement_starting_and_ending_the_same_day_is_one_day() -> None:
    # £3,500 a week for one day: 3,500 / 7 = 500; two children: 1,000
    day = d("2025-06-15")
    assert float(placement_cost_dates(3_500, day, day, day - 30, day + 30)) == 500.0
    assert float(placement_cost_dates(3_500, day, day, day, day, count=2)) == 1_000.0


def test_shares_of_one_leave_the_council_nothing() -> None:
    # health 1 -> net 0; health 0.6 + education 0.4 -> net 0; health 0.25 -> 75% of
    # 7 days at £1,000 a week = 1,000 x 0.75 = 750
    r = Register.build(
        TYPES,
        ["H", "HE", "Q"],
        ["secure", "residential_external", "secure"],
        [7_000, 4_000, 1_000],
        d("2025-04-01"),
        d("2025-04-07"),
        health_share=[1.0, 0.6, 0.25],
        education_share=[0.0, 0.4, 0.0],
    )
    net = register_costs(r, d("2025-04-01"), d("2025-04-30"))[:, 0]
    gross = register_costs(r, d("2025-04-01"), d("2025-04-30"), net=False)[:, 0]
    assert net.tolist() == pytest.approx([0.0, 0.0, 750.0], abs=1e-9)
    assert gross.tolist() == pytest.approx([7_000.0, 4_000.0, 1_000.0])


def test_a_cohort_counts_as_many_children() -> None:
    # 55 placements at £700 a week from 1 January 2026 (expected admissions):
    # 2025/26: 1 Jan - 31 Mar = 31 + 28 + 31 = 90 days -> 55 x 700 x 90 / 7 = 495,000
    # 2026/27: 365 days -> 55 x 700 x 365 / 7 = 2,007,500
    this, following = cohort_cost(55, 700, d("2026-01-01"), "2025/26")
    assert (float(this), float(following)) == pytest.approx((495_000.0, 2_007_500.0))
    r = Register.build(TYPES, ["cohort"], ["ifa"], [700], d("2026-01-01"), count=55)
    s = summarise_register(r, "2025/26", d("2026-01-31"))
    i = TYPES.index("ifa")
    # on 31 January 55 children; to date 31 days -> 55 x 700 x 31 / 7 = 170,500
    assert s.children[i] == 55.0
    assert s.cost_to_date[i] == pytest.approx(170_500.0)
    assert s.rest_of_year[i] == pytest.approx(495_000.0 - 170_500.0)
    assert s.next_year[i] == pytest.approx(2_007_500.0)
    # by year, an MTFS pressure line: nothing before, part year, full years
    rows = cohort_cost_by_year(55, 700, d("2026-01-01"), ("2024/25", "2025/26", "2026/27"))
    assert rows.tolist() == pytest.approx([0.0, 495_000.0, 2_007_500.0])


def test_summary_by_type_hand_worked() -> None:
    # as at 31 October 2025 (2025/26):
    # A ifa £900/wk 1 Apr 2025 - open: to date 214 days (Apr-Oct 30+31+30+31+31+30+31),
    #   900 x 214 / 7 = 27,514.2857; rest 151 days = 19,414.2857; next year 365 = 46,928.5714
    # B ifa £630/wk 1 Sep - 30 Sep 2025: 30 days = 2,700 to date, nothing after; not in
    #   placement on 31 October
    # C secure £7,000/wk 31 Oct - 1 Nov 2025, health pays half: to date 1 day = 500,
    #   rest 1 day = 500
    r = Register.build(
        TYPES,
        ["A", "B", "C"],
        ["ifa", "ifa", "secure"],
        [900, 630, 7_000],
        [d("2025-04-01"), d("2025-09-01"), d("2025-10-31")],
        [-1, d("2025-09-30"), d("2025-11-01")],
        health_share=[0, 0, 0.5],
    )
    s = summarise_register(r, "2025/26", d("2025-10-31"))
    ifa, secure = TYPES.index("ifa"), TYPES.index("secure")
    assert s.children[ifa] == 1 and s.children[secure] == 1 and s.children.sum() == 2
    assert s.cost_to_date[ifa] == pytest.approx(900 * 214 / 7 + 2_700)
    assert s.rest_of_year[ifa] == pytest.approx(900 * 151 / 7)
    assert s.full_year[ifa] == pytest.approx(900 * 365 / 7 + 2_700)
    assert s.next_year[ifa] == pytest.approx(900 * 365 / 7)
    assert (s.cost_to_date[secure], s.rest_of_year[secure]) == pytest.approx((500.0, 500.0))
    assert s.gross_full_year[secure] == pytest.approx(2_000.0)
    assert np.allclose(s.forecast, s.full_year)


def test_as_at_before_the_year_has_nothing_to_date() -> None:
    # as at 31 March 2025, year 2025/26: nothing to date; the whole year is still to come
    r = Register.build(TYPES, ["A"], ["ifa"], [700], d("2025-01-01"))
    s = summarise_register(r, "2025/26", d("2025-03-31"))
    assert s.cost_to_date.sum() == 0.0
    assert s.rest_of_year.sum() == pytest.approx(700 * 365 / 7)


def test_twenty_thousand_placements_by_twelve_month_ends_in_one_call() -> None:
    rng = np.random.default_rng(3)
    n = 20_000
    start = d("2025-01-01") + rng.integers(0, 400, n)
    r = Register.build(
        TYPES,
        [str(i) for i in range(n)],
        [TYPES.keys[i] for i in rng.integers(0, len(TYPES.keys), n)],
        rng.uniform(300, 8_000, n),
        start,
        start + rng.integers(0, 500, n),
    )
    first, _ = fy_bounds("2025/26")
    costs = register_costs(r, first, month_ends("2025/26"))
    assert costs.shape == (n, 12)
    # cost to each month end never falls; by type sums to the total
    assert (np.diff(costs, axis=1) >= -1e-9).all()
    assert by_type(r, costs).sum(axis=0) == pytest.approx(costs.sum(axis=0))


def test_children_in_placement_by_type() -> None:
    r = Register.build(
        TYPES,
        ["a", "b", "c"],
        ["ifa", "ifa", "secure"],
        1.0,
        [d("2025-04-01"), d("2025-05-01"), d("2025-05-01")],
        [d("2025-04-30"), -1, d("2025-05-01")],
        count=[1, 2, 1],
    )
    got = placements_in_place(r, [d("2025-04-30"), d("2025-05-01"), d("2025-05-02")])
    assert got[TYPES.index("ifa")].tolist() == [1.0, 2.0, 2.0]
    assert got[TYPES.index("secure")].tolist() == [0.0, 1.0, 0.0]


# --------------------------------------------------------------------------- workforce


def test_workforce_hand_worked() -> None:
    # 2025/26 (365 days), as at 30 September 2025 (183 days to date, 182 to come):
    # P permanent 1 FTE £52,000 a year: to date 52,000 x 183/365 = 26,071.23
    # Q permanent 0.5 FTE £48,000 from 1 January 2026: 90 days -> 0.5 x 48,000 x 90/365
    # A agency 2 FTE at £1,400 a week: full year 2 x 1,400 x 365/7 = 146,000
    # V vacant 1 FTE £50,000: costs nothing, a year's vacancy = 50,000
    e = Establishment.build(
        ["Safeguarding"] * 4,
        ["Social worker"] * 4,
        ["permanent", "permanent", "agency", "vacant"],
        [1, 0.5, 2, 1],
        annual_cost=[52_000, 48_000, np.nan, 50_000],
        weekly_rate=[np.nan, np.nan, 1_400, np.nan],
        start=[-OPEN_END, d("2026-01-01"), -OPEN_END, -OPEN_END],
    )
    s = summarise_workforce(e, "2025/26", d("2025-09-30"), agency_cap=1.5)
    assert s.fte.tolist() == [1.0, 2.0, 1.0]  # Q not yet in post
    assert s.cost_to_date[0] == pytest.approx(52_000 * 183 / 365)
    assert s.full_year[0] == pytest.approx(52_000 + 0.5 * 48_000 * 90 / 365)
    assert s.full_year[1] == pytest.approx(146_000.0)
    assert s.full_year[2] == 0.0 and s.vacancy_cost == pytest.approx(50_000.0)
    # permanent equivalent of the agency role: FTE-weighted (1 x 52,000 + 0.5 x 48,000)/1.5
    # = 50,666.67; premium = 146,000 - 2 x 50,666.67 = 44,666.67
    assert s.agency_premium == pytest.approx(146_000 - 2 * 76_000 / 1.5)
    assert s.agency_over_cap == pytest.approx(0.5)
    # convert 1 agency FTE from 1 January 2026: 90 days
    # this year 1,400 x 90/7 - 50,666.67 x 90/365 = 18,000 - 12,493.15 = 5,506.85
    this, full = agency_conversion(e, 1, d("2026-01-01"), "2025/26")
    assert this == pytest.approx(18_000 - (76_000 / 1.5) * 90 / 365)
    assert full == pytest.approx(1_400 * 365 / 7 - 76_000 / 1.5)
    with pytest.raises(ValueError, match="3 agency FTE to convert, but 2 in place"):
        agency_conversion(e, 3, d("2026-01-01"), "2025/26")


def test_leap_year_post_costs_divide_by_366() -> None:
    # £36,600 a year for February 2028 (29 days) in 2027/28: 36,600 x 29 / 366 = 2,900
    cost = post_costs(1, 36_600, np.nan, -OPEN_END, OPEN_END, d("2028-02-01"), d("2028-02-29"), 366)
    assert float(cost) == pytest.approx(2_900.0)


# --------------------------------------------------------------------------- demand


def test_demand_hand_worked() -> None:
    # 577 on 1 April, 612 now: 35 / 577 = 0.0606586
    assert float(implied_growth(577, 612)) == pytest.approx(35 / 577)
    assert np.isnan(implied_growth(0, 5))
    # 577 growing 6% a year: 577, 611.62, 648.3172
    assert lac_growth(577, 0.06, 3).tolist() == pytest.approx([577.0, 611.62, 648.3172])
    # 6 placements cost £520,104 a year: 520,104 / (6 x 52) = 1,667 a week
    assert float(implied_weekly_cost(6, 520_104)) == pytest.approx(1_667.0)
    # save £610,000 from 31 October 2025 at £5,000 a week: each saves 5,000 x 151 / 7
    # = 107,857.14; 610,000 / 107,857.14 = 5.66 -> 6 placements (5 save only 539,285.71)
    assert placements_to_end(610_000, 5_000, d("2025-10-31"), "2025/26") == 6
    # exactly a multiple: £5,000 x 7 days / 7 = 5,000 each from 24 March; 15,000 -> 3
    assert placements_to_end(15_000, 5_000, d("2026-03-24"), "2025/26") == 3
    assert placements_to_end(1, 5_000, d("2026-03-31"), "2025/26") is None


# --------------------------------------------------------------------------- oracle

YEARS = st.sampled_from(["2023/24", "2025/26", "2027/28"])


@st.composite
def registers(draw: st.DrawFn) -> tuple[str, dt.date, list[dict]]:
    year = draw(YEARS)
    first = dt.date(int(year[:4]), 4, 1)
    as_at = first + dt.timedelta(days=draw(st.integers(-20, 380)))
    placements = []
    for i in range(draw(st.integers(0, 8))):
        start = first + dt.timedelta(days=draw(st.integers(-400, 760)))
        end = None if draw(st.booleans()) else start + dt.timedelta(days=draw(st.integers(0, 500)))
        health = draw(st.sampled_from([0.0, 0.25, 0.5, 1.0]))
        placements.append(
            {
                "ref": f"P{i}",
                "type": draw(st.sampled_from(TYPES.keys)),
                "weekly_cost": draw(st.floats(0, 12_000).map(lambda x: round(x, 2))),
                "start": start,
                "end": end,
                "count": draw(st.integers(1, 30)),
                "health_share": health,
                "education_share": draw(st.sampled_from([0.0, 0.25])) * (health < 1),
            }
        )
    return year, as_at, placements


def _register(placements: list[dict]) -> Register:
    return Register.build(
        TYPES,
        [p["ref"] for p in placements],
        [p["type"] for p in placements],
        [p["weekly_cost"] for p in placements],
        [day_number(p["start"]) for p in placements],
        [day_number(p["end"]) if p["end"] else -1 for p in placements],
        [p["count"] for p in placements],
        [p["health_share"] for p in placements],
        [p["education_share"] for p in placements],
    )


@settings(max_examples=60, deadline=None)
@given(registers())
def test_summary_agrees_with_a_day_by_day_oracle(drawn) -> None:
    year, as_at, placements = drawn
    s = summarise_register(_register(placements), year, day_number(as_at))
    want = oracle_summary(placements, year, as_at)
    for key in TYPES.keys:
        i = TYPES.index(key)
        row = want.get(key, {"children": 0, "to_date": 0, "rest": 0, "full": 0, "next": 0})
        assert s.children[i] == row["children"]
        for got, name in (
            (s.cost_to_date[i], "to_date"),
            (s.rest_of_year[i], "rest"),
            (s.full_year[i], "full"),
            (s.next_year[i], "next"),
        ):
            assert got == pytest.approx(row[name], rel=1e-9, abs=1e-9), (key, name)


@settings(max_examples=40, deadline=None)
@given(registers())
def test_month_end_costs_agree_with_the_oracle(drawn) -> None:
    year, _, placements = drawn
    first, _ = fy_bounds(year)
    costs = register_costs(_register(placements), first, month_ends(year))
    start = dt.date(int(year[:4]), 4, 1)
    for j, end_day in enumerate(month_ends(year)):
        end = start + dt.timedelta(days=int(end_day - first))
        for i, p in enumerate(placements):
            assert costs[i, j] == pytest.approx(oracle_cost(p, start, end), rel=1e-9, abs=1e-9)


@st.composite
def establishments(draw: st.DrawFn) -> tuple[str, dt.date, list[dict]]:
    year = draw(YEARS)
    first = dt.date(int(year[:4]), 4, 1)
    as_at = first + dt.timedelta(days=draw(st.integers(0, 364)))
    posts = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["permanent", "agency", "vacant"]))
        lo = first + dt.timedelta(days=draw(st.integers(-100, 300)))
        post = {
            "kind": kind,
            "fte": draw(st.sampled_from([0.5, 1.0, 2.0])),
            "from": lo if draw(st.booleans()) else None,
            "to": lo + dt.timedelta(days=draw(st.integers(0, 300)))
            if draw(st.booleans())
            else None,
            "annual_cost": draw(st.integers(30_000, 70_000)),
            "weekly_rate": draw(st.integers(900, 2_000)) if kind == "agency" else None,
        }
        posts.append(post)
    return year, as_at, posts


@settings(max_examples=60, deadline=None)
@given(establishments())
def test_workforce_agrees_with_a_day_by_day_oracle(drawn) -> None:
    year, as_at, posts = drawn
    e = Establishment.build(
        ["T"] * len(posts),
        ["R"] * len(posts),
        [p["kind"] for p in posts],
        [p["fte"] for p in posts],
        annual_cost=[np.nan if p["weekly_rate"] else p["annual_cost"] for p in posts],
        weekly_rate=[p["weekly_rate"] or np.nan for p in posts],
        start=[day_number(p["from"]) if p["from"] else -OPEN_END for p in posts],
        end=[day_number(p["to"]) if p["to"] else OPEN_END for p in posts],
    )
    s = summarise_workforce(e, year, day_number(as_at))
    first = dt.date(int(year[:4]), 4, 1)
    last = dt.date(int(year[:4]) + 1, 3, 31)
    for k, kind in enumerate(["permanent", "agency", "vacant"]):
        mine = [p for p in posts if p["kind"] == kind]
        to_date = sum(oracle_post(p, first, as_at, year) for p in mine)
        rest = sum(oracle_post(p, as_at + dt.timedelta(days=1), last, year) for p in mine)
        assert s.cost_to_date[k] == pytest.approx(to_date, rel=1e-9, abs=1e-9)
        assert s.rest_of_year[k] == pytest.approx(rest, rel=1e-9, abs=1e-9)
