"""The bid reader's rules and the zip guard's limits, each with a test that fails if the
rule is taken out; bids over part of the collection's years; collect's outputs and
warnings (pounds typed where £m is asked, a bid larger than the CYPS budget, values right
of the last year).
"""

from __future__ import annotations

import json
import random
import zipfile
from pathlib import Path

import openpyxl
import pytest
from support.bidfiles import CASE, declare_sizes, edit_cells, good_bid

from cypsxl.casefile import dump_case, load_case, parse_case
from cypsxl.cli import main
from cypsxl.errors import CaseError
from cypsxl.workbook import safety
from cypsxl.workbook.reader import collect_bids, read_bid_file
from cypsxl.workbook.template import write_blank_template


@pytest.fixture(scope="module")
def cyps2(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """CYPS_2 filled: prevented 0, 15, 27, 30, 30 (row 18), £22,000 (C19), factor 0.5 (C20)."""
    return good_bid(tmp_path_factory.mktemp("cyps2"))


def _problems(path: Path) -> list[tuple[str, str]]:
    return [(e.cell, e.message) for e in read_bid_file(path).errors]


# --------------------------------------------------------------------------- reader rules


def test_children_prevented_must_be_whole(cyps2: Path, tmp_path: Path) -> None:
    path = edit_cells(cyps2, tmp_path / "half.xlsx", {"Bid!E18": 2.5})
    assert _problems(path) == [
        ("E18", "children prevented 2018/19: expected a whole number >= 0, got 2.5")
    ]


@pytest.mark.parametrize(("value", "shown"), [(1.5, "1.5"), (-0.1, "-0.1")])
def test_part_year_factor_from_0_to_1(
    cyps2: Path, tmp_path: Path, value: float, shown: str
) -> None:
    path = edit_cells(cyps2, tmp_path / "factor.xlsx", {"Bid!C20": value})
    assert _problems(path) == [
        ("C20", f"part-year factor: expected a number from 0 to 1, got {shown}")
    ]


def test_not_both_children_and_a_typed_gross_saving(cyps2: Path, tmp_path: Path) -> None:
    path = edit_cells(cyps2, tmp_path / "both.xlsx", {"Bid!E23": 0.3})  # gross saving typed
    assert _problems(path) == [
        (
            "C18",
            "fill either children prevented (row 18) or gross saving typed in (row 23), not both",
        )
    ]


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("C19", "avoided cost per child (£ a year) is missing; needed for children prevented"),
        ("C20", "part-year factor (0 to 1) is missing; needed for children prevented"),
    ],
)
def test_children_need_an_avoided_cost_and_a_part_year_factor(
    cyps2: Path, tmp_path: Path, cell: str, message: str
) -> None:
    path = edit_cells(cyps2, tmp_path / "missing.xlsx", {f"Bid!{cell}": None})
    problems = _problems(path)
    assert problems[0] == (cell, message)


@pytest.mark.parametrize("value", [1.5, -0.5])
def test_case_file_bid_part_year_factor_from_0_to_1(value: float) -> None:
    text = dump_case(CASE).replace(
        'ref = "CYPS_2"', f'ref = "CYPS_2"\npart_year_factor = {value}', 1
    )
    with pytest.raises(CaseError) as info:
        parse_case(text, "c.toml")
    assert [p.message for p in info.value.problems] == [
        f"expected a fraction from 0 to 1, got {value}"
    ]
    assert [(p.where, p.key) for p in info.value.problems] == [("bid CYPS_2", "part_year_factor")]


# --------------------------------------------------------------------------- zip guard limits


def _random_package(path: Path, members: dict[str, int]) -> Path:
    """A zip of members of random bytes (they do not compress: ratio about 1)."""
    rng = random.Random(7)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>")
        zf.writestr("xl/workbook.xml", b"<workbook/>")
        for name, size in members.items():
            zf.writestr(name, rng.randbytes(size))
    return path


