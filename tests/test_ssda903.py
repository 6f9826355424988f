"""Reading SSDA903 episodes, cost tables and driver CSVs: known truth and dirty rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ssda903_synth import COSTS_CSV, generate, write

from cypsxl.errors import CaseError
from cypsxl.model.dates import day_number, fy_bounds, month_ends, month_starts
from cypsxl.model.episodes import admissions, discharges, episodes_register, looked_after_on
from cypsxl.model.register import cost_by_type
from cypsxl.reference_data import placement_reference
from cypsxl.workbook.driver_csv import read_posts_csv, read_register_csv
from cypsxl.workbook.ssda903 import read_costs, read_episodes

REF = placement_reference()


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> tuple:
    folder = tmp_path_factory.mktemp("ssda903")
    rows, truth = generate(400, seed=7)
    episodes = write(folder / "episodes.csv", rows)
    costs = folder / "costs.csv"
    costs.write_text(COSTS_CSV, encoding="utf-8")
    read = read_episodes(episodes, REF.types, REF.mapping, read_costs(costs))
    return read, truth


def test_a_clean_file_is_read_whole(synthetic) -> None:
    read, _ = synthetic
    assert read.problems == []
    assert len(read.episodes) == read.rows


def test_children_looked_after_on_any_date(synthetic) -> None:
    read, truth = synthetic
    days = [dt.date(2023, 1, 1) + dt.timedelta(days=k) for k in range(0, 1700, 37)]
    got = looked_after_on(read.episodes, [day_number(x) for x in days])
    assert got.tolist() == [truth.looked_after(x) for x in days]
    assert max(got) > 50  # the dates do see a population


@pytest.mark.parametrize("year", ["2023/24", "2024/25", "2025/26"])
def test_cost_by_type_for_a_year_and_a_month(synthetic, year) -> None:
    read, truth = synthetic
    register = episodes_register(read.episodes, REF.types)
    first, last = fy_bounds(year)
    start = dt.date(int(year[:4]), 4, 1)
    windows = [(start, dt.date(int(year[:4]) + 1, 3, 31)), (start, dt.date(int(year[:4]), 4, 30))]
    got = cost_by_type(register, [first, first], [last, first + 29])
    for j, (lo, hi) in enumerate(windows):
        want = truth.cost_by_type(lo, hi)
        for key in REF.types.keys:
            assert got[REF.types.index(key), j] == pytest.approx(want.get(key, 0.0), rel=1e-9)


def test_admissions_and_discharges_by_month(synthetic) -> None:
    read, truth = synthetic
    year = "2024/25"
    got_in = admissions(read.episodes, month_starts(year), month_ends(year))
    got_out = discharges(read.episodes, month_starts(year), month_ends(year))
    for m, (lo, hi) in enumerate(zip(month_starts(year), month_ends(year), strict=True)):
        assert got_in[m] == sum(lo <= day_number(x) <= hi for x in truth.admissions)
        assert got_out[m] == sum(lo <= day_number(x) <= hi for x in truth.discharges)
    assert got_in.sum() > 0 and got_out.sum() > 0


# --------------------------------------------------------------------------- dirty rows

HEAD = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC\n"


def _episodes(tmp_path: Path, body: str, costs: bool = False):
    path = tmp_path / "eps.csv"
    path.write_text(HEAD + body, encoding="utf-8")
    table = None
    if costs:
        (tmp_path / "costs.csv").write_text(COSTS_CSV, encoding="utf-8")
        table = read_costs(tmp_path / "costs.csv")
    return read_episodes(path, REF.types, REF.mapping, table)


def test_dirty_rows_are_reported_by_row_and_column_and_the_rest_read(tmp_path) -> None:
    body = (
        "A1,01/04/2025,S,C2,N1,U4,PR1,,\n"  # row 2: fine
        "A2,,S,C2,N1,U4,PR1,,\n"  # row 3: DECOM missing
        "A3,03/04/2025,S,C2,N1,U4,PR1,01/04/2025,E11\n"  # row 4: DEC before DECOM
        "A4,31/02/2025,S,C2,N1,U4,PR1,,\n"  # row 5: no 31 February
        "A5,01/04/2025,S,C2,N1,Q9,PR1,,\n"  # row 6: unknown PLACE
        "A1,01/05/2025,P,C2,N1,U6,PR4,,\n"  # row 7: overlaps row 2 (open)
        "A6,01/04/2025,S,C2,N1,U4,PR1,2025-04-09,\n"  # row 8: DEC without REC
        "A7,01/04/2025,S,C2,N1,K2,PR4,,\n"  # row 9: fine
    )
    read = _episodes(tmp_path, body)
    got = [(p.where, p.key, p.message) for p in read.problems]
    assert got == [
        ("row 3", "DECOM", "missing; expected a date dd/mm/yyyy"),
        ("row 4", "DEC", "DEC 01/04/2025 is before DECOM 03/04/2025; expected on or after"),
        ("row 5", "DECOM", "expected a date dd/mm/yyyy, got '31/02/2025'"),
        (
            "row 6",
            "PLACE",
            "unknown placement code 'Q9'; expected a code of the placement list "
            "(docs/drivers.md) or one added in [register.place_codes]",
        ),
        (
            "row 7",
            "DECOM",
            "DECOM 01/05/2025 overlaps this child's episode on row 2, which is open; "
            "expected one episode at a time",
        ),
        (
            "row 8",
            "REC",
            "missing; an episode with DEC needs its reason (X1 if another episode follows)",
        ),
    ]
    assert read.rows == 8 and len(read.episodes) == 2
    assert read.episodes.row.tolist() == [2, 9]
    assert str(read.problems[0]).startswith(f"{tmp_path / 'eps.csv'}: row 3: 'DECOM': ")


def test_a_place_without_a_weekly_cost_is_rejected(tmp_path) -> None:
    body = "B1,01/04/2025,S,C2,N1,U6,PR2,,\nB2,01/04/2025,S,C2,N1,U6,PR4,,\n"
    read = _episodes(tmp_path, body, costs=True)
    assert [(p.where, p.message) for p in read.problems] == [
        ("row 2", "no weekly cost for U6 with PLACE_PROVIDER PR2 in costs.csv")
    ]
    assert read.episodes.weekly_cost.tolist() == [900.0]


def test_back_to_back_and_one_day_episodes_are_not_overlaps(tmp_path) -> None:
    # C1: 1-10 April (DEC 10 April, X1), then from 10 April; C2: one day, DEC = DECOM
    body = (
        "C1,01/04/2025,S,C2,N1,U4,PR1,10/04/2025,X1\n"
        "C1,10/04/2025,P,C2,N1,U6,PR4,,\n"
        "C2,05/04/2025,S,C2,N1,K1,PR3,05/04/2025,E11\n"
    )
    read = _episodes(tmp_path, body, costs=True)
    assert read.problems == []
    # on 10 April C1 is looked after once (in the second episode); C2 never counts
    days = [day_number("2025-04-05"), day_number("2025-04-10")]
    assert looked_after_on(read.episodes, days).tolist() == [1, 1]
    # C1 costs 9 days x 450/7 then 21 days x 900/7 in April; C2 nothing
    register = episodes_register(read.episodes, REF.types)
    april = cost_by_type(register, day_number("2025-04-01"), day_number("2025-04-30"))[:, 0]
    assert april[REF.types.index("in_house_fostering")] == pytest.approx(450 * 9 / 7)
    assert april[REF.types.index("ifa")] == pytest.approx(900 * 21 / 7)
    assert april[REF.types.index("secure")] == 0.0
    assert discharges(read.episodes, days[0], days[0]).tolist() == [1]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty; expected an SSDA903 episodes file with a header row"),
        (
            "CHILD,DECOM\nA,01/04/2025\n",
            "has no column RNE, PLACE, PLACE_PROVIDER, DEC, REC; expected columns "
            "CHILD, DECOM, RNE, PLACE, PLACE_PROVIDER, DEC, REC (header in row 1)",
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_one_located_error(tmp_path, content, message) -> None:
    path = tmp_path / "eps.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CaseError) as exc:
        read_episodes(path, REF.types, REF.mapping)
    assert [p.message for p in exc.value.problems] == [message]


def test_missing_and_non_utf8_files(tmp_path) -> None:
    with pytest.raises(CaseError, match="file not found; expected an SSDA903 episodes file"):
        read_episodes(tmp_path / "nope.csv", REF.types, REF.mapping)
    bad = tmp_path / "latin.csv"
    bad.write_bytes(HEAD.encode() + "A,01/04/2025,S,C2,N1,U4,PR1,,caf\xe9\n".encode("latin-1"))
    with pytest.raises(CaseError, match="is not UTF-8 text"):
        read_episodes(bad, REF.types, REF.mapping)


def test_cost_table_problems_are_located(tmp_path) -> None:
    path = tmp_path / "costs.csv"
    path.write_text("PLACE,weekly_cost\nU4,-5\n,10\nK1,8000\nK1,9000\n", encoding="utf-8")
    with pytest.raises(CaseError) as exc:
        read_costs(path)
    assert [(p.where, p.key, p.message) for p in exc.value.problems] == [
        ("row 2", "weekly_cost", "expected £ a week >= 0, got '-5'"),
        ("row 3", "PLACE", "missing; expected a PLACE code"),
        ("row 5", "PLACE", "K1 (any provider) is costed twice; expected once"),
    ]


# --------------------------------------------------------------------------- register CSV


def test_register_csv_rows_checked_by_the_same_rules(tmp_path) -> None:
    path = tmp_path / "register.csv"
    path.write_text(
        "ref,type,weekly_cost,start,end,count,health_share,education_share\n"
        "P1,ifa,900,01/04/2025,,,,\n"  # row 2 fine
        "P2,spot,900,01/04/2025,,,,\n"  # row 3 unknown type
        "P3,ifa,-1,01/04/2025,,,,\n"  # row 4 negative cost
        "P4,ifa,900,01/04/2025,31/03/2025,,,\n"  # row 5 end before start
        "P5,secure,7000,01/04/2025,,2,0.6,0.5\n"  # row 6 shares over 1
        "P1,ifa,900,01/04/2025,,,,\n"  # row 7 duplicate ref
        "P7,secure,7000,2025-04-01,2025-04-01,£1,1,\n",  # row 8 fine, one day
        encoding="utf-8",
    )
    read = read_register_csv(path, REF.types)
    assert [(p.where, p.key, p.message) for p in read.problems] == [
        (
            "row 3",
            "type",
            "unknown placement type 'spot'; expected one of: " + ", ".join(REF.types.keys),
        ),
        ("row 4", "weekly_cost", "expected £ a week >= 0, got -1"),
        ("row 5", "end", "ends before it starts (end < start)"),
        (
            "row 6",
            "education_share",
            "health_share + education_share = 1.1; expected at most 1",
        ),
        ("row 7", "ref", "duplicate reference 'P1'; expected each ref once"),
    ]
    assert read.register.ref == ("P1", "P7")
    assert read.register.health_share.tolist() == [0.0, 1.0]


def test_posts_csv(tmp_path) -> None:
    path = tmp_path / "posts.csv"
    path.write_text(
        "team,role,kind,fte,annual_cost,weekly_rate,from,to\n"
        "Safeguarding,Social worker,permanent,1,52000,,,\n"
        "Safeguarding,Social worker,Agency,2,,1400,,31/12/2025\n"
        "Safeguarding,Social worker,agency,1,,,,\n"  # row 4: no weekly rate
        "Safeguarding,Social worker,contract,1,50000,,,\n"  # row 5: unknown kind
        "Safeguarding,Social worker,vacant,x,50000,,,\n",  # row 6: FTE not a number
        encoding="utf-8",
    )
    read = read_posts_csv(path)
    assert [(p.where, p.key, p.message) for p in read.problems] == [
        (
            "row 4",
            "weekly_rate",
            "missing; an agency post needs its weekly rate (£ a week per FTE)",
        ),
        ("row 5", "kind", "expected permanent, agency or vacant, got 'contract'"),
        ("row 6", "fte", "expected an FTE > 0, got 'x'"),
    ]
    assert read.establishment.kind == ("permanent", "agency")
    assert read.establishment.end.tolist()[1] == day_number("2025-12-31")
    assert np.isnan(read.establishment.weekly_rate[0])


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10**6), children=st.integers(1, 40))
def test_any_synthetic_file_gives_back_its_truth(tmp_path_factory, seed, children) -> None:
    folder = tmp_path_factory.mktemp("gen")
    rows, truth = generate(children, seed=seed, span_days=700)
    episodes = write(folder / "episodes.csv", rows)
    (folder / "costs.csv").write_text(COSTS_CSV, encoding="utf-8")
    read = read_episodes(episodes, REF.types, REF.mapping, read_costs(folder / "costs.csv"))
    assert read.problems == [] and len(read.episodes) == len(rows) - 1
    days = [dt.date(2023, 1, 1) + dt.timedelta(days=k) for k in range(0, 1300, 61)]
    got = looked_after_on(read.episodes, [day_number(x) for x in days])
    assert got.tolist() == [truth.looked_after(x) for x in days]
    register = episodes_register(read.episodes, REF.types)
    first, last = fy_bounds("2023/24")
    costs = cost_by_type(register, first, last)[:, 0]
    want = truth.cost_by_type(dt.date(2023, 4, 1), dt.date(2024, 3, 31))
    for key in REF.types.keys:
        assert costs[REF.types.index(key)] == pytest.approx(want.get(key, 0.0), rel=1e-9)


def test_a_row_longer_than_the_header_keeps_its_columns(tmp_path) -> None:
    # pandas would take the extra cells as an index and shift every column; they are ignored
    read = _episodes(tmp_path, "A,01/04/2025,S,C2,N1,U4,PR1,,,extra,extra\n")
    assert read.problems == []
    assert read.episodes.decom.tolist() == [day_number("2025-04-01")]
