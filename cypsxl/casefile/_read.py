"""Entry points that read a case: TOML text, a dict, a file, the embedded reference."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import CaseError, Problem, ProblemList
from ..model.case import (
    Case,
)
from ._checker import _Checker, _Lines
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
    problems = ProblemList(source)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        at = re.search(r"\(at line (\d+), column (\d+)\)", message)
        line = int(at.group(1)) if at else getattr(exc, "lineno", None)
        message = message[: at.start()].strip() if at else message
        if at:
            message += f" (column {at.group(2)})"
        problems.add("", "", f"not valid TOML: {message}", line=line)
        raise CaseError(problems.problems) from None
    return case_from_dict(doc, source, text)


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
    for key in doc:
        if key not in _SECTIONS:
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
        budget=_budget(ck, doc, n),
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
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise CaseError(
            [Problem(str(p), "", "", "file not found; expected a case file (.toml)")]
        ) from None
    except IsADirectoryError:
        raise CaseError(
            [Problem(str(p), "", "", "is a folder; expected a case file (.toml)")]
        ) from None
    except OSError as exc:
        raise CaseError([Problem(str(p), "", "", f"cannot be read: {exc.strerror}")]) from None
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


def reference_case_text() -> str:
    """The embedded reference case (Rotherham MTFS update, November 2016) as TOML."""
    return resources.files("cypsxl.data").joinpath(REFERENCE_CASE_NAME).read_text("utf-8")


def reference_case() -> Case:
    """The embedded reference case, parsed.

    >>> reference_case().bids[0].ref
    'CYPS_1A'
    """
    return parse_case(reference_case_text(), f"<embedded {REFERENCE_CASE_NAME}>")
