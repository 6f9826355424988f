"""Locating problems in TOML text, and typed getters that record them."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import ProblemList
from ..model.limits import MAX_MAGNITUDE, text_problem, within_bounds

# --------------------------------------------------------------------------- locating


class _Lines:
    """Best-effort map from (table path, key) to the TOML line it is written on."""

    _header = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")
    _key = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")

    def __init__(self, text: str) -> None:
        self.lines: dict[tuple[object, ...], int] = {}
        counts: dict[str, int] = {}
        table: tuple[object, ...] = ()
        for no, line in enumerate(text.splitlines(), start=1):
            head = self._header.match(line)
            if head:
                parts = [p.strip().strip("\"'") for p in head.group(2).split(".")]
                if head.group(1) == "[[":
                    counts[parts[0]] = counts.get(parts[0], -1) + 1
                if parts[0] in counts:
                    table = (parts[0], counts[parts[0]], *parts[1:])
                else:
                    table = tuple(parts)
                self.lines.setdefault(table, no)
                continue
            key = self._key.match(line)
            if key:
                self.lines.setdefault((*table, key.group(1)), no)

    def find(self, *path: object) -> int | None:
        """Line of ``path`` or of the nearest enclosing table."""
        for end in range(len(path), 0, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None


# --------------------------------------------------------------------------- checking


class _Checker:
    """Typed getters that record a located problem instead of raising."""

    def __init__(self, problems: ProblemList, lines: _Lines) -> None:
        self.p = problems
        self.lines = lines

    def add(
        self, path: tuple[object, ...], where: str, key: str, msg: str, index: int | None = None
    ) -> None:
        self.p.add(where, key, msg, index, self.lines.find(*path, key))

    def unknown(
        self, path: tuple[object, ...], where: str, table: Mapping[str, Any], known: set[str]
    ) -> None:
        for key in table:
            if key not in known:
                self.add(
                    path, where, key, f"unknown key; expected one of: {', '.join(sorted(known))}"
                )

    def text(
        self,
        path: tuple[object, ...],
        where: str,
        table: Mapping[str, Any],
        key: str,
        required: bool = False,
    ) -> str:
        value = table.get(key)
        if value is None:
            if required:
                self.add(path, where, key, "missing; expected text")
            return ""
        if not isinstance(value, str):
            self.add(path, where, key, f"expected text, got {show(value)}")
            return ""
        cleaned, why = text_problem(value)
        if why is not None:
            self.add(path, where, key, why)
            return ""
        return cleaned

    def number(
        self,
        path: tuple[object, ...],
        where: str,
        table: Mapping[str, Any],
        key: str,
        check: Callable[[float], bool] | None = None,
        expected: str = "a number",
        required: bool = False,
    ) -> float | None:
        if key not in table:
            if required:
                self.add(path, where, key, f"missing; expected {expected}")
            return None
        value = table[key]
        if not _is_number(value) or (check is not None and not check(float(value))):
            self.add(path, where, key, f"expected {expected}, got {show(value)}{_too_big(value)}")
            return None
        return float(value)

    def row(
        self,
        path: tuple[object, ...],
        where: str,
        table: Mapping[str, Any],
        key: str,
        length: int,
        length_of: str,
        minimum: float | None = None,
        required: bool = False,
        what: str = "number",
    ) -> tuple[float, ...] | None:
        if key not in table:
            if required:
                self.add(
                    path, where, key, f"missing; expected {_numbers(length)}, one per {length_of}"
                )
            return None
        value = table[key]
        if not isinstance(value, list):
            self.add(
                path,
                where,
                key,
                f"expected a list of {_numbers(length)} (one per {length_of}), got {show(value)}",
            )
            return None
        ok = True
        if len(value) != length:
            self.add(
                path,
                where,
                key,
                f"has {_plural(len(value), 'value')}; expected {length}, one per {length_of}",
            )
            ok = False
        expected = f"a {what}" if minimum is None else f"a {what} >= {minimum:g}"
        for i, item in enumerate(value):
            if not _is_number(item) or (minimum is not None and float(item) < minimum):
                self.add(
                    path,
                    where,
                    key,
                    f"expected {expected}, got {show(item)}{_too_big(item)}",
                    index=i,
                )
                ok = False
        return tuple(float(v) for v in value) if ok else None


def _plural(count: int, noun: str) -> str:
    """'1 value', '3 values'."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _numbers(count: int) -> str:
    return _plural(count, "number")


