"""Reading case files: the reference shape, other shapes, and every kind of bad input."""

from __future__ import annotations

import dataclasses

import pytest

from cypsxl import CaseError, dump_case, load_case, parse_case, reference_case
from cypsxl.casefile import case_to_dict

GOOD = """\
[case]
name = "Small"
years = ["2021/22", "2022/23", "2023/24"]
mtfs_years = ["2021/22", "2022/23"]

[assumptions]
avoided_cost_per_child_per_year = 50000

[cyps_budget]
net_budget = [10.0, 10.0, 10.0]
pressure_demand = [1.0, 2.0, 3.0]

[[bid]]
ref = "A"
title = "Edge of care"
investment = [0.1, 0.1, 0.1]
prevented = [2, 2, 0]

[mtfs]
base_gap = [0.0, 1.0]
"""


def problems(text: str) -> list[str]:
    with pytest.raises(CaseError) as info:
        parse_case(text, "case.toml")
    return [str(p) for p in info.value.problems]


def test_reads_the_reference_case():
    case = reference_case()
    assert case.years[0] == "2016/17" and case.mtfs_years[-1] == "2019/20"
    assert [b.ref for b in case.bids][:3] == ["CYPS_1A", "CYPS_1B", "CYPS_2"]
    cyps3 = case.bids[3]
    assert cyps3.notes["sgo_allowance_per_year"] == 8600
    assert set(case.bids[4].variants) == {"if_implemented"}
    assert case.other_proposals[1].components["legal_services"][0] == 0.188
    assert case.budget.lac_numbers == 460 and case.budget.lac_trend_growth_per_year == 48


def test_defaults_and_small_shape():
    case = parse_case(GOOD)
    assert case.assumptions.part_year_factor == 0.5  # default
    assert case.assumptions.weeks_per_year == 52.0
    assert case.assumptions.discount_rate == 0.035
    assert case.mtfs.current_year_funded_from_reserves is False  # reserves only when asked
    assert case.n_years == 3 and case.n_mtfs == 2


def test_dump_round_trip_gives_an_equal_case():
    case = reference_case()
    again = parse_case(dump_case(case))
    assert again == case
    small = parse_case(GOOD)
    assert parse_case(dump_case(small)) == small


def test_sgo_investment_derived_when_absent():
    text = GOOD.replace(
        "prevented = [2, 2, 0]", "sgo_new_orders = [1, 2, 0]\nsgo_allowance_per_year = 10000"
    ).replace("investment = [0.1, 0.1, 0.1]\n", "")
    case = parse_case(text)
    # cumulative orders 1, 3, 3 x £10,000 = 0.01, 0.03, 0.03 £m
    assert case.bids[0].investment == pytest.approx((0.01, 0.03, 0.03))


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(CaseError, match="file not found"):
        load_case(tmp_path / "nope.toml")
    with pytest.raises(CaseError, match="is a folder"):
        load_case(tmp_path)
    binary = tmp_path / "x.toml"
    binary.write_bytes(b"\xff\xfe\x00junk")
    with pytest.raises(CaseError, match="not UTF-8"):
        load_case(binary)


def test_unreadable_toml_names_the_line():
    msgs = problems('[case]\nname = "x"\nyears = [2016/17]\n')
    assert len(msgs) == 1
    assert msgs[0].startswith("case.toml:3:") and "not valid TOML" in msgs[0]


def test_text_where_a_number_belongs():
    msgs = problems(
        GOOD.replace("pressure_demand = [1.0, 2.0, 3.0]", 'pressure_demand = [1.0, "two", 3.0]')
    )
    assert msgs == [
        "case.toml:11: [cyps_budget]: 'pressure_demand'[1]: expected a number, got 'two'"
    ]


def test_row_length_differs_from_years():
    msgs = problems(GOOD.replace("investment = [0.1, 0.1, 0.1]", "investment = [0.1, 0.1]"))
    assert msgs == ["case.toml:16: bid A: 'investment': has 2 values; expected 3, one per year"]


def test_negative_count():
    msgs = problems(GOOD.replace("prevented = [2, 2, 0]", "prevented = [2, -1, 0]"))
    assert msgs == ["case.toml:17: bid A: 'prevented'[1]: expected a count >= 0, got -1"]


def test_unknown_bid_key():
    msgs = problems(GOOD.replace('title = "Edge of care"', 'title = "Edge of care"\ncolour = 1'))
    assert len(msgs) == 1
    assert msgs[0].startswith("case.toml:16: bid A: 'colour': unknown key; expected one of:")


def test_duplicate_bid_ref():
    text = GOOD.replace(
        "[mtfs]", '[[bid]]\nref = "A"\ntitle = "Again"\ninvestment = [0, 0, 0]\n\n[mtfs]'
    )
    msgs = problems(text)
    assert msgs == [
        "case.toml:20: bid A: 'ref': duplicate bid reference (also bid #1); expected each ref once"
    ]


