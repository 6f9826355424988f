"""Collecting many bid files: which process reads them, progress, paths that are missing,
folders that cannot be listed, lock files, the collection's years, and the short form of
a parser's complaint (docs/mutation.md, "The bid reader and the file-safety checks").

Every file here is tiny (a line of text, a few bytes, nothing) or a template cypsxl
writes, so the whole module runs in well under a second or two. The pool tests replace
``os.cpu_count`` and :data:`PARALLEL_FROM` so that a handful of files takes the pool path
on any machine.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, ClassVar

import pytest
from support.bidfiles import edit_cells, good_bid, with_cached

from cypsxl.model import Assumptions
from cypsxl.workbook import reader
from cypsxl.workbook.reader import (
    BidData,
    CellProblem,
    FileResult,
    Rejected,
    _fit_years,
    collect_bids,
    find_workbooks,
)
from cypsxl.workbook.safety import HostileFile, _short, parse_part
from cypsxl.workbook.template import write_blank_template

_SAVE_AS = "save it as an Excel Workbook (.xlsx) and send it again"
_CSV = f"is CSV or other text, not an Excel workbook; fill in the bid template and {_SAVE_AS}"
_BINARY = "is not an Excel workbook (unrecognised content)"
_EMPTY = "is empty (0 bytes); the upload may have failed"
_TAIL = "; use a template for years within the collection's (or collect with --years)"


def _files(folder: Path, n: int) -> tuple[list[Path], list[str]]:
    """``n`` files that are refused before any workbook part is read, in a repeating
    pattern of three kinds: CSV text, binary bytes, an empty file; with the message each
    gets."""
    folder.mkdir()
    kinds = [
        (b"ref,title\nCYPS_1,Foster care\n", _CSV),
        (b"\x00\x01\x02\x03", _BINARY),
        (b"", _EMPTY),
    ]
    paths, messages = [], []
    for i in range(n):
        data, message = kinds[i % 3]
        p = folder / f"f{i:02d}.xlsx"
        p.write_bytes(data)
        paths.append(p)
        messages.append(message)
    return paths, messages


def _rejected(result: Any) -> list[tuple[str, list[tuple[str, str, str]]]]:
    return [(r.file, [(e.sheet, e.cell, e.message) for e in r.errors]) for r in result.rejected]


class _NoPool:
    """Stands in for the process pool where the files must be read in this process."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        raise AssertionError("a process pool was started")


def _cores(monkeypatch: pytest.MonkeyPatch, n: int | None) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: n)


# --------------------------------------------------------------------------- which process


@pytest.mark.parametrize("workers", [1, 0])
def test_one_worker_reads_in_this_process_whatever_the_cores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """workers=1 (or 0) on 4 cores, 3 files with the pool threshold at 2: min(1, 4, 8) = 1
    worker, so no pool (kills ignoring ``workers``, passing None for it, ``and`` for ``or``
    and ``< 1`` for ``<= 1``); progress (1, 3), (2, 3), (3, 3); files in order."""
    _cores(monkeypatch, 4)
    monkeypatch.setattr(reader, "PARALLEL_FROM", 2)
    monkeypatch.setattr(reader, "ProcessPoolExecutor", _NoPool)
    paths, messages = _files(tmp_path / "in", 3)
    seen: list[tuple[int, int]] = []
    result = collect_bids(paths, workers=workers, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert _rejected(result) == [
        (str(p), [("", "", m)]) for p, m in zip(paths, messages, strict=True)
    ]


def test_an_unknown_core_count_reads_in_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """os.cpu_count() gives None: taken as 1 core, so 1 worker and no pool even for 3 files
    past a threshold of 2 (kills ``or 2``)."""
    _cores(monkeypatch, None)
    monkeypatch.setattr(reader, "PARALLEL_FROM", 2)
    monkeypatch.setattr(reader, "ProcessPoolExecutor", _NoPool)
    paths, messages = _files(tmp_path / "in", 3)
    result = collect_bids(paths)
    assert _rejected(result) == [
        (str(p), [("", "", m)]) for p, m in zip(paths, messages, strict=True)
    ]


class _SerialPool:
    """A pool that records the workers asked for and maps in this process."""

    asked: ClassVar[list[int]] = []

    def __init__(self, max_workers: int) -> None:
        _SerialPool.asked.append(max_workers)

    def __enter__(self) -> _SerialPool:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def map(
        self, fn: Callable[[Path], Any], items: Iterable[Path], chunksize: int = 1
    ) -> Iterator[Any]:
        return map(fn, items)


@pytest.mark.parametrize("workers", [None, 20])
def test_at_most_eight_workers_on_sixteen_cores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int | None
) -> None:
    """16 cores, default or 20 workers asked: min(16 or 20, 16, 8) = 8 processes (kills the
    cap dropped)."""
    _cores(monkeypatch, 16)
    monkeypatch.setattr(reader, "PARALLEL_FROM", 2)
    monkeypatch.setattr(_SerialPool, "asked", [])
    monkeypatch.setattr(reader, "ProcessPoolExecutor", _SerialPool)
    paths, _ = _files(tmp_path / "in", 3)
    collect_bids(paths, workers=workers)
    assert _SerialPool.asked == [8]


