"""Every door survives odd and hostile input: each kind seen once is kept here.

Bid files (collecting 300 returns must never lose 299 to one bad file): malformed cell and
row references, a relationship to a missing part, unknown XML encodings, a huge shared
formula, a sheet of empty elements, names moved off the form, huge and non-finite money,
forged references, duplicate references by the thousand, outputs that would overwrite
an input or cannot be written. Case files: deep nesting, huge integers, devices, pipes.
Each ends with a located message and exit 3 (a file rejected, the rest collected) or 2
(bad usage or a bad case), never a traceback.
"""

from __future__ import annotations

import json
import os
import random
import struct
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from support.bidfiles import (
    BID_SHEET_PART,
    CASE,
    edit_cells,
    good_bid,
    rewrite,
    sub,
)

from cypsxl.casefile import dump_case, parse_case
from cypsxl.cli import main
from cypsxl.model import appraise_case, sensitivity
from cypsxl.model._levers import Levers, case_arrays, evaluate
from cypsxl.model.scenarios import max_scenarios
from cypsxl.workbook import _xlsx, reader, safety
from cypsxl.workbook.reader import CollectResult, collect_bids, read_bid_file

S = BID_SHEET_PART


def _messages(result: CollectResult, path: Path) -> list[str]:
    for r in result.rejected:
        if Path(r.file) == path:
            return [f"{e.sheet}!{e.cell}: {e.message}" for e in r.errors]
    raise AssertionError(f"{path.name} was not rejected: {result.files}")


# --------------------------------------------------------------------------- malformed files


