"""The engine's pipeline over many variants of one case at once (scenarios x bids x years).

:func:`evaluate` recomputes the bid profiles, the CYPS budget roll-up, total additional
funding and the revised gap for S variants of a case in one numpy pass. A variant is
described by :class:`Levers` (multipliers, replacements and delays per scenario and bid).
With every lever neutral it performs the same floating-point operations, in the same
order, as :func:`cypsxl.model.run_case`, so a variant equal to the case gives the
engine's figures exactly. Used by the appraisal (optimism bias, switching values,
sensitivity) and the Monte Carlo run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ._arrays import FloatArray, IntArray, as_float
from .avoidance import cost_avoidance
from .budget import additional_funding, budget_rollup, funding_gap
from .case import Case, OptimismBias
from .engine import _bid_parameters, _matrix

__all__ = [
    "CaseArrays",
    "Levers",
    "Outcome",
    "case_arrays",
    "delay_rows",
    "evaluate",
    "optimism_levers",
    "totals",
]


@dataclass(frozen=True, slots=True)
class CaseArrays:
    """The inputs of a case as arrays (bids x years; money in £m), built once."""

    refs: tuple[str, ...]
    investment: FloatArray
    explicit_saving: FloatArray
    prevented: FloatArray
    avoided_cost: FloatArray  # £m per child-year, a column (bids x 1)
    part_year_factor: FloatArray  # a column (bids x 1)
    pressures: dict[str, FloatArray]
    net_budget: FloatArray
    others: FloatArray  # the other directorates' levels, summed (MTFS years)
    base_gap: FloatArray
    one_off_first_year: bool
    n_mtfs: int
    optimism_bias: tuple[OptimismBias, ...]  # the bias that applies to each bid
    #: Bids with their own avoided cost per child / part-year factor (not [assumptions]).
    own_avoided_cost: tuple[bool, ...] = ()
    own_part_year_factor: tuple[bool, ...] = ()

    @property
    def n_bids(self) -> int:
        """Number of bids."""
        return len(self.refs)

    @property
    def has_optimism_bias(self) -> bool:
        """Whether any bid has an optimism bias to apply."""
        return any(o != OptimismBias() for o in self.optimism_bias)


def case_arrays(case: Case) -> CaseArrays:
    """Arrays of ``case`` for :func:`evaluate`.

    >>> from cypsxl.casefile import reference_case
    >>> a = case_arrays(reference_case())
    >>> a.prevented.shape, float(a.avoided_cost[0, 0])   # 11 bids x 5 years; £22,000 in £m
    ((11, 5), 0.022)
    """
    n, m = case.n_years, case.n_mtfs
    bids = case.bids
    cost, factor = _bid_parameters(bids, case)
    default_ob = case.assumptions.optimism_bias
    return CaseArrays(
        refs=tuple(b.ref for b in bids),
        investment=_matrix([b.investment for b in bids], n),
        explicit_saving=_matrix([b.gross_saving for b in bids], n),
        prevented=_matrix([b.prevented for b in bids], n),
        avoided_cost=cost,
        part_year_factor=factor,
        pressures={k: as_float(v) for k, v in case.budget.pressures.items()},
        net_budget=as_float(case.budget.net_budget),
        others=sum(
            (as_float(p.levels[:m]) for p in case.other_proposals), np.zeros(m, dtype=np.float64)
        ),
        base_gap=as_float(case.mtfs.base_gap),
        one_off_first_year=case.mtfs.current_year_funded_from_reserves,
        n_mtfs=m,
        optimism_bias=tuple(
            b.optimism_bias if b.optimism_bias is not None else default_ob for b in bids
        ),
        own_avoided_cost=tuple(b.avoided_cost_per_child_per_year is not None for b in bids),
        own_part_year_factor=tuple(b.part_year_factor is not None for b in bids),
    )


@dataclass(frozen=True, slots=True)
class Levers:
    """How S variants depart from the case. ``None`` leaves an input as it is.

    Bid levers are scenarios x bids arrays (or anything that broadcasts to them):
    ``delivery`` multiplies prevented counts; ``avoided_cost`` replaces the avoided cost
    per child-year (£m); ``part_year_factor`` replaces the part-year factor; ``saving``
    multiplies the gross saving; ``investment`` multiplies the investment;
    ``delay`` (whole years) moves the savings later. ``pressure`` maps a pressure line to
    a multiplier per scenario (an S-vector).
    """

    n: int
    delivery: FloatArray | None = None
    avoided_cost: FloatArray | None = None
    part_year_factor: FloatArray | None = None
    saving: FloatArray | None = None
    investment: FloatArray | None = None
    delay: IntArray | None = None
    pressure: Mapping[str, FloatArray] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Outcome:
    """The engine's tables for S variants: scenarios first, years last (money in £m)."""

    investment: FloatArray  # S x bids x years
    gross_saving: FloatArray  # S x bids x years
    net: FloatArray  # S x bids x years, investment - saving
    pressures: FloatArray  # S x years
    funding_support: FloatArray  # S x years
    additional: FloatArray  # S x MTFS years
    revised_gap: FloatArray  # S x MTFS years