def test_the_pool_reads_from_parallel_from_files_in_order_with_progress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """17 files, the threshold at 17, 2 workers on 2 cores: a real pool of 2 (kills
    ``<=`` for ``<`` against the threshold); chunks of max(1, min(64, 17 // (2 x 8))) = 1
    file, a whole number (kills ``/`` for ``//``, 17 / 16 = 1.0625, which the pool
    refuses); progress (1, 17) ... (17, 17) one by one (kills counting from 0 or 2, and
    None or a missing argument in the call); every result in file order."""
    _cores(monkeypatch, 2)
    monkeypatch.setattr(reader, "PARALLEL_FROM", 17)
    started: list[int] = []
    real = reader.ProcessPoolExecutor

    class Recording(real):  # type: ignore[valid-type,misc]
        def __init__(self, max_workers: int) -> None:
            started.append(max_workers)
            super().__init__(max_workers=max_workers)

    monkeypatch.setattr(reader, "ProcessPoolExecutor", Recording)
    paths, messages = _files(tmp_path / "in", 17)
    seen: list[tuple[int, int]] = []
    result = collect_bids(paths, workers=2, progress=lambda d, t: seen.append((d, t)))
    assert started == [2]
    assert seen == [(i, 17) for i in range(1, 18)]
    assert _rejected(result) == [
        (str(p), [("", "", m)]) for p, m in zip(paths, messages, strict=True)
    ]


class _DyingPool(_SerialPool):
    """A pool whose worker dies after returning two files."""

    def map(
        self, fn: Callable[[Path], Any], items: Iterable[Path], chunksize: int = 1
    ) -> Iterator[Any]:
        for k, item in enumerate(items):
            if k == 2:
                raise BrokenProcessPool("a worker died")
            yield fn(item)


def test_after_a_worker_dies_the_rest_are_read_here_counting_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """5 files on the pool path; the pool breaks after 2 results: files 3 to 5 are read in
    this process and progress goes on (3, 5), (4, 5), (5, 5) after (1, 5), (2, 5) (kills
    the count restarting at 0, len - 1 or len + 2 instead of len + 1, and None or a
    missing argument in the call); every file once, in order."""
    _cores(monkeypatch, 2)
    monkeypatch.setattr(reader, "PARALLEL_FROM", 2)
    monkeypatch.setattr(reader, "ProcessPoolExecutor", _DyingPool)
    paths, messages = _files(tmp_path / "in", 5)
    seen: list[tuple[int, int]] = []
    result = collect_bids(paths, workers=2, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]
    assert _rejected(result) == [
        (str(p), [("", "", m)]) for p, m in zip(paths, messages, strict=True)
    ]


