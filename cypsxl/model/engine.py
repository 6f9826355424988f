"""The whole pipeline: a :class:`Case` in, every table of the report out (one numpy pass)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._arrays import FloatArray, IntArray
from .avoidance import cost_avoidance
from .bids import breakeven_years, cumulative_net, payback_years
from .budget import BudgetRollup, FundingGap, additional_funding, budget_rollup, funding_gap
from .case import POUNDS_PER_MILLION, Bid, Case
from .placements import lac_projection, placement_cost

__all__ = [
    "AdditionalFunding",
    "BidTable",
    "PlacementTable",
    "Results",
    "bid_table",
    "placement_table",
    "run_case",
]


@dataclass(frozen=True, slots=True)
class BidTable:
    """Every bid's profile as bids x years arrays (£m); row i is ``refs[i]``."""

    refs: tuple[str, ...]
    investment: FloatArray
    gross_saving: FloatArray
    net: FloatArray
    cumulative_net: FloatArray
    payback_year: IntArray  # 1-based; 0 = none
    breakeven_year: IntArray  # 1-based; 0 = none

    def row(self, ref: str) -> int:
        """Index of bid ``ref``."""
        return self.refs.index(ref)


@dataclass(frozen=True, slots=True)
class AdditionalFunding:
    """Table 3 over the MTFS years (£m)."""

    cyps_pressures: FloatArray
    cyps_net_investment: FloatArray
    others: dict[str, FloatArray]
    total: FloatArray


@dataclass(frozen=True, slots=True)
class PlacementTable:
    """Placement costs by type now, and the LAC projection priced by today's mix (£m)."""

    types: tuple[str, ...]
    weekly_cost: FloatArray  # £ a week, by type
    counts: FloatArray  # children, by type
    annual_cost: FloatArray  # £m a year, by type
    lac_numbers: FloatArray | None  # children by year (trend projection)
    projected_cost: FloatArray | None  # £m by year at today's mix and unit costs


@dataclass(frozen=True, slots=True)
class Results:
    """All tables of a run. Arrays over ``case.years`` except Tables 3-4 (MTFS years)."""

    case: Case
    bids: BidTable
    budget: BudgetRollup
    pressures_by_line: dict[str, FloatArray]
    additional: AdditionalFunding
    gap: FundingGap
    placements: PlacementTable | None = None

    def to_frame(self) -> Any:
        """Every figure by year as one tidy pandas DataFrame (:mod:`cypsxl.frames`)."""
        from ..frames import results_to_frame  # pandas only when a frame is asked for

        return results_to_frame(self)

    def frames(self) -> dict[str, Any]:
        """Each table as a pandas DataFrame, lines down and years across (:mod:`cypsxl.frames`)."""
        from ..frames import results_frames

        return results_frames(self)


def _matrix(rows: list[tuple[float, ...] | None], n_years: int) -> FloatArray:
    """Stack optional rows into a bids x years array, missing rows as zeros."""
    out = np.zeros((len(rows), n_years))
    for i, row in enumerate(rows):
        if row is not None:
            out[i] = row
    return out


def _bid_parameters(bids: tuple[Bid, ...], case: Case) -> tuple[FloatArray, FloatArray]:
    """Per-bid avoided cost (£m per child-year) and part-year factor, as columns."""
    default_cost = case.assumptions.avoided_cost_per_child_per_year or 0.0
    default_f = case.assumptions.part_year_factor
    cost = [
        b.avoided_cost_per_child_per_year
        if b.avoided_cost_per_child_per_year is not None
        else default_cost
        for b in bids
    ]
    factor = [b.part_year_factor if b.part_year_factor is not None else default_f for b in bids]
    return (
        np.asarray(cost, dtype=np.float64)[:, None] / POUNDS_PER_MILLION,
        np.asarray(factor, dtype=np.float64)[:, None],
    )


