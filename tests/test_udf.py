"""cypsxl's Excel functions through xlwings' real Office.js conversion layer.

Every argument reaches a function as Excel sends it (a 2-D list, ``None`` for a blank
cell); results are the 2-D lists Excel spills. Reference figures come from the case
file (rotherham_2016.toml) and the published report (the ``published`` fixture).
"""

from __future__ import annotations

import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from xlcall import call
from xlwings.server import custom_functions_meta

from cypsxl import __version__, reference_case, run_case
from cypsxl.excel import functions
from cypsxl.excel._convert import ArgumentError
from cypsxl.model import bid_table

CASE = reference_case()
RESULTS = run_case(CASE)
TABLE = bid_table(CASE)
YEARS = len(CASE.years)


def row(values) -> list[list[float]]:
    return [[float(v) for v in values]]


def column(values) -> list[list[float]]:
    return [[float(v)] for v in values]


def assert_close(got, want, tol=1e-9) -> None:
    np.testing.assert_allclose(np.asarray(got, dtype=float), np.asarray(want), rtol=0, atol=tol)


# --------------------------------------------------------------------------- registration


EXPECTED_NAMES = {
    "CYPS_ADDITIONAL_FUNDING",
    "CYPS_BID_PROFILE",
    "CYPS_BREAKEVEN_YEAR",
    "CYPS_BUDGET_ROLLUP",
    "CYPS_COST_AVOIDANCE",
    "CYPS_DISCOUNTED_PAYBACK_YEAR",
    "CYPS_FORECAST_OUTTURN",
    "CYPS_FUNDING_GAP",
    "CYPS_LAC_PROJECTION",
    "CYPS_NPV",
    "CYPS_PAYBACK_YEAR",
    "CYPS_PLACEMENT_COST",
    "CYPS_RAG",
    "CYPS_VARIANCE",
    "CYPS_VERSION",
    # the cost drivers (tests/test_udf_drivers.py)
    "CYPS_AGENCY_CONVERSION",
    "CYPS_AGENCY_PREMIUM",
    "CYPS_COHORT_COST",
    "CYPS_IMPLIED_GROWTH",
    "CYPS_IMPLIED_WEEKLY_COST",
    "CYPS_LAC_GROWTH",
    "CYPS_PLACEMENT_COST_DATES",
    "CYPS_PLACEMENTS_TO_END",
}


def test_registration_names_and_help() -> None:
    meta = custom_functions_meta(functions)
    by_name = {f["name"]: f for f in meta["functions"]}
    assert set(by_name) == EXPECTED_NAMES
    for f in meta["functions"]:
        assert f["description"] and "\n" not in f["description"].strip(), f["name"]
        for p in f["parameters"]:
            # every argument carries its own help text, not xlwings' placeholder
            assert not p["description"].startswith("Positional argument"), (f["name"], p)
    params = [p["name"] for p in by_name["CYPS_PLACEMENT_COST"]["parameters"]]
    assert params == ["children", "weekly_cost", "weeks"]
    assert by_name["CYPS_PLACEMENT_COST"]["parameters"][2].get("optional") is True
    params = [p["name"] for p in by_name["CYPS_FUNDING_GAP"]["parameters"]]
    assert params == ["base_gap", "levels", "current_year_one_off"]


