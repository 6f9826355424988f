"""Shared presentation of the commands: plain text tables, notes, JSON output and
JSON-safe numbers. No finance rules here."""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..cli import InputError
from ..model import OptimismBias

__all__ = [
    "PAYBACK_NOTES",
    "fmt_chance",
    "fmt_percent",
    "fmt_ratio",
    "fmt_year",
    "json_number",
    "json_numbers",
    "optimism_text",
    "print_json",
    "render",
]

#: How the two payback years are defined, printed under the tables that show them.
PAYBACK_NOTES = (
    "Payback: the first year the bid's net (investment - saving) is negative (the report's rule).",
    "Disc. payback: the first year the discounted cumulative saving exceeds the discounted"
    " cumulative investment.",
)


def print_json(doc: Mapping[str, Any]) -> None:
    """Write a command's JSON document to standard output (indented, non-ASCII kept).

    NaN and infinity are not JSON: a document holding one is refused whole (exit 2),
    never printed as ``NaN`` or ``Infinity``.

    >>> print_json({"gap": "£m"})
    {
      "gap": "£m"
    }
    >>> print_json({"gap": float("inf")})
    Traceback (most recent call last):
    ...
    cypsxl.cli.InputError: a result is not a finite number (NaN or infinity); nothing was printed
    """
    import json  # only the --json commands need it

    try:
        text = json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False)
    except ValueError:
        raise InputError(
            "a result is not a finite number (NaN or infinity); nothing was printed"
        ) from None
    sys.stdout.write(text + "\n")


def json_number(value: Any) -> float | None:
    """A float for JSON, ``None`` for NaN or infinity.

    >>> json_number(np.float64(1.5)), json_number(float("nan"))
    (1.5, None)
    """
    v = float(value)
    return v if math.isfinite(v) else None


def json_numbers(values: Any) -> list[float | None]:
    """A row of numbers for JSON.

    >>> json_numbers(np.array([1.0, np.nan]))
    [1.0, None]
    """
    return [json_number(v) for v in np.asarray(values, dtype=np.float64).ravel()]


def fmt_percent(value: float, decimals: int = 1) -> str:
    """A fraction as a percentage; '-' for none.

    >>> fmt_percent(0.4108), fmt_percent(float("nan"))
    ('41.1%', '-')
    """
    if not math.isfinite(value):
        return "-"
    return f"{value * 100:.{decimals}f}%"


def fmt_chance(value: float) -> str:
    """A probability as a whole percentage that never rounds to certainty: only a chance
    of exactly 0 or 1 prints as 0% or 100%; others print as <1% or >99% at the ends.

    >>> fmt_chance(0.0), fmt_chance(0.004), fmt_chance(0.416), fmt_chance(0.9996), fmt_chance(1.0)
    ('0%', '<1%', '42%', '>99%', '100%')
    """
    if not math.isfinite(value):
        return "-"
    if value <= 0.0 or value >= 1.0:
        return f"{round(value) * 100:.0f}%"
    if value < 0.01:
        return "<1%"
    if value > 0.99:
        return ">99%"
    return f"{value * 100:.0f}%"


def fmt_ratio(value: float) -> str:
    """A ratio to two decimals; '-' for none.

    >>> fmt_ratio(2.0), fmt_ratio(float("nan"))
    ('2.00', '-')
    """
    return f"{value:.2f}" if math.isfinite(value) else "-"


def fmt_year(year: int, years: Sequence[str]) -> str:
    """A 1-based year as its financial-year label; '-' for none.

    >>> fmt_year(2, ["2016/17", "2017/18"]), fmt_year(0, ["2016/17"])
    ('2017/18', '-')
    """
    return years[int(year) - 1] if int(year) > 0 else "-"


def render(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A fixed-width table: the first column left-aligned, the others right-aligned.

    >>> print(render("T", ["Bid", "NPV"], [["A", "1.000"]]))
    T
    ----------
    Bid    NPV
    ----------
    A    1.000
    ----------
    """
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    widths = [max(w, 3) for w in widths]

    def line(cells: Sequence[str]) -> str:
        first = f"{cells[0]:<{widths[0]}}"
        rest = "".join(f"  {c:>{w}}" for c, w in zip(cells[1:], widths[1:], strict=True))
        return (first + rest).rstrip()

    head = line(header)
    rule = "-" * len(head)
    return "\n".join([title, rule, head, rule, *(line(r) for r in rows), rule])


def optimism_text(bias: OptimismBias) -> str:
    """One line describing an optimism bias.

    >>> optimism_text(OptimismBias(0.2, 0.1, 1))
    'investment +20%, savings -10%, delayed 1 year'
    >>> optimism_text(OptimismBias())
    'none'
    """
    if bias == OptimismBias():
        return "none"
    parts = []
    if bias.investment_uplift:
        parts.append(f"investment +{bias.investment_uplift * 100:g}%")
    if bias.saving_cut:
        parts.append(f"savings -{bias.saving_cut * 100:g}%")
    if bias.saving_delay_years:
        d = bias.saving_delay_years
        parts.append(f"delayed {d} year{'s' if d != 1 else ''}")
    return ", ".join(parts)
