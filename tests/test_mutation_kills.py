"""Model checks that kill mutants which survived every other test (docs/mutation.md).

Each test names the change it catches. Figures are worked out by hand in the comments.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cypsxl import load_case, parse_case, run_case
from cypsxl.model import (
    additional_funding,
    lac_projection,
    mix_change_cost,
    payback_years,
    placement_mix_cost,
)
from cypsxl.model.bids import breakeven_years

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "northshire_2025.toml"
NORTHSHIRE = EXAMPLE.read_text("utf-8")


# --------------------------------------------------------------------------- placements


def test_placement_projection_priced_at_todays_mix():
    p = run_case(load_case(EXAMPLE)).placements
    assert p is not None and p.lac_numbers is not None and p.projected_cost is not None
    # 520 looked-after children, +25 a year (the case's own numbers, not the placements')
    assert p.lac_numbers.tolist() == [520.0, 545.0, 570.0, 595.0]
    assert p.types == ("in_house_fostering", "ifa", "residential", "sgo")
    assert p.counts.tolist() == [230.0, 180.0, 45.0, 65.0]
    assert p.weekly_cost.tolist() == [480.0, 1100.0, 5200.0, 190.0]
    # average weekly cost = (230 x 480 + 180 x 1,100 + 45 x 5,200 + 65 x 190) / 520
    #                     = (110,400 + 198,000 + 234,000 + 12,350) / 520 = 554,750 / 520
    # projected = children x average x 52.14 / 1e6; 520 children: 554,750 x 52.14 / 1e6
    first = 554_750 * 52.14 / 1e6  # = 28.924665, Table "annual cost" of today's mix
    want = [first * n / 520 for n in (520, 545, 570, 595)]
    assert p.projected_cost.tolist() == pytest.approx(want, rel=1e-12)
    assert float(p.annual_cost.sum()) == pytest.approx(first, rel=1e-12)


def test_placement_projection_starts_from_the_placements_without_a_lac_count():
    text = NORTHSHIRE.replace("lac_numbers = 520\n", "")
    p = run_case(parse_case(text)).placements
    assert p is not None and p.lac_numbers is not None
    # no LAC count in the case: start from the 230 + 180 + 45 + 65 = 520 placements
    assert p.lac_numbers.tolist() == [520.0, 545.0, 570.0, 595.0]
    text = NORTHSHIRE.replace("lac_numbers = 520\n", "lac_numbers = 600\n")
    p = run_case(parse_case(text)).placements
    assert p is not None and p.lac_numbers is not None
    assert p.lac_numbers.tolist() == [600.0, 625.0, 650.0, 675.0]


def test_no_projection_without_growth_or_without_placements():
    p = run_case(parse_case(NORTHSHIRE.replace("lac_trend_growth_per_year = 25\n", ""))).placements
    assert p is not None and p.lac_numbers is None and p.projected_cost is None
    # the types are still priced: 45 residential x £5,200 x 52.14 = 12,200,760
    assert p.types[2] == "residential" and p.annual_cost[2] == pytest.approx(12.20076)
    assert p.counts.tolist() == [230.0, 180.0, 45.0, 65.0]
    assert p.weekly_cost.tolist() == [480.0, 1100.0, 5200.0, 190.0]
    no_children = NORTHSHIRE
    for n in ("230", "180", "45", "65"):
        no_children = no_children.replace(f"count = {n}\n", "count = 0\n")
    p = run_case(parse_case(no_children)).placements
    assert p is not None and p.projected_cost is None and p.counts.sum() == 0


def test_placement_count_missing_is_zero_children():
    text = NORTHSHIRE.replace("count = 65\n", "")  # SGO priced, no count given
    p = run_case(parse_case(text)).placements
    assert p is not None and p.counts.tolist() == [230.0, 180.0, 45.0, 0.0]
    assert p.annual_cost[3] == 0.0


def test_placement_mix_cost_needs_a_cost_for_every_type_and_uses_the_weeks():
    # 10 IFA x £800 x 52.14 + 2 residential x £3,500 x 52.14 = 417,120 + 364,980 = 782,100
    got = placement_mix_cost(
        {"ifa": 10, "residential": 2}, {"ifa": 800, "residential": 3500}, 52.14
    )
    assert float(got) == pytest.approx(782_100.0)
    with pytest.raises(KeyError, match=r"no weekly cost for placement type\(s\): ifa, sgo"):
        placement_mix_cost({"sgo": 1, "ifa": 2, "residential": 1}, {"residential": 3500})


def test_mix_change_counts_a_type_on_one_side_only():
    # 3 children leave residential (£3,500) for a type the old mix did not have (SGO £190):
    # 3 x 190 x 52 - 3 x 3,500 x 52 = 29,640 - 546,000 = -516,360
    before = {"residential": 5}
    after = {"residential": 2, "sgo": 3}
    costs = {"residential": 3500, "sgo": 190}
    assert float(mix_change_cost(before, after, costs)) == pytest.approx(-516_360.0)
    # and the reverse move costs the same the other way, at 52.14 weeks when asked
    assert float(mix_change_cost(after, before, costs, 52.14)) == pytest.approx(
        3 * 3500 * 52.14 - 3 * 190 * 52.14
    )


def test_lac_projection_of_one_year_is_the_start():
    assert lac_projection(460, 48, 1).tolist() == [460.0]
    with pytest.raises(ValueError, match="n_years must be at least 1"):
        lac_projection(460, 48, 0)


# --------------------------------------------------------------------------- engine


def test_a_case_without_pressure_lines_or_other_directorates():
    case = parse_case(
        '[case]\nname = "Bare"\nyears = ["2024/25", "2025/26"]\n'
        "[cyps_budget]\nnet_budget = [10.0, 10.0]\n"
        '[[bid]]\nref = "B"\ntitle = "t"\ninvestment = [0.5, 0.0]\ngross_saving = [0.0, 0.8]\n'
        "[mtfs]\nbase_gap = [1.0, 2.0]\n"
    )
    r = run_case(case)
    assert r.budget.pressures.tolist() == [0.0, 0.0]
    # levels = net investment alone: 0.5, -0.8; recurring: 1 + 0.5 = 1.5; 2 + (-0.8 - 0.5)
    assert r.additional.total.tolist() == [0.5, -0.8]
    assert r.gap.revised.tolist() == pytest.approx([1.5, 0.7])


def test_additional_funding_sums_other_directorates_row_by_row():
    # two directorates over two years: 0.1 + 0.3 = 0.4 and 0.2 + 0.4 = 0.6 added per year
    got = additional_funding([1.0, 2.0], [0.5, 0.5], [[0.1, 0.2], [0.3, 0.4]])
    assert got.tolist() == pytest.approx([1.9, 3.1])


def test_payback_and_breakeven_years_are_whole_numbers():
    years = payback_years([[0.1, -0.2], [0.1, 0.2]])
    assert years.dtype.kind == "i" and years.tolist() == [2, 0]
    assert breakeven_years([[0.1, -0.2]]).dtype.kind == "i"
