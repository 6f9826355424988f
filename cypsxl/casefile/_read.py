"""Entry points that read a case: TOML text, a dict, a file, the embedded reference."""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import CaseError, Problem, ProblemList
from ..model.case import (
    Case,
    CypsBudget,
)
from ._checker import _Checker, _Lines
from ._driver_tables import DRIVER_TABLES
from ._scenarios import _scenarios
from ._sections import (
    _SECTIONS,
    REFERENCE_CASE_NAME,
    _assumptions,
    _bids,
    _budget,
    _mtfs,
    _others,
    _placements,
    _timeline,
)

# --------------------------------------------------------------------------- entry points


def parse_case(text: str, source: str = "<case>") -> Case:
    """Parse and check a case from TOML text; raise :class:`CaseError` with every problem.

    >>> parse_case('[case]\\nname = "x"\\nyears = ["2016/17"]\\n[cyps_budget]\\n'
    ...            'net_budget = [1.0]\\n[mtfs]\\nbase_gap = [2.0]\\n').mtfs.base_gap
    (2.0,)
    """
    return case_from_dict(toml_document(text, source), source, text)


def toml_document(text: str, source: str) -> dict[str, Any]:
    """The nested dict of a TOML text, or :class:`CaseError` with one located problem:
    a syntax error (line and column), nesting deeper than :data:`MAX_DEPTH`, a number
    with thousands of digits. Every case-like file (MTFS, monitoring) is read through it.

    >>> toml_document("a = " + "[" * 30 + "]" * 30, "x.toml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cypsxl.errors.CaseError: x.toml: arrays or tables nested more than 20 deep; ...
    """
    problems = ProblemList(source)
    try:
        doc = tomllib.loads(text)
    except RecursionError:
        problems.add("", "", "not valid TOML: arrays or tables nested too deeply (refused)")
        raise CaseError(problems.problems) from None
    except ValueError as exc:  # a number too long for Python to read, say
        if isinstance(exc, tomllib.TOMLDecodeError):
            raise _toml_error(problems, exc) from None
        text = " ".join(str(exc).split())
        if "digits" in text:
            text = "a number has thousands of digits"
        problems.add("", "", f"not valid TOML: {text[:120]} (refused)")
        raise CaseError(problems.problems) from None
    too_deep = _depth_problem(doc)
    if too_deep:
        problems.add("", "", too_deep)
        raise CaseError(problems.problems)
    return doc


#: Largest case file read, in bytes (the reference case is about 10 kB).
MAX_CASE_BYTES = 5_000_000
#: Deepest nesting of tables and arrays in a case file (a real case needs 4).
MAX_DEPTH = 20