def test_mtfs_years_not_a_leading_subset():
    msgs = problems(
        GOOD.replace('mtfs_years = ["2021/22", "2022/23"]', 'mtfs_years = ["2022/23", "2023/24"]')
    )
    assert msgs[0].startswith("case.toml:4: [case]: 'mtfs_years': MTFS years")
    assert "leading run" in msgs[0]


def test_every_problem_is_collected():
    text = (
        GOOD.replace("prevented = [2, 2, 0]", "prevented = [2, -1, 0]")
        .replace("net_budget = [10.0, 10.0, 10.0]", 'net_budget = [10.0, "x", 10.0]')
        .replace("base_gap = [0.0, 1.0]", "base_gap = [0.0]")
        .replace("[mtfs]", '[[bid]]\nref = "A"\ntitle = "Again"\ninvestment = [0, 0, 0]\n[mtfs]')
    )
    msgs = problems(text)
    assert len(msgs) == 4
    assert any("'net_budget'[1]" in m for m in msgs)
    assert any("'prevented'[1]" in m for m in msgs)
    assert any("duplicate bid reference" in m for m in msgs)
    assert any("'base_gap': has 1 value; expected 2, one per MTFS year" in m for m in msgs)


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        (
            "avoided_cost_per_child_per_year = 50000",
            "part_year_factor = 1.5",
            "'part_year_factor': expected a fraction from 0 to 1, got 1.5",
        ),
        (
            "avoided_cost_per_child_per_year = 50000",
            "avoided_cost_per_child_per_year = 5e4\ndiscount_rate = -1",
            "'discount_rate': expected a rate > -1",
        ),
        (
            'years = ["2021/22", "2022/23", "2023/24"]',
            'years = ["2021/22", "2022-23", "2023/24"]',
            "'years'[1]: '2022-23' is not a financial year",
        ),
        ("[mtfs]", '[mtfs]\ncurrent_year_funded_from_reserves = "yes"', "expected true or false"),
        (
            "prevented = [2, 2, 0]",
            "prevented = [2, 2, 0]\ngross_saving = [0, 0, 0]",
            "give gross_saving or prevented, not both",
        ),
        (
            "avoided_cost_per_child_per_year = 50000",
            "weeks_per_year = 52",
            "needs avoided_cost_per_child_per_year",
        ),
        ('name = "Small"', 'name = "Small"\nunit = "£k"', "expected '£m'"),
        ("[cyps_budget]", "[cyps_budget]\nbudget = 1", "'budget': unknown key"),
        ("[mtfs]", "[nonsense]\n[mtfs]", "'nonsense': unknown table"),
        ('ref = "A"', 'ref = ""', "'ref': missing or empty"),
        ("prevented = [2, 2, 0]", "prevented = [2, true, 0]", "expected a count >= 0, got True"),
    ],
)
def test_other_bad_values(old, new, fragment):
    assert old in GOOD
    msgs = problems(GOOD.replace(old, new, 1))
    assert any(fragment in m for m in msgs), msgs


def test_sgo_investment_must_agree_with_orders():
    text = GOOD.replace(
        "prevented = [2, 2, 0]", "sgo_new_orders = [1, 0, 0]\nsgo_allowance_per_year = 10000"
    )
    # 1 order x £10,000 = 0.01 £m, not the 0.1 written
    msgs = problems(text)
    assert any(
        "'investment'[0]: is 0.1 but SGO orders x allowance give 0.0100" in m for m in msgs
    ), msgs


def test_case_is_immutable():
    case = reference_case()
    with pytest.raises(dataclasses.FrozenInstanceError):
        case.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        case.bids[0].outcomes["x"] = (1.0,)  # type: ignore[index]
    assert case_to_dict(case)["case"]["unit"] == "£m"


def test_a_bad_case_wide_avoided_cost_is_reported_once():
    text = GOOD.replace(
        "avoided_cost_per_child_per_year = 50000", 'avoided_cost_per_child_per_year = "lots"'
    )
    msgs = problems(text)
    # one problem at the key itself, not a follow-on "needs avoided_cost..." for bid A
    assert msgs == [
        "case.toml:7: [assumptions]: 'avoided_cost_per_child_per_year': "
        "expected £ per child per year >= 0, got 'lots'"
    ]


def test_a_table_given_as_a_value_is_one_problem():
    section = "[cyps_budget]\nnet_budget = [10.0, 10.0, 10.0]\npressure_demand = [1.0, 2.0, 3.0]\n"
    assert section in GOOD
    msgs = problems("cyps_budget = 3\n" + GOOD.replace(section, ""))
    # the bad value is reported; the missing-table problem would say the same again
    assert sum("'cyps_budget'" in m for m in msgs) == 1, msgs