# --------------------------------------------------------------------------- paths


def _sub_folder_unlistable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Listing any folder named ``sub`` fails as it would without permission."""
    real = os.scandir

    def scandir(path: Any = ".") -> Any:
        if Path(str(path)).name == "sub":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)


def test_a_missing_path_and_an_unlistable_folder_are_both_rejected_file_wide(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A path that does not exist, then a folder holding a sub-folder that cannot be
    listed: both rejected, missing first, each with one file-wide problem naming the path
    (kills ``=`` for ``+=``, None or "XXXX" for the file, sheet, cell or message, dropped
    arguments, and the message's case)."""
    missing = str(tmp_path / "nope.xlsx")
    folder = tmp_path / "returns"
    (folder / "sub").mkdir(parents=True)
    _sub_folder_unlistable(monkeypatch)
    result = collect_bids([missing, folder], workers=1)
    sub = str(folder / "sub")
    assert result.rejected == [
        Rejected(missing, [CellProblem(missing, "", "", "does not exist")]),
        Rejected(sub, [CellProblem(sub, "", "", "cannot be read: Permission denied")]),
    ]
    assert [str(e) for r in result.rejected for e in r.errors] == [
        f"{missing}: does not exist",
        f"{sub}: cannot be read: Permission denied",
    ]


def test_an_excel_lock_file_is_skipped_by_its_path(tmp_path: Path) -> None:
    """~$CYPS_2.xlsx (Excel's owner file) is listed as skipped, by its own path (kills the
    list dropped or holding "None"), and is neither read nor rejected."""
    lock = tmp_path / "~$CYPS_2.xlsx"
    lock.write_bytes(b"\x05owner")
    result = collect_bids([lock], workers=1)
    assert result.skipped == [str(lock)]
    assert result.rejected == [] and result.bids == []


def test_a_folder_scan_without_a_list_for_problems_ignores_an_unlistable_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """find_workbooks without ``unreadable``: a sub-folder that cannot be listed is passed
    over and the workbook beside it found (kills appending to None)."""
    folder = tmp_path / "returns"
    (folder / "sub").mkdir(parents=True)
    (folder / "CYPS_1.xlsx").write_bytes(b"x")
    _sub_folder_unlistable(monkeypatch)
    assert find_workbooks([folder]) == ([folder / "CYPS_1.xlsx"], [], [])


def test_a_folder_given_by_a_workbook_name_is_returned_as_a_file(tmp_path: Path) -> None:
    """A folder "Bids.XLSX" given by name is a file to report, not a folder to search,
    whatever the case of its suffix (kills comparing the suffix in capitals)."""
    folder = tmp_path / "Bids.XLSX"
    folder.mkdir()
    (folder / "CYPS_1.xlsx").write_bytes(b"x")
    assert find_workbooks([folder]) == ([folder], [], [])


def test_one_file_given_twice_or_by_two_spellings_is_read_once(tmp_path: Path) -> None:
    """CYPS_1.xlsx given as itself, again, and as sub/../CYPS_1.xlsx: one file, the first
    spelling (kills comparing unresolved paths and remembering None)."""
    (tmp_path / "sub").mkdir()
    f = tmp_path / "CYPS_1.xlsx"
    f.write_bytes(b"x")
    assert find_workbooks([f, f, tmp_path / "sub" / ".." / "CYPS_1.xlsx"]) == ([f], [], [])


def test_two_broken_links_to_one_missing_file_are_two_files(tmp_path: Path) -> None:
    """Two dangling links to the same missing workbook: each is a file of its own,
    compared by its own path since it cannot be resolved (kills resolving it anyway)."""
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    a.symlink_to(tmp_path / "gone.xlsx")
    b.symlink_to(tmp_path / "gone.xlsx")
    assert find_workbooks([a, b]) == ([a, b], [], [])