#: the public contract (issue text): Python names, argument order, defaults
CONTRACT = {
    "cyps_placement_cost": "(children, weekly_cost, weeks=52)",
    "cyps_lac_projection": "(start, growth_per_year, years)",
    "cyps_cost_avoidance": "(prevented, avoided_cost_per_child, part_year_factor=0.5)",
    "cyps_bid_profile": "(investment, gross_saving, with_years=False)",
    "cyps_payback_year": "(net)",
    "cyps_breakeven_year": "(net)",
    "cyps_budget_rollup": "(net_budget, pressures, investment, savings)",
    # other_levels may be left out (no other directorates' proposals)
    "cyps_additional_funding": "(pressures, net_investment, other_levels=None)",
    # reserves meet the first year only when the caller says so, as in a case file
    "cyps_funding_gap": "(base_gap, levels, current_year_one_off=False)",
    "cyps_npv": "(investment, gross_saving, rate=0.035)",
    "cyps_discounted_payback_year": "(investment, gross_saving, rate=0.035)",
    "cyps_forecast_outturn": "(actual_to_date, period, method='run_rate', profile=None)",
    "cyps_variance": "(forecast, budget)",
    "cyps_rag": "(variance, budget, amber=0.01, red=0.05, red_amount=0.25)",
    "cyps_version": "()",
    "cyps_placement_cost_dates": "(weekly_cost, start, end, from_date, to_date, count=1)",
    "cyps_lac_growth": "(start, rate, years)",
    "cyps_implied_growth": "(then, now)",
    "cyps_implied_weekly_cost": "(placements, annual_cost, weeks=52)",
    "cyps_placements_to_end": "(saving, weekly_cost, end_date)",
    "cyps_cohort_cost": "(children, weekly_cost, from_date)",
    "cyps_agency_premium": "(fte, weekly_rate, permanent_annual_cost, days_in_year=365)",
    "cyps_agency_conversion": "(fte, weekly_rate, permanent_annual_cost, from_date)",
}


def test_public_contract_names_argument_order_and_defaults() -> None:
    import inspect

    def plain(fn) -> str:
        sig = inspect.signature(inspect.unwrap(fn))
        return str(
            sig.replace(
                parameters=[p.replace(annotation=p.empty) for p in sig.parameters.values()],
                return_annotation=inspect.Signature.empty,
            )
        )

    assert {n: plain(getattr(functions, n)) for n in functions.__all__} == CONTRACT
    meta = {f["name"]: f for f in custom_functions_meta(functions)["functions"]}
    for name, sig in CONTRACT.items():
        params = meta[name.upper()]["parameters"]
        assert [p["name"] for p in params] == [
            a.split("=")[0] for a in sig.strip("()").split(", ") if a
        ], name
        # an argument with a default is optional in Excel; every one has its own help
        assert [p.get("optional", False) for p in params] == [
            "=" in a for a in sig.strip("()").split(", ") if a
        ], name
        assert all(len(p["description"]) > 15 for p in params), name


def test_names_do_not_clash_with_excel_built_ins() -> None:
    from openpyxl.utils import FORMULAE

    names = {n for n in dir(functions) if n.startswith("cyps_")}
    assert names and not {n.upper() for n in names} & set(FORMULAE)


def test_pyodide_is_marked_absent_outside_pyodide() -> None:
    assert sys.modules["pyodide"] is None and sys.modules["pyodide.ffi"] is None


def test_decorated_functions_stay_plain_callables() -> None:
    # 460 placements x £86 a week x 52 weeks = £2,057,120 (domain primer)
    assert functions.cyps_placement_cost([[460]], [[86]]) == [[2_057_120.0]]


# --------------------------------------------------------------------------- placements


def test_placement_cost_scalar_and_default_weeks() -> None:
    # 6 placements x £1,667 a week x 52 = £520,104 (domain primer: six placements ~ £520k)
    assert call("cyps_placement_cost", 6, 1667, None) == [[520104.0]]
    # 10 x 800 x 52.14 = 417,120; 12 x 800 x 52.14 = 500,544
    assert call("cyps_placement_cost", [[10, 12]], 800, 52.14) == [[417120.0, 500544.0]]


def test_placement_cost_column_in_column_out() -> None:
    assert call("cyps_placement_cost", [[10], [12]], 800, 52.14) == [[417120.0], [500544.0]]


def test_placement_cost_rows_of_different_length() -> None:
    with pytest.raises(ArgumentError, match="'children' has 2, 'weekly_cost' has 3"):
        call("cyps_placement_cost", [[1, 2]], [[1, 2, 3]])


