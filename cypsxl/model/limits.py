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
import unicodedata
from collections.abc import Sequence

from .case import Case

__all__ = [
    "MAX_MAGNITUDE",
    "MAX_REF_CHARS",
    "PLAUSIBLE_MONEY_M",
    "REF_PATTERN",
    "implausible_money",
    "larger_than_budget",
    "plausibility_warnings",
    "ref_problem",
    "text_problem",
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


def larger_than_budget(case: Case) -> list[tuple[str, str, int, str]]:
    """(ref, key, year index, message) where a bid's investment or gross saving in a
    year is larger than the whole CYPS net budget of that year.

    >>> from cypsxl.model import Assumptions, Bid, CypsBudget, Mtfs
    >>> c = Case("x", ("2025/26",), ("2025/26",), Assumptions(), CypsBudget((80.0,), {}),
    ...          (Bid(ref="B1", title="t", investment=(250.0,)),), (), Mtfs((0.0,)))
    >>> larger_than_budget(c)
    [('B1', 'investment', 0, '£250m in 2025/26 is more than the CYPS net budget of £80m that year')]
    """
    out: list[tuple[str, str, int, str]] = []
    budget = case.budget.net_budget
    for bid in case.bids:
        for key, row in (("investment", bid.investment), ("gross_saving", bid.gross_saving)):
            for k, value in enumerate(row or ()):
                if k < len(budget) and budget[k] > 0 and abs(value) > budget[k]:
                    out.append(
                        (
                            bid.ref,
                            key,
                            k,
                            f"£{value:,.0f}m in {case.years[k]} is more than the CYPS net "
                            f"budget of £{budget[k]:,.0f}m that year",
                        )
                    )
    return out


def plausibility_warnings(case: Case) -> list[tuple[str, str, int | None, str]]:
    """Figures of a case that are accepted but most likely wrong, as (where, key, index,
    message): a bid's money (£m) above :data:`PLAUSIBLE_MONEY_M` (pounds typed where £m
    is asked), and :func:`larger_than_budget`.

    >>> from cypsxl.model import Assumptions, Bid, CypsBudget, Mtfs
    >>> c = Case("x", ("2025/26",), ("2025/26",), Assumptions(), CypsBudget((80.0,), {}),
    ...          (Bid(ref="B1", title="t", investment=(250000.0,)),), (), Mtfs((0.0,)))
    >>> for w in plausibility_warnings(c): print(w[3])
    £250,000m in 2025/26 is more than £1,000m: is it in pounds? Case money is in £m
    £250,000m in 2025/26 is more than the CYPS net budget of £80m that year
    """
    out: list[tuple[str, str, int | None, str]] = []
    pounds = "is it in pounds? Case money is in £m"
    for bid in case.bids:
        for key, row in (("investment", bid.investment), ("gross_saving", bid.gross_saving)):
            for k in implausible_money(row or ()):
                out.append(
                    (
                        f"bid {bid.ref}",
                        key,
                        k,
                        f"£{(row or ())[k]:,.0f}m in {case.years[k]} is more than "
                        f"£{PLAUSIBLE_MONEY_M:,.0f}m: {pounds}",
                    )
                )
        current = bid.current_budget
        if current is not None and abs(current) > PLAUSIBLE_MONEY_M:
            message = f"£{current:,.0f}m is more than £{PLAUSIBLE_MONEY_M:,.0f}m: {pounds}"
            out.append((f"bid {bid.ref}", "current_budget", None, message))
    out += [(f"bid {ref}", key, k, message) for ref, key, k, message in larger_than_budget(case)]
    return out


_WHITESPACE = str.maketrans({"\t": " ", "\r": " ", "\n": " "})
#: Unicode categories refused in text: controls, format characters (zero-width,
#: direction overrides), lone surrogates, line and paragraph separators.
_REFUSED = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def text_problem(text: str, keep_lines: bool = False) -> tuple[str, str | None]:
    """``text`` with tabs and line breaks made spaces (kept, with ``keep_lines``), and why
    it is refused, or None: any other control character (an escape sequence, say) or an
    invisible format character (a zero-width space, a direction override) is refused.

    >>> text_problem("Edge of\\ncare")
    ('Edge of care', None)
    >>> text_problem("Edge\\x1b[2J")[1]
    "contains the control character '\\\\x1b' (position 5); type plain text"
    >>> text_problem("Line 1\\nLine 2", keep_lines=True), text_problem("£1\\xa0m")[1]
    (('Line 1\\nLine 2', None), None)
    """
    if keep_lines:
        cleaned = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    else:
        cleaned = text.translate(_WHITESPACE)
    for i, ch in enumerate(cleaned):
        kind = unicodedata.category(ch)
        if kind in _REFUSED and ch != "\n":
            what = "control" if kind == "Cc" else "invisible"
            return cleaned, (
                f"contains the {what} character {ch!a} (position {i + 1}); type plain text"
            )
    return cleaned, None
