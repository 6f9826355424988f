"""The placement register, SSDA903 episodes and demand: checks that kill surviving mutants.

Each test names what it pins (docs/mutation.md). Figures are worked out by hand in the
comments; day numbers come from :func:`cypsxl.model.dates.day_number`.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from cypsxl.model.dates import OPEN_END, day_number
from cypsxl.model.demand import (
    cohort_cost_by_year,
    implied_growth,
    implied_weekly_cost,
    lac_growth,
    placements_to_end,
)
from cypsxl.model.episodes import (
    Episodes,
    admissions,
    discharges,
    episodes_register,
    looked_after_on,
)
from cypsxl.model.register import (
    PlaceCode,
    PlaceMapping,
    PlacementTypes,
    Register,
    by_type,
    cost_by_type,
    days_inside,
    net_share,
    placements_in_place,
    summarise_register,
)

ABC = PlacementTypes(("a", "b", "c"), ("A", "B", "C"))


# --------------------------------------------------------------------------- demand


def test_lac_growth_of_one_year_is_the_start():
    # one year: only the starting count, no growth applied
    assert lac_growth(577, 0.05, 1).tolist() == [577.0]


def test_lac_growth_refuses_no_years_with_its_message():
    with pytest.raises(ValueError, match=r"^n_years must be at least 1$"):
        lac_growth(577, 0.05, 0)


def test_lac_growth_refuses_a_fall_of_100_percent_with_its_message():
    # -100% (rate -1) is refused; a fall of 50% is not: 100, 100 x 0.5 = 50
    message = "a growth rate must be above -1 (-100%)"
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        lac_growth(100, -1.0, 2)
    assert lac_growth(100, -0.5, 2).tolist() == [100.0, 50.0]


def test_implied_growth_from_one_child_and_from_half_a_child():
    # 1 -> 3: 3 / 1 - 1 = 2.0 (+200%); 0.5 -> 2: 2 / 0.5 - 1 = 3.0; from 0: NaN
    assert float(implied_growth(1, 3)) == 2.0
    assert float(implied_growth(0.5, 2)) == 3.0
    assert math.isnan(float(implied_growth(0, 5)))


def test_implied_weekly_cost_of_one_half_and_no_placements():
    # 1 placement costing 520 a year: 520 / (1 x 52) = 10 a week
    # half a placement: 520 / (0.5 x 52) = 20 a week; no placements: NaN (a float array)
    got = implied_weekly_cost([1, 0.5, 0], [520, 520, 520])
    assert got.dtype == np.float64
    assert got[:2].tolist() == [10.0, 20.0]
    assert math.isnan(float(got[2]))


def test_cohort_cost_by_year_takes_the_share():
    # 2 children at 1,000 a week from 1 March 2026, half of it paid by the council:
    # 2025/26: 31 days (1-31 March): 2 x 1,000 x 31 / 7 x 0.5 = 31,000 / 7
    # 2026/27: 365 days: 2 x 1,000 x 365 / 7 x 0.5 = 365,000 / 7
    got = cohort_cost_by_year(2, 1000, day_number("2026-03-01"), ("2025/26", "2026/27"), 0.5)
    assert got.tolist() == pytest.approx([31_000 / 7, 365_000 / 7], rel=1e-12)


# ending on 30 March 2026 leaves one day (31 March) of 2025/26: at £7 a week a placement
# ending then saves 7 x 1 / 7 = £1.00 by 31 March
LAST_BUT_ONE = day_number("2026-03-30")


def test_placements_to_end_when_each_saves_one_pound():
    # £10 at £1 each: 10 placements (saving £1 each still counts as saving)
    assert placements_to_end(10, 7, LAST_BUT_ONE, "2025/26") == 10
    # £1: one placement; £0: none
    assert placements_to_end(1, 7, LAST_BUT_ONE, "2025/26") == 1
    assert placements_to_end(0, 7, LAST_BUT_ONE, "2025/26") == 0


def test_placements_to_end_rounds_up_a_part_placement():
    # £2.40 at £1 each: 2.4 placements -> 3 (never rounded to the nearest, 2)
    assert placements_to_end(2.4, 7, LAST_BUT_ONE, "2025/26") == 3


def test_placements_to_end_ignores_float_noise_below_nine_decimals():
    # 3.0000000003 placements round to 3.000000000 at 9 decimals: 3 placements;
    # 3.000000002 is 3.000000002 at 9 decimals: a 4th placement is needed
    assert placements_to_end(3.0000000003, 7, LAST_BUT_ONE, "2025/26") == 3
    assert placements_to_end(3.000000002, 7, LAST_BUT_ONE, "2025/26") == 4


# --------------------------------------------------------------------------- episodes


def _episodes(
    child: list[int], decom: list[int], dec: list[int], admission: list[bool], discharge: list[bool]
) -> Episodes:
    n = len(child)
    return Episodes(
        np.array(child, np.int64),
        np.array(decom, np.int64),
        np.array(dec, np.int64),
        np.array(admission, bool),
        np.array(discharge, bool),
        np.zeros(n, np.int64),
        np.full(n, 700.0),
        np.arange(2, n + 2, dtype=np.int64),
    )


def test_admissions_are_whole_counts_and_a_window_from_a_time_of_day_takes_the_day():
    # admitted on days 2 and 40; windows 2.5..30 (day 2 at noon: day 2) and 31..59
    e = _episodes([1, 2], [2, 40], [OPEN_END, OPEN_END], [True, True], [False, False])
    got = admissions(e, [2.5, 31], [30, 59])
    assert got.dtype == np.int64
    assert got.tolist() == [1, 1]


def test_discharges_from_a_time_of_day_and_never_an_open_episode():
    # child 1 leaves on day 2; child 2's episode is still open (even if flagged)
    e = _episodes([1, 2], [0, 0], [2, OPEN_END], [False, False], [True, True])
    got = discharges(e, [2.5], [30])  # day 2 at noon: the window starts on day 2
    assert got.dtype == np.int64
    assert got.tolist() == [1]
    # a window with no end still holds only child 1's discharge
    assert discharges(e, 0, OPEN_END).tolist() == [1]


def test_looked_after_on_a_date_nobody_is_in_care():
    # one episode on days 10..19: nobody on days 0 and 25, one child on day 10
    e = _episodes([1], [10], [20], [True], [False])
    none = looked_after_on(e, [0, 25])
    assert none.dtype == np.int64
    assert none.tolist() == [0, 0]
    some = looked_after_on(e, [10])
    assert some.dtype == np.int64
    assert some.tolist() == [1]


def test_episodes_register_ends_refs_and_day_types():
    # closed on day 7: in care days 0..6 (end 6); open: end stays OPEN_END (not OPEN_END - 1)
    e = _episodes([1, 2], [0, 3], [7, OPEN_END], [True, True], [True, False])
    r = episodes_register(e, ABC)
    assert r.end.tolist() == [6, OPEN_END]
    assert r.start.tolist() == [0, 3]
    assert r.start.dtype == np.int64 and r.end.dtype == np.int64
    assert r.ref == ("row 2", "row 3")  # the file rows, 2 and 3
    assert episodes_register(e, ABC, ("C1/1", "C2/1")).ref == ("C1/1", "C2/1")


# --------------------------------------------------------------------------- register


def test_days_inside_counts_whole_days_as_integers():
    # days 15..20 of a placement 10..20 in a window 15..30: 20 - 15 + 1 = 6 (an int64)
    got = days_inside(10, 20, 15, 30)
    assert got.dtype == np.int64 and int(got) == 6


def test_days_inside_takes_day_numbers_with_a_time_of_day_as_their_day():
    # 10.5 -> day 10, 20.9 -> day 20, 15.2 -> day 15, 30.0 -> day 30: days 15..20 = 6
    got = days_inside(10.5, 20.9, 15.2, 30.0)
    assert got.dtype == np.int64 and int(got) == 6


def test_net_share_defaults_to_no_partner_paying():
    # 1 - 0 - 0 = 1; 1 - 0.25 - 0 = 0.75; 1 - 0 - 0.25 = 0.75
    assert float(net_share()) == 1.0
    assert float(net_share(0.25)) == 0.75
    assert float(net_share(education_share=0.25)) == 0.75


def test_by_type_of_one_column_and_of_no_columns():
    r = Register.build(ABC, ["1", "2", "3"], ["a", "c", "a"], 1.0, 0)
    # one value a placement: a = 1 + 3 = 4, b = 0, c = 2 (one value a type, not a column)
    got = by_type(r, [1, 2, 3])
    assert got.shape == (3,)
    assert got.tolist() == [4.0, 0.0, 2.0]
    # no windows: types x 0
    assert by_type(r, np.zeros((3, 0))).shape == (3, 0)
    assert cost_by_type(r, [], []).shape == (3, 0)


def test_cost_by_type_is_net_by_default():
    # £700 a week, health pays half, days 0..6: 700 x 7 / 7 = 700 gross, 350 net
    r = Register.build(ABC, ["1"], ["b"], 700, 0, 6, health_share=0.5)
    assert cost_by_type(r, 0, 6).tolist() == [[0.0], [350.0], [0.0]]
    assert cost_by_type(r, 0, 6, net=False).tolist() == [[0.0], [700.0], [0.0]]


def test_placements_in_place_on_a_date_with_a_time_of_day():
    # a placement on days 0..5: on day 5 at noon (5.5 -> day 5) it is still in place
    r = Register.build(ABC, ["1"], ["a"], 1.0, 0, 5)
    assert placements_in_place(r, [5.5]).tolist() == [[1.0], [0.0], [0.0]]


def test_summary_names_its_types_year_and_date():
    r = Register.build(ABC, ["1"], ["a"], 700, day_number("2025-10-01"))
    as_at = day_number("2025-10-31")
    s = summarise_register(r, "2025/26", as_at)
    assert s.types is ABC
    assert s.year == "2025/26"
    assert s.as_at == as_at


def test_build_takes_day_numbers_as_whole_days():
    # start 100.5 -> day 100; end 200.75 -> day 200; an end of -1.0 is open
    r = Register.build(ABC, ["1", "2"], ["a", "b"], 700, [100.5, 100.5], [200.75, -1.0])
    assert r.start.dtype == np.int64 and r.end.dtype == np.int64
    assert r.start.tolist() == [100, 100]
    assert r.end.tolist() == [200, OPEN_END]


def test_select_keeps_types_refs_and_type_indices():
    r = Register.build(ABC, ["P1", "P2", "P3"], ["a", "c", "b"], [1.0, 2.0, 3.0], 0)
    s = r.select(np.array([False, True, True]))
    assert s.types is ABC
    assert s.ref == ("P2", "P3")
    assert s.type_index.tolist() == [2, 1]  # c, b
    assert s.weekly_cost.tolist() == [2.0, 3.0]


def test_type_labels():
    assert ABC.label("a") == "A"
    assert ABC.label("b") == "B"
    assert ABC.label("c") == "C"


def test_with_types_refuses_types_with_a_label_missing():
    # two keys, one label: refused rather than the key without a label dropped
    with pytest.raises(ValueError, match="shorter"):
        PlacementTypes(("a", "b"), ("A",)).with_types({"c": "C"})


U4 = PlaceCode("U4", "Foster", "ifa", {"PR1": "in_house", "": "unknown_provider"})


def test_type_of_without_a_provider_is_a_blank_provider():
    m = PlaceMapping({"U4": U4})
    assert m.type_of("U4") == "unknown_provider"  # as type_of("U4", "")
    assert m.type_of("U4", "PR4") == "ifa"


def test_with_codes_adds_and_keeps_codes():
    m = PlaceMapping({"U4": U4}).with_codes({"K2": PlaceCode("K2", "Home", "residential")})
    assert m.type_of("U4", "PR1") == "in_house"
    assert m.type_of("K2") == "residential"
    assert m.type_of("XX") is None