def test_a_member_over_the_absolute_limit_is_refused(tmp_path: Path) -> None:
    """A part that declares 30,000,000 bytes from about 300,000 (ratio 100: under the ratio
    limit of 200): only the absolute per-member limit of 25,000,000 refuses it."""
    path = _random_package(tmp_path / "big_member.xlsx", {"xl/worksheets/sheet1.xml": 300_000})
    declare_sizes(path, {"xl/worksheets/sheet1.xml": 30_000_000})
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    assert 30_000_000 / info.compress_size < safety.MAX_RATIO
    with pytest.raises(safety.HostileFile, match="would unpack to 30,000,000 bytes from"):
        safety.open_package(path)


def test_parts_over_the_total_limit_are_refused(tmp_path: Path) -> None:
    """Four parts each declaring 20,000,000 bytes (under the 25,000,000 part limit, ratio
    about 67): 80,000,000 in all (plus the 19 bytes of the two small parts) is over the
    60,000,000 total limit."""
    names = [f"xl/worksheets/sheet{i}.xml" for i in range(1, 5)]
    path = _random_package(tmp_path / "big_total.xlsx", dict.fromkeys(names, 300_000))
    declare_sizes(path, dict.fromkeys(names, 20_000_000))
    with pytest.raises(safety.HostileFile, match="would unpack to 80,000,019 bytes"):
        safety.open_package(path)


def test_the_limits_leave_a_real_template_far_inside(cyps2: Path) -> None:
    with zipfile.ZipFile(cyps2) as zf:
        infos = zf.infolist()
    assert max(i.file_size for i in infos) * 100 < safety.MAX_MEMBER_BYTES
    assert sum(i.file_size for i in infos) * 100 < safety.MAX_TOTAL_BYTES


# --------------------------------------------------------------------------- years


def test_a_bid_within_the_collections_years_is_kept_with_zeros(tmp_path: Path) -> None:
    """A bid for 2017/18-2020/21 in a 2016/17-2020/21 collection: 2016/17 is zero."""
    path = write_blank_template(
        tmp_path / "later.xlsx", "CYPS_12", ["2017/18", "2018/19", "2019/20", "2020/21"]
    )
    edit_cells(
        path,
        path,
        {"Bid!C7": "Later start", **{f"Bid!{c}16": 0.2 for c in "CDEF"}, "Bid!D23": 0.5},
    )
    result = collect_bids([path], years=CASE.years, workers=1)
    assert result.rejected == []
    bid = result.bids[0]
    assert bid.investment == (0.0, 0.2, 0.2, 0.2, 0.2)
    assert bid.gross_saving == (0.0, 0.0, 0.5, 0.0, 0.0)