def bid_table(case: Case) -> BidTable:
    """Profiles of every bid of ``case``: gross saving explicit or from prevented counts.

    >>> from cypsxl.casefile import reference_case
    >>> t = bid_table(reference_case())
    >>> t.gross_saving[t.row("CYPS_2")].round(3).tolist()
    [0.0, 0.165, 0.627, 1.254, 1.914]
    """
    n = case.n_years
    bids = case.bids
    investment = _matrix([b.investment for b in bids], n)
    explicit = _matrix([b.gross_saving for b in bids], n)
    prevented = _matrix([b.prevented for b in bids], n)
    cost, factor = _bid_parameters(bids, case)
    gross = explicit + cost_avoidance(prevented, cost, factor)
    net = investment - gross
    return BidTable(
        refs=tuple(b.ref for b in bids),
        investment=investment,
        gross_saving=gross,
        net=net,
        cumulative_net=cumulative_net(net),
        payback_year=payback_years(net),
        breakeven_year=breakeven_years(net),
    )


def placement_table(case: Case) -> PlacementTable | None:
    """Price the case's ``[placements]``; project LAC numbers when a start and trend are given.

    The projection starts from ``lac_numbers`` (or the placements' total count) and grows
    by ``lac_trend_growth_per_year``; it is priced at the current mix's average weekly cost.

    >>> from cypsxl.casefile import reference_case
    >>> placement_table(reference_case()) is None     # the reference case has no [placements]
    True
    """
    p = case.placements
    if p is None or not p.weekly_cost:
        return None
    types = tuple(p.weekly_cost)
    weekly = np.array([p.weekly_cost[k] for k in types])
    counts = np.array([p.counts.get(k, 0.0) for k in types])
    weeks = case.assumptions.weeks_per_year
    annual = placement_cost(counts, weekly, weeks) / POUNDS_PER_MILLION
    start = case.budget.lac_numbers if case.budget.lac_numbers is not None else counts.sum()
    growth = case.budget.lac_trend_growth_per_year
    if growth is None or counts.sum() == 0:
        return PlacementTable(types, weekly, counts, annual, None, None)
    numbers = lac_projection(start, growth, case.n_years)
    average_weekly = float((counts * weekly).sum() / counts.sum())
    projected = placement_cost(numbers, average_weekly, weeks) / POUNDS_PER_MILLION
    return PlacementTable(types, weekly, counts, annual, numbers, projected)


def run_case(case: Case) -> Results:
    """Compute every table of ``case``.

    >>> from cypsxl.casefile import reference_case
    >>> r = run_case(reference_case())
    >>> r.budget.funding_support.round(3).tolist()
    [8.027, 9.677, 8.927, 7.924, 7.492]
    >>> r.gap.revised.round(3).tolist()
    [0.0, 24.13, 7.854, 18.864]
    """
    table = bid_table(case)
    n, m = case.n_years, case.n_mtfs
    lines = {k: np.asarray(v, dtype=np.float64) for k, v in case.budget.pressures.items()}
    pressures = sum(lines.values(), np.zeros(n))
    budget = budget_rollup(
        case.budget.net_budget,
        pressures,
        table.investment.sum(axis=0),
        table.gross_saving.sum(axis=0),
    )
    others = {p.key: np.asarray(p.levels[:m], dtype=np.float64) for p in case.other_proposals}
    net_investment = (budget.investment - budget.savings)[:m]
    total = additional_funding(pressures[:m], net_investment, sum(others.values(), np.zeros(m)))
    additional = AdditionalFunding(
        cyps_pressures=pressures[:m],
        cyps_net_investment=net_investment,
        others=others,
        total=total,
    )
    gap = funding_gap(case.mtfs.base_gap, total, case.mtfs.current_year_funded_from_reserves)
    return Results(
        case=case,
        bids=table,
        budget=budget,
        pressures_by_line=lines,
        additional=additional,
        gap=gap,
        placements=placement_table(case),
    )
