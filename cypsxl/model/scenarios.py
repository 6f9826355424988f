"""Monte Carlo scenarios: uncertain inputs drawn from named distributions, the whole engine
run for every scenario at once (scenarios x bids x years arrays), percentiles out.

Uncertain inputs (:class:`~cypsxl.model.case.Uncertainty`, ``[[uncertainty]]`` in a case):

============== =================================================== ==============
input          meaning of the value drawn                           applies to
============== =================================================== ==============
delivery       share of the planned prevented children delivered    bids
avoided_cost   avoided cost per child per year (£, replaces)        bids (*)
part_year_factor  share of a year avoided in the year of prevention bids (*)
saving         multiplier on the gross saving                       bids
investment     multiplier on the investment (cost overrun)          bids
saving_delay   years the savings slip (rounded to whole years)      bids
pressure       multiplier on a pressure line (``line``)             the budget
============== =================================================== ==============

(*) Without a list of ``bids``, the bids that use the case's ``[assumptions]`` value; a
bid with its own value keeps it unless listed (see :func:`uncertain_bids`). ``delivery``,
``avoided_cost`` and ``part_year_factor`` act through the children a bid prevents: a bid
with a typed gross saving and no children prevented does not move.

Distributions: ``triangular`` and ``pert`` (min, mode, max), ``uniform`` (min, max) and
``fixed``. Draws come from ``numpy.random.default_rng(seed)`` in a fixed order, so a seed
gives the same output every time; scenarios are computed in chunks of
:data:`CHUNK` (a prefix of a longer run equals a shorter run with the same seed).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ._arrays import MONEY_DECIMALS, FloatArray, IntArray
from ._levers import CaseArrays, Levers, case_arrays, evaluate, optimism_levers
from .appraisal import case_rate, discount_factors
from .bids import first_negative_years
from .case import (
    BID_INPUTS,
    DEFAULT_SCENARIOS,
    DISTRIBUTIONS,
    INPUTS,
    MAX_SCENARIOS,
    POUNDS_PER_MILLION,
    Case,
    Uncertainty,
)

__all__ = [
    "BID_INPUTS",
    "CHUNK",
    "DEFAULT_SCENARIOS",
    "DISTRIBUTIONS",
    "INPUTS",
    "PERCENTILES",
    "ScenarioResults",
    "ScenarioSamples",
    "ScenarioSummary",
    "monte_carlo",
    "pert",
    "sample",
    "scenario_samples",
    "summarise",
    "triangular",
    "uncertain_bids",
]

CHUNK = 10_000
#: Memory the kept results of one run may take (each scenario keeps its net saving,
#: funding support and gap by year, and each bid's NPV and payback years), in bytes.
MAX_SAMPLE_BYTES = 800_000_000
#: Values (scenarios x bids x years) one chunk of scenarios works on at once.
CHUNK_VALUES = 2_000_000
PERCENTILES = (10.0, 50.0, 90.0)

Progress = Callable[[int, int], None]


def triangular(u: FloatArray, low: float, mode: float, high: float) -> FloatArray:
    """Triangular(low, mode, high) values at cumulative probabilities ``u`` (inverse CDF).

    Degenerate ranges (low == high) give ``low`` exactly.

    >>> triangular(np.array([0.0, 0.5, 1.0]), 0.0, 1.0, 2.0).tolist()   # symmetric: median 1
    [0.0, 1.0, 2.0]
    >>> triangular(np.array([0.25]), 0.0, 0.0, 1.0).round(4).tolist()   # 1 - sqrt(0.75)
    [0.134]
    """
    width = high - low
    if width <= 0:
        return np.full(np.shape(u), float(low))
    split = (mode - low) / width
    left = low + np.sqrt(u * width * (mode - low))
    right = high - np.sqrt((1.0 - u) * width * (high - mode))
    return np.where(u < split, left, right)


def pert(
    rng: np.random.Generator, low: float, mode: float, high: float, size: tuple[int, ...]
) -> FloatArray:
    """PERT(low, mode, high): a Beta with shapes 1 + 4 (mode - low) / (high - low) and
    1 + 4 (high - mode) / (high - low), scaled to [low, high]; mean (low + 4 mode + high) / 6.

    >>> x = pert(np.random.default_rng(1), 0.0, 0.5, 1.0, (20_000,))
    >>> bool(abs(x.mean() - 0.5) < 0.01), bool(x.min() >= 0.0), bool(x.max() <= 1.0)
    (True, True, True)
    """
    width = high - low
    if width <= 0:
        return np.full(size, float(low))
    a = 1.0 + 4.0 * (mode - low) / width
    b = 1.0 + 4.0 * (high - mode) / width
    return low + width * rng.beta(a, b, size)


def sample(
    rng: np.random.Generator,
    distribution: str,
    low: float,
    mode: float,
    high: float,
    size: tuple[int, ...],
) -> FloatArray:
    """Draw ``size`` values of a named distribution (``fixed`` uses ``mode``).

    >>> rng = np.random.default_rng(7)
    >>> sample(rng, "fixed", 0.8, 0.8, 0.8, (2,)).tolist()
    [0.8, 0.8]
    >>> x = sample(rng, "uniform", 2.0, 2.0, 4.0, (1000,))
    >>> bool(x.min() >= 2.0 and x.max() < 4.0)
    True
    >>> sample(rng, "pert", 1.4, 0.8, 1.0, (2,))
    Traceback (most recent call last):
    ValueError: an impossible pert distribution: expected min <= mode <= max, got 1.4, 0.8, 1
    """
    if distribution == "fixed":
        return np.full(size, float(mode))
    if not (low <= high and (distribution == "uniform" or low <= mode <= high)):
        if distribution == "uniform":
            expected, got = "min <= max", f"{low:g}, {high:g}"
        else:
            expected, got = "min <= mode <= max", f"{low:g}, {mode:g}, {high:g}"
        raise ValueError(
            f"an impossible {distribution} distribution: expected {expected}, got {got}"
        )
    if distribution == "pert":
        return pert(rng, low, mode, high, size)
    if distribution == "triangular":
        return triangular(rng.random(size), low, mode, high)
    if distribution == "uniform":
        return low + (high - low) * rng.random(size)
    raise ValueError(f"unknown distribution {distribution!r}; expected one of {DISTRIBUTIONS}")


#: Inputs that act through the children a bid prevents: they never move a bid whose
#: gross saving is typed in and that prevents no children.
THROUGH_CHILDREN = ("delivery", "avoided_cost", "part_year_factor")


def uncertain_bids(case: Case, u: Uncertainty) -> tuple[str, ...]:
    """The bids an uncertain input moves: those listed in ``bids``, else every bid -
    except that ``avoided_cost`` and ``part_year_factor`` *replace* a value, so without
    ``bids`` they apply only to the bids that use the case's ``[assumptions]`` value (a
    bid's own value, e.g. a residential placement's cost, is kept); and the inputs of
    :data:`THROUGH_CHILDREN` move only bids that prevent children. None for ``pressure``.

    >>> import dataclasses
    >>> from cypsxl.casefile import reference_case
    >>> case = reference_case()             # give CYPS_2 its own cost of £50,000 a year
    >>> own = dataclasses.replace(case.bids[2], avoided_cost_per_child_per_year=50_000.0)
    >>> case = dataclasses.replace(case, bids=(*case.bids[:2], own, *case.bids[3:]))
    >>> uncertain_bids(case, Uncertainty("avoided_cost", "fixed", 1.0, 1.0, 1.0))
    ('CYPS_3', 'CYPS_5', 'CYPS_6', 'CYPS_7')
    >>> uncertain_bids(case, Uncertainty("delivery", "fixed", 1.0, 1.0, 1.0))
    ('CYPS_2', 'CYPS_3', 'CYPS_5', 'CYPS_6', 'CYPS_7')
    >>> uncertain_bids(case, Uncertainty("saving", "fixed", 1.0, 1.0, 1.0))[:2]
    ('CYPS_1A', 'CYPS_1B')
    """
    if u.input == "pressure":
        return ()
    a = case_arrays(case)
    targets = _targets(a, u)
    if u.input in THROUGH_CHILDREN:  # a typed saving has no children to move
        targets = [i for i in targets if a.prevented[i].any()]
    return tuple(a.refs[i] for i in targets)


def _targets(a: CaseArrays, u: Uncertainty) -> list[int]:
    if not u.bids:
        own = {"avoided_cost": a.own_avoided_cost, "part_year_factor": a.own_part_year_factor}
        flags = own.get(u.input) or (False,) * a.n_bids
        return [i for i in range(a.n_bids) if not flags[i]]
    refs = u.bids
    missing = [r for r in refs if r not in a.refs]
    if missing:
        raise ValueError(f"uncertainty {u.input!r}: unknown bid(s) {', '.join(missing)}")
    return [a.refs.index(r) for r in refs]


def _draw(
    a: CaseArrays, uncertainties: Sequence[Uncertainty], n: int, rng: np.random.Generator
) -> Levers:
    """Levers for ``n`` scenarios, every uncertainty drawn in the order given."""
    b = a.n_bids
    arrays: dict[str, FloatArray] = {}
    pressure: dict[str, FloatArray] = {}
    starts = {
        "delivery": lambda: np.ones((n, b)),
        "saving": lambda: np.ones((n, b)),
        "investment": lambda: np.ones((n, b)),
        "saving_delay": lambda: np.zeros((n, b)),
        "avoided_cost": lambda: np.repeat(a.avoided_cost[:, 0][None, :], n, axis=0),
        "part_year_factor": lambda: np.repeat(a.part_year_factor[:, 0][None, :], n, axis=0),
    }
    for u in uncertainties:
        if u.input == "pressure":
            if u.line not in a.pressures:
                raise ValueError(f"uncertainty 'pressure': no pressure line {u.line!r}")
            pressure[u.line] = sample(rng, u.distribution, u.low, u.mode, u.high, (n,))
            continue
        if u.input not in starts:
            raise ValueError(f"unknown uncertain input {u.input!r}; expected one of {INPUTS}")
        idx = _targets(a, u)
        values = sample(
            rng, u.distribution, u.low, u.mode, u.high, (n, 1 if u.shared else len(idx))
        )
        if u.input == "avoided_cost":
            values = values / POUNDS_PER_MILLION
        elif u.input == "saving_delay":
            values = np.rint(values)
        target = arrays.setdefault(u.input, starts[u.input]())
        target[:, idx] = values
    delay = arrays.get("saving_delay")
    return Levers(
        n=n,
        delivery=arrays.get("delivery"),
        avoided_cost=arrays.get("avoided_cost"),
        part_year_factor=arrays.get("part_year_factor"),
        saving=arrays.get("saving"),
        investment=arrays.get("investment"),
        delay=None if delay is None else delay.astype(np.int64),
        pressure=pressure,
    )


def _with_bias(a: CaseArrays, lv: Levers) -> Levers:
    """``lv`` with each bid's optimism bias applied on top."""
    ob = optimism_levers(a, lv.n)
    assert ob.investment is not None and ob.saving is not None and ob.delay is not None
    return Levers(
        n=lv.n,
        delivery=lv.delivery,
        avoided_cost=lv.avoided_cost,
        part_year_factor=lv.part_year_factor,
        saving=ob.saving if lv.saving is None else lv.saving * ob.saving,
        investment=ob.investment if lv.investment is None else lv.investment * ob.investment,
        delay=ob.delay if lv.delay is None else lv.delay + ob.delay,
        pressure=lv.pressure,
    )


