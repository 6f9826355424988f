"""SSDA903 episodes of care: children looked after, admissions, discharges, the register.

The counting rules finance teams use with the statutory return:

- looked after on a date = distinct children with an episode covering it
  (DECOM <= date and (DEC blank or DEC > date)): on the day an episode ends, the next
  one (reason X1) starts;
- admissions in a period = episodes starting to be looked after (RNE ``S``) in it;
- discharges = episodes ending in it with a reason other than ``X1``;
- an episode is a placement of the register from DECOM to the day before DEC.

Dates are day numbers (:mod:`cypsxl.model.dates`); DEC is :data:`OPEN_END` while open.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ._arrays import ArrayLike, FloatArray, IntArray, as_float
from .dates import OPEN_END
from .register import PlacementTypes, Register

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = ["Episodes", "admissions", "discharges", "episodes_register", "looked_after_on"]


@dataclass(frozen=True, slots=True, eq=False)
class Episodes:
    """Episodes as parallel arrays: ``child`` is an integer code per child."""

    child: IntArray
    decom: IntArray
    dec: IntArray  # OPEN_END while open
    admission: npt.NDArray[np.bool_]  # RNE = S
    discharge: npt.NDArray[np.bool_]  # ended with REC other than X1
    type_index: IntArray
    weekly_cost: FloatArray  # NaN where no cost table was given
    row: IntArray  # the row of the file each came from

    def __len__(self) -> int:
        return len(self.child)


def looked_after_on(ep: Episodes, dates: ArrayLike) -> IntArray:
    """Distinct children looked after on each date.

    >>> e = Episodes(np.array([7, 7, 8]), np.array([0, 10, 5]), np.array([10, OPEN_END, 6]),
    ...              np.zeros(3, bool), np.zeros(3, bool), np.zeros(3, np.int64),
    ...              np.zeros(3), np.arange(3))
    >>> looked_after_on(e, [0, 5, 6, 10]).tolist()   # day 10: child 7's second episode
    [1, 2, 1, 1]
    """
    d = np.atleast_1d(np.asarray(dates, np.int64))
    inside = (ep.decom[:, None] <= d[None, :]) & (d[None, :] < ep.dec[:, None])
    rows, cols = np.nonzero(inside)
    if rows.size == 0:
        return np.zeros(d.size, np.int64)
    # a child counts once on a date however many of its episodes cover it
    seen = np.zeros((d.size, int(ep.child.max()) + 1), dtype=bool)
    seen[cols, ep.child[rows]] = True
    result: IntArray = seen.sum(axis=1).astype(np.int64)
    return result


def _in_windows(
    days: IntArray, mask: npt.NDArray[np.bool_], starts: IntArray, ends: IntArray
) -> IntArray:
    d = days[mask]
    inside = (starts[None, :] <= d[:, None]) & (d[:, None] <= ends[None, :])
    result: IntArray = inside.sum(axis=0).astype(np.int64)
    return result


def admissions(ep: Episodes, window_from: ArrayLike, window_to: ArrayLike) -> IntArray:
    """Episodes starting care (RNE S) with DECOM in each window (ends inclusive).

    >>> e = Episodes(np.array([1, 2]), np.array([3, 40]), np.array([OPEN_END] * 2),
    ...              np.array([True, True]), np.zeros(2, bool), np.zeros(2, np.int64),
    ...              np.zeros(2), np.arange(2))
    >>> admissions(e, [0, 31], [30, 59]).tolist()
    [1, 1]
    """
    frm = np.atleast_1d(np.asarray(window_from, np.int64))
    to = np.atleast_1d(np.asarray(window_to, np.int64))
    return _in_windows(ep.decom, ep.admission, frm, to)


def discharges(ep: Episodes, window_from: ArrayLike, window_to: ArrayLike) -> IntArray:
    """Episodes leaving care (REC other than X1) with DEC in each window."""
    frm = np.atleast_1d(np.asarray(window_from, np.int64))
    to = np.atleast_1d(np.asarray(window_to, np.int64))
    return _in_windows(ep.dec, ep.discharge & (ep.dec < OPEN_END), frm, to)


def episodes_register(
    ep: Episodes, types: PlacementTypes, refs: tuple[str, ...] | None = None
) -> Register:
    """The episodes as placements: DECOM to the day before DEC, at their weekly cost.

    An episode with no weekly cost (no cost table) costs 0 but still counts.

    >>> t = PlacementTypes(("a",), ("A",))
    >>> e = Episodes(np.array([1]), np.array([0]), np.array([7]), np.zeros(1, bool),
    ...              np.zeros(1, bool), np.zeros(1, np.int64), np.array([700.0]), np.array([2]))
    >>> r = episodes_register(e, t)
    >>> r.ref, r.end.tolist()        # DEC on day 7: in care days 0..6
    (('row 2',), [6])
    """
    end = np.where(ep.dec >= OPEN_END, OPEN_END, ep.dec - 1)
    ref = refs if refs is not None else tuple(map("row {}".format, ep.row.tolist()))
    n = len(ep)
    return Register(
        types,
        ref,
        ep.type_index.astype(np.int64),
        np.nan_to_num(as_float(ep.weekly_cost)),
        ep.decom.astype(np.int64),
        end.astype(np.int64),
        np.ones(n),
        np.zeros(n),
        np.zeros(n),
    )