def delay_rows(values: FloatArray, years: IntArray | int) -> FloatArray:
    """Move each row of ``values`` later by ``years`` (whole years; zeros come in).

    ``years`` broadcasts against the leading axes of ``values``; what moves past the
    last year is lost.

    >>> delay_rows(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), np.array([1, 0])).tolist()
    [[0.0, 1.0, 2.0], [4.0, 5.0, 6.0]]
    """
    d = np.asarray(years, dtype=np.int64)
    if not d.any():
        return values
    n = values.shape[-1]
    src = np.arange(n) - d[..., None]
    shape = np.broadcast_shapes(values.shape, src.shape)
    src = np.broadcast_to(src, shape)
    moved = np.take_along_axis(np.broadcast_to(values, shape), np.clip(src, 0, n - 1), axis=-1)
    return np.where(src >= 0, moved, 0.0)


def _column(lever: FloatArray | None, base: FloatArray) -> FloatArray:
    """A per-bid parameter as S x bids x 1 (the lever) or bids x 1 (the case's)."""
    return base if lever is None else as_float(lever)[..., None]


def evaluate(a: CaseArrays, levers: Levers) -> Outcome:
    """Every table of ``levers.n`` variants of a case in one pass.

    >>> from cypsxl.casefile import reference_case
    >>> a = case_arrays(reference_case())
    >>> out = evaluate(a, Levers(n=2, delivery=np.array([[1.0], [0.0]])))
    >>> # 2019/20 as planned, and with no child kept out of care: the prevented savings
    >>> # rise by 3.256 - 1.815 = 1.441 from 2018/19, so the gap is 1.441 higher
    >>> out.revised_gap[:, -1].round(3).tolist()
    [18.864, 20.305]
    """
    s = levers.n
    prevented = (
        a.prevented
        if levers.delivery is None
        else a.prevented * _column(levers.delivery, a.prevented)
    )
    cost = _column(levers.avoided_cost, a.avoided_cost)
    factor = _column(levers.part_year_factor, a.part_year_factor)
    gross = a.explicit_saving + cost_avoidance(prevented, cost, factor)
    if levers.saving is not None:
        gross = gross * as_float(levers.saving)[..., None]
    if levers.delay is not None:
        gross = delay_rows(gross, levers.delay)
    investment = a.investment
    if levers.investment is not None:
        investment = investment * as_float(levers.investment)[..., None]
    shape = (s, a.n_bids, a.net_budget.shape[-1])
    investment = np.broadcast_to(investment, shape)
    gross = np.broadcast_to(gross, shape)
    net = investment - gross
    pressures, support, total, revised = totals(
        a, levers.pressure, s, investment.sum(axis=-2), gross.sum(axis=-2)
    )
    return Outcome(
        investment=investment,
        gross_saving=gross,
        net=net,
        pressures=pressures,
        funding_support=support,
        additional=total,
        revised_gap=revised,
    )


def totals(
    a: CaseArrays,
    pressure: Mapping[str, FloatArray],
    s: int,
    investment: FloatArray,
    gross: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Pressures, funding support, additional funding and revised gap of ``s`` variants
    from their bids' total investment and gross saving (S x years each)."""
    n = a.net_budget.shape[-1]
    pressures = np.zeros(n)
    for key, line in a.pressures.items():
        scale = pressure.get(key)
        pressures = pressures + (line if scale is None else line * as_float(scale)[:, None])
    pressures = np.broadcast_to(pressures, (s, n))
    budget = budget_rollup(a.net_budget, pressures, investment, gross)
    m = a.n_mtfs
    net_investment = (budget.investment - budget.savings)[..., :m]
    total = additional_funding(pressures[..., :m], net_investment, a.others)
    gap = funding_gap(a.base_gap, total, a.one_off_first_year)
    return pressures, budget.funding_support, total, gap.revised


def optimism_levers(a: CaseArrays, n: int = 1) -> Levers:
    """Levers that apply each bid's optimism bias (uplift, cut, delay) to ``n`` variants.

    >>> from cypsxl.casefile import reference_case
    >>> optimism_levers(case_arrays(reference_case())).investment.tolist()[0][:2]
    [1.0, 1.0]
    """
    ob = a.optimism_bias
    shape = (n, a.n_bids)
    return Levers(
        n=n,
        investment=np.broadcast_to(
            np.array([1.0 + o.investment_uplift for o in ob], dtype=np.float64), shape
        ),
        saving=np.broadcast_to(np.array([1.0 - o.saving_cut for o in ob], dtype=np.float64), shape),
        delay=np.broadcast_to(np.array([o.saving_delay_years for o in ob], dtype=np.int64), shape),
    )