@dataclass(frozen=True, slots=True)
class ScenarioSamples:
    """Per-scenario results (scenarios first; money in £m; years 1-based, 0 = none)."""

    net_saving: FloatArray  # S x years: all bids' savings - investment
    funding_support: FloatArray  # S x years
    revised_gap: FloatArray  # S x MTFS years
    programme_npv: FloatArray  # S
    bid_npv: FloatArray  # S x bids
    payback_year: IntArray  # S x bids (the report's rule)
    discounted_payback_year: IntArray  # S x bids


def _samples(a: CaseArrays, lv: Levers, df: FloatArray) -> ScenarioSamples:
    out = evaluate(a, lv)
    net = out.net
    net_saving = -net.sum(axis=-2)
    discounted = net * df
    return ScenarioSamples(
        net_saving=net_saving,
        funding_support=out.funding_support,
        revised_gap=out.revised_gap,
        programme_npv=net_saving @ df,
        bid_npv=-discounted.sum(axis=-1),
        payback_year=first_negative_years(net),
        discounted_payback_year=first_negative_years(np.cumsum(discounted, axis=-1)),
    )


def _concat(parts: list[ScenarioSamples]) -> ScenarioSamples:
    if len(parts) == 1:
        return parts[0]
    return ScenarioSamples(
        *(np.concatenate([getattr(p, f) for p in parts]) for f in ScenarioSamples.__slots__)
    )