@pytest.fixture(scope="module")
def malformed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One good bid (CYPS_3) beside one file of each malformed kind."""
    root = tmp_path_factory.mktemp("malformed")
    src = good_bid(root / "src")
    d = root / "returns"
    good_bid(d, "CYPS_3.xlsx", 3)
    k = {
        "ref_digits_only": rewrite(src, d / "r19.xlsx", {S: sub(rb'r="C16"', b'r="19"')}),
        "ref_beyond_grid": rewrite(src, d / "rbig.xlsx", {S: sub(rb'r="C16"', b'r="C12345678"')}),
        "row_not_a_number": rewrite(
            src, d / "rowabc.xlsx", {S: sub(rb'<row r="16"', b'<row r="abc"')}
        ),
        "missing_part": rewrite(src, d / "missing.xlsx", {}, drop=("xl/worksheets/sheet2.xml",)),
        "utf9": rewrite(
            src, d / "utf9.xlsx", {S: lambda b: b'<?xml version="1.0" encoding="UTF-9"?>' + b}
        ),
        "utf7": rewrite(
            src, d / "utf7.xlsx", {S: lambda b: b'<?xml version="1.0" encoding="utf-7"?>' + b}
        ),
    }
    return k


MALFORMED = {
    "ref_digits_only": "has a cell reference '19', not a cell of the grid",
    "ref_beyond_grid": "has a cell reference 'C12345678', not a cell of the grid",
    "row_not_a_number": "has a row numbered 'abc'",
    "missing_part": "refers to a part 'xl/worksheets/sheet2.xml' that is not in the file",
    "utf9": "is not valid XML",
    "utf7": "is not valid XML",
}


@pytest.mark.parametrize("parallel", [False, True], ids=["serial", "parallel"])
def test_malformed_files_are_rejected_and_the_rest_collected(
    malformed: dict[str, Path], parallel: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if parallel:
        monkeypatch.setattr(reader, "PARALLEL_FROM", 2)
    folder = malformed["utf9"].parent
    result = collect_bids([folder], years=CASE.years, workers=2 if parallel else 1)
    assert list(result.files) == ["CYPS_3"]
    for kind, fragment in MALFORMED.items():
        messages = _messages(result, malformed[kind])
        assert any(fragment in m for m in messages), (kind, messages)
        assert not any("could not be read" in m for m in messages), (kind, messages)


def test_malformed_files_exit_3_with_one_line_each(
    malformed: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    folder = malformed["utf9"].parent
    assert main(["bids", "collect", str(folder), "-q"]) == 3
    out = capsys.readouterr().out
    assert out.startswith("1 bid(s) accepted, 6 file(s) rejected of 7")
    assert "Traceback" not in out and out.count("\nerror: ") == 6


def test_a_huge_shared_formula_is_expanded_only_where_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """20,000 cells sharing one formula: only the cells the reader checks are translated
    (about 100 calculated cells on the form), not every cell of the shared range."""
    src = good_bid(tmp_path / "src")
    cells = "".join(f'<c r="Z{r}"><f t="shared" si="7"/></c>' for r in range(2, 20_002))
    master = b'<c r="Z1"><f t="shared" ref="Z1:Z20001" si="7">SUM(A1:B1)</f></c>'
    rows = f'<row r="70">{cells}</row>'.encode()

    def edit(data: bytes) -> bytes:
        return data.replace(
            b"</sheetData>", b'<row r="69">' + master + b"</row>" + rows + b"</sheetData>"
        )

    path = rewrite(src, tmp_path / "shared.xlsx", {S: edit})
    calls = []
    real = _xlsx.Translator

    class Counting(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args: object, **kw: object) -> None:
            calls.append(1)
            super().__init__(*args, **kw)

    monkeypatch.setattr(_xlsx, "Translator", Counting)
    result = read_bid_file(path)
    # every child names row 70 although it says Z2..: all in one row, read lazily
    assert result.data is not None or result.errors
    assert len(calls) <= 200, len(calls)


def test_a_sheet_of_empty_elements_is_refused_before_parsing(tmp_path: Path) -> None:
    """3.2 MB of empty elements used to take 670 MB: refused by counting elements (names
    drawn at random, so the part does not compress like a zip bomb)."""
    src = good_bid(tmp_path / "src")
    rng = random.Random(1)
    filler = b"".join(b"<e%x/>" % rng.getrandbits(24) for _ in range(300_000))
    path = rewrite(
        src,
        tmp_path / "empty_elements.xlsx",
        {S: lambda b: b.replace(b"</worksheet>", filler + b"</worksheet>")},
    )
    result = read_bid_file(path)
    assert result.data is None
    assert "XML elements in xl/worksheets/sheet1.xml" in result.errors[0].message
    assert f"at most {safety.MAX_XML_ELEMENTS:,}" in result.errors[0].message


def test_workers_are_capped_by_the_cores(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen: list[int] = []

    class Pool:
        def __init__(self, max_workers: int) -> None:
            seen.append(max_workers)

        def __enter__(self) -> Pool:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def map(self, fn, items, chunksize=1):  # type: ignore[no-untyped-def]
            return map(fn, items)

    monkeypatch.setattr(reader, "ProcessPoolExecutor", Pool)
    monkeypatch.setattr(reader, "PARALLEL_FROM", 1)
    monkeypatch.setattr(reader.os, "cpu_count", lambda: 2)
    paths = [tmp_path / f"{i}.xlsx" for i in range(3)]
    reader._read_many(paths, 200, None)
    assert seen == [2]  # 200 asked, two cores


# --------------------------------------------------------------------------- names off the form


@pytest.fixture(scope="module")
def src_bid(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return good_bid(tmp_path_factory.mktemp("src"))


def test_a_name_moved_to_the_hidden_lists_sheet_is_refused(src_bid: Path, tmp_path: Path) -> None:
    path = rewrite(
        src_bid,
        tmp_path / "moved.xlsx",
        {
            "xl/workbook.xml": sub(
                rb'<definedName name="investment">[^<]*</definedName>',
                b'<definedName name="investment">Lists!$C$16:$G$16</definedName>',
            )
        },
    )
    r = read_bid_file(path)
    assert r.data is None
    assert [e.message for e in r.errors] == [
        "defined name 'investment' points to Lists!C16:G16; the template puts it at "
        "Bid!C16:G16 (the workbook was altered)"
    ]


def test_a_name_moved_to_another_row_of_the_form_is_refused(src_bid: Path, tmp_path: Path) -> None:
    # investment (row 16) pointed at row 24, below current budget (17) and the rest
    path = rewrite(
        src_bid,
        tmp_path / "moved_row.xlsx",
        {
            "xl/workbook.xml": sub(
                rb'<definedName name="investment">[^<]*</definedName>',
                b'<definedName name="investment">Bid!$C$24:$G$24</definedName>',
            )
        },
    )
    r = read_bid_file(path)
    assert r.data is None
    assert any("out of its place among the form's fields" in e.message for e in r.errors)


def test_a_sheet_scoped_name_shadowing_a_field_is_refused(src_bid: Path, tmp_path: Path) -> None:
    shadow = b'<definedName name="investment" localSheetId="0">Bid!$C$30:$G$30</definedName>'
    path = rewrite(
        src_bid,
        tmp_path / "shadow.xlsx",
        {"xl/workbook.xml": sub(rb"(<definedNames>)", rb"\1" + shadow)},
    )
    r = read_bid_file(path)
    assert r.data is None
    assert [e.message for e in r.errors] == [
        "a sheet-level name 'investment' hides the template's workbook name (the workbook "
        "was altered); fill in a fresh copy of the template"
    ]


def test_a_name_differing_only_in_case_counts_as_the_same(src_bid: Path, tmp_path: Path) -> None:
    path = rewrite(
        src_bid,
        tmp_path / "case.xlsx",
        {
            "xl/workbook.xml": sub(
                rb"(<definedNames>)",
                rb'\1<definedName name="Investment">Bid!$C$30:$G$30</definedName>',
            )
        },
    )
    r = read_bid_file(path)
    assert [e.message for e in r.errors] == [
        "defined name 'investment' is defined 2 times; expected once"
    ]


# --------------------------------------------------------------------------- numbers


def test_money_of_1_797e308_is_refused_located(src_bid: Path, tmp_path: Path) -> None:
    path = rewrite(src_bid, tmp_path / "huge.xlsx", {S: sub(rb"<v>0.164</v>", b"<v>1.797e308</v>")})
    r = read_bid_file(path)
    assert r.data is None
    assert [(e.cell, e.message) for e in r.errors] == [
        (
            "D16",
            "funding sought 2017/18: expected a number, got 1.797e+308 (numbers larger "
            "than 1e+09 are refused)",
        )
    ]


@pytest.mark.parametrize("command", ["check", "run", "appraise", "scenarios"])
def test_a_case_with_huge_or_non_finite_money_is_exit_2(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "huge.toml"
    path.write_text(dump_case(CASE).replace("56.468,", "1.797e308,", 1))
    assert main([command, str(path)]) == 2
    err = capsys.readouterr().err
    assert (
        "'net_budget'[0]: expected a number, got 1.797e+308 (numbers larger than 1e+09 or "
        "not finite are refused)" in err
    )
    assert err.count("\n") == 1 and "Traceback" not in err


def test_nan_never_leaves_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    from cypsxl.cli import InputError
    from cypsxl.commands._present import print_json

    with pytest.raises(InputError, match="not a finite number"):
        print_json({"gap": [1.0, float("nan")]})
    assert capsys.readouterr().out == ""


# --------------------------------------------------------------------------- references and text


@pytest.mark.parametrize(
    ("ref", "shown"),
    [
        ("CYPS_2\nerror: forged", "'CYPS_2\\nerror: forged'"),
        ("CYPS_\u200b2", "'CYPS_\\u200b2'"),
        ("CYPS_\u04212", "'CYPS_\\u04212'"),  # a Cyrillic letter that looks Latin
        ("2CYPS", "'2CYPS'"),
    ],
    ids=["newline", "zero-width", "cyrillic", "digit-first"],
)
def test_bid_references_follow_a_strict_pattern(
    ref: str, shown: str, src_bid: Path, tmp_path: Path
) -> None:
    """A reference that breaks the pattern is refused with the rule (one too long is
    refused by its length first: tests/test_mutation_kills_bidform.py)."""
    path = edit_cells(src_bid, tmp_path / "ref.xlsx", {"Bid!C6": ref})
    r = read_bid_file(path)
    assert r.data is None
    assert [(e.cell, e.message) for e in r.errors] == [
        (
            "C6",
            "Bid reference: expected a reference of letters, digits, '_' or '-' starting "
            f"with a letter (at most 32), got {shown}",
        )
    ]


def test_case_file_references_follow_the_same_pattern(tmp_path: Path) -> None:
    text = dump_case(CASE).replace('ref = "CYPS_2"', 'ref = "CYPS_\\u200b2"', 1)
    with pytest.raises(Exception) as info:
        parse_case(text, "c.toml")
    assert "bid #3: 'ref': expected a reference of letters" in str(info.value)


def test_escape_sequences_in_file_names_are_shown_escaped(
    src_bid: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "\x1b[2J\x1b[31mevil.xlsx"
    bad.write_bytes(b"not a workbook")
    good = tmp_path / "CYPS_2.xlsx"
    good.write_bytes(src_bid.read_bytes())
    assert main(["bids", "collect", str(tmp_path), "-q"]) == 3
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b[2J\\x1b[31mevil.xlsx" in out


def test_a_negative_shared_string_index_is_damage(src_bid: Path, tmp_path: Path) -> None:
    sst = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        b'uniqueCount="1"><si><t>Last string</t></si></sst>'
    )
    path = rewrite(
        src_bid,
        tmp_path / "sst.xlsx",
        {S: sub(rb'<c r="C7"[^>]*>.*?</c>', b'<c r="C7" t="s"><v>-1</v></c>')},
        extra={"xl/sharedStrings.xml": sst},
    )
    r = read_bid_file(path)
    assert [e.message for e in r.errors] == ["is damaged (a cell points to shared string '-1')"]


def test_duplicate_reference_messages_are_bounded(src_bid: Path, tmp_path: Path) -> None:
    """30 copies of one bid: each message names one other file and counts the rest."""
    for i in range(30):
        (tmp_path / f"copy{i:02d}.xlsx").write_bytes(src_bid.read_bytes())
    result = collect_bids([tmp_path], workers=1)
    assert result.bids == [] and len(result.rejected) == 30
    first = result.rejected[0].errors[0].message
    assert first == (
        f"bid reference CYPS_2 is also used by {tmp_path / 'copy01.xlsx'} and 28 other "
        "files; each bid needs its own reference (remove the old version or renumber)"
    )
    assert max(len(e.message) for r in result.rejected for e in r.errors) < 250


# --------------------------------------------------------------------------- outputs


@pytest.fixture
def returns(src_bid: Path, tmp_path: Path) -> Path:
    d = tmp_path / "returns"
    d.mkdir()
    (d / "CYPS_2.xlsx").write_bytes(src_bid.read_bytes())
    return d


def test_an_output_naming_an_input_is_refused(
    returns: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bid = returns / "CYPS_2.xlsx"
    before = bid.read_bytes()
    for option in ("-o", "--case-out"):
        assert main(["bids", "collect", str(returns), "-q", option, str(bid), "--force"]) == 2
        assert "is one of the inputs; it is never overwritten" in capsys.readouterr().err
    assert bid.read_bytes() == before


def test_outputs_are_written_whole_or_not_at_all(
    returns: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--case-out into a 'folder' that is a file: neither output is written."""
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("x")
    out = tmp_path / "consolidated.xlsx"
    code = main(
        [
            "bids",
            "collect",
            str(returns),
            "-q",
            "-o",
            str(out),
            "--case-out",
            str(blocker / "c.toml"),
        ]
    )
    assert code == 2
    assert "cannot write" in capsys.readouterr().err
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not_a_folder", "returns"]