def _is_number(value: object) -> bool:
    """A TOML number cypsxl accepts: finite, and within :data:`MAX_MAGNITUDE`.

    >>> _is_number(1.5), _is_number(10**400), _is_number(float("inf")), _is_number(True)
    (True, False, False, False)
    """
    return isinstance(value, int | float) and not isinstance(value, bool) and within_bounds(value)


def _too_big(value: object) -> str:
    """A note when ``value`` is a number refused only for its size (or for being inf/nan).

    >>> _too_big(1e300), _too_big(-1)
    (' (numbers larger than 1e+09 or not finite are refused)', '')
    """
    if isinstance(value, int | float) and not isinstance(value, bool) and not within_bounds(value):
        return f" (numbers larger than {MAX_MAGNITUDE:.0e} or not finite are refused)"
    return ""


def show(value: object, limit: int = 60) -> str:
    r"""A value as the user typed it, shortened; a huge integer by its number of digits.

    >>> show(10**400), show("a\nb"), show([1] * 100)[-8:]
    ('a 401-digit integer', "'a\\nb'", ', 1, ...')
    """
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**18:
        return f"a {len(str(abs(value))) if value.bit_length() < 14_000 else 'huge'}-digit integer"
    text = ascii(value) if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 5].rstrip(", ") + ", ..."


def _table(
    ck: _Checker, path: tuple[object, ...], where: str, parent: Mapping[str, Any], key: str
) -> dict[str, Any] | None:
    value = parent.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        ck.add(path, where, key, f"expected a table, got {value!r}")
        return None
    return value


def _suggest(key: str, known: set[str], unknown: str = "unknown key") -> str:
    """'unknown key; did you mean ...' with the nearest valid key, then every valid key;
    ``unknown`` says what is unknown.

    >>> _suggest("yaer", {"year", "period"})
    "unknown key; did you mean 'year'? expected one of: period, year"
    >>> _suggest("zzz", {"year"}, "unknown table")
    'unknown table; expected one of: year'
    """
    near = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
    hint = f"did you mean {near[0]!r}? " if near else ""
    return f"{unknown}; {hint}expected one of: {', '.join(sorted(known))}"


def _unknown(
    ck: _Checker, path: tuple[object, ...], where: str, table: Mapping[str, Any], known: set[str]
) -> None:
    """Record each key of ``table`` not in ``known``, naming the nearest valid key."""
    for key in table:
        if key not in known:
            ck.add(path, where, key, _suggest(key, known))


def _tables(ck: _Checker, doc: Mapping[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    """An array of tables (``[[line]]``), problems recorded for anything else.

    A single ``[key]`` table is reported at ``where`` (the readers differ in how they name
    it: ``[[line]]`` or ``[placement]``).

    >>> ck = _Checker(ProblemList("case.toml"), _Lines("[line]\\nname = 'x'"))
    >>> _tables(ck, {"line": [{"name": "x"}]}, "line", "[[line]]")
    [{'name': 'x'}]
    >>> _tables(ck, {"line": {"name": "x"}}, "line", "[[line]]")
    []
    >>> print(ck.p.problems[0])
    case.toml:1: [[line]]: 'line': expected [[line]] tables, got a single [line]
    """
    value = doc.get(key, [])
    if isinstance(value, dict):
        ck.add((key,), where, key, f"expected [[{key}]] tables, got a single [{key}]")
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        ck.add((), "", key, f"expected [[{key}]] tables, got {value!r}")
        return []
    return value


def _table_or_empty(ck: _Checker, doc: Mapping[str, Any], key: str) -> dict[str, Any]:
    """A top-level ``[key]`` table, ``{}`` when absent or (a problem recorded) not a table."""
    value = doc.get(key, {})
    if not isinstance(value, dict):
        ck.add((), "", key, f"expected a [{key}] table, got {value!r}")
        return {}
    return value