def test_lac_projection_spills_a_row() -> None:
    # 460 children (October 2016), +48 a year: 460, 508, 556, 604
    assert call("cyps_lac_projection", 460, 48, 4) == [[460.0, 508.0, 556.0, 604.0]]
    # growth given per later year as a column -> the result is a column
    assert call("cyps_lac_projection", 100, [[10], [20]], 3) == [[100.0], [110.0], [130.0]]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((460, 48, 2.5), "'years': expected a whole number from 1 to 100, got 2.5"),
        ((460, [[1, 2, 3]], 3), "'growth_per_year': has 3 values; expected 1 or 2"),
        (("lots", 48, 3), "'start': expected a number, got 'lots'"),
    ],
)
def test_lac_projection_errors_name_the_argument(args, message) -> None:
    with pytest.raises(ArgumentError, match=message):
        call("cyps_lac_projection", *args)


# --------------------------------------------------------------------------- bids


def test_cost_avoidance_part_year_effect() -> None:
    # 15 in year 2, 27 in year 3 at £22,000: 15 x 0.5 x 22,000 = 165,000;
    # (15 + 27 x 0.5) x 22,000 = 627,000 (domain primer)
    assert call("cyps_cost_avoidance", [[0, 15, 27]], 22000, None) == [[0.0, 165000.0, 627000.0]]
    # a blank year is no child prevented; a full-year factor of 1: 4 x 22,000 = 88,000
    assert call("cyps_cost_avoidance", [[None, 4]], 22000, 1) == [[0.0, 88000.0]]


PREVENTING = [i for i, b in enumerate(CASE.bids) if b.prevented is not None]


@pytest.mark.parametrize("i", PREVENTING, ids=[CASE.bids[i].ref for i in PREVENTING])
def test_cost_avoidance_matches_engine_for_every_reference_bid(i: int) -> None:
    bid = CASE.bids[i]
    # the case gives £22,000 a child a year; case money is £m, so 0.022 per child
    got = call("cyps_cost_avoidance", row(bid.prevented), 0.022, 0.5)
    assert_close(got, [TABLE.gross_saving[i]])


def test_bid_profile_reference_cyps5() -> None:
    # reference report, Table 2, CYPS_5 net: 0.000, 0.185, (0.244), (0.838), (1.498); payback 3
    i = TABLE.row("CYPS_5")
    got = call("cyps_bid_profile", row(TABLE.investment[i]), row(TABLE.gross_saving[i]))
    # 2 x n numbers, nothing else: a SUM or a chart over the spill sees only money
    assert [len(r) for r in got] == [YEARS, YEARS]
    assert_close(got[0], [0.0, 0.185, -0.244, -0.838, -1.498], tol=0.0005)
    # cumulative: 0, 0.185, 0.185 - 0.244 = -0.059, -0.059 - 0.838 = -0.897, -2.395
    assert_close(got[1], [0.0, 0.185, -0.059, -0.897, -2.395], tol=0.0005)
    assert all(isinstance(v, float) for r in got for v in r)
    labelled = call("cyps_bid_profile", row(TABLE.investment[i]), row(TABLE.gross_saving[i]), True)
    assert labelled[0][:YEARS] == got[0] and labelled[1][:YEARS] == got[1]
    assert labelled[0][YEARS:] == ["Payback year", 3]
    # cumulative: 0, 0.185, -0.059 -> break-even in year 3
    assert labelled[1][YEARS:] == ["Break-even year", 3]


@pytest.mark.parametrize("ref", TABLE.refs)
def test_bid_profile_matches_engine_for_every_reference_bid(ref: str, published) -> None:
    i = TABLE.row(ref)
    got = call("cyps_bid_profile", row(TABLE.investment[i]), row(TABLE.gross_saving[i]), 1)
    assert_close(got[0][:YEARS], TABLE.net[i])
    assert_close(got[1][:YEARS], TABLE.cumulative_net[i])
    payback = published["bid_payback_year"].get(ref, "none")  # reference report, Table 2
    assert got[0][YEARS + 1] == payback
    assert call("cyps_payback_year", [got[0][:YEARS]]) == [[payback]]
    want_be = int(TABLE.breakeven_year[i]) or "none"
    assert call("cyps_breakeven_year", [got[0][:YEARS]]) == [[want_be]]