# --------------------------------------------------------------------------- years


def test_the_collections_years_come_from_accepted_files_only(tmp_path: Path) -> None:
    """CYPS_2 (2016/17-2020/21) accepted, two blank templates for 2017/18-2021/22 refused
    (no title): the years most ACCEPTED files have are 2016/17-2020/21, so CYPS_2 is kept
    (counting the two refused files too would make it 2017/18-2021/22 and refuse CYPS_2)."""
    good = good_bid(tmp_path / "a")
    later = ["2017/18", "2018/19", "2019/20", "2020/21", "2021/22"]
    blanks = [
        write_blank_template(tmp_path / "a" / f"blank{i}.xlsx", f"CYPS_9{i}", later) for i in (1, 2)
    ]
    result = collect_bids([good, *blanks], workers=1)
    assert result.years == ("2016/17", "2017/18", "2018/19", "2019/20", "2020/21")
    assert list(result.files) == ["CYPS_2"]
    assert [r.file for r in result.rejected] == [str(b) for b in blanks]


# --------------------------------------------------------------------------- saved results


def test_a_saved_cost_avoidance_at_no_cost_a_child_is_zero(tmp_path: Path) -> None:
    """CYPS_2 with its avoided cost typed as 0 (C19): 2020/21 cost avoidance = 87
    child-years x 0 / 1e6 = 0, so a saved 0 in G22 is accepted (kills taking a cost of 0
    as 1: 87 x 1 / 1e6 = 0.000087, past the 1e-6 tolerance)."""
    src = edit_cells(good_bid(tmp_path / "a"), tmp_path / "zero.xlsx", {"Bid!C19": 0})
    r = reader.read_bid_file(with_cached(src, tmp_path / "saved.xlsx", {"G22": ("n", "0")}))
    assert r.errors == []
    assert r.data is not None and r.data.avoided_cost_per_child == 0.0


def test_saved_results_with_a_whole_year_factor_are_accepted(tmp_path: Path) -> None:
    """CYPS_2 with its part-year factor typed as 1 (C20): child-years avoided in 2017/18 =
    15 children to date - (1 - 1) x 15 = 15, cost avoidance 15 x 22,000 / 1e6 = 0.33;
    saved 15 (D21) and 0.33 (D22) are accepted (kills the factor left out of either,
    which takes the default 0.5: 15 - 7.5 = 7.5 and 0.165)."""
    src = edit_cells(good_bid(tmp_path / "a"), tmp_path / "whole.xlsx", {"Bid!C20": 1})
    r = reader.read_bid_file(
        with_cached(src, tmp_path / "saved.xlsx", {"D21": ("n", "15"), "D22": ("n", "0.33")})
    )
    assert r.errors == []
    assert r.data is not None and r.data.part_year_factor == 1.0


def test_a_wrong_saved_result_in_a_later_year_is_refused_at_its_cell(tmp_path: Path) -> None:
    """CYPS_2's 2017/18 child-years avoided (D21) = 15 to date - (1 - 0.5) x 15 = 7.5; a
    saved 8 is refused at D21, the second year's own cell (kills placing the k-th year's
    figure at column C - k, which checks only column C)."""
    r = reader.read_bid_file(
        with_cached(good_bid(tmp_path / "a"), tmp_path / "s.xlsx", {"D21": ("n", "8")})
    )
    assert r.data is None
    assert [(e.sheet, e.cell, e.message) for e in r.errors] == [
        (
            "Bid",
            "D21",
            "saved result '8.0' differs from the engine's 7.5: a formula or a calculated "
            "cell was changed",
        )
    ]


