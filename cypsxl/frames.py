"""pandas views of a run's results, for Python and notebook users.

``results.to_frame()`` gives every figure of a run as one tidy table - one row per
table, line and year - ready for ``pivot``, ``groupby``, plotting or ``to_excel``;
``results.frames()`` gives each table of the report as its own DataFrame, laid out as
the report lays it out (lines down, years across). Money is in £m, as everywhere.
pandas is imported here only, when a frame is asked for: ``cypsxl run`` never loads it.

>>> from cypsxl import load_case, run_case
>>> r = run_case(load_case())
>>> f = r.to_frame()
>>> list(f.columns)
['table', 'line', 'year', 'value']
>>> gap = f[(f.table == "funding_gap") & (f.line == "revised")]
>>> gap.set_index("year").value.round(3).to_dict()
{'2016/17': 0.0, '2017/18': 24.13, '2018/19': 7.854, '2019/20': 18.864}
>>> r.frames()["bid_summary"].loc["CYPS_5", ["payback_year", "breakeven_year"]].tolist()
[3, 3]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from .model import Results

__all__ = ["TABLES", "results_frames", "results_to_frame"]

#: The tables of :func:`results_to_frame`, in report order, each with its lines.
TABLES = {
    "budget": "Table 1: net_budget, pressure:<line>, investment, savings, net_forecast, "
    "funding_support",
    "bid_net": "Table 2: one line per bid ref, net = investment - gross saving",
    "bid_investment": "one line per bid ref",
    "bid_gross_saving": "one line per bid ref",
    "bid_cumulative_net": "one line per bid ref",
    "additional_funding": "Table 3: cyps_pressures, cyps_net_investment, <other key>, total",
    "funding_gap": "Table 4: base, change, revised",
    "placements": "projected_cost and lac_numbers by year, with [placements]",
}


def _wide(rows: dict[str, Any], years: Sequence[str]) -> pd.DataFrame:
    """Lines down, years across; the index named ``line`` and the columns ``year``."""
    frame = pd.DataFrame(
        np.vstack([np.asarray(v, dtype=float) for v in rows.values()])
        if rows
        else np.zeros((0, len(years))),
        index=pd.Index(list(rows), name="line"),
        columns=pd.Index(list(years), name="year"),
    )
    return frame


def results_frames(r: Results) -> dict[str, pd.DataFrame]:
    """Each table of a run as a DataFrame: lines down, years across (£m).

    Keys: ``budget`` (Table 1), ``bid_net`` (Table 2), ``bid_investment``,
    ``bid_gross_saving``, ``bid_cumulative_net``, ``additional_funding`` (Table 3, MTFS
    years), ``funding_gap`` (Table 4, MTFS years), ``bid_summary`` (one row per bid:
    title, service area, payback and break-even years - 1-based, ``<NA>`` for none - and
    the totals), and ``placements`` when the case has ``[placements]``.
    """
    case = r.case
    years, mtfs = list(case.years), list(case.mtfs_years)
    b, t, a, g = r.budget, r.bids, r.additional, r.gap
    budget = {"net_budget": b.net_budget}
    budget |= {f"pressure:{k}": v for k, v in r.pressures_by_line.items()}
    budget |= {
        "investment": b.investment,
        "savings": b.savings,
        "net_forecast": b.net_forecast,
        "funding_support": b.funding_support,
    }
    refs = list(t.refs)
    frames = {
        "budget": _wide(budget, years),
        "bid_net": _wide(dict(zip(refs, t.net, strict=True)), years),
        "bid_investment": _wide(dict(zip(refs, t.investment, strict=True)), years),
        "bid_gross_saving": _wide(dict(zip(refs, t.gross_saving, strict=True)), years),
        "bid_cumulative_net": _wide(dict(zip(refs, t.cumulative_net, strict=True)), years),
        "additional_funding": _wide(
            {
                "cyps_pressures": a.cyps_pressures,
                "cyps_net_investment": a.cyps_net_investment,
                **a.others,
                "total": a.total,
            },
            mtfs,
        ),
        "funding_gap": _wide({"base": g.base, "change": g.change, "revised": g.revised}, mtfs),
        "bid_summary": _bid_summary(r),
    }
    p = r.placements
    if p is not None and p.projected_cost is not None and p.lac_numbers is not None:
        frames["placements"] = _wide(
            {"lac_numbers": p.lac_numbers, "projected_cost": p.projected_cost}, years
        )
    return frames


def _bid_summary(r: Results) -> pd.DataFrame:
    t = r.bids

    def year(values: Any) -> pd.array:
        return pd.array([int(v) if v else pd.NA for v in values], dtype="Int64")

    return pd.DataFrame(
        {
            "title": [bid.title for bid in r.case.bids],
            "service_area": [bid.service_area for bid in r.case.bids],
            "investment": t.investment.sum(axis=1),
            "gross_saving": t.gross_saving.sum(axis=1),
            "net": t.net.sum(axis=1),
            "payback_year": year(t.payback_year),
            "breakeven_year": year(t.breakeven_year),
        },
        index=pd.Index(list(t.refs), name="ref"),
    )


def results_to_frame(r: Results) -> pd.DataFrame:
    """Every figure of a run by year, one row each: ``table``, ``line``, ``year``, ``value``.

    The tables are :data:`TABLES`; ``value`` is £m except ``lac_numbers`` (children).
    """
    parts = []
    for name, frame in results_frames(r).items():
        if name == "bid_summary":
            continue
        long = frame.stack(future_stack=True).rename("value").reset_index()
        long.insert(0, "table", name)
        parts.append(long)
    return pd.concat(parts, ignore_index=True)[["table", "line", "year", "value"]]