def test_bid_profile_column_and_blanks() -> None:
    # years down: investment 0.1, blank (= 0); saving blank, 0.3 -> net 0.1, -0.3; cum 0.1, -0.2
    got = call("cyps_bid_profile", [[0.1], [None]], [[None], [0.3]], "TRUE")
    assert got == [
        [0.1, 0.1],
        [-0.3, pytest.approx(-0.2, abs=1e-12)],
        ["Payback year", "Break-even year"],
        [2, 2],
    ]
    # without the years: the two columns only
    assert call("cyps_bid_profile", [[0.1], [None]], [[None], [0.3]], None) == got[:2]
    with pytest.raises(ArgumentError, match="'with_years': expected TRUE or FALSE, got 'yes'"):
        call("cyps_bid_profile", [[0.1]], [[0.3]], "yes")


def test_payback_and_breakeven_none() -> None:
    # CYPS_1B: 0, 0.27 x 4 never turns negative (reference report: no payback)
    assert call("cyps_payback_year", [[0, 0.27, 0.27, 0.27, 0.27]]) == [["none"]]
    # CYPS_8: 0, 0.166, 0.166, 0, 0: cumulative never below zero
    assert call("cyps_breakeven_year", [[0, 0.166, 0.166, 0, 0]]) == [["none"]]
    # net 0.1, -0.001, -0.463 (CYPS_2): payback 2, cumulative 0.1, 0.099, -0.364 -> 3
    assert call("cyps_payback_year", [[0.1], [-0.001], [-0.463]]) == [[2]]
    assert call("cyps_breakeven_year", [[0.1, -0.001, -0.463]]) == [[3]]


def test_blank_net_is_an_error_not_a_zero() -> None:
    with pytest.raises(ArgumentError, match=r"cyps_payback_year: 'net' value 2 is blank"):
        call("cyps_payback_year", [[0.1, None, -0.4]])


def test_a_table_where_a_row_is_expected() -> None:
    with pytest.raises(ArgumentError, match="'investment': expected one row or one column"):
        call("cyps_bid_profile", [[1, 2], [3, 4]], [[1, 2]])


def test_rows_of_different_length() -> None:
    with pytest.raises(ArgumentError, match="'gross_saving': has 2 values; expected 3"):
        call("cyps_bid_profile", [[1, 2, 3]], [[1, 2]])


def test_text_in_a_row_names_argument_and_position() -> None:
    with pytest.raises(ArgumentError, match=r"'investment' value 2: expected a number, got 'n/a'"):
        call("cyps_bid_profile", [[1, "n/a", 3]], [[0, 0, 0]])


def test_true_is_not_a_number() -> None:
    with pytest.raises(ArgumentError, match="expected a number, got True"):
        call("cyps_placement_cost", True, 100)


# --------------------------------------------------------------------------- Excel error cells


def na(text: str = "#N/A") -> dict:
    """An error cell as Office.js sends it (the metadata allows errors for type any)."""
    kinds = {"#N/A": "NotAvailable", "#REF!": "Ref", "#DIV/0!": "Div0"}
    return {"type": "Error", "basicType": "Error", "basicValue": text, "errorType": kinds[text]}


@pytest.mark.parametrize(
    ("func", "args", "message"),
    [
        # a blank pressure is zero, an error is not: xlwings' default would make it a blank
        (
            "cyps_budget_rollup",
            ([[10, 10, 10]], [[1, na(), 1]], [[0, 0, 0]], [[0, 0, 0]]),
            r"'pressures' value 2 is the Excel error #N/A; expected a number",
        ),
        (
            "cyps_budget_rollup",
            ([[10, 10, 10]], [[1, 2, 1], [3, None, na("#REF!")]], [[0] * 3], [[0] * 3]),
            r"'pressures' row 2, column 3 is the Excel error #REF!",
        ),
        (
            "cyps_cost_avoidance",
            ([[0, na("#DIV/0!"), 3]], 22000, 0.5),
            r"'prevented' value 2 is the Excel error #DIV/0!",
        ),
        # an optional argument holding an error is not "left out": no silent default
        ("cyps_placement_cost", (10, 800, na()), r"'weeks' is the Excel error #N/A"),
        ("cyps_cost_avoidance", ([[1, 2]], 22000, na()), r"'part_year_factor' is the Excel"),
        ("cyps_npv", ([[1, 0]], [[0, 1]], na()), r"'rate' value 1 is the Excel error #N/A"),
        (
            "cyps_funding_gap",
            ([[1, 2]], [[1, 2]], na()),
            r"'current_year_one_off' is the Excel error #N/A; expected TRUE or FALSE",
        ),
        ("cyps_additional_funding", ([[1, 1]], [[2, 2]], [[na(), 0]]), r"'other_levels' value 1"),
    ],
)
def test_an_error_cell_is_named_never_read_as_blank(func, args, message) -> None:
    with pytest.raises(ArgumentError, match=message):
        call(func, *args)


