"""What a placement or a post must be: one set of rules for the case file, the CSVs and
the Excel functions. Each rule is vectorised (one array per field) and returns, per
problem, the element's index, the field and the message, so every door reports alike.

>>> placement_problems(weekly_cost=[700, -1], start=[10, 10], end=[9, 20], count=[1, 1],
...                    health_share=[0, 0.5], education_share=[0, 0.75])
[(0, 'end', 'ends before it starts (end < start)'),
 (1, 'weekly_cost', 'expected £ a week >= 0, got -1'),
 (1, 'education_share', 'health_share + education_share = 1.25; expected at most 1')]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ._arrays import ArrayLike, as_float
from .limits import MAX_MAGNITUDE

if TYPE_CHECKING:
    from collections.abc import Callable

    import numpy.typing as npt

    Check = Callable[[npt.NDArray[np.float64]], npt.NDArray[np.bool_]]

__all__ = [
    "EXPECT_COUNT",
    "EXPECT_FTE",
    "EXPECT_MONEY",
    "EXPECT_SHARE",
    "EXPECT_WEEKLY",
    "KIND_NAMES",
    "placement_problems",
    "post_problems",
]

EXPECT_WEEKLY = "£ a week >= 0"
EXPECT_MONEY = "£ a year >= 0"
EXPECT_COUNT = "a number of children > 0"
EXPECT_SHARE = "a fraction from 0 to 1"
EXPECT_FTE = "an FTE > 0"
KIND_NAMES = ("permanent", "agency", "vacant")

Problems = list[tuple[int, str, str]]


def _fmt(value: float) -> str:
    return f"{value:g}"


def _bad(values: ArrayLike, ok: Check) -> npt.NDArray[np.bool_]:
    v = as_float(values)
    finite = np.isfinite(v) & (np.abs(np.nan_to_num(v)) <= MAX_MAGNITUDE)
    with np.errstate(invalid="ignore"):
        good = finite & ok(np.where(finite, v, 0.0))
    return ~good


def _field(out: Problems, key: str, values: ArrayLike, ok: Check, expected: str) -> None:
    v = np.atleast_1d(as_float(values))
    for i in np.flatnonzero(_bad(v, ok)):
        out.append((int(i), key, f"expected {expected}, got {_fmt(float(v[i]))}"))


def placement_problems(
    weekly_cost: ArrayLike,
    start: ArrayLike,
    end: ArrayLike,
    count: ArrayLike,
    health_share: ArrayLike,
    education_share: ArrayLike,
) -> Problems:
    """Problems of placements given as arrays (NaN where a number could not be read is
    reported by the reader, not here); sorted by placement."""
    out: Problems = []
    s, e = np.atleast_1d(np.asarray(start, np.int64)), np.atleast_1d(np.asarray(end, np.int64))
    for i in np.flatnonzero(e < s):
        out.append((int(i), "end", "ends before it starts (end < start)"))
    _field(out, "weekly_cost", weekly_cost, lambda v: v >= 0, EXPECT_WEEKLY)
    _field(out, "count", count, lambda v: v > 0, EXPECT_COUNT)
    _field(out, "health_share", health_share, lambda v: (v >= 0) & (v <= 1), EXPECT_SHARE)
    _field(out, "education_share", education_share, lambda v: (v >= 0) & (v <= 1), EXPECT_SHARE)
    h = np.atleast_1d(as_float(health_share))
    ed = np.atleast_1d(as_float(education_share))
    total = np.broadcast_to(h, ed.shape) + ed
    for i in np.flatnonzero((h >= 0) & (h <= 1) & (ed >= 0) & (ed <= 1) & (np.round(total, 9) > 1)):
        out.append(
            (
                int(i),
                "education_share",
                f"health_share + education_share = {_fmt(float(total[i]))}; expected at most 1",
            )
        )
    return sorted(out, key=lambda p: p[0])


def post_problems(
    kind: list[str],
    fte: ArrayLike,
    annual_cost: ArrayLike,
    weekly_rate: ArrayLike,
    start: ArrayLike,
    end: ArrayLike,
) -> Problems:
    """Problems of posts: the kind, FTE, a cost for the kind, dates in order.

    A permanent post needs ``annual_cost``; an agency post ``weekly_rate`` (its
    ``annual_cost``, if given, is the post's permanent cost); a vacant post may give
    ``annual_cost`` (the budget held).

    >>> post_problems(["agency", "temp"], [1, 0], [float("nan")] * 2, [float("nan")] * 2,
    ...               [0, 0], [9, 9])
    [(0, 'weekly_rate', 'missing; an agency post needs its weekly rate (£ a week per FTE)'),
     (1, 'kind', "expected permanent, agency or vacant, got 'temp'"),
     (1, 'fte', 'expected an FTE > 0, got 0')]
    """
    out: Problems = []
    a = np.atleast_1d(as_float(annual_cost))
    w = np.atleast_1d(as_float(weekly_rate))
    for i, k in enumerate(kind):
        if k not in KIND_NAMES:
            out.append((i, "kind", f"expected permanent, agency or vacant, got {k!r}"))
        elif k == "permanent" and np.isnan(a[i]):
            out.append(
                (i, "annual_cost", "missing; a permanent post needs its annual cost (£ per FTE)")
            )
        elif k == "agency" and np.isnan(w[i]):
            out.append(
                (
                    i,
                    "weekly_rate",
                    "missing; an agency post needs its weekly rate (£ a week per FTE)",
                )
            )
        elif k != "agency" and not np.isnan(w[i]):
            out.append((i, "weekly_rate", f"is for agency posts; this post is {k}"))
    _field(out, "fte", fte, lambda v: v > 0, EXPECT_FTE)
    given_a = ~np.isnan(a)
    _field_given(out, "annual_cost", a, given_a, EXPECT_MONEY)
    _field_given(out, "weekly_rate", w, ~np.isnan(w), EXPECT_WEEKLY)
    s, e = np.atleast_1d(np.asarray(start, np.int64)), np.atleast_1d(np.asarray(end, np.int64))
    for j in np.flatnonzero(e < s):
        out.append((int(j), "to", "ends before it starts (to < from)"))
    return sorted(out, key=lambda p: p[0])


def _field_given(
    out: Problems,
    key: str,
    values: npt.NDArray[np.float64],
    given: npt.NDArray[np.bool_],
    expected: str,
) -> None:
    bad = _bad(values, lambda v: v >= 0) & given
    for i in np.flatnonzero(bad):
        out.append((int(i), key, f"expected {expected}, got {_fmt(float(values[i]))}"))
