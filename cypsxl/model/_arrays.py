"""Small array helpers shared by the model modules (no IO, no finance rules)."""

from __future__ import annotations

from typing import TYPE_CHECKING, SupportsInt

import numpy as np

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = [
    "MONEY_DECIMALS",
    "ArrayLike",
    "FloatArray",
    "IntArray",
    "as_float",
    "is_negative",
    "year_or_none",
]

if TYPE_CHECKING:
    FloatArray = npt.NDArray[np.float64]
    IntArray = npt.NDArray[np.int64]
    ArrayLike = npt.ArrayLike
else:  # only annotations name them, and annotations are not evaluated at run time
    FloatArray = IntArray = np.ndarray
    ArrayLike = object

#: Money is compared after rounding to this many decimals, so that a net of
#: 0.330 - 0.330 computed as -5.5e-17 is zero, not a saving. The template formulas
#: use the same rule (``ROUND(x, 9) < 0``).
MONEY_DECIMALS = 9


def as_float(values: ArrayLike) -> FloatArray:
    """Return ``values`` as a float64 array (a copy only when needed).

    >>> as_float([1, 2]).dtype
    dtype('float64')
    """
    return np.asarray(values, dtype=np.float64)


def is_negative(values: ArrayLike) -> npt.NDArray[np.bool_]:
    """True where money is below zero after rounding to :data:`MONEY_DECIMALS`.

    >>> is_negative([0.33 - 0.33, -0.001, 1e-12 - 2e-12]).tolist()
    [False, True, False]
    """
    return np.round(as_float(values), MONEY_DECIMALS) < 0


def year_or_none(year: SupportsInt) -> int | None:
    """A 1-based year index as an ``int``, ``None`` for 0 (no such year).

    >>> year_or_none(np.int64(3)), year_or_none(0)
    (3, None)
    """
    return int(year) or None