def test_outputs_need_force_to_be_replaced(
    returns: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "c.xlsx"
    out.write_text("keep me")
    assert main(["bids", "collect", str(returns), "-q", "-o", str(out)]) == 2
    assert f"{out} exists; give --force to replace it" in capsys.readouterr().err
    assert out.read_text() == "keep me"
    assert main(["bids", "collect", str(returns), "-q", "-o", str(out), "--force"]) == 0
    assert openpyxl.load_workbook(out).sheetnames[0] == "Bids"


def test_a_folder_that_cannot_be_written_is_a_usage_error(
    returns: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == locked else real(p, mode))
    assert main(["bids", "collect", str(returns), "-q", "-o", str(locked / "c.xlsx")]) == 2
    assert f"the folder {locked} is not writable" in capsys.readouterr().err


def test_an_invalid_utf8_file_name_gives_a_workbook_that_opens(
    returns: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = os.fsdecode(b"caf\xe9.xlsx")  # Latin-1 bytes: not UTF-8
    (returns / name).write_bytes(b"junk")
    out = tmp_path / "out.xlsx"
    assert main(["bids", "collect", str(returns), "-q", "-o", str(out)]) == 3
    errors = openpyxl.load_workbook(out)["Errors"]
    assert errors.cell(2, 2).value.endswith("caf\ufffd.xlsx")
    # and the JSON is UTF-8 with the same replacement character
    capsys.readouterr()
    assert main(["bids", "collect", str(returns), "-q", "--json"]) == 3
    doc = json.loads(capsys.readouterr().out.encode("utf-8"))
    assert doc["rejected"][0]["file"].endswith("caf\ufffd.xlsx")


def test_a_symlink_loop_in_the_folder_is_a_rejected_file(
    returns: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (returns / "loop.xlsx").symlink_to(returns / "loop.xlsx")
    out = tmp_path / "out.xlsx"
    assert main(["bids", "collect", str(returns), "-q", "-o", str(out)]) == 3
    assert "loop.xlsx: cannot be read: Too many levels of symbolic links" in capsys.readouterr().out
    assert openpyxl.load_workbook(out)["Errors"].cell(2, 2).value.endswith("loop.xlsx")


def test_an_unreadable_sub_folder_is_reported(
    returns: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (returns / "sub").mkdir()
    real = os.scandir

    def scandir(path: object = ".") -> object:
        if Path(str(path)).name == "sub":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    result = collect_bids([returns], workers=1)
    assert list(result.files) == ["CYPS_2"]
    assert [(r.file, r.errors[0].message) for r in result.rejected] == [
        (str(returns / "sub"), "cannot be read: Permission denied")
    ]


# --------------------------------------------------------------------------- case files


def test_case_files_that_are_not_files_or_too_big_or_deep(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    deep = tmp_path / "deep.toml"
    deep.write_text("[case]\nx = " + "[" * 500 + "]" * 500 + "\n")
    deepish = tmp_path / "deepish.toml"
    deepish.write_text("[case]\nx = " + "[" * 30 + "]" * 30 + "\n")
    digits = tmp_path / "digits.toml"
    digits.write_text("[case]\nx = " + "9" * 5000 + "\n")
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * 5_000_001)
    for path, message in (
        ("/dev/zero", "is not a regular file (a device, pipe or socket)"),
        (fifo, "is not a regular file (a device, pipe or socket)"),
        (deep, "not valid TOML: arrays or tables nested too deeply (refused)"),
        (deepish, "arrays or tables nested more than 20 deep"),
        (digits, "not valid TOML: a number has thousands of digits (refused)"),
        (big, "is 5,000,001 bytes; a case file is at most 5,000,000"),
    ):
        for command in ("check", "run", "appraise", "scenarios"):
            assert main([command, str(path)]) == 2, (path, command)
            err = capsys.readouterr().err
            assert err == f"error: {path}: {message}\n" or (
                message in err and err.count("\n") == 1
            ), (command, err)


def test_a_400_digit_integer_is_located(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "digits.toml"
    path.write_text(dump_case(CASE).replace("13.125,", "9" * 400 + ",", 1))
    for command in ("check", "run", "appraise", "scenarios"):
        assert main([command, str(path)]) == 2
        err = capsys.readouterr().err
        assert "'base_gap'" in err and "got a 400-digit integer" in err, err


def test_scenarios_are_bounded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenarios", "-n", "1000000000"]) == 2
    assert capsys.readouterr().err == (
        "error: -n: 1,000,000,000 scenarios is more than can run in bounded memory for this "
        "case (11 bids, 5 years): at most 1,000,000\n"
    )
    path = tmp_path / "n.toml"
    path.write_text(dump_case(CASE) + "\n[scenarios]\nn = 2000000\n")
    assert main(["scenarios", str(path)]) == 2
    assert "'n': expected at most 1,000,000 scenarios, got 2,000,000" in capsys.readouterr().err


def test_many_bids_lower_the_scenario_bound() -> None:
    import dataclasses

    many = dataclasses.replace(CASE, bids=CASE.bids * 1000)  # 11,000 bids
    # 8 bytes x (3 x 5 years + 3 x 11,000 bids + 1) = 264,128 bytes a scenario;
    # 800,000,000 / 264,128 = 3,028.8
    assert max_scenarios(many) == 3028


# --------------------------------------------------------------------------- appraisal


def _tornado_by_full_evaluation(case: object, share: float) -> dict[str, tuple[float, float]]:
    """The tornado as it was computed before: every group against every bid (bids^2)."""
    from cypsxl.model import appraisal

    a = case_arrays(case)  # type: ignore[arg-type]
    groups = [k for k, _ in appraisal._tornado_groups(case, a)]  # type: ignore[arg-type]
    s = 1 + 2 * len(groups)
    b = a.n_bids
    inv, sav, delivery = np.ones((s, b)), np.ones((s, b)), np.ones((s, b))
    cost = np.broadcast_to(a.avoided_cost[:, 0], (s, b)).copy()
    factor = np.broadcast_to(a.part_year_factor[:, 0], (s, b)).copy()
    pressure = {k: np.ones(s) for k in a.pressures}
    for g, key in enumerate(groups):
        for row, sign in ((2 * g + 1, -1.0), (2 * g + 2, 1.0)):
            scale = 1.0 + sign * share
            kind, _, name = key.partition(":")
            if kind == "avoided_cost":
                cost[row] *= scale
            elif kind == "part_year_factor":
                factor[row] = np.clip(factor[row] * scale, 0.0, 1.0)
            elif kind == "pressure":
                pressure[name][row] = scale
            else:
                i = a.refs.index(name)
                {"prevented": delivery, "saving": sav, "investment": inv}[kind][row, i] *= scale
    out = evaluate(
        a,
        Levers(
            n=s,
            delivery=delivery,
            avoided_cost=cost,
            part_year_factor=factor,
            saving=sav,
            investment=inv,
            pressure=pressure,
        ),
    )
    cum, gap = out.net.sum(axis=(-2, -1)), out.revised_gap[:, -1]
    return {key: (cum[2 * g + 1] - cum[0], gap[2 * g + 2] - gap[0]) for g, key in enumerate(groups)}


@pytest.mark.parametrize("share", [0.1, 0.35])
def test_the_linear_tornado_equals_the_full_evaluation(share: float) -> None:
    want = _tornado_by_full_evaluation(CASE, share)
    got = {r.key: (r.cumulative_net_low, r.revised_gap_high) for r in sensitivity(CASE, share)}
    assert set(got) == set(want)
    for key, (cum, gap) in want.items():
        assert got[key] == pytest.approx((cum, gap), abs=1e-12), key


def test_appraisal_of_many_bids_runs(tmp_path: Path) -> None:
    """1,100 bids (the reference bids 100 times, renamed): the tornado has a row per bid
    group and the programme is 100 times the reference one."""
    import dataclasses

    bids = tuple(dataclasses.replace(b, ref=f"{b.ref}_{i}") for i in range(100) for b in CASE.bids)
    many = dataclasses.replace(CASE, bids=bids)
    ap = appraise_case(many)
    one = appraise_case(CASE)
    assert len(ap.tornado_base) == len(one.tornado_base) + 99 * (len(one.tornado_base) - 4)
    assert ap.base[1].npv == pytest.approx(100 * one.base[1].npv, rel=1e-9)


# --------------------------------------------------------------------------- text


def test_control_and_invisible_characters_in_text_are_refused(
    src_bid: Path, tmp_path: Path
) -> None:
    path = edit_cells(
        src_bid,
        tmp_path / "text.xlsx",
        # C0 controls cannot be stored in XML at all; C1 controls (CSI, \x9b) can
        {"Bid!C7": "Edge of care\x9b2J", "Bid!C8": "Early\u202ehelp", "Bid!C10": "Cllr\nSmith"},
    )
    r = read_bid_file(path)
    assert [(e.cell, e.message) for e in r.errors] == [
        ("C7", "Title contains the control character '\\x9b' (position 13); type plain text"),
        (
            "C8",
            "Service area contains the invisible character '\\u202e' (position 6); type plain text",
        ),
    ]
    ok = read_bid_file(edit_cells(src_bid, tmp_path / "ok.xlsx", {"Bid!C10": "Cllr\nSmith"}))
    assert ok.data is not None and ok.data.cabinet_member == "Cllr Smith"


def test_case_file_text_is_plain(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        dump_case(CASE).replace('title = "Therapeutic', 'title = "\\u001b[31mTherapeutic', 1)
    )
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "bid CYPS_1B: 'title': contains the control character '\\x1b' (position 1)" in err


def test_template_new_refuses_a_bad_reference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "t.xlsx"
    assert main(["template", "new", "-o", str(out), "--ref", "CYPS 12"]) == 2
    assert "--ref: expected a reference of letters, digits" in capsys.readouterr().err
    assert not out.exists()


_PARENT = {"pid": os.getpid()}


def _dies_in_a_worker(path: Path) -> object:
    """read_bid_file, except that a worker process reading CYPS_3 is killed."""
    if os.getpid() != _PARENT["pid"] and Path(path).name == "CYPS_3.xlsx":
        os._exit(9)
    return read_bid_file(path)


def test_a_worker_that_dies_loses_no_file(
    malformed: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the process running this test, not the one that imported it, reads the rest
    monkeypatch.setitem(_PARENT, "pid", os.getpid())
    monkeypatch.setattr(reader, "PARALLEL_FROM", 2)
    monkeypatch.setattr(reader, "read_bid_file", _dies_in_a_worker)
    folder = malformed["utf9"].parent
    result = collect_bids([folder], years=CASE.years, workers=2)
    assert list(result.files) == ["CYPS_3"] and len(result.rejected) == 6


def test_an_unforeseen_failure_rejects_the_file_not_the_collection(
    malformed: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last resort: whatever a file makes the zip library raise, that file is
    rejected by name and the others are collected."""
    real = safety.zipfile.ZipFile

    def odd(path: object, *args: object, **kw: object) -> object:
        if Path(str(path)).name == "utf7.xlsx":
            raise struct.error("unpack requires a buffer of 46 bytes")
        return real(path, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(safety.zipfile, "ZipFile", odd)
    result = collect_bids([malformed["utf7"].parent], years=CASE.years, workers=1)
    assert list(result.files) == ["CYPS_3"]
    assert _messages(result, malformed["utf7"]) == [
        "!: could not be read (error; refused; save it again from Excel as a fresh copy of "
        "the bid template)"
    ]