def test_the_readme_bid_example_runs_end_to_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """README: template new --years 2017/18:2020/21, template fill, collect --case-out, run."""
    monkeypatch.chdir(tmp_path)
    assert main(["template", "new", "-o", "CYPS_12.xlsx", "--ref", "CYPS_12",
                 "--years", "2017/18:2020/21"]) == 0  # fmt: skip
    assert main(["template", "fill", "-o", "bids/"]) == 0
    # the budget holder fills in CYPS_12 and returns it with the others
    edit_cells(
        tmp_path / "CYPS_12.xlsx",
        tmp_path / "bids" / "CYPS_12.xlsx",
        {"Bid!C7": "New bid", **{f"Bid!{c}16": 0.1 for c in "CDEF"}},
    )
    code = main(["bids", "collect", "bids/", "-o", "consolidated.xlsx", "--case-out", "mtfs.toml"])
    assert code == 0
    capsys.readouterr()
    assert main(["run", "mtfs.toml", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["bids"]["CYPS_12"]["investment"] == [0.0, 0.1, 0.1, 0.1, 0.1]
    assert len(doc["bids"]) == 12


def test_collect_accepts_years(
    tmp_path: Path, cyps2: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the 2016/17-2020/21 bid is outside a 2017/18-2020/21 collection: rejected, years named
    (tmp_path / "CYPS_2.xlsx").write_bytes(cyps2.read_bytes())
    assert main(["bids", "collect", str(tmp_path), "-q", "--years", "2017/18:2020/21"]) == 3
    assert (
        "the bid's years 2016/17-2020/21 run outside this collection's years 2017/18-2020/21"
        in capsys.readouterr().out
    )


# --------------------------------------------------------------------------- outputs


def test_nothing_accepted_writes_no_case(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.xlsx").write_text("not a workbook")
    out = tmp_path / "mtfs.toml"
    assert main(["bids", "collect", str(tmp_path), "-q", "--case-out", str(out)]) == 3
    assert not out.exists()
    err = capsys.readouterr().err
    assert f"error: no bid was accepted, so no case was written to {out}" in err


def test_a_case_written_without_case_is_not_named_after_the_reference(
    tmp_path: Path, cyps2: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "CYPS_2.xlsx").write_bytes(cyps2.read_bytes())
    out = tmp_path / "out" / "mtfs.toml"
    assert main(["bids", "collect", str(tmp_path), "-q", "--case-out", str(out)]) == 0
    assert load_case(out).name == "Collected bids"
    assert "takes its budget, pressures and MTFS gap from the reference case" in (
        capsys.readouterr().err
    )


def test_a_folder_that_does_not_exist_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bids", "collect", str(tmp_path / "nope"), "-q"]) == 2
    assert capsys.readouterr().err == f"error: {tmp_path / 'nope'}: no such file or folder\n"


def test_the_bids_sheet_break_even_column_by_value(tmp_path: Path, cyps2: Path) -> None:
    """CYPS_2: net 2016/17 = 0.100; 2017/18 = 0.164 - 15 x 0.5 x 0.022 = -0.001, the first
    negative net: payback year 2. Cumulative 0.100, 0.099, then 2018/19 net = 0.164 -
    (15 + 27 x 0.5) x 0.022 = 0.164 - 0.627 = -0.463, cumulative -0.364: break-even 3."""
    out = tmp_path / "c.xlsx"
    assert main(["bids", "collect", str(cyps2), "-q", "-o", str(out)]) == 0
    ws = openpyxl.load_workbook(out)["Bids"]
    header = [ws.cell(1, c).value for c in range(1, ws.max_column + 1)]
    row = {h: ws.cell(2, c).value for c, h in enumerate(header, start=1)}
    assert row["Ref"] == "CYPS_2"
    assert row["Break-even year"] == "3 (2018/19)"
    assert row["Payback year"] == "2 (2017/18)"


# --------------------------------------------------------------------------- warnings


def test_pounds_typed_where_millions_are_asked_is_a_located_warning(
    cyps2: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = edit_cells(cyps2, tmp_path / "CYPS_2.xlsx", {"Bid!D16": 250_000})
    r = read_bid_file(path)
    assert r.errors == [] and r.data is not None
    assert [(w.cell, w.message) for w in r.warnings] == [
        (
            "D16",
            "250,000 is £250,000m in 2017/18, more than £1,000m: is it in pounds? This row is "
            "in £m (£250,000 is 0.25)",
        )
    ]
    # collect accepts it (exit 0) and says so, and the bid is larger than the CYPS budget
    assert main(["bids", "collect", str(path), "-q"]) == 0
    out = capsys.readouterr().out
    assert "warning: " in out and "Bid!D16: 250,000 is £250,000m" in out
    assert (
        "funding sought: £250,000m in 2017/18 is more than the CYPS net budget of £55m that year"
        in out
    )


def test_values_right_of_the_last_year_are_a_located_warning(cyps2: Path, tmp_path: Path) -> None:
    path = edit_cells(cyps2, tmp_path / "wide.xlsx", {"Bid!H16": 0.3, "Bid!J18": 4})
    r = read_bid_file(path)
    assert r.errors == [] and r.data is not None
    assert [(w.cell, w.message) for w in r.warnings] == [
        ("H16", f"0.3 {BEYOND}"),
        ("J18", f"4 {BEYOND}"),
    ]


BEYOND = "is right of the last year (G15) and is not read: this template has no column for it"


def test_check_warns_but_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "c.toml"
    path.write_text(dump_case(CASE).replace("0.164,", "164000.0,", 1))
    assert main(["check", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith(f"ok: {path}: 11 bids")
    assert (
        f"warning: {path}: bid CYPS_2: 'investment'[1]: £164,000m in 2017/18 is more than "
        "£1,000m: is it in pounds? Case money is in £m" in captured.err
    )
