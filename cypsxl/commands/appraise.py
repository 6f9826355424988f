"""``cypsxl appraise [CASE] [--json]``: Green Book measures, optimism bias, switching
values and the sensitivity (tornado) of every bid and of the programme."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from ..casefile import load_case
from ..cli import InputError
from ..model import (
    Appraisal,
    BidMeasures,
    OptimismBias,
    ProgrammeMeasures,
    TornadoRow,
    appraise_case,
)
from ..model._arrays import year_or_none
from ..report import NO_INVESTMENT, case_heading, case_keys, fmt_money, year_span
from ._present import (
    PAYBACK_NOTES,
    fmt_percent,
    fmt_ratio,
    fmt_year,
    json_number,
    json_numbers,
    optimism_text,
    print_json,
    render,
)

__all__ = ["appraisal_to_dict", "register", "render_appraisal"]

HELP = """Appraise a case as HM Treasury's Green Book asks: net present value, discounted
payback, benefit-cost ratio and IRR of every bid and of the programme; the same after
optimism bias, side by side; switching values; and a tornado of the main inputs.

examples:
  cypsxl appraise                          the embedded reference case
  cypsxl appraise mycase.toml              your case, as text tables
  cypsxl appraise mycase.toml --json       as JSON (money in £m, shares as fractions)
  cypsxl appraise mycase.toml --sensitivity 20    the tornado at -/+20%
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``appraise`` command."""
    p = subparsers.add_parser(
        "appraise",
        help="Green Book appraisal: NPV, payback, BCR, IRR, optimism bias, switching values",
        description=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "case", nargs="?", help="case file (.toml); default: the embedded reference case"
    )
    p.add_argument(
        "--sensitivity",
        type=float,
        metavar="PERCENT",
        help="move each input -/+ this %% in the tornado (default: the case's, else 10)",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    share = None
    if args.sensitivity is not None:
        if not 0 <= args.sensitivity <= 100:
            raise InputError(
                f"--sensitivity: expected a percentage from 0 to 100, got {args.sensitivity:g}"
            )
        share = args.sensitivity / 100.0
    appraisal = appraise_case(load_case(args.case), share)
    if args.json:
        print_json(appraisal_to_dict(appraisal))
    else:
        sys.stdout.write(render_appraisal(appraisal))
    return 0


# --------------------------------------------------------------------------- JSON


def _bid_dict(m: BidMeasures, i: int) -> dict[str, Any]:
    return {
        "npv": float(m.npv[i]),
        "pv_saving": float(m.pv_saving[i]),
        "pv_investment": float(m.pv_investment[i]),
        "bcr": json_number(m.bcr[i]),
        "irr": json_number(m.irr[i]),
        "payback_year": year_or_none(m.payback_year[i]),
        "breakeven_year": year_or_none(m.breakeven_year[i]),
        "discounted_payback_year": year_or_none(m.discounted_payback_year[i]),
        "switching_saving_cut": json_number(m.switching_saving_cut[i]),
        "switching_payback_cut": json_number(m.switching_payback_cut[i]),
        "switching_discounted_payback_cut": json_number(m.switching_discounted_payback_cut[i]),
        "investment": json_numbers(m.investment[i]),
        "gross_saving": json_numbers(m.gross_saving[i]),
    }


def _programme_dict(p: ProgrammeMeasures) -> dict[str, Any]:
    return {
        "npv": p.npv,
        "pv_saving": p.pv_saving,
        "pv_investment": p.pv_investment,
        "bcr": json_number(p.bcr),
        "irr": json_number(p.irr),
        "discounted_payback_year": year_or_none(p.discounted_payback_year),
        "net_saving": json_numbers(p.net_saving),
        "cumulative_net": p.cumulative_net,
        "revised_gap_last_mtfs_year": p.revised_gap_last,
        "base_gap_last_mtfs_year": p.base_gap_last,
        "switching_delivery_share": json_number(p.switching_delivery_share),
    }


def _bias_dict(b: OptimismBias) -> dict[str, Any]:
    return {
        "investment_uplift_percent": b.investment_uplift * 100,
        "saving_cut_percent": b.saving_cut * 100,
        "saving_delay_years": b.saving_delay_years,
    }


def _tornado_dict(row: TornadoRow) -> dict[str, Any]:
    return {
        "key": row.key,
        "label": row.label,
        "cumulative_net_low": row.cumulative_net_low,
        "cumulative_net_high": row.cumulative_net_high,
        "revised_gap_low": row.revised_gap_low,
        "revised_gap_high": row.revised_gap_high,
    }


def appraisal_to_dict(ap: Appraisal) -> dict[str, Any]:
    """The JSON document of ``cypsxl appraise --json`` (money in £m, shares as fractions).

    >>> from cypsxl import load_case
    >>> from cypsxl.model import appraise_case
    >>> d = appraisal_to_dict(appraise_case(load_case()))
    >>> d["rate"], d["bids"]["CYPS_7"]["discounted_payback_year"], d["bids"]["CYPS_6"]["bcr"]
    (0.035, 2, None)
    """
    case = ap.case
    bids, programme = ap.base
    adj_bids, adj_programme = ap.adjusted
    adjusted_rows = {r.key: r for r in ap.tornado_adjusted}
    return {
        **case_keys(case),
        "rate": list(ap.rate) if isinstance(ap.rate, tuple) else ap.rate,
        "discount_factors": json_numbers(ap.discount_factors),
        "bids": {
            ref: {
                "title": bid.title,
                **_bid_dict(bids, i),
                "adjusted": _bid_dict(adj_bids, i),
            }
            for i, (ref, bid) in enumerate(zip(bids.refs, case.bids, strict=True))
        },
        "programme": {**_programme_dict(programme), "adjusted": _programme_dict(adj_programme)},
        "optimism_bias": {
            "case": _bias_dict(case.assumptions.optimism_bias),
            "bids": {b.ref: _bias_dict(b.optimism_bias) for b in case.bids if b.optimism_bias},
            "applied": {
                ref: _bias_dict(o) for ref, o in zip(bids.refs, ap.optimism_bias, strict=True)
            },
        },
        "sensitivity": {
            "percent": ap.sensitivity_share * 100,
            "tornado": [
                {**_tornado_dict(r), "adjusted": _tornado_dict(adjusted_rows[r.key])}
                for r in ap.tornado_base
            ],
        },
    }


# --------------------------------------------------------------------------- text


def _rate_text(ap: Appraisal) -> str:
    if isinstance(ap.rate, tuple):
        return "discount rates by year " + ", ".join(f"{r * 100:g}%" for r in ap.rate)
    return f"discount rate {ap.rate * 100:g}% a year"


def _bias_lines(ap: Appraisal) -> list[str]:
    case = ap.case
    lines = [f"Optimism bias (case): {optimism_text(case.assumptions.optimism_bias)}"]
    lines += [
        f"Optimism bias ({b.ref}): {optimism_text(b.optimism_bias)}"
        for b in case.bids
        if b.optimism_bias is not None
    ]
    return lines


def _measures_table(ap: Appraisal) -> str:
    years = ap.case.years
    base, adj = ap.base[0], ap.adjusted[0]
    header = [
        "Bid",
        "NPV",
        "NPV OB",
        "BCR",
        "BCR OB",
        "IRR",
        "IRR OB",
        "Payback",
        "OB",
        "Disc. payback",
        "OB",
    ]
    rows = [
        [
            ref,
            fmt_money(base.npv[i]),
            fmt_money(adj.npv[i]),
            fmt_ratio(base.bcr[i]),
            fmt_ratio(adj.bcr[i]),
            fmt_percent(base.irr[i]),
            fmt_percent(adj.irr[i]),
            *(
                [_payback(m.investment[i], m.payback_year[i], years) for m in (base, adj)]
                + [
                    _payback(m.investment[i], m.discounted_payback_year[i], years)
                    for m in (base, adj)
                ]
            ),
        ]
        for i, ref in enumerate(base.refs)
    ]
    table = render(
        "Green Book measures by bid (NPV in £m; OB = with optimism bias; negatives in brackets)",
        header,
        rows,
    )
    notes = [
        *PAYBACK_NOTES,
        f"'-': no BCR without investment; no IRR unless the net saving changes sign; no payback"
        f" by {years[-1]}. {NO_INVESTMENT}: nothing to pay back.",
    ]
    return "\n".join([table, *notes])


def _payback(investment: Any, year: int, years: Sequence[str]) -> str:
    """A payback year, or 'no investment' for a bid that invests nothing.

    >>> _payback([0.0, 0.0], 1, ["2016/17", "2017/18"]), _payback([1.0, 0.0], 2, ["a", "b"])
    ('no investment', 'b')
    """
    return NO_INVESTMENT if not any(v != 0 for v in investment) else fmt_year(year, years)


def _switching_table(ap: Appraisal) -> str:
    base, adj = ap.base[0], ap.adjusted[0]
    last = ap.case.mtfs_years[-1]
    header = [
        "Bid",
        "NPV = 0",
        "OB",
        f"Payback after {last}",
        "OB",
        f"Disc. payback after {last}",
        "OB",
    ]
    rows = [
        [
            ref,
            fmt_percent(base.switching_saving_cut[i]),
            fmt_percent(adj.switching_saving_cut[i]),
            fmt_percent(base.switching_payback_cut[i]),
            fmt_percent(adj.switching_payback_cut[i]),
            fmt_percent(base.switching_discounted_payback_cut[i]),
            fmt_percent(adj.switching_discounted_payback_cut[i]),
        ]
        for i, ref in enumerate(base.refs)
    ]
    table = render(
        "Switching values: the % cut in each bid's savings at which its NPV reaches zero, or"
        f" its payback moves after {last}",
        header,
        rows,
    )
    note = (
        "A negative cut: the savings must rise by that much; 100%: only losing every saving"
        " moves it; '-': the bid has no savings."
    )
    return table + "\n" + note


def _programme_table(ap: Appraisal) -> str:
    years = ap.case.years
    b, a = ap.base[1], ap.adjusted[1]
    last = ap.case.mtfs_years[-1]
    rows = [
        ["PV of savings", fmt_money(b.pv_saving), fmt_money(a.pv_saving)],
        ["PV of investment", fmt_money(b.pv_investment), fmt_money(a.pv_investment)],
        ["Net present value", fmt_money(b.npv), fmt_money(a.npv)],
        ["Benefit-cost ratio", fmt_ratio(b.bcr), fmt_ratio(a.bcr)],
        ["IRR", fmt_percent(b.irr), fmt_percent(a.irr)],
        [
            "Discounted payback",
            fmt_year(b.discounted_payback_year, years),
            fmt_year(a.discounted_payback_year, years),
        ],
        [
            f"Cumulative net {year_span(years, ' to ')} (investment - saving)",
            fmt_money(b.cumulative_net),
            fmt_money(a.cumulative_net),
        ],
        [
            f"Revised funding gap {last}",
            fmt_money(b.revised_gap_last),
            fmt_money(a.revised_gap_last),
        ],
        [f"Base funding gap {last}", fmt_money(b.base_gap_last), fmt_money(a.base_gap_last)],
        [
            f"Share of prevented children needed for the {last} gap <= base",
            fmt_percent(b.switching_delivery_share),
            fmt_percent(a.switching_delivery_share),
        ],
    ]
    return render("Programme (all bids; £m)", ["", "Base", "With OB"], rows)


def _tornado_table(ap: Appraisal, measure: str, title: str) -> str:
    pct = f"{ap.sensitivity_share * 100:g}%"
    adjusted = {r.key: r for r in ap.tornado_adjusted}
    low, high = f"{measure}_low", f"{measure}_high"
    ranked = sorted(
        ap.tornado_base, key=lambda r: -max(abs(getattr(r, low)), abs(getattr(r, high)))
    )
    rows = [
        [
            r.label,
            fmt_money(getattr(r, low)),
            fmt_money(getattr(r, high)),
            fmt_money(getattr(adjusted[r.key], low)),
            fmt_money(getattr(adjusted[r.key], high)),
        ]
        for r in ranked
    ]
    header = ["Input moved", f"-{pct}", f"+{pct}", f"-{pct} OB", f"+{pct} OB"]
    return render(title, header, rows)


def render_appraisal(ap: Appraisal) -> str:
    """Every appraisal table as text.

    >>> from cypsxl import load_case
    >>> from cypsxl.model import appraise_case
    >>> "Switching values" in render_appraisal(appraise_case(load_case()))
    True
    """
    case = ap.case
    head = [
        case_heading(case),
        f"Green Book appraisal: {_rate_text(ap)}; the first year ({case.years[0]}) is year 0"
        " (undiscounted). Money in £m.",
        "NPV = present value of savings - investment; BCR = PV savings / PV investment.",
        *_bias_lines(ap),
    ]
    last = case.mtfs_years[-1]
    body = [
        _measures_table(ap),
        _switching_table(ap),
        _programme_table(ap),
        _tornado_table(
            ap,
            "cumulative_net",
            f"Sensitivity: change in the programme's cumulative net, "
            f"{year_span(case.years, ' to ')} (£m; negative = more net saving), largest first",
        ),
        _tornado_table(
            ap,
            "revised_gap",
            f"Sensitivity: change in the revised funding gap, {last} (£m; positive = a larger"
            " gap), largest first",
        ),
    ]
    return "\n".join(head) + "\n\n" + "\n\n".join(body) + "\n"