def _check_n(n: int, case: Case | None = None) -> None:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"the number of scenarios must be a whole number >= 1, not {n!r}")
    most = MAX_SCENARIOS if case is None else max_scenarios(case)
    if n > most:
        raise ValueError(
            f"{n:,} scenarios is more than this case can run in bounded memory: at most "
            f"{most:,} (results are kept for every scenario to give exact percentiles)"
        )


def _bytes_per_scenario(case: Case) -> int:
    return 8 * (3 * case.n_years + 3 * len(case.bids) + 1)


def max_scenarios(case: Case) -> int:
    """The most scenarios :func:`monte_carlo` runs for ``case``: :data:`MAX_SCENARIOS`, or
    fewer where the kept results would take more than :data:`MAX_SAMPLE_BYTES`.

    >>> from cypsxl.casefile import reference_case
    >>> max_scenarios(reference_case())    # 8 x (3 x 5 + 3 x 11 + 1) = 392 bytes each
    1000000
    """
    return max(1, min(MAX_SCENARIOS, MAX_SAMPLE_BYTES // _bytes_per_scenario(case)))


def _chunk(case: Case) -> int:
    """Scenarios worked on at once: :data:`CHUNK`, fewer for a case with many bids."""
    return max(1, min(CHUNK, CHUNK_VALUES // max(1, len(case.bids) * case.n_years)))


def scenario_samples(
    case: Case,
    n: int = DEFAULT_SCENARIOS,
    seed: int | None = None,
    optimism_bias: bool = False,
    progress: Progress | None = None,
) -> ScenarioSamples:
    """Run ``n`` scenarios of ``case`` (its ``[[uncertainty]]`` inputs) and keep each result.

    With ``optimism_bias`` each bid's bias is applied on top of the draws. With no
    uncertain inputs every scenario is the deterministic run.

    >>> from cypsxl.casefile import reference_case
    >>> s = scenario_samples(reference_case(), n=3, seed=1)
    >>> s.revised_gap.round(3).tolist()[0]      # no uncertainty given: Table 4 every time
    [0.0, 24.13, 7.854, 18.864]
    """
    _check_n(n, case)
    a = case_arrays(case)
    df = discount_factors(case_rate(case), case.n_years)
    rng = np.random.default_rng(seed)
    parts = []
    chunk = _chunk(case)
    for start in range(0, n, chunk):
        size = min(chunk, n - start)
        lv = _draw(a, case.scenarios.uncertainties, size, rng)
        parts.append(_samples(a, _with_bias(a, lv) if optimism_bias else lv, df))
        if progress is not None:
            progress(start + size, n)
    return _concat(parts)


@dataclass(frozen=True, slots=True)
class ScenarioSummary:
    """Percentiles (rows = :data:`PERCENTILES`) and probabilities over the scenarios."""

    percentiles: tuple[float, ...]
    net_saving: FloatArray  # P x years
    funding_support: FloatArray  # P x years
    revised_gap: FloatArray  # P x MTFS years
    programme_npv: FloatArray  # P
    bid_npv: FloatArray  # P x bids
    prob_payback: FloatArray  # bids: payback (the report's rule) within N years
    prob_discounted_payback: FloatArray  # bids: discounted payback within N years
    prob_npv_positive: FloatArray  # bids
    prob_programme_npv_positive: float
    prob_gap_within_base: float  # last MTFS year's revised gap <= the base gap


def summarise(
    s: ScenarioSamples,
    payback_within: int,
    base_gap_last: float,
    percentiles: Sequence[float] = PERCENTILES,
) -> ScenarioSummary:
    """Percentiles of every result and the probabilities that bids pay back within
    ``payback_within`` years, have NPV > 0, and that the gap stays within the base.

    >>> z = ScenarioSamples(np.array([[1.0], [3.0]]), np.zeros((2, 1)), np.array([[5.0], [7.0]]),
    ...     np.array([1.0, -1.0]), np.array([[1.0], [-1.0]]), np.array([[2], [0]]),
    ...     np.array([[3], [0]]))
    >>> m = summarise(z, 2, 6.0, (50.0,))
    >>> m.net_saving.tolist(), m.prob_payback.tolist(), m.prob_discounted_payback.tolist()
    ([[2.0]], [0.5], [0.0])
    """
    q = list(percentiles)

    def within(years: IntArray) -> FloatArray:
        return ((years > 0) & (years <= payback_within)).mean(axis=0)

    return ScenarioSummary(
        percentiles=tuple(q),
        net_saving=np.percentile(s.net_saving, q, axis=0),
        funding_support=np.percentile(s.funding_support, q, axis=0),
        revised_gap=np.percentile(s.revised_gap, q, axis=0),
        programme_npv=np.percentile(s.programme_npv, q, axis=0),
        bid_npv=np.percentile(s.bid_npv, q, axis=0),
        prob_payback=within(s.payback_year),
        prob_discounted_payback=within(s.discounted_payback_year),
        prob_npv_positive=(np.round(s.bid_npv, MONEY_DECIMALS) > 0).mean(axis=0),
        prob_programme_npv_positive=float((np.round(s.programme_npv, MONEY_DECIMALS) > 0).mean()),
        prob_gap_within_base=float(
            (np.round(s.revised_gap[:, -1] - base_gap_last, MONEY_DECIMALS) <= 0).mean()
        ),
    )


@dataclass(frozen=True, slots=True)
class ScenarioResults:
    """A Monte Carlo run: base and optimism-bias-adjusted summaries side by side."""

    case: Case
    n: int
    seed: int | None
    payback_within: int
    base: ScenarioSummary
    adjusted: ScenarioSummary
    has_optimism_bias: bool


def monte_carlo(
    case: Case,
    n: int | None = None,
    seed: int | None = None,
    payback_within: int | None = None,
    progress: Progress | None = None,
) -> ScenarioResults:
    """The Monte Carlo run of ``case``: defaults from its ``[scenarios]`` table.

    Without a seed (argument or case) one is drawn and reported in the result, so any
    run can be repeated. The same draws are used with and without optimism bias
    (common random numbers).

    >>> from cypsxl.casefile import reference_case
    >>> r = monte_carlo(reference_case(), n=10, seed=3)
    >>> r.payback_within, float(r.base.prob_payback[0])    # 4 MTFS years; CYPS_1A: year 2
    (4, 1.0)
    """
    settings = case.scenarios
    n = settings.n if n is None else n
    seed = settings.seed if seed is None else seed
    if seed is None:  # draw one, and report it, so that the run can be repeated
        seed = int(np.random.SeedSequence().generate_state(1)[0])
    if payback_within is not None and payback_within < 1:
        raise ValueError(f"payback within N years needs N >= 1, not {payback_within!r}")
    within = payback_within or settings.payback_within_years or case.n_mtfs
    _check_n(n, case)
    a = case_arrays(case)
    has_bias = a.has_optimism_bias
    total = 2 * n if has_bias else n

    def part(offset: int) -> Progress | None:
        if progress is None:
            return None
        return lambda done, _: progress(offset + done, total)

    base_gap_last = float(a.base_gap[-1])
    base = summarise(scenario_samples(case, n, seed, False, part(0)), within, base_gap_last)
    adjusted = (
        summarise(scenario_samples(case, n, seed, True, part(n)), within, base_gap_last)
        if has_bias
        else base
    )
    return ScenarioResults(
        case=case,
        n=n,
        seed=seed,
        payback_within=within,
        base=base,
        adjusted=adjusted,
        has_optimism_bias=has_bias,
    )
