"""Bounds every door applies to inputs: bid references, sane magnitudes, plausible money.

One place for the rules that the case file reader, the bid template reader (and the
template's own live checks), the Excel functions and the refresh share:

- :data:`REF_PATTERN`: a bid reference is ASCII, starts with a letter, at most 32
  characters of letters, digits, ``_`` and ``-`` - so a reference can never carry a line
  break, an escape sequence, a zero-width space or a Cyrillic look-alike;
- :data:`MAX_MAGNITUDE`: no input number is larger than this (in its own unit: £m,
  £, children) - far above any real figure, low enough that sums of thousands of bids
  and every appraisal measure stay finite; larger numbers are refused;
- :data:`PLAUSIBLE_MONEY_M`: a money figure (£m) above this is *accepted with a warning*:
  it is most likely pounds typed where £m is asked (250,000 for £0.25m).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

__all__ = [
    "MAX_MAGNITUDE",
    "MAX_REF_CHARS",
    "PLAUSIBLE_MONEY_M",
    "REF_PATTERN",
    "implausible_money",
    "ref_problem",
    "within_bounds",
]

#: Longest bid reference, in characters.
MAX_REF_CHARS = 32
#: A bid reference: an ASCII letter, then letters, digits, ``_`` or ``-``.
REF_PATTERN = re.compile(rf"[A-Za-z][A-Za-z0-9_-]{{0,{MAX_REF_CHARS - 1}}}")
#: The largest magnitude any input number may have, in its own unit (£m, £, children).
MAX_MAGNITUDE = 1e9
#: A money figure in £m above this is implausible (£1bn in one year on one line: more
#: than the whole children's services budget of any English council).
PLAUSIBLE_MONEY_M = 1000.0


def ref_problem(ref: str) -> str | None:
    """Why ``ref`` is not an acceptable bid reference, or None.

    >>> ref_problem("CYPS_1A") is None
    True
    >>> ref_problem("CYPS_1\\u200b")[-18:]
    "got 'CYPS_1\\\\u200b'"
    """
    if REF_PATTERN.fullmatch(ref):
        return None
    shown = ref if len(ref) <= 40 else ref[:37] + "..."
    return (
        "expected a reference of letters, digits, '_' or '-' starting with a letter "
        f"(at most {MAX_REF_CHARS}), got {shown!a}"
    )


def within_bounds(value: float | int) -> bool:
    """Whether ``value`` is a finite number no larger than :data:`MAX_MAGNITUDE`.

    Works for integers of any size (a 400-digit integer is simply too large).

    >>> within_bounds(250_000.0), within_bounds(1.797e308), within_bounds(10**400)
    (True, False, False)
    >>> within_bounds(float("nan"))
    False
    """
    if isinstance(value, int):
        return -MAX_MAGNITUDE <= value <= MAX_MAGNITUDE
    return math.isfinite(value) and abs(value) <= MAX_MAGNITUDE


def implausible_money(values: Sequence[float | None]) -> list[int]:
    """Indexes of money figures (£m) above :data:`PLAUSIBLE_MONEY_M` in magnitude.

    >>> implausible_money([0.25, 250000.0, None, -2000.0])
    [1, 3]
    """
    return [i for i, v in enumerate(values) if v is not None and abs(v) > PLAUSIBLE_MONEY_M]
