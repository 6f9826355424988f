"""Fuzzing that stays: damaged bid templates, case files and refresh mappings, every
example ending cleanly.

Properties (the strategies are in ``fuzzing.py``):

- reading a damaged template never raises, never needs the reader's last-resort catch
  (every rejection is a message cypsxl wrote for that kind of damage), and an accepted
  bid has finite numbers within the bounds and a reference of the strict pattern;
- a damaged case file is a :class:`CaseError` or a case whose tables are all finite;
- every file kept in ``tests/data/fuzz/`` (crashes found by earlier runs) still ends
  cleanly.

``CYPSXL_FUZZ_EXAMPLES=5000 python3 -m pytest tests/test_fuzz.py`` hunts longer; a crash
found is shrunk by hypothesis, saved under ``tests/data/fuzz/`` with ``FUZZ_SAVE=1``,
fixed, and then tested here for ever.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import math
import os
import re
import shutil
import tempfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from fuzzing import (
    EXAMPLES,
    case_texts,
    cell_edits,
    members,
    package,
    package_mutations,
    refresh_mappings,
    xml_mutations,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.bidfiles import BID_SHEET_PART, CASE, good_bid

from cypsxl.casefile import dump_case, parse_case
from cypsxl.cli import main
from cypsxl.errors import CaseError
from cypsxl.model import run_case
from cypsxl.model.limits import MAX_MAGNITUDE, REF_PATTERN
from cypsxl.model.scenarios import MAX_SCENARIOS
from cypsxl.report import results_to_dict
from cypsxl.workbook.reader import UNREADABLE, FileResult, read_bid_file

FUZZ_DATA = Path(__file__).parent / "data" / "fuzz"
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("CYPSXL_FUZZ_EXAMPLES") is None,  # the default run repeats
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

_WORK = Path(tempfile.mkdtemp(prefix="cypsxl-fuzz-"))
atexit.register(shutil.rmtree, _WORK, ignore_errors=True)
_TEMPLATE = good_bid(_WORK / "template")
PARTS = members(_TEMPLATE.read_bytes())
XML_PARTS = sorted(n for n in PARTS if n.endswith((".xml", ".rels")))


def _finite(value: object) -> bool:
    """Every number in a nested structure is finite and within the bounds."""
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list | tuple):
        return all(_finite(v) for v in value)
    if isinstance(value, float | np.floating):
        return math.isfinite(value)
    return True


def _save(data: bytes, suffix: str) -> None:
    """Keep a failing example as a regression file (with FUZZ_SAVE=1)."""
    if os.environ.get("FUZZ_SAVE"):
        import hashlib

        FUZZ_DATA.mkdir(parents=True, exist_ok=True)
        (FUZZ_DATA / f"found_{hashlib.sha256(data).hexdigest()[:12]}{suffix}").write_bytes(data)


def check_bid_file(data: bytes, name: str = "fuzzed.xlsx") -> FileResult:
    """Read ``data`` as a returned template: the properties every bid file must have."""
    path = _WORK / name
    path.write_bytes(data)
    try:
        result = read_bid_file(path)
        assert all(UNREADABLE not in e.message for e in result.errors), result.errors
        if result.data is not None:
            d = result.data
            assert result.errors == []
            assert REF_PATTERN.fullmatch(d.ref), d.ref
            rows = [d.investment, d.gross_saving or (), d.prevented or (), d.fte or ()]
            numbers = [v for row in rows for v in row]
            numbers += [v for v in (d.current_budget, d.avoided_cost_per_child) if v is not None]
            assert all(math.isfinite(v) and abs(v) <= MAX_MAGNITUDE for v in numbers)
            assert d.part_year_factor is None or 0 <= d.part_year_factor <= 1
    except BaseException:
        _save(data, ".xlsx")
        raise
    return result


def check_case_text(text: str) -> bool:
    """Parse ``text`` as a case: a CaseError (False), or a case whose results are all
    finite and whose scenario count is bounded (True)."""
    try:
        try:
            case = parse_case(text, "fuzzed.toml")
        except CaseError as exc:
            assert exc.problems and all(str(p) for p in exc.problems)
            return False
        assert _finite(results_to_dict(run_case(case)))
        assert case.scenarios.n <= MAX_SCENARIOS
    except BaseException:
        _save(text.encode("utf-8", "surrogatepass"), ".toml")
        raise
    return True


@SETTINGS
@given(st.data())
def test_fuzz_template_xml(data: st.DataObject) -> None:
    parts = data.draw(xml_mutations(PARTS, XML_PARTS))
    check_bid_file(package(parts))


@SETTINGS
@given(st.data())
def test_fuzz_template_parts(data: st.DataObject) -> None:
    parts = data.draw(package_mutations(PARTS))
    check_bid_file(package(parts))


@SETTINGS
@given(st.data())
def test_fuzz_template_cells(data: st.DataObject) -> None:
    parts = data.draw(cell_edits(PARTS, BID_SHEET_PART))
    check_bid_file(package(parts))


@SETTINGS
@given(st.binary(max_size=64), st.integers(0, 20_000))
def test_fuzz_template_bytes(junk: bytes, at: int) -> None:
    """Bytes of the file itself overwritten (a damaged upload)."""
    raw = bytearray(_TEMPLATE.read_bytes())
    at = at % len(raw)
    raw[at : at + len(junk)] = junk
    check_bid_file(bytes(raw))


CASE_TEXT = dump_case(CASE) + "\n[scenarios]\nn = 100\n"


@SETTINGS
@given(st.data())
def test_fuzz_case_files(data: st.DataObject) -> None:
    check_case_text(data.draw(case_texts(CASE_TEXT)))


DEMO = Path(__file__).resolve().parents[1] / "workbooks" / "cypsxl_demo.xlsx"


def _mapping_keys() -> list[str]:
    ws = openpyxl.load_workbook(DEMO, read_only=True)["cypsxl"]
    return [str(row[0]) for row in ws.iter_rows(values_only=True) if row and row[0]]


@settings(SETTINGS, max_examples=max(10, EXAMPLES // 3))
@given(refresh_mappings(_mapping_keys()))
def test_fuzz_refresh_mappings(rows: list[tuple[str, str]]) -> None:
    """The demo workbook with its ``cypsxl`` sheet's rows bound to odd places: the
    refresh ends with exit 0, 2 or 3 and never a traceback."""
    wb = openpyxl.load_workbook(DEMO)
    ws = wb["cypsxl"]
    for key, target in rows:
        found = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == key]
        row = found[0] if found else ws.max_row + 1
        ws.cell(row, 1).value = key
        ws.cell(row, 2).value = target
        ws.cell(row, 2).data_type = "s"
    src, out = _WORK / "mapping.xlsx", _WORK / "mapping_out.xlsx"
    wb.save(src)
    out.unlink(missing_ok=True)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["refresh", str(src), "-o", str(out)]) in (0, 2, 3)


REGRESSIONS = sorted(FUZZ_DATA.glob("*")) if FUZZ_DATA.exists() else []


@pytest.mark.parametrize("path", REGRESSIONS, ids=[p.name for p in REGRESSIONS])
def test_fuzz_regressions(path: Path) -> None:
    """Each input that once crashed cypsxl (``seen*``: found by hand; ``found_*``: by a
    fuzzing run) still ends cleanly; the ``seen`` ones are refused."""
    if path.suffix == ".toml":
        accepted = check_case_text(path.read_bytes().decode("utf-8", "surrogatepass"))
    else:
        accepted = (
            check_bid_file(path.read_bytes(), re.sub(r"[^\w.]", "_", path.name)).data is not None
        )
    assert not (accepted and path.name.startswith("seen")), path.name


def test_the_regression_corpus_is_there() -> None:
    assert len(REGRESSIONS) >= 1, "tests/data/fuzz/ holds the inputs fuzzing found"