def test_a_bid_that_never_pays_back_saves_none(tmp_path: Path) -> None:
    """CYPS_2 with no child prevented (row 18 all 0): gross saving 0, so net = investment
    > 0 every year and it never pays back or breaks even; saved text "none" in C27, D27,
    C28 and D28 is accepted (kills 0 in place of "none", "XXnoneXX" and "NONE" for the
    year numbers or the years)."""
    src = edit_cells(
        good_bid(tmp_path / "a"), tmp_path / "never.xlsx", {f"Bid!{c}18": 0 for c in "CDEFG"}
    )
    singles = ("C27", "D27", "C28", "D28")
    r = reader.read_bid_file(
        with_cached(src, tmp_path / "saved.xlsx", dict.fromkeys(singles, ("str", "none")))
    )
    assert r.errors == []
    assert r.data is not None and r.data.prevented == (0.0, 0.0, 0.0, 0.0, 0.0)


def test_a_saved_children_avoided_is_zero_for_a_gross_saving_bid(tmp_path: Path) -> None:
    """CYPS_2 with children prevented, avoided cost and part-year factor cleared (row 18,
    C19, C20) and a gross saving of 0.2 a year typed in (row 23): no child is avoided, so
    a saved 0 in D21 (2017/18) is accepted (kills taking one child prevented a year: 2 to
    date - (1 - 0) x 1 = 1, and handing the engine the blank factor itself); the saved
    gross saving in E24 (2018/19) is the typed 0.2 + 0 x 0 = 0.2 (kills leaving the
    engine's default part-year factor blank, which makes it NaN)."""
    src = edit_cells(
        good_bid(tmp_path / "a"),
        tmp_path / "gross.xlsx",
        {
            **{f"Bid!{c}18": None for c in "CDEFG"},
            **{f"Bid!{c}23": 0.2 for c in "CDEFG"},
            "Bid!C19": None,
            "Bid!C20": None,
        },
    )
    r = reader.read_bid_file(
        with_cached(src, tmp_path / "saved.xlsx", {"D21": ("n", "0"), "E24": ("n", "0.2")})
    )
    assert r.errors == []
    assert r.data is not None and r.data.prevented is None
    assert r.data.gross_saving == (0.2, 0.2, 0.2, 0.2, 0.2)
    assert r.data.part_year_factor is None and r.data.avoided_cost_per_child is None


def test_a_collected_bid_keeps_its_directorate_cabinet_member_budget_and_notes(
    tmp_path: Path,
) -> None:
    """CYPS_2 with a directorate (C9), a cabinet member (C10), a current budget of £1.25m
    (C17) and an answer to the Narrative's question 1 (B5) typed in: the collected bid
    carries all four as typed (kills any of them dropped on the way to the model's bid)."""
    src = edit_cells(
        good_bid(tmp_path / "a"),
        tmp_path / "who.xlsx",
        {
            "Bid!C9": "People",
            "Bid!C10": "Cllr A. Khan",
            "Bid!C17": 1.25,
            "Narrative!B5": "Fewer children enter care.",
        },
    )
    (bid,) = collect_bids([src], workers=1).bids
    assert (bid.directorate, bid.cabinet_member, bid.current_budget) == (
        "People",
        "Cllr A. Khan",
        1.25,
    )
    assert dict(bid.notes) == {"answer_1": "Fewer children enter care."}


