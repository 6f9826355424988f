"""The pure calculation model of cypsxl: numpy/pandas only, no file or Excel IO.

Money is in the unit of its inputs (the case uses £m; unit costs are £). Years run
along the last axis of every array, so many bids are one call.
"""

from .avoidance import DEFAULT_PART_YEAR_FACTOR, children_avoided, cost_avoidance
from .bids import (
    breakeven_year,
    breakeven_years,
    cumulative_net,
    first_negative_years,
    net,
    payback_year,
    payback_years,
)
from .budget import BudgetRollup, FundingGap, additional_funding, budget_rollup, funding_gap
from .case import (
    POUNDS_PER_MILLION,
    Assumptions,
    Bid,
    BidVariant,
    Case,
    CypsBudget,
    Mtfs,
    OptimismBias,
    OtherProposal,
    Placements,
)
from .engine import (
    AdditionalFunding,
    BidTable,
    PlacementTable,
    Results,
    bid_table,
    placement_table,
    run_case,
)
from .placements import (
    DEFAULT_WEEKS_PER_YEAR,
    PlacementType,
    lac_projection,
    mix_change_cost,
    placement_cost,
    placement_mix_cost,
    price_projection,
)
from .timeline import (
    FinancialYearError,
    fy_label,
    fy_range,
    fy_start,
    parse_fy,
    validate_timeline,
    year_offset,
)

__all__ = [
    "DEFAULT_PART_YEAR_FACTOR",
    "DEFAULT_WEEKS_PER_YEAR",
    "POUNDS_PER_MILLION",
    "AdditionalFunding",
    "Assumptions",
    "Bid",
    "BidTable",
    "BidVariant",
    "BudgetRollup",
    "Case",
    "CypsBudget",
    "FinancialYearError",
    "FundingGap",
    "Mtfs",
    "OptimismBias",
    "OtherProposal",
    "PlacementTable",
    "PlacementType",
    "Placements",
    "Results",
    "additional_funding",
    "bid_table",
    "breakeven_year",
    "breakeven_years",
    "budget_rollup",
    "children_avoided",
    "cost_avoidance",
    "cumulative_net",
    "first_negative_years",
    "funding_gap",
    "fy_label",
    "fy_range",
    "fy_start",
    "lac_projection",
    "mix_change_cost",
    "net",
    "parse_fy",
    "payback_year",
    "payback_years",
    "placement_cost",
    "placement_mix_cost",
    "placement_table",
    "price_projection",
    "run_case",
    "validate_timeline",
    "year_offset",
]