cell = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(-(10**6), 10**6),
    st.booleans(),
    st.just(""),
    st.none(),
    st.text(max_size=4),
    st.sampled_from(["#N/A", "#REF!", "#DIV/0!"]).map(na),
    st.floats(0, 1e5).map(lambda v: {"type": "FormattedNumber", "basicValue": v}),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(cell, min_size=3, max_size=3), min_size=1, max_size=3))
def test_cells_cleaned_exactly_as_xlwings_office_js_engine_with_errors_as_text(rows) -> None:
    # the fast clean must give what xlwings' own Office.js engine gives with err_to_str
    import datetime as dt

    import xlwings as xw

    from cypsxl.excel._convert import ExcelCells

    ctx = type("Ctx", (), {"range": None, "engine": xw.engines["officejs"], "value": rows})()
    ExcelCells.reader({})(ctx)
    want = xw.engines["officejs"].impl.clean_value_data(rows, dt.datetime, None, None, True)
    assert ctx.value == want


def test_cells_elsewhere_use_the_engine_cleaning_with_errors_as_text() -> None:
    # desktop Excel (COM): the range is read raw and the engine asked for errors as text
    from cypsxl.excel._convert import ExcelCells

    seen = {}

    class Impl:
        @staticmethod
        def clean_value_data(rows, dates, empty, numbers, err_to_str):
            seen.update(rows=rows, err_to_str=err_to_str)
            return [["#N/A" if v == -2146826246 else v for v in r] for r in rows]

    engine = type("Engine", (), {"name": "excel", "impl": Impl})()
    rng = type("Range", (), {"raw_value": ((1.0, -2146826246),)})()
    ctx = type("Ctx", (), {"range": rng, "engine": engine, "value": None})()
    ExcelCells.reader({})(ctx)
    assert seen == {"rows": [(1.0, -2146826246)], "err_to_str": True}
    assert ctx.value == [[1.0, "#N/A"]]


# --------------------------------------------------------------------------- Tables 1, 3, 4


def _budget_args():
    lines = [row(v)[0] for v in CASE.budget.pressures.values()]
    return (
        row(CASE.budget.net_budget),
        lines,
        row(TABLE.investment.sum(axis=0)),
        row(TABLE.gross_saving.sum(axis=0)),
    )


def test_budget_rollup_matches_engine_and_report(published) -> None:
    got = call("cyps_budget_rollup", *_budget_args())
    b = RESULTS.budget
    want = [b.net_budget, b.pressures, b.investment, b.savings, b.net_forecast, b.funding_support]
    assert_close(got, want)
    # reference report, Table 1, net forecast 2016/17 = 64.495 (printed to £1k)
    t1 = published["table1_cyps_budget"]
    assert_close(got[4], t1["net_forecast"], tol=published["tolerance"])


def test_budget_rollup_years_down() -> None:
    nb, lines, inv, sav = _budget_args()
    cols = [[r[i] for r in lines] for i in range(YEARS)]  # one column per pressure line
    got = call("cyps_budget_rollup", column(nb[0]), cols, column(inv[0]), column(sav[0]))
    want = call("cyps_budget_rollup", nb, lines, inv, sav)
    assert got == [list(r) for r in zip(*want, strict=True)]


