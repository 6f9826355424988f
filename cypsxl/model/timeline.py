"""UK local-government financial years ("2016/17": April 2016 to March 2017)."""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = [
    "FinancialYearError",
    "fy_label",
    "fy_range",
    "fy_start",
    "parse_fy",
    "validate_timeline",
    "year_offset",
]

_FY = re.compile(r"^(\d{4})/(\d{2})$")


class FinancialYearError(ValueError):
    """A label is not a financial year, or a run of labels is not consecutive."""


def parse_fy(label: str) -> int:
    """Return the calendar year in which financial year ``label`` starts.

    >>> parse_fy("2016/17")
    2016
    >>> parse_fy("1999/00")
    1999
    """
    match = _FY.match(label.strip()) if isinstance(label, str) else None
    if match is None:
        raise FinancialYearError(f"{label!r} is not a financial year like '2016/17'")
    start = int(match.group(1))
    if int(match.group(2)) != (start + 1) % 100:
        raise FinancialYearError(
            f"{label!r}: the second part must be the year after {start} ('{fy_label(start)}')"
        )
    return start


def fy_label(start: int) -> str:
    """Label of the financial year starting in April of ``start``.

    >>> fy_label(2016)
    '2016/17'
    >>> fy_label(2099)
    '2099/00'
    """
    return f"{start:04d}/{(start + 1) % 100:02d}"


def fy_start(label: str) -> int:
    """Alias of :func:`parse_fy`, read as "the year the financial year starts".

    >>> fy_start("2020/21")
    2020
    """
    return parse_fy(label)


def fy_range(first: str, count: int) -> list[str]:
    """``count`` consecutive financial years starting at ``first``.

    >>> fy_range("2017/18", 3)
    ['2017/18', '2018/19', '2019/20']
    """
    start = parse_fy(first)
    return [fy_label(start + i) for i in range(count)]


def year_offset(label: str, first: str) -> int:
    """Zero-based offset of ``label`` from ``first`` (t in discounting, 0 = first year).

    >>> year_offset("2018/19", "2016/17")
    2
    """
    return parse_fy(label) - parse_fy(first)


def validate_timeline(years: Sequence[str], mtfs_years: Sequence[str] | None = None) -> None:
    """Check ``years`` are consecutive financial years and ``mtfs_years`` a leading subset.

    >>> validate_timeline(["2016/17", "2017/18"], ["2016/17"])
    >>> validate_timeline(["2016/17", "2018/19"])
    Traceback (most recent call last):
    ...
    cypsxl.model.timeline.FinancialYearError: '2018/19' does not follow '2016/17'
    """
    if len(years) == 0:
        raise FinancialYearError("at least one year is needed")
    starts = [parse_fy(y) for y in years]
    for prev, (label, start) in zip(starts, zip(years[1:], starts[1:], strict=True), strict=False):
        if start != prev + 1:
            raise FinancialYearError(f"{label!r} does not follow {fy_label(prev)!r}")
    leading = mtfs_years is None or (
        len(mtfs_years) > 0 and list(mtfs_years) == list(years[: len(mtfs_years)])
    )
    if not leading:
        raise FinancialYearError(
            f"MTFS years {list(mtfs_years or [])} must be a leading run of the years {list(years)}"
        )
