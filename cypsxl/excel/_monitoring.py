"""The monitoring Excel functions' conversions: cells in, one model call, cells out.

A single cell gives a single cell; a column of lines gives a column (a row gives a row).
Inputs are checked by the same rules as the case file
(:func:`~cypsxl.model.monitoring.period_problem`, ``profile_problem``, ``rag_problem``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..model import monitoring as mon
from ._convert import ArgumentError, Cells, as_number, as_row, is_blank, is_column, orient

__all__ = ["forecast_cells", "rag_cells", "variance_cells"]

_METHODS = ("run_rate", "profile")


def _out(values: list[Any], like: Any) -> Cells:
    if len(values) == 1:
        return [[values[0]]]
    return orient([values], is_column(like))


def _texts(value: Any) -> list[Any]:
    if not isinstance(value, list | tuple):
        return [value]
    rows = [r if isinstance(r, list | tuple) else [r] for r in value]
    return [v for r in rows for v in r]


def _methods(name: str, method: Any, n: int) -> list[str]:
    cells = _texts(method)
    if len(cells) not in (1, n):
        raise ArgumentError(
            f"{name}: 'method': has {len(cells)} values; expected one, or one per line ({n})"
        )
    out = []
    for i, cell in enumerate(cells):
        where = f"{name}: 'method'" + (f" value {i + 1}" if len(cells) > 1 else "")
        text = "run_rate" if is_blank(cell) else cell
        if isinstance(text, str):
            text = text.strip().lower()
        if text == "manual":
            raise ArgumentError(f"{where}: a manual forecast is typed in the cell, not calculated")
        if text not in _METHODS:
            raise ArgumentError(f'{where}: expected "run_rate" or "profile", got {cell!r}')
        out.append(str(text))
    return out * n if len(out) == 1 else out


def _period(name: str, period: Any) -> int:
    value = as_number(name, "period", period)
    why = mon.period_problem(int(value) if value.is_integer() else value)
    if why:
        raise ArgumentError(f"{name}: 'period': {why}")
    return int(value)


def _profiles(name: str, profile: Any, n: int, period: int) -> np.ndarray[Any, Any]:
    if profile is None or (not isinstance(profile, list | tuple) and is_blank(profile)):
        raise ArgumentError(f"{name}: 'profile': missing; a profile line needs 12 monthly values")
    rows = profile if isinstance(profile, list | tuple) else [[profile]]
    rows = [r if isinstance(r, list | tuple) else [r] for r in rows]
    if len(rows) in (1, 12) and all(len(r) == (12 if len(rows) == 1 else 1) for r in rows):
        grid = [as_row(name, "profile", profile).tolist()]  # one profile, across or down
    else:
        grid = [as_row(name, "profile", [r]).tolist() for r in rows]
        if len(grid) != n:
            raise ArgumentError(
                f"{name}: 'profile': has {len(grid)} rows; expected one profile of 12 values, "
                f"or one row of 12 per line ({n})"
            )
    for i, p in enumerate(grid):
        why = mon.profile_problem(p, period)
        if why:
            which = f" row {i + 1}" if len(grid) > 1 else ""
            raise ArgumentError(f"{name}: 'profile'{which}: {why}")
    return np.broadcast_to(np.array(grid, dtype=np.float64), (n, 12))


def forecast_cells(actual_to_date: Any, period: Any, method: Any, profile: Any) -> Cells:
    """``CYPS_FORECAST_OUTTURN``: run rate or profile, one value per line."""
    name = "cyps_forecast_outturn"
    actual = as_row(name, "actual_to_date", actual_to_date)
    p = _period(name, period)
    methods = _methods(name, method, actual.size)
    profiles = _profiles(name, profile, actual.size, p) if "profile" in methods else None
    fc = mon.forecast_outturn(actual, p, methods, profiles)
    return _out(fc.tolist(), actual_to_date)


def _pair(name: str, a: Any, a_name: str, b: Any, b_name: str) -> tuple[Any, Any]:
    first = as_row(name, a_name, a)
    second = as_row(name, b_name, b)
    if first.size != second.size:
        raise ArgumentError(
            f"{name}: '{a_name}' has {first.size} values and '{b_name}' {second.size}; "
            "expected one per line in each"
        )
    return first, second


def variance_cells(forecast: Any, budget: Any) -> Cells:
    """``CYPS_VARIANCE``: forecast - budget, one value per line."""
    fc, b = _pair("cyps_variance", forecast, "forecast", budget, "budget")
    return _out(mon.variance(fc, b).tolist(), forecast)


def rag_cells(variance: Any, budget: Any, amber: Any, red: Any, red_amount: Any) -> Cells:
    """``CYPS_RAG``: "red", "amber" or "green", one per line."""
    name = "cyps_rag"
    v, b = _pair(name, variance, "variance", budget, "budget")
    a = as_number(name, "amber", amber, mon.DEFAULT_AMBER)
    r = as_number(name, "red", red, mon.DEFAULT_RED)
    m = as_number(name, "red_amount", red_amount, mon.DEFAULT_RED_AMOUNT)
    problem = mon.rag_problem(a, r, m)
    if problem is not None:
        raise ArgumentError(f"{name}: '{problem[0]}': {problem[1]}")
    codes = mon.rag(v, b, a, r, m)
    return _out([mon.RAG_LABELS[int(c)] for c in codes], variance)