def test_budget_rollup_pressures_of_wrong_shape() -> None:
    with pytest.raises(ArgumentError, match="'pressures': is 2 x 3; expected 5 years"):
        call("cyps_budget_rollup", [[1, 1, 1, 1, 1]], [[1, 2, 3], [4, 5, 6]], [[0] * 5], [[0] * 5])


def test_additional_funding_matches_engine_and_report(published) -> None:
    m = len(CASE.mtfs_years)
    a = RESULTS.additional
    others = [row(p.levels)[0] for p in CASE.other_proposals]
    got = call("cyps_additional_funding", row(a.cyps_pressures), row(a.cyps_net_investment), others)
    assert_close(got, [a.total])
    # 2016/17: 7.848 pressures + 0.179 net investment + 0.128 adult care + 0.301 corporate
    assert got[0][0] == pytest.approx(7.848 + 0.179 + 0.128 + 0.301, abs=1e-9)
    assert_close(got[0], published["table3"]["total_additional_funding"], tol=0.0016)
    assert len(got[0]) == m
    # no other directorates: pressures + net investment only (1 + 2 = 3)
    assert call("cyps_additional_funding", 1, 2, None) == [[3.0]]


def test_funding_gap_matches_engine_and_report(published) -> None:
    levels = row(RESULTS.additional.total)
    # the reference case funds its first year from reserves, and says so
    assert CASE.mtfs.current_year_funded_from_reserves
    got = call("cyps_funding_gap", row(CASE.mtfs.base_gap), levels, True)
    assert_close(got, [RESULTS.gap.revised])
    assert_close(got[0][1:], published["table4"]["revised_gap_from_2017_18"], tol=0.0016)
    # first year recurring: 1 + 0.5 = 1.5; 2 + (0.7 - 0.5) = 2.2
    got = call("cyps_funding_gap", [[1], [2]], [[0.5], [0.7]], False)
    assert_close(got, [[1.5], [2.2]])
    # first year one-off from reserves: 1 + 0 = 1; 2 + 0.7 = 2.7
    assert_close(call("cyps_funding_gap", [[1, 2]], [[0.5, 0.7]], True), [[1.0, 2.7]])
    with pytest.raises(ArgumentError, match="'current_year_one_off': expected TRUE or FALSE"):
        call("cyps_funding_gap", [[1, 2]], [[0.5, 0.7]], "maybe")


@pytest.mark.parametrize("flag", ["left out", None, [[None]], [[""]]])
def test_funding_gap_draws_no_reserves_unless_told(flag: object) -> None:
    # as a case file without current_year_funded_from_reserves: the first year is
    # recurring, 1 + 0.5 = 1.5 and 2 + (0.7 - 0.5) = 2.2 (not 1 and 2 + 0.7 = 2.7)
    args = ([[1, 2]], [[0.5, 0.7]]) + (() if flag == "left out" else (flag,))
    assert_close(call("cyps_funding_gap", *args), [[1.5, 2.2]])


def test_npv_by_hand() -> None:
    # -1 + 1.05 / 1.05 = 0 at 5%
    assert call("cyps_npv", [[1, 0]], [[0, 1.05]], 0.05) == [[0.0]]
    # CYPS_2, saving - investment = -0.1, 0.001, 0.463, 1.090, 1.750 (reference report,
    # Table 2, sign reversed); first year undiscounted, then 1.035^t
    want = -0.1 + 0.001 / 1.035 + 0.463 / 1.035**2 + 1.090 / 1.035**3 + 1.750 / 1.035**4
    i = TABLE.row("CYPS_2")
    got = call("cyps_npv", row(TABLE.investment[i]), row(TABLE.gross_saving[i]), None)
    assert got[0][0] == pytest.approx(want, abs=1e-9)
    # discounted running total -0.1, -0.099, +0.333: pays back in year 3
    assert call(
        "cyps_discounted_payback_year", row(TABLE.investment[i]), row(TABLE.gross_saving[i])
    ) == [[3]]
    # a rate per year: 10% then 20%: -1 + 0 / 1.1 + 1.32 / (1.1 x 1.2) = 0
    assert call("cyps_npv", [[1, 0, 0]], [[0, 0, 1.32]], [[0, 0.1, 0.2]])[0][0] == pytest.approx(
        0.0, abs=1e-12
    )


