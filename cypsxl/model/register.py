"""The placement register: placements costed by the days they run inside a window.

A placement is a weekly cost, a start day and an (optional) end day, both inclusive,
for ``count`` children (1 for one child; more for a cohort such as expected
admissions). Its cost in a window is::

    weekly_cost x count x (days of the placement inside the window, both ends inclusive) / 7

and the council's net cost is that gross cost less the shares a health partner and the
Dedicated Schools Grant pay (``health_share`` and ``education_share``, fractions of 0-1).
Money comes out in the unit of the weekly cost (normally £). Dates are day numbers
(:mod:`cypsxl.model.dates`); the model never reads files.

Every function broadcasts: placements run along axis 0 and windows (or dates) along
axis 1, so 20,000 placements x 12 month ends is one call.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ._arrays import ArrayLike, FloatArray, IntArray, as_float
from .dates import OPEN_END, fy_bounds

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = [
    "PlaceCode",
    "PlaceMapping",
    "PlacementTypes",
    "Register",
    "RegisterSummary",
    "by_type",
    "cost_by_type",
    "days_inside",
    "net_share",
    "placement_cost_dates",
    "placements_in_place",
    "register_costs",
    "summarise_register",
]


# --------------------------------------------------------------------------- reference data


@dataclass(frozen=True, slots=True)
class PlacementTypes:
    """The placement types reported, in order: keys (used in files) and labels.

    >>> t = PlacementTypes(("ifa", "other"), ("Independent fostering agency", "Other"))
    >>> t.index("other"), t.label("ifa")
    (1, 'Independent fostering agency')
    """

    keys: tuple[str, ...]
    labels: tuple[str, ...]

    def index(self, key: str) -> int:
        """Position of type ``key`` (``ValueError`` for an unknown key)."""
        return self.keys.index(key)

    def label(self, key: str) -> str:
        """The printed label of type ``key``."""
        return self.labels[self.index(key)]

    def with_types(self, extra: Mapping[str, str]) -> PlacementTypes:
        """These types with ``extra`` (key -> label) added or relabelled, new ones last.

        >>> PlacementTypes(("ifa",), ("IFA",)).with_types({"ifa": "Agency", "spot": "Spot"})
        PlacementTypes(keys=('ifa', 'spot'), labels=('Agency', 'Spot'))
        """
        labels = dict(zip(self.keys, self.labels, strict=True))
        labels.update(extra)
        return PlacementTypes(tuple(labels), tuple(labels.values()))


@dataclass(frozen=True, slots=True)
class PlaceCode:
    """One SSDA903 PLACE code: its type, and types for particular providers."""

    code: str
    label: str
    type: str
    by_provider: Mapping[str, str] = field(default_factory=dict)

    def type_for(self, provider: str) -> str:
        """The type of this code with PLACE_PROVIDER ``provider``."""
        return self.by_provider.get(provider, self.type)


@dataclass(frozen=True, slots=True)
class PlaceMapping:
    """SSDA903 PLACE codes (with PLACE_PROVIDER where it decides) to placement types.

    >>> m = PlaceMapping({"U4": PlaceCode("U4", "Foster", "ifa", {"PR1": "in_house"})})
    >>> m.type_of("U4", "PR1"), m.type_of("U4", "PR4"), m.type_of("XX", "PR1")
    ('in_house', 'ifa', None)
    """

    codes: Mapping[str, PlaceCode]

    def type_of(self, place: str, provider: str = "") -> str | None:
        """The type of a PLACE code with a provider; ``None`` for an unknown code."""
        code = self.codes.get(place)
        return None if code is None else code.type_for(provider)

    def with_codes(self, extra: Mapping[str, PlaceCode]) -> PlaceMapping:
        """This mapping with codes added or replaced."""
        return PlaceMapping({**self.codes, **extra})


# --------------------------------------------------------------------------- the rules


def days_inside(
    start: ArrayLike, end: ArrayLike, window_from: ArrayLike, window_to: ArrayLike
) -> IntArray:
    """Days from ``start`` to ``end`` that fall from ``window_from`` to ``window_to``.

    All four are day numbers and every range includes both ends; the arrays broadcast.

    >>> days_inside(10, 20, 15, 30).tolist()      # days 15..20
    6
    >>> days_inside(10, 10, 0, 100).tolist()      # starts and ends the same day: 1 day
    1
    >>> days_inside([5, 40], [8, 50], 10, 30).tolist()   # before, after the window
    [0, 0]
    """
    last = np.asarray(end, np.int64), np.asarray(window_to, np.int64)
    first = np.asarray(start, np.int64), np.asarray(window_from, np.int64)
    shape = np.broadcast_shapes(*(a.shape for a in (*last, *first)))
    # in place: a large broadcast result is allocated once, not once per step
    days = np.minimum(*last, out=np.empty(shape, np.int64))
    days -= np.maximum(*first)
    days += 1
    result: IntArray = np.maximum(days, 0, out=days)
    return result


def placement_cost_dates(
    weekly_cost: ArrayLike,
    start: ArrayLike,
    end: ArrayLike,
    window_from: ArrayLike,
    window_to: ArrayLike,
    count: ArrayLike = 1.0,
) -> FloatArray:
    """Cost of placements in a window: weekly cost x count x days inside / 7.

    >>> # £700 a week from 25 March to 5 April (day numbers 0..11); the window is the
    >>> # new year from 1 April (day 7): days 7..11 = 5 days, 700 x 5 / 7 = 500
    >>> float(placement_cost_dates(700, 0, 11, 7, 372))
    500.0
    >>> float(placement_cost_dates(3500, 0, 0, 0, 0, count=2))   # one day, two children
    1000.0
    """
    days = days_inside(start, end, window_from, window_to)
    return as_float(weekly_cost) * as_float(count) * days / 7.0


def net_share(health_share: ArrayLike = 0.0, education_share: ArrayLike = 0.0) -> FloatArray:
    """The council's share of a placement's cost: 1 - health share - education share.

    >>> net_share(0.25, 0.25).tolist(), net_share(1.0).tolist()
    (0.5, 0.0)
    """
    return 1.0 - as_float(health_share) - as_float(education_share)


# --------------------------------------------------------------------------- the register


@dataclass(frozen=True, slots=True, eq=False)
class Register:
    """Placements as parallel arrays (one element per placement).

    ``start`` and ``end`` are day numbers, both inclusive (``end`` = :data:`OPEN_END`
    when open); ``type_index`` points into ``types``. An SSDA903 episode that starts and
    ends on one day (DEC = DECOM) has ``end = start - 1``: no day in care.
    """

    types: PlacementTypes
    ref: tuple[str, ...]
    type_index: IntArray
    weekly_cost: FloatArray
    start: IntArray
    end: IntArray
    count: FloatArray
    health_share: FloatArray
    education_share: FloatArray

    @classmethod
    def build(
        cls,
        types: PlacementTypes,
        ref: Sequence[str],
        type_key: Sequence[str],
        weekly_cost: ArrayLike,
        start: ArrayLike,
        end: ArrayLike | None = None,
        count: ArrayLike = 1.0,
        health_share: ArrayLike = 0.0,
        education_share: ArrayLike = 0.0,
    ) -> Register:
        """A register from lists; ``end`` ``None`` (or an element of -1) is open.

        >>> t = PlacementTypes(("ifa",), ("IFA",))
        >>> r = Register.build(t, ["P1"], ["ifa"], [900], [20179])
        >>> r.end.tolist() == [OPEN_END], len(r)
        (True, 1)
        """
        n = len(ref)
        index = np.array([types.index(k) for k in type_key], dtype=np.int64)
        start_a = np.broadcast_to(np.asarray(start, np.int64), (n,)).copy()
        if end is None:
            end_a = np.full(n, OPEN_END, np.int64)
        else:
            end_a = np.broadcast_to(np.asarray(end, np.int64), (n,)).copy()
            end_a[end_a == -1] = OPEN_END

        def col(v: ArrayLike) -> FloatArray:
            return np.broadcast_to(as_float(v), (n,)).copy()

        return cls(
            types,
            tuple(ref),
            index,
            col(weekly_cost),
            start_a,
            end_a,
            col(count),
            col(health_share),
            col(education_share),
        )

    def __len__(self) -> int:
        return len(self.ref)

    def select(self, mask: npt.NDArray[np.bool_]) -> Register:
        """The placements where ``mask`` is true."""
        return Register(
            self.types,
            tuple(r for r, keep in zip(self.ref, mask, strict=True) if keep),
            self.type_index[mask],
            self.weekly_cost[mask],
            self.start[mask],
            self.end[mask],
            self.count[mask],
            self.health_share[mask],
            self.education_share[mask],
        )

    def of_types(self, keys: Sequence[str]) -> Register:
        """The placements of the given types."""
        wanted = np.array([self.types.index(k) for k in keys], dtype=np.int64)
        return self.select(np.isin(self.type_index, wanted))


def register_costs(
    register: Register, window_from: ArrayLike, window_to: ArrayLike, net: bool = True
) -> FloatArray:
    """Each placement's cost in each window: placements x windows (one call).

    ``net`` (the default) takes off the health and education shares.

    >>> t = PlacementTypes(("ifa", "secure"), ("IFA", "Secure"))
    >>> r = Register.build(t, ["A", "B"], ["ifa", "secure"], [700, 7000], [0, 5], [13, 5],
    ...                    health_share=[0.0, 0.5])
    >>> register_costs(r, 0, [6, 13]).tolist()   # A: 7 then 14 days; B: one day, half paid
    [[700.0, 1400.0], [500.0, 500.0]]
    """
    frm = np.atleast_1d(np.asarray(window_from, np.int64))
    to = np.atleast_1d(np.asarray(window_to, np.int64))
    frm, to = np.broadcast_arrays(frm, to)
    rate = register.weekly_cost * register.count
    if net:
        rate = rate * net_share(register.health_share, register.education_share)
    # windows x placements, the long axis innermost (numpy's loops run along it), then
    # transposed to placements x windows
    days = days_inside(register.start[None, :], register.end[None, :], frm[:, None], to[:, None])
    result: FloatArray = np.multiply(days, rate / 7.0, dtype=np.float64).T
    return result


def by_type(register: Register, values: ArrayLike) -> FloatArray:
    """Sum placements x columns by type: types x columns (every type, zero if none).

    >>> t = PlacementTypes(("a", "b", "c"), ("A", "B", "C"))
    >>> r = Register.build(t, ["1", "2", "3"], ["a", "c", "a"], 1.0, 0)
    >>> by_type(r, [[1, 2], [3, 4], [5, 6]]).tolist()
    [[6.0, 8.0], [0.0, 0.0], [3.0, 4.0]]
    """
    v = as_float(values)
    k = len(register.types.keys)
    width = int(np.prod(v.shape[1:], dtype=np.int64))
    columns = v.reshape(v.shape[0], width)
    sums = [np.bincount(register.type_index, weights=c, minlength=k) for c in columns.T]
    result: FloatArray = (np.stack(sums, axis=1) if sums else np.zeros((k, 0))).reshape(
        (k, *v.shape[1:])
    )
    return result


def cost_by_type(
    register: Register, window_from: ArrayLike, window_to: ArrayLike, net: bool = True
) -> FloatArray:
    """Cost by type in each window: types x windows."""
    return by_type(register, register_costs(register, window_from, window_to, net))


def placements_in_place(register: Register, dates: ArrayLike) -> FloatArray:
    """Children in placement on each date by type (a cohort counts ``count``): types x dates.

    >>> t = PlacementTypes(("a",), ("A",))
    >>> r = Register.build(t, ["1", "2"], ["a", "a"], 1.0, [0, 5], [9, 5], count=[1, 3])
    >>> placements_in_place(r, [0, 5, 6]).tolist()
    [[1.0, 4.0, 1.0]]
    """
    d = np.atleast_1d(np.asarray(dates, np.int64))
    inside = (register.start[:, None] <= d[None, :]) & (d[None, :] <= register.end[:, None])
    return by_type(register, inside * register.count[:, None])


# --------------------------------------------------------------------------- the summary


@dataclass(frozen=True, slots=True, eq=False)
class RegisterSummary:
    """A register summed up for a financial year at an as-at date; arrays by type.

    Money (in the unit of the weekly costs) is net of the health and education shares,
    except ``gross_full_year``. ``next_year`` is the full-year effect: what the
    placements cost in the following financial year, each to its own end (open ones
    the whole year).
    """

    types: PlacementTypes
    year: str
    as_at: int
    children: FloatArray  # in placement on the as-at date
    cost_to_date: FloatArray  # 1 April to the as-at date
    rest_of_year: FloatArray  # the day after the as-at date to 31 March
    full_year: FloatArray  # 1 April to 31 March
    next_year: FloatArray  # the following financial year
    gross_full_year: FloatArray  # before the shares

    @property
    def forecast(self) -> FloatArray:
        """Cost to date + rest of year (equals ``full_year``)."""
        result: FloatArray = self.cost_to_date + self.rest_of_year
        return result


def _next_fy(label: str) -> str:
    start = int(label[:4]) + 1
    return f"{start:04d}/{(start + 1) % 100:02d}"


def summarise_register(register: Register, year: str, as_at: int) -> RegisterSummary:
    """Children at ``as_at`` by type; cost to date, rest of year, full year, next year.

    >>> from cypsxl.model.dates import day_number as d
    >>> t = PlacementTypes(("ifa",), ("IFA",))
    >>> # £700 a week from 1 October 2025, open: 182 days in 2025/26 (1 Oct - 31 Mar)
    >>> r = Register.build(t, ["P"], ["ifa"], [700], [d("2025-10-01")])
    >>> s = summarise_register(r, "2025/26", d("2025-10-31"))
    >>> s.children.tolist(), s.cost_to_date.tolist(), s.rest_of_year.tolist()
    ([1.0], [3100.0], [15100.0])
    >>> s.full_year.tolist(), s.next_year.tolist()    # 700 x 182 / 7; 700 x 365 / 7
    ([18200.0], [36500.0])
    """
    first, last = fy_bounds(year)
    n_first, n_last = fy_bounds(_next_fy(year))
    # an as-at date outside the year clamps to it: nothing to date before 1 April
    split = min(max(as_at, first - 1), last)
    frm = np.array([first, split + 1, first, n_first], np.int64)
    to = np.array([split, last, last, n_last], np.int64)
    net = cost_by_type(register, frm, to, net=True)
    gross = cost_by_type(register, first, last, net=False)[:, 0]
    return RegisterSummary(
        types=register.types,
        year=year,
        as_at=as_at,
        children=placements_in_place(register, as_at)[:, 0],
        cost_to_date=net[:, 0],
        rest_of_year=net[:, 1],
        full_year=net[:, 2],
        next_year=net[:, 3],
        gross_full_year=gross,
    )
