"""Dates as whole day numbers, and the days of UK financial years (April to March).

The cost drivers count days, so dates are held as int64 day numbers (days since
1 January 1970, numpy's ``datetime64[D]`` epoch): a window from day ``a`` to day ``b``,
both ends inclusive, has ``b - a + 1`` days. An open end (a placement with no end date)
is :data:`OPEN_END`, far beyond any year costed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np

from ._arrays import ArrayLike, IntArray
from .timeline import parse_fy

__all__ = [
    "EXCEL_EPOCH_OFFSET",
    "OPEN_END",
    "date_of",
    "day_number",
    "day_numbers",
    "days_in_fy",
    "excel_serial_to_day",
    "fy_bounds",
    "fy_of_day",
    "month_ends",
    "month_starts",
]

#: The end of an open placement or post: 1 January of the year 2,739,877 (never reached).
OPEN_END = 10**9

#: Excel's serial number of 1 January 1970 (the 1900 date system): serial - 25569 = day.
EXCEL_EPOCH_OFFSET = 25569


def day_number(value: dt.date | str | np.datetime64) -> int:
    """The day number of a date, an ISO ``yyyy-mm-dd`` text or a ``datetime64``.

    >>> day_number(dt.date(2025, 4, 1)), day_number("1970-01-02")
    (20179, 1)
    """
    if isinstance(value, dt.datetime):
        value = value.date()
    return int(np.asarray(value, dtype="datetime64[D]").astype(np.int64))


def day_numbers(values: Sequence[dt.date | str] | ArrayLike) -> IntArray:
    """Day numbers of many dates at once.

    >>> day_numbers(["2025-04-01", "2026-03-31"]).tolist()
    [20179, 20543]
    """
    return np.asarray(values, dtype="datetime64[D]").astype(np.int64)


def date_of(day: int) -> dt.date:
    """The date of a day number.

    >>> date_of(20179)
    datetime.date(2025, 4, 1)
    """
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(day))


def excel_serial_to_day(serial: float) -> int:
    """An Excel date serial (1900 date system, from 1 March 1900) as a day number.

    >>> excel_serial_to_day(45748)     # 1 April 2025 in Excel
    20179
    """
    return int(serial) - EXCEL_EPOCH_OFFSET


def fy_bounds(label: str) -> tuple[int, int]:
    """First and last day (1 April, 31 March) of financial year ``label``.

    >>> first, last = fy_bounds("2027/28")
    >>> date_of(first), date_of(last), last - first + 1   # 2027/28 holds 29 February 2028
    (datetime.date(2027, 4, 1), datetime.date(2028, 3, 31), 366)
    """
    start = parse_fy(label)
    return day_number(dt.date(start, 4, 1)), day_number(dt.date(start + 1, 3, 31))


def days_in_fy(label: str) -> int:
    """365, or 366 when the year holds a 29 February.

    >>> days_in_fy("2025/26"), days_in_fy("2027/28")
    (365, 366)
    """
    first, last = fy_bounds(label)
    return last - first + 1


def fy_of_day(day: int) -> str:
    """The financial year a day falls in.

    >>> fy_of_day(day_number("2026-03-31")), fy_of_day(day_number("2026-04-01"))
    ('2025/26', '2026/27')
    """
    d = date_of(day)
    start = d.year if d.month >= 4 else d.year - 1
    return f"{start:04d}/{(start + 1) % 100:02d}"


def month_starts(label: str) -> IntArray:
    """The first day of each of the year's 12 months, April first.

    >>> [str(date_of(d)) for d in month_starts("2025/26")[[0, 11]]]
    ['2025-04-01', '2026-03-01']
    """
    start = parse_fy(label)
    months = np.arange(np.datetime64(f"{start:04d}-04"), np.datetime64(f"{start + 1:04d}-04"))
    return months.astype("datetime64[D]").astype(np.int64)


def month_ends(label: str) -> IntArray:
    """The last day of each of the year's 12 months (period 1 = April ... 12 = March).

    >>> [str(date_of(d)) for d in month_ends("2027/28")[[0, 10, 11]]]
    ['2027-04-30', '2028-02-29', '2028-03-31']
    """
    starts = month_starts(label)
    return np.append(starts[1:], fy_bounds(label)[1] + 1) - 1