@pytest.mark.parametrize("ref", TABLE.refs)
def test_npv_matches_engine_for_every_reference_bid(ref: str) -> None:
    from cypsxl.model import discounted_payback_year, npv

    i = TABLE.row(ref)
    inv, gross = TABLE.investment[i], TABLE.gross_saving[i]
    assert call("cyps_npv", row(inv), row(gross), 0.035)[0][0] == pytest.approx(
        npv(gross - inv, 0.035), abs=1e-9
    )
    want = discounted_payback_year(inv, gross, 0.035) or "none"
    assert call("cyps_discounted_payback_year", row(inv), row(gross), 0.035) == [[want]]


def test_npv_rate_errors() -> None:
    with pytest.raises(ArgumentError, match="'rate': has 2 values; expected one rate or one per"):
        call("cyps_npv", [[1, 0, 0]], [[0, 0, 1]], [[0.1, 0.2]])
    with pytest.raises(ArgumentError, match="'rate': expected rates above -1"):
        call("cyps_npv", [[1, 0]], [[0, 1]], -1)


def test_version() -> None:
    assert call("cyps_version") == [[f"cypsxl {__version__}"]]


# --------------------------------------------------------------------------- properties

money = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda x: round(x, 3))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(money, money), min_size=2, max_size=10))
def test_rows_and_columns_give_the_same_numbers(pairs) -> None:
    # one year is a single cell, neither a row nor a column: two years or more
    inv, sav = [p[0] for p in pairs], [p[1] for p in pairs]
    across = call("cyps_bid_profile", [inv], [sav])
    down = call("cyps_bid_profile", [[v] for v in inv], [[v] for v in sav])
    assert down == [list(r) for r in zip(*across, strict=True)]
    net = np.asarray(inv) - np.asarray(sav)
    assert_close(across[0][: len(pairs)], net)


ROW_CALLS = {  # function -> arguments with the years across (2-D as Excel sends them)
    "cyps_placement_cost": ([[10, 12, 14]], [[800, 810, 820]], 52),
    "cyps_lac_projection": (460, [[48, 50]], 3),
    "cyps_cost_avoidance": ([[0, 15, 27]], 22000, 0.5),
    "cyps_bid_profile": ([[0.1, 0.35, 0.35]], [[0, 0.165, 0.594]]),
    "cyps_payback_year": ([[0.1, -0.001, -0.463]],),
    "cyps_breakeven_year": ([[0.1, -0.001, -0.463]],),
    "cyps_budget_rollup": ([[56.468, 55.017, 53.717]], [[7.8, 7.3, 8.4]], [[1, 2, 3]], [[0, 1, 1]]),
    "cyps_additional_funding": ([[7.8, 7.3]], [[0.2, -0.1]], [[0.1, 0.5]]),
    "cyps_funding_gap": ([[0, 13.125]], [[8.456, 9.0]], True),
    "cyps_npv": ([[1, 0.5, 0]], [[0, 0.8, 1.2]], [[0.035, 0.03, 0.03]]),
    "cyps_discounted_payback_year": ([[1, 0.5, 0]], [[0, 0.8, 1.2]], 0.035),
}


def _down(value):
    """The same values with the years down (a 1 x n row becomes n x 1)."""
    if isinstance(value, list) and len(value) == 1 and len(value[0]) > 1:
        return [[v] for v in value[0]]
    return value


@pytest.mark.parametrize("func", list(ROW_CALLS))
def test_every_function_takes_a_column_as_a_row(func: str) -> None:
    across = call(func, *ROW_CALLS[func])
    down = call(func, *map(_down, ROW_CALLS[func]))
    if len(across) == 1 and len(across[0]) == 1:  # one number: the same number
        assert down == across
    else:  # a spilled row comes back as a column, rows as columns
        assert down == [list(r) for r in zip(*across, strict=True)]