def test_a_bids_avoided_cost_and_factor_are_overrides_only_where_they_differ(
    tmp_path: Path,
) -> None:
    """CYPS_2 typed £22,000 a child and factor 0.5. Against a base of 22,000 and 0.5
    neither is an override (None, None); against 30,000 and 0.25 both are (22,000, 0.5);
    against 22,000 and 0.25 only the factor; with no base both. A bid with a gross saving
    typed in and no children prevented never overrides (kills each test inverted, ``and``
    for ``or``, an override dropped, and "" for no override)."""
    cyps2 = good_bid(tmp_path / "a")
    gross = edit_cells(
        cyps2,
        tmp_path / "gross.xlsx",
        {**{f"Bid!{c}18": None for c in "CDEFG"}, **{f"Bid!{c}23": 0.2 for c in "CDEFG"}},
    )

    def overrides(path: Path, base: Assumptions | None) -> tuple[float | None, float | None]:
        (bid,) = collect_bids([path], base=base, workers=1).bids
        return bid.avoided_cost_per_child_per_year, bid.part_year_factor

    same = Assumptions(avoided_cost_per_child_per_year=22000.0, part_year_factor=0.5)
    other = Assumptions(avoided_cost_per_child_per_year=30000.0, part_year_factor=0.25)
    factor_only = Assumptions(avoided_cost_per_child_per_year=22000.0, part_year_factor=0.25)
    assert overrides(cyps2, same) == (None, None)
    assert overrides(cyps2, other) == (22000.0, 0.5)
    assert overrides(cyps2, factor_only) == (None, 0.5)
    assert overrides(cyps2, None) == (22000.0, 0.5)
    assert overrides(gross, other) == (None, None)
    assert overrides(gross, None) == (None, None)


def test_a_formula_and_an_empty_text_in_input_cells_are_located(tmp_path: Path) -> None:
    """CYPS_2's 2017/18 funding (D16) typed as a formula of 63 characters after "=", and
    its 2018/19 funding (E16) as empty text: the formula is quoted to its first 60
    characters, "0.1" and 28 "+0" and a "+" (kills 61 and every argument of the message
    dropped or None); empty text counts as blank, so E16 is missing (kills "" compared
    as "XXXX", ``and`` for ``or`` and ``is not None`` for the formula in the blank test)."""
    formula = "0.1" + "+0" * 30
    src = edit_cells(
        good_bid(tmp_path / "a"), tmp_path / "in.xlsx", {"Bid!D16": "=" + formula, "Bid!E16": ""}
    )
    r = reader.read_bid_file(src)
    assert [(e.sheet, e.cell, e.message) for e in r.errors] == [
        ("Bid", "D16", "holds a formula (=0.1" + "+0" * 28 + "+); type the value instead"),
        ("Bid", "E16", "funding sought 2018/19 is missing; enter 0 where none"),
    ]


def test_a_cleared_title_is_missing_at_its_cell(tmp_path: Path) -> None:
    """CYPS_2 with its title (C7) cleared: "Title is missing" at Bid!C7 and nothing else
    (kills the message's sheet, row, column or text dropped or None)."""
    src = edit_cells(good_bid(tmp_path / "a"), tmp_path / "t.xlsx", {"Bid!C7": None})
    r = reader.read_bid_file(src)
    assert r.data is None
    assert [(e.sheet, e.cell, e.message) for e in r.errors] == [("Bid", "C7", "Title is missing")]


def test_a_title_of_spaces_only_is_missing_at_its_cell(tmp_path: Path) -> None:
    """CYPS_2 with only spaces typed as its title (C7): the cell is not blank, but the
    title stripped is empty, so "Title is missing" at Bid!C7 and nothing else."""
    src = edit_cells(good_bid(tmp_path / "a"), tmp_path / "t.xlsx", {"Bid!C7": "   "})
    r = reader.read_bid_file(src)
    assert r.data is None
    assert [(e.sheet, e.cell, e.message) for e in r.errors] == [("Bid", "C7", "Title is missing")]


def test_a_true_or_false_title_is_not_text(tmp_path: Path) -> None:
    """Title (C7) typed as the logical TRUE: "Title: expected text, got 'True'" at
    Bid!C7 (kills ``and`` for ``or`` in the test for errors and logicals, and the sheet
    dropped)."""
    src = edit_cells(good_bid(tmp_path / "a"), tmp_path / "t.xlsx", {"Bid!C7": True})
    r = reader.read_bid_file(src)
    assert [(e.sheet, e.cell, e.message) for e in r.errors] == [
        ("Bid", "C7", "Title: expected text, got 'True'")
    ]


