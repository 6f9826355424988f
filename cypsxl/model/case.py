"""Typed, immutable description of a case: the inputs of one MTFS children's services plan.

Built by :mod:`cypsxl.casefile` from TOML (or by a workbook reader); the model never
reads files. Money is in £m (the case unit) except unit costs, which are in £.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TypeVar

__all__ = [
    "BID_INPUTS",
    "DEFAULT_SCENARIOS",
    "DISTRIBUTIONS",
    "INPUTS",
    "MAX_SCENARIOS",
    "POUNDS_PER_MILLION",
    "Assumptions",
    "Bid",
    "BidVariant",
    "Case",
    "CypsBudget",
    "Mtfs",
    "OptimismBias",
    "OtherProposal",
    "Placements",
    "ScenarioSettings",
    "Uncertainty",
    "frozen_map",
]

#: Case money is in £m; unit costs are in £.
POUNDS_PER_MILLION = 1_000_000.0

Row = tuple[float, ...]
V = TypeVar("V")


def frozen_map(data: Mapping[str, V] | None = None) -> Mapping[str, V]:
    """A read-only view of a copy of ``data``.

    >>> m = frozen_map({"a": 1})
    >>> m["a"]
    1
    """
    return MappingProxyType(dict(data or {}))


@dataclass(frozen=True, slots=True)
class OptimismBias:
    """Green Book optimism bias: uplift costs, cut and delay benefits (all default none)."""

    investment_uplift: float = 0.0  # fraction, 0.2 = +20% on investment
    saving_cut: float = 0.0  # fraction, 0.1 = savings 10% lower
    saving_delay_years: int = 0  # whole years savings slip


@dataclass(frozen=True, slots=True)
class Assumptions:
    """Case-wide assumptions (``[assumptions]`` in the case file)."""

    avoided_cost_per_child_per_year: float | None = None  # £ per child per year
    part_year_factor: float = 0.5
    weeks_per_year: float = 52.0
    discount_rate: float = 0.035
    discount_rates: Row | None = None  # one rate per year (overrides discount_rate)
    optimism_bias: OptimismBias = field(default_factory=OptimismBias)


@dataclass(frozen=True, slots=True)
class Placements:
    """Placement mix and weekly unit costs by placement type (``[placements]``)."""

    weekly_cost: Mapping[str, float]  # £ a week, by type
    counts: Mapping[str, float]  # children in each type at the start


@dataclass(frozen=True, slots=True)
class CypsBudget:
    """Table 1 inputs: the cash-limited net budget and named pressure lines (£m by year)."""

    net_budget: Row
    pressures: Mapping[str, Row]  # "demand" -> row, "reserve" -> row, ...
    lac_numbers: float | None = None
    lac_trend_growth_per_year: float | None = None


@dataclass(frozen=True, slots=True)
class BidVariant:
    """An alternative profile of a bid kept for information (not in the totals)."""

    investment: Row
    gross_saving: Row | None = None
    prevented: Row | None = None


@dataclass(frozen=True, slots=True)
class Bid:
    """One investment bid. Rows run over the case years; money in £m."""

    ref: str
    title: str
    investment: Row
    gross_saving: Row | None = None
    prevented: Row | None = None
    service_area: str = ""
    directorate: str = ""
    cabinet_member: str = ""
    current_budget: float | None = None
    avoided_cost_per_child_per_year: float | None = None  # £, overrides the case's
    part_year_factor: float | None = None  # overrides the case's
    fte: Row | None = None
    outcomes: Mapping[str, Row] = field(default_factory=frozen_map)
    variants: Mapping[str, BidVariant] = field(default_factory=frozen_map)
    optimism_bias: OptimismBias | None = None
    notes: Mapping[str, object] = field(default_factory=frozen_map)


@dataclass(frozen=True, slots=True)
class OtherProposal:
    """Another directorate's proposal: additional funding levels by MTFS year (£m)."""

    key: str
    label: str
    levels: Row
    components: Mapping[str, Row] = field(default_factory=frozen_map)


@dataclass(frozen=True, slots=True)
class Mtfs:
    """The MTFS funding gap before this update: the new gap arising each MTFS year (£m).

    The first year's additional funding comes one-off from reserves only when a case says
    so (``current_year_funded_from_reserves``): reserves are never drawn by default.
    """

    base_gap: Row
    current_year_funded_from_reserves: bool = False


#: Monte Carlo scenarios a run computes unless the case or the command says otherwise.
DEFAULT_SCENARIOS = 10_000
#: The most scenarios one run may ask for (a case's ``n`` or ``-n``).
MAX_SCENARIOS = 1_000_000
#: The uncertain inputs of a bid, then of the budget (:attr:`Uncertainty.input`).
BID_INPUTS = (
    "delivery",
    "avoided_cost",
    "part_year_factor",
    "saving",
    "investment",
    "saving_delay",
)
INPUTS = (*BID_INPUTS, "pressure")
#: The distributions an uncertain input may be drawn from (:attr:`Uncertainty.distribution`).
DISTRIBUTIONS = ("triangular", "pert", "uniform", "fixed")


@dataclass(frozen=True, slots=True)
class Uncertainty:
    """One uncertain input of the Monte Carlo run (``[[uncertainty]]``); see
    :mod:`cypsxl.model.scenarios` for the inputs and their units."""

    input: (
        str  # delivery, avoided_cost, part_year_factor, saving, investment, saving_delay, pressure
    )
    distribution: str  # triangular, pert, uniform or fixed
    low: float
    mode: float
    high: float
    bids: tuple[str, ...] = ()  # bid inputs: the bids it applies to; () = every bid
    line: str = ""  # input "pressure": the pressure line ("demand" for pressure_demand)
    shared: bool = False  # one draw for all its bids (else one per bid)


@dataclass(frozen=True, slots=True)
class ScenarioSettings:
    """Appraisal and Monte Carlo settings (``[scenarios]`` and ``[[uncertainty]]``)."""

    n: int = DEFAULT_SCENARIOS
    seed: int | None = None
    payback_within_years: int | None = None  # None = the number of MTFS years
    sensitivity: float = 0.1  # tornado swing, a fraction (0.1 = -/+10%)
    uncertainties: tuple[Uncertainty, ...] = ()


@dataclass(frozen=True, slots=True)
class Case:
    """Everything the engine needs. ``mtfs_years`` is a leading run of ``years``."""

    name: str
    years: tuple[str, ...]
    mtfs_years: tuple[str, ...]
    assumptions: Assumptions
    budget: CypsBudget
    bids: tuple[Bid, ...]
    other_proposals: tuple[OtherProposal, ...]
    mtfs: Mtfs
    authority: str = ""
    directorate: str = ""
    unit: str = "£m"
    placements: Placements | None = None
    scenarios: ScenarioSettings = field(default_factory=ScenarioSettings)

    @property
    def n_years(self) -> int:
        """Number of plan years."""
        return len(self.years)

    @property
    def n_mtfs(self) -> int:
        """Number of MTFS years (a leading run of the plan years)."""
        return len(self.mtfs_years)
