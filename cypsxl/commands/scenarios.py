"""``cypsxl scenarios [CASE] [-n N] [--seed S] [--json]``: the Monte Carlo run of a case."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any, TextIO

import numpy as np

from ..casefile import load_case
from ..cli import InputError
from ..model import Case, ScenarioResults, ScenarioSummary, Uncertainty, monte_carlo
from ..model.scenarios import THROUGH_CHILDREN, max_scenarios, uncertain_bids
from ..report import case_heading, case_keys, fmt_money
from ._present import PAYBACK_NOTES, fmt_chance, json_numbers, print_json, render

__all__ = ["register", "render_scenarios", "scenarios_to_dict"]

HELP = """Run a case many times with its uncertain inputs ([[uncertainty]] in the case file)
drawn from their distributions, and report percentiles (P10, P50, P90) of the total net
saving, funding support and revised funding gap by year, and the chance each bid pays
back within N years - before and after optimism bias, with the same draws.

examples:
  cypsxl scenarios mycase.toml                 10,000 scenarios (or the case's [scenarios] n)
  cypsxl scenarios mycase.toml -n 50000 --seed 7
  cypsxl scenarios mycase.toml --json          as JSON (money in £m, chances as fractions)
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``scenarios`` command."""
    p = subparsers.add_parser(
        "scenarios",
        help="Monte Carlo: percentiles of net saving, funding support and gap; payback odds",
        description=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "case", nargs="?", help="case file (.toml); default: the embedded reference case"
    )
    p.add_argument("-n", type=int, help="number of scenarios (default: the case's, else 10,000)")
    p.add_argument("--seed", type=int, help="random seed (default: the case's, else a new one)")
    p.add_argument(
        "--payback-years",
        type=int,
        metavar="N",
        help="report the chance of payback within N years (default: the MTFS years)",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
    p.set_defaults(func=_run)


def _progress(stream: TextIO) -> Callable[[int, int], None] | None:
    """A progress line on a terminal; nothing when output is redirected."""
    if not stream.isatty():
        return None

    def show(done: int, total: int) -> None:
        stream.write(f"\rscenarios: {done:,} / {total:,}")
        if done >= total:
            stream.write("\r" + " " * 40 + "\r")
        stream.flush()

    return show


def _run(args: argparse.Namespace) -> int:
    if args.n is not None and args.n < 1:
        raise InputError(f"-n: expected a whole number of scenarios >= 1, got {args.n}")
    if args.seed is not None and args.seed < 0:
        raise InputError(f"--seed: expected a whole number >= 0, got {args.seed}")
    if args.payback_years is not None and args.payback_years < 1:
        raise InputError(f"--payback-years: expected a whole number >= 1, got {args.payback_years}")
    case = load_case(args.case)
    n = case.scenarios.n if args.n is None else args.n
    if n > (most := max_scenarios(case)):
        where = "-n" if args.n is not None else f"{args.case}: [scenarios] n"
        raise InputError(
            f"{where}: {n:,} scenarios is more than can run in bounded memory for this case "
            f"({len(case.bids)} bids, {case.n_years} years): at most {most:,}"
        )
    results = monte_carlo(
        case, args.n, args.seed, args.payback_years, progress=_progress(sys.stderr)
    )
    if args.json:
        print_json(scenarios_to_dict(results))
    else:
        sys.stdout.write(render_scenarios(results))
    return 0


# --------------------------------------------------------------------------- JSON


def _pct_key(q: float) -> str:
    return f"p{q:g}"


def _by_percentile(s: ScenarioSummary, values: Any) -> dict[str, list[float | None]]:
    return {_pct_key(q): json_numbers(values[k]) for k, q in enumerate(s.percentiles)}


def _summary_dict(s: ScenarioSummary, refs: tuple[str, ...]) -> dict[str, Any]:
    return {
        "net_saving": _by_percentile(s, s.net_saving),
        "funding_support": _by_percentile(s, s.funding_support),
        "revised_gap": _by_percentile(s, s.revised_gap),
        "programme_npv": {
            _pct_key(q): float(s.programme_npv[k]) for k, q in enumerate(s.percentiles)
        },
        "prob_programme_npv_positive": s.prob_programme_npv_positive,
        "prob_gap_within_base": s.prob_gap_within_base,
        "bids": {
            ref: {
                "prob_payback": float(s.prob_payback[i]),
                "prob_discounted_payback": float(s.prob_discounted_payback[i]),
                "prob_npv_positive": float(s.prob_npv_positive[i]),
                "npv": {_pct_key(q): float(s.bid_npv[k, i]) for k, q in enumerate(s.percentiles)},
            }
            for i, ref in enumerate(refs)
        },
    }


def _uncertainty_dict(u: Uncertainty, case: Case) -> dict[str, Any]:
    return {
        "input": u.input,
        "distribution": u.distribution,
        "min": u.low,
        "mode": u.mode,
        "max": u.high,
        "bids": list(u.bids),
        "applies_to": list(uncertain_bids(case, u)),
        "line": u.line,
        "shared": u.shared,
    }


def scenarios_to_dict(r: ScenarioResults) -> dict[str, Any]:
    """The JSON document of ``cypsxl scenarios --json`` (money in £m; chances 0-1).

    >>> from cypsxl import load_case
    >>> from cypsxl.model import monte_carlo
    >>> d = scenarios_to_dict(monte_carlo(load_case(), n=5, seed=1))
    >>> d["n"], d["seed"], d["base"]["revised_gap"]["p50"][1]     # Table 4, 2017/18
    (5, 1, 24.13)
    """
    case = r.case
    refs = tuple(b.ref for b in case.bids)
    return {
        **case_keys(case),
        "n": r.n,
        "seed": r.seed,
        "payback_within_years": r.payback_within,
        "uncertainties": [_uncertainty_dict(u, case) for u in case.scenarios.uncertainties],
        "base_gap": json_numbers(case.mtfs.base_gap),
        "optimism_bias_applied": r.has_optimism_bias,
        "base": _summary_dict(r.base, refs),
        "adjusted": _summary_dict(r.adjusted, refs),
    }


# --------------------------------------------------------------------------- text


def _describe(u: Uncertainty, case: Case) -> str:
    if u.distribution == "fixed":
        shape = f"fixed {u.mode:g}"
    elif u.distribution == "uniform":
        shape = f"uniform({u.low:g}, {u.high:g})"
    else:
        shape = f"{u.distribution}({u.low:g}, {u.mode:g}, {u.high:g})"
    draw = "; one draw for all" if u.shared else ""
    return f"  {u.input}: {shape} - {_target(u, case)}{draw}"


def _target(u: Uncertainty, case: Case) -> str:
    """What an uncertain input moves, in words: the line, the bids listed or the rule.

    >>> from cypsxl import load_case
    >>> _target(Uncertainty("delivery", "fixed", 1.0, 1.0, 1.0), load_case())
    'bids that prevent children: CYPS_2, CYPS_3, CYPS_5, CYPS_6, CYPS_7'
    >>> _target(Uncertainty("saving", "fixed", 1.0, 1.0, 1.0, bids=("CYPS_2",)), load_case())
    'CYPS_2'
    """
    if u.input == "pressure":
        return f"line {u.line}"
    moved = uncertain_bids(case, u)
    if u.bids:
        still = [ref for ref in u.bids if ref not in moved]
        note = f" ({', '.join(still)}: no children prevented)" if still else ""
        return ", ".join(u.bids) + note
    if len(moved) == len(case.bids):
        return "every bid"
    rule = "bids that prevent children" if u.input in THROUGH_CHILDREN else "bids"
    if u.input in ("avoided_cost", "part_year_factor"):
        rule += " and use the case's value"
    return f"{rule}: {', '.join(moved) or 'none'}"


def total_net(s: ScenarioSummary) -> Any:
    """All bids' net (investment - saving, as ``run`` prints it) at each percentile.

    The scenarios keep the net *saving*; its P90 is the net's P10 with the sign turned,
    as a percentile of -x is minus the opposite percentile of x.

    >>> from cypsxl import load_case
    >>> from cypsxl.model import monte_carlo
    >>> s = monte_carlo(load_case(), n=5, seed=1).base
    >>> total_net(s)[0].round(3).tolist() == (-s.net_saving[-1]).round(3).tolist()
    True
    """
    qs = list(s.percentiles)
    return np.array([-s.net_saving[qs.index(100 - q)] for q in qs])


def _percentile_table(
    r: ScenarioResults, title: str, columns: list[str], field: Callable[[ScenarioSummary], Any]
) -> str:
    rows = []
    for label, s in (("", r.base), (" OB", r.adjusted)):
        values = field(s)
        for k, q in enumerate(s.percentiles):
            rows.append([f"P{q:g}{label}", *(fmt_money(v) for v in values[k])])
    return render(title, ["£m", *columns], rows)


def _by_year(r: ScenarioResults) -> str:
    """'by 2019/20' for N years from the first plan year, or 'within N years' past the end."""
    n, years = r.payback_within, r.case.years
    return f"by {years[n - 1]}" if n <= len(years) else f"within {_years(n)}"


def _years(n: int) -> str:
    """'1 year', '3 years'.

    >>> _years(1), _years(3)
    ('1 year', '3 years')
    """
    return f"{n} year" if n == 1 else f"{n} years"


def _bids_table(r: ScenarioResults) -> str:
    b, a = r.base, r.adjusted
    by = _by_year(r)
    header = [
        "Bid",
        f"Payback {by}",
        "OB",
        "Disc. payback",
        "OB",
        "NPV > 0",
        "OB",
        *(f"NPV P{q:g}" for q in b.percentiles),
    ]
    rows = [
        [
            bid.ref,
            fmt_chance(b.prob_payback[i]),
            fmt_chance(a.prob_payback[i]),
            fmt_chance(b.prob_discounted_payback[i]),
            fmt_chance(a.prob_discounted_payback[i]),
            fmt_chance(b.prob_npv_positive[i]),
            fmt_chance(a.prob_npv_positive[i]),
            *(fmt_money(b.bid_npv[k, i]) for k in range(len(b.percentiles))),
        ]
        for i, bid in enumerate(r.case.bids)
    ]
    n = r.payback_within
    first = r.case.years[0]
    return "\n".join(
        [
            render(
                f"Chance of each bid paying back {by} (within {_years(n)} from {first};"
                " OB = with optimism bias; NPV in £m)",
                header,
                rows,
            ),
            *PAYBACK_NOTES,
        ]
    )


def render_scenarios(r: ScenarioResults) -> str:
    """Every scenario table as text.

    >>> from cypsxl import load_case
    >>> from cypsxl.model import monte_carlo
    >>> "P50" in render_scenarios(monte_carlo(load_case(), n=5, seed=1))
    True
    """
    case = r.case
    us = case.scenarios.uncertainties
    head = [
        case_heading(case),
        f"Monte Carlo: {r.n:,} scenarios, seed {r.seed} (repeat with --seed {r.seed})."
        " Money in £m.",
        "P10/P50/P90: 10%, 50% and 90% of the scenarios are at or below the figure, year by"
        " year (each year's percentile on its own, not one scenario).",
        "Uncertain inputs:"
        if us
        else "Uncertain inputs: none (every scenario is the central"
        " case; add [[uncertainty]] tables to the case file).",
        *(_describe(u, case) for u in us),
        "Optimism bias: applied on top of the draws in the OB rows."
        if r.has_optimism_bias
        else "Optimism bias: none in the case (OB rows equal the base).",
    ]
    years, mtfs = list(case.years), list(case.mtfs_years)
    b, a = r.base, r.adjusted
    body = [
        _percentile_table(
            r,
            "Total net of all bids (investment - saving, as run's Table 2; net savings in"
            " brackets)",
            years,
            total_net,
        ),
        _percentile_table(
            r,
            "CYPS funding support (net forecast - net budget)",
            years,
            lambda s: s.funding_support,
        ),
        _percentile_table(
            r,
            "Revised funding gap (the new gap arising each MTFS year)",
            mtfs,
            lambda s: s.revised_gap,
        ),
        _bids_table(r),
        render(
            "Programme (all bids; NPV in £m)",
            ["", "Base", "With OB"],
            [
                *(
                    [f"NPV P{q:g}", fmt_money(b.programme_npv[k]), fmt_money(a.programme_npv[k])]
                    for k, q in enumerate(b.percentiles)
                ),
                [
                    "Chance NPV > 0",
                    *(
                        fmt_chance(s.prob_programme_npv_positive) if case.bids else "- (no bids)"
                        for s in (b, a)
                    ),
                ],
                [
                    f"Chance revised gap {mtfs[-1]} <= base gap",
                    fmt_chance(b.prob_gap_within_base),
                    fmt_chance(a.prob_gap_within_base),
                ],
            ],
        ),
    ]
    return "\n".join(head) + "\n\n" + "\n\n".join(body) + "\n"