def _depth_problem(doc: Any) -> str | None:
    """Why ``doc`` is nested too deeply, or None (checked without recursion).

    >>> deep: list = [1]
    >>> for _ in range(MAX_DEPTH):
    ...     deep = [deep]
    >>> _depth_problem({"a": [[1]]}) is None, _depth_problem({"a": deep})
    (True, 'arrays or tables nested more than 20 deep; a case file needs at most 4 (refused)')
    """
    stack: list[tuple[Any, int]] = [(doc, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return (
                f"arrays or tables nested more than {MAX_DEPTH} deep; a case file needs "
                "at most 4 (refused)"
            )
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return None


def _toml_error(problems: ProblemList, exc: tomllib.TOMLDecodeError) -> CaseError:
    """The TOML syntax error as one located problem (line and column)."""
    message = str(exc)
    at = re.search(r"\(at line (\d+), column (\d+)\)", message)
    line = int(at.group(1)) if at else getattr(exc, "lineno", None)
    message = message[: at.start()].strip() if at else message
    if at:
        message += f" (column {at.group(2)})"
    problems.add("", "", f"not valid TOML: {message}", line=line)
    return CaseError(problems.problems)


def case_from_dict(
    doc: Mapping[str, Any],
    source: str = "<case>",
    text: str | None = None,
) -> Case:
    """Check a case given as the nested dict of its TOML file; raise :class:`CaseError`.

    ``text`` (the TOML source) lets problems carry line numbers; other readers (a
    workbook) locate problems by each problem's ``where`` and ``key``.

    >>> case_from_dict({"case": {"name": "x", "years": ["2016/17"]},
    ...                 "cyps_budget": {"net_budget": [1.0]}, "mtfs": {"base_gap": [0.0]}}).name
    'x'
    """
    problems = ProblemList(source)
    lines = _Lines(text or "")
    ck = _Checker(problems, lines)
    if "monitoring" in doc and "case" not in doc:
        ck.add(
            ("monitoring",),
            "",
            "",
            "is a monitoring case ([monitoring]), not an MTFS case ([case]); run it with "
            "cypsxl monitor (see docs/monitoring.md)",
        )
        problems.raise_if_any()
    for key in doc:
        if key not in _SECTIONS and key not in DRIVER_TABLES:
            ck.add((), "", key, f"unknown table; expected one of: {', '.join(sorted(_SECTIONS))}")
    timeline = _timeline(ck, doc)
    if timeline is None:
        problems.raise_if_any()
        raise AssertionError("unreachable: a timeline problem is always recorded")
    years, mtfs_years = (tuple(str(y) for y in t) for t in timeline)
    n, m = len(years), len(mtfs_years)
    assumptions = _assumptions(ck, doc, n)
    case_table = doc["case"]
    case = Case(
        name=ck.text(("case",), "[case]", case_table, "name", required=True),
        years=years,
        mtfs_years=mtfs_years,
        assumptions=assumptions,
        budget=_budget_with_drivers(ck, doc, source, n, years),
        bids=_bids(ck, doc, n, _assumption_given(doc, "avoided_cost_per_child_per_year")),
        other_proposals=_others(ck, doc, m),
        mtfs=_mtfs(ck, doc, m),
        authority=ck.text(("case",), "[case]", case_table, "authority"),
        directorate=ck.text(("case",), "[case]", case_table, "directorate"),
        placements=_placements(ck, doc),
        scenarios=_scenarios(ck, doc),
    )
    problems.raise_if_any()
    return case


def _budget_with_drivers(
    ck: _Checker, doc: Mapping[str, Any], source: str, n: int, years: tuple[str, ...]
) -> CypsBudget:
    """``[cyps_budget]``, with the pressure lines of the case's ``[[cohort]]`` tables."""
    budget = _budget(ck, doc, n)
    if any(key in doc for key in DRIVER_TABLES):
        from ._drivers import with_cohort_pressures  # the drivers' readers: when needed

        budget = with_cohort_pressures(ck, doc, source, budget, years)
    return budget


def _assumption_given(doc: Mapping[str, Any], key: str) -> bool:
    """Whether ``[assumptions]`` has ``key`` at all (a bad value is reported once, there)."""
    table = doc.get("assumptions")
    return isinstance(table, Mapping) and key in table


def load_case(path: str | Path | None = None) -> Case:
    """Load a case file; ``None`` gives the embedded reference case.

    Raises :class:`CaseError` for a missing or unreadable file as for bad content.
    """
    if path is None:
        return reference_case()
    p = Path(path)
    raw = read_case_bytes(p)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CaseError(
            [
                Problem(
                    str(p),
                    "",
                    "",
                    f"is not UTF-8 text (byte {exc.start}); expected a TOML case file",
                )
            ]
        ) from None
    return parse_case(text, str(p))


def read_case_bytes(p: Path) -> bytes:
    """The bytes of a case file: a regular file of at most :data:`MAX_CASE_BYTES`.

    Opened without blocking and checked after opening, so a FIFO, a device such as
    /dev/zero, a folder or a huge file is refused with one located problem.
    """

    def fail(message: str) -> CaseError:
        return CaseError([Problem(str(p), "", "", message)])

    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise fail("file not found; expected a case file (.toml)") from None
    except IsADirectoryError:
        raise fail("is a folder; expected a case file (.toml)") from None
    except OSError as exc:
        raise fail(f"cannot be read: {exc.strerror}") from None
    st = os.fstat(fd)
    problem = None
    if stat.S_ISDIR(st.st_mode):
        problem = "is a folder; expected a case file (.toml)"
    elif not stat.S_ISREG(st.st_mode):
        problem = "is not a regular file (a device, pipe or socket); expected a case file"
    elif st.st_size > MAX_CASE_BYTES:
        problem = f"is {st.st_size:,} bytes; a case file is at most {MAX_CASE_BYTES:,}"
    if problem is not None:
        os.close(fd)
        raise fail(problem)
    with os.fdopen(fd, "rb") as fh:
        try:
            raw = fh.read(MAX_CASE_BYTES + 1)
        except OSError as exc:
            raise fail(f"cannot be read: {exc.strerror}") from None
    if len(raw) > MAX_CASE_BYTES:
        raise fail(f"is larger than {MAX_CASE_BYTES:,} bytes; a case file is smaller")
    return raw


def reference_case_text() -> str:
    """The embedded reference case (Rotherham MTFS update, November 2016) as TOML."""
    return resources.files("cypsxl.data").joinpath(REFERENCE_CASE_NAME).read_text("utf-8")


def reference_case() -> Case:
    """The embedded reference case, parsed.

    >>> reference_case().bids[0].ref
    'CYPS_1A'
    """
    return parse_case(reference_case_text(), f"<embedded {REFERENCE_CASE_NAME}>")