@pytest.mark.parametrize(("typed", "title"), [(2024, "2024"), ("T" * 200, "T" * 200)])
def test_a_title_of_a_whole_number_or_of_200_characters_is_kept(
    tmp_path: Path, typed: object, title: str
) -> None:
    """Title (C7) typed as the number 2024 reads "2024", not "2024.0" (kills the whole
    number kept as a float); 200 characters, the most allowed, are kept (kills ``>=``)."""
    src = edit_cells(good_bid(tmp_path / "a"), tmp_path / "t.xlsx", {"Bid!C7": typed})
    r = reader.read_bid_file(src)
    assert r.errors == []
    assert r.data is not None and r.data.title == title


def test_a_title_of_201_characters_is_too_long_at_its_cell(tmp_path: Path) -> None:
    """201 characters in the title (C7): "Title is 201 characters long; at most 200" at
    Bid!C7 (kills the sheet, row or column dropped)."""
    src = edit_cells(good_bid(tmp_path / "a"), tmp_path / "t.xlsx", {"Bid!C7": "T" * 201})
    r = reader.read_bid_file(src)
    assert [(e.sheet, e.cell, e.message) for e in r.errors] == [
        ("Bid", "C7", "Title is 201 characters long; at most 200")
    ]


def test_a_logical_outcome_measure_with_values_has_no_description(tmp_path: Path) -> None:
    """Outcome measure 1 (A36) typed as TRUE with values 4 to 8 in C36:G36: refused as
    not text, and then, having no name, its values have no description: both at
    Bid!A36 (kills the refused text read as "XXXX", which would name the values)."""
    src = edit_cells(
        good_bid(tmp_path / "a"),
        tmp_path / "t.xlsx",
        {
            "Bid!A36": True,
            **{f"Bid!{c}36": v for c, v in zip("CDEFG", [4, 5, 6, 7, 8], strict=True)},
        },
    )
    r = reader.read_bid_file(src)
    assert [(e.sheet, e.cell, e.message) for e in r.errors] == [
        ("Bid", "A36", "outcome measure 1: expected text, got 'True'"),
        ("Bid", "A36", "outcome measure has values but no description"),
    ]


def test_a_too_long_outcome_measure_with_values_has_no_description(tmp_path: Path) -> None:
    """Outcome measure 1 (A36) of 201 characters with values 4 to 8: too long (at most
    200), and then its values have no description, both at Bid!A36 (kills the refused
    text read as "XXXX")."""
    src = edit_cells(
        good_bid(tmp_path / "a"),
        tmp_path / "t.xlsx",
        {
            "Bid!A36": "M" * 201,
            **{f"Bid!{c}36": v for c, v in zip("CDEFG", [4, 5, 6, 7, 8], strict=True)},
        },
    )
    r = reader.read_bid_file(src)
    assert [(e.sheet, e.cell, e.message) for e in r.errors] == [
        ("Bid", "A36", "outcome measure 1 is 201 characters long; at most 200"),
        ("Bid", "A36", "outcome measure has values but no description"),
    ]


def test_an_answer_keeps_its_line_breaks(tmp_path: Path) -> None:
    """The Narrative's answer 1 (B5) typed on two lines keeps the line break (kills the
    answers' keep-lines flag dropped or None, which turns it into a space)."""
    src = edit_cells(
        good_bid(tmp_path / "a"), tmp_path / "t.xlsx", {"Narrative!B5": "Line one\nLine two"}
    )
    r = reader.read_bid_file(src)
    assert r.data is not None and r.data.notes == {"answer_1": "Line one\nLine two"}


def test_an_invisible_character_in_a_title_is_refused_at_its_cell(tmp_path: Path) -> None:
    """Title (C7) "Early<zero-width space>help": the sixth character, U+200B, is refused
    at Bid!C7 (kills the sheet dropped from the message's place)."""
    src = edit_cells(good_bid(tmp_path / "a"), tmp_path / "t.xlsx", {"Bid!C7": "Early\u200bhelp"})
    r = reader.read_bid_file(src)
    assert [(e.sheet, e.cell, e.message) for e in r.errors] == [
        (
            "Bid",
            "C7",
            "Title contains the invisible character '\\u200b' (position 6); type plain text",
        )
    ]


def test_a_tab_in_a_title_or_an_outcome_measure_becomes_a_space(tmp_path: Path) -> None:
    """Title (C7) typed "Early<tab>help" and outcome measure 1 (A36) "Families<tab>
    supported" with 4, 5, 6, 7, 8: read as "Early help" and "Families supported" (kills
    the measure's text taken as typed, without the plain-text rule, by default)."""
    src = edit_cells(
        good_bid(tmp_path / "a"),
        tmp_path / "t.xlsx",
        {
            "Bid!C7": "Early\thelp",
            "Bid!A36": "Families\tsupported",
            **{f"Bid!{c}36": v for c, v in zip("CDEFG", [4, 5, 6, 7, 8], strict=True)},
        },
    )
    r = reader.read_bid_file(src)
    assert r.data is not None and r.data.title == "Early help"
    assert r.data.outcomes == {"Families supported": (4.0, 5.0, 6.0, 7.0, 8.0)}


# --------------------------------------------------------------------------- fitting years


def _data(years_cell: str = "C15:E15") -> BidData:
    return BidData(
        "CYPS_7",
        "t",
        "",
        "",
        "",
        (1.0, 2.0),
        None,
        None,
        None,
        None,
        None,
        None,
        {},
        {},
        "Bid!C6",
        years_cell,
    )


def test_a_result_without_years_is_refused_with_question_marks() -> None:
    """A read bid with no years at all cannot be placed: "the bid's years ?-?" at its years
    cell (kills taking the first and last of no years, and "XX?XX" for either)."""
    r = FileResult("f.xlsx", data=_data(), years=None)
    _fit_years(r, ["2016/17", "2017/18"])
    assert r.data is None
    assert [(e.sheet, e.cell, e.message) for e in r.errors] == [
        (
            "Bid",
            "C15:E15",
            "the bid's years ?-? run outside this collection's years 2016/17-2017/18" + _TAIL,
        )
    ]


def test_a_fitted_shorter_bid_takes_the_collections_years() -> None:
    """A bid for 2017/18-2018/19 in a 2016/17-2019/20 collection starts at index 1: its
    investment 1, 2 becomes 0, 1, 2, 0 and its result's years the collection's four (kills
    the years set to None)."""
    expected = ["2016/17", "2017/18", "2018/19", "2019/20"]
    r = FileResult("f.xlsx", data=_data(), years=("2017/18", "2018/19"))
    _fit_years(r, expected)
    assert r.errors == []
    assert r.data is not None and r.data.investment == (0.0, 1.0, 2.0, 0.0)
    assert r.years == tuple(expected)


# --------------------------------------------------------------------------- parser complaints


def test_a_damaged_part_quotes_the_parsers_complaint() -> None:
    """``<a>`` never closed: expat's "no element found: line 1, column 3", words joined by
    single spaces and not cut (kills another joiner, str(None), always cutting)."""
    with pytest.raises(HostileFile) as info:
        parse_part(b"<a>", "xl/worksheets/sheet1.xml")
    assert str(info.value) == (
        "is damaged (xl/worksheets/sheet1.xml is not valid XML: no element found: line 1, column 3)"
    )


def test_a_complaint_is_one_line_of_at_most_100_characters() -> None:
    """Runs of spaces, tabs and line breaks become one space; 100 characters are kept
    whole (kills ``< 100``); 101 become the first 97 and "..." = 100 (kills never cutting,
    ``<= 101``, 98 kept, ``-`` for ``+`` and "XX...XX")."""
    assert _short(ValueError("no  element\n\tfound")) == "no element found"
    assert _short(ValueError("x" * 100)) == "x" * 100
    assert _short(ValueError("y" * 101)) == "y" * 97 + "..."
