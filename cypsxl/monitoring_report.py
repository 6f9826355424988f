"""Present a monitoring period: the report as a council prints it, its JSON shape, and the
rows the monitoring workbook's output table holds.

No finance rules here: every figure comes from
:class:`cypsxl.model.monitoring.MonitoringResults`.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import Any

from .model.monitoring import MONTHS, RAG_LABELS, MonitoringResults, Totals
from .report import fmt_money

__all__ = [
    "REPORT_COLUMNS",
    "TEXT_WIDTH",
    "fmt_headline_money",
    "headline",
    "monitoring_to_dict",
    "render_monitoring",
    "report_rows",
    "section_groups",
]

#: Sentences of the text report are wrapped at this width.
TEXT_WIDTH = 96

#: The columns of the report's line table, after the line's name.
REPORT_COLUMNS = (
    "Budget",
    "Actual to date",
    "Forecast outturn",
    "Variance",
    "Variance %",
    "RAG",
    "Movement",
)


def _num(value: float) -> float | None:
    v = float(value)
    return v + 0.0 if math.isfinite(v) else None


def _totals(t: Totals) -> dict[str, float]:
    return {
        "budget": t.budget,
        "actual_to_date": t.actual_to_date,
        "forecast_outturn": t.forecast_outturn,
        "variance": t.variance,
    }


def monitoring_to_dict(r: MonitoringResults) -> dict[str, Any]:
    """The JSON document of ``cypsxl monitor --json`` (money in £m, unrounded).

    Keys in the documented order; extra keys (``forecast_method``, ``reconciliation``,
    the thresholds, the headline) come after them.
    """
    c, t = r.case, r.lines
    lines: dict[str, Any] = {}
    for i, name in enumerate(t.names):
        lines[name] = {
            "group": t.groups[i],
            "budget": _num(t.budget[i]),
            "actual_to_date": _num(t.actual_to_date[i]),
            "forecast_outturn": _num(t.forecast_outturn[i]),
            "variance": _num(t.variance[i]),
            "variance_pct": _num(t.variance_pct[i]),
            "rag": RAG_LABELS[int(t.rag[i])],
            "movement": _num(t.movement[i]),
            "ring_fenced": bool(t.ring_fenced[i]),
            "forecast_method": c.lines[i].forecast,
            "reconciliation": _num(t.reconciliation[i]),
        }
    rf = r.ring_fenced
    s = r.savings
    return {
        "monitoring": {
            "authority": c.authority,
            "year": c.year,
            "period": c.period,
            "as_at": c.as_at_date.isoformat(),
            "directorate": c.directorate,
            "rag": {"amber": c.rag.amber, "red": c.rag.red, "red_amount": _num(c.rag.red_amount)},
        },
        "lines": lines,
        "groups": {g: _totals(v) for g, v in r.groups.items()},
        "general_fund": _totals(r.general_fund),
        "ring_fenced": {
            "budget": rf.budget,
            "forecast_outturn": rf.forecast_outturn,
            "variance": rf.variance,
            "opening_deficit": rf.opening_deficit,
            "closing_deficit": rf.closing_deficit,
            "actual_to_date": rf.actual_to_date,
        },
        "risks": dict(r.risks),
        "forecast_with_risks": r.forecast_with_risks,
        "savings": {
            ref: {
                "planned": float(s.planned[k]),
                "forecast": float(s.forecast[k]),
                "shortfall": float(s.shortfall[k]) + 0.0,
                "rag": RAG_LABELS[int(s.rag[k])],
            }
            for k, ref in enumerate(s.refs)
        },
        "cost_avoided": dict(r.cost_avoided),
        "cost_avoided_total": r.cost_avoided_total,
        "headline": headline(r),
    }


# --------------------------------------------------------------------------- text


def fmt_headline_money(value: float, signed: bool = False) -> str:
    """An amount for a sentence: £m to 1 decimal from £0.95m, else to 3 decimals; the
    size only, unless ``signed`` (a budget or forecast that is net income).

    >>> fmt_headline_money(42.31), fmt_headline_money(-2.44), fmt_headline_money(0.065)
    ('£42.3m', '£2.4m', '£0.065m')
    >>> fmt_headline_money(-0.5, signed=True)
    '-£0.500m'
    """
    a = abs(float(value))
    text = f"£{a:,.1f}m" if round(a, 3) >= 0.95 else f"£{a:.3f}m"
    return "-" + text if signed and round(float(value), 3) < 0 else text


def _over_under(variance: float) -> str:
    if round(variance, 3) == 0:
        return "on budget"
    kind = "an overspend" if variance > 0 else "an underspend"
    return f"{kind} of {fmt_headline_money(variance)}"


def headline(r: MonitoringResults) -> list[str]:
    """The sentences a Cabinet report opens with.

    The first: "<directorate> is forecast to spend £Xm against an approved budget of
    £Ym, an overspend of £Zm."
    """
    c, gf, rf = r.case, r.general_fund, r.ring_fenced
    out = [
        f"{c.directorate} is forecast to spend {fmt_headline_money(gf.forecast_outturn, True)} "
        f"against an approved budget of {fmt_headline_money(gf.budget, True)}, "
        f"{_over_under(gf.variance)}."
    ]
    if r.lines.ring_fenced.any():
        groups = list(
            dict.fromkeys(g for g, f in zip(r.lines.groups, r.lines.ring_fenced, strict=True) if f)
        )
        what = f"{groups[0]} is" if len(groups) == 1 else "budgets are"
        out.append(
            f"The ring-fenced {what} forecast to spend "
            f"{fmt_headline_money(rf.forecast_outturn, True)} against "
            f"{fmt_headline_money(rf.budget, True)}, {_over_under(rf.variance)}; the "
            f"ring-fenced deficit of {fmt_headline_money(rf.opening_deficit, True)} brought "
            f"forward is forecast to be {fmt_headline_money(rf.closing_deficit, True)} carried "
            "forward."
        )
    if r.risks:
        total = sum(r.risks.values())
        out.append(
            f"The forecast does not include risks of up to {fmt_headline_money(total, True)}, "
            f"which would bring it to {fmt_headline_money(r.forecast_with_risks, True)}."
        )
    if r.savings.refs:
        planned, fc = float(r.savings.planned.sum()), float(r.savings.forecast.sum())
        short = planned - fc
        tail = (
            f", a shortfall of {fmt_headline_money(short)}"
            if round(short, 3) > 0
            else ", in full"
            if round(short, 3) == 0
            else f", {fmt_headline_money(short)} more than planned"
        )
        out.append(
            f"{fmt_headline_money(fc)} of the {fmt_headline_money(planned)} of savings planned "
            f"for {c.year} is forecast to be delivered{tail}."
        )
    if r.cost_avoided:
        out.append(
            f"The initiatives have avoided {fmt_headline_money(r.cost_avoided_total)} this year "
            "compared with doing nothing (not in the forecast)."
        )
    return out


def _pct(value: float) -> str:
    if not math.isfinite(value):
        return "-"
    rounded = round(value * 100, 1) + 0.0
    return f"({-rounded:.1f}%)" if rounded < 0 else f"{rounded:.1f}%"


def _opt(value: float) -> str:
    return fmt_money(value) if math.isfinite(value) else "-"


def section_groups(r: MonitoringResults, ring_fenced: bool) -> list[tuple[str, Totals, list[int]]]:
    """The groups of one part of the line table - the General Fund, or (``ring_fenced``)
    the ring-fenced lines - in order, each with its totals and the indexes of its lines.
    A group stands in the part of its first line.

    >>> from cypsxl.model.monitoring import MonitoringCase, MonitoringLine, monitor
    >>> r = monitor(MonitoringCase("N", "2025/26", 6, (
    ...     MonitoringLine("Fostering", "CSC", 10.0, 6.0),
    ...     MonitoringLine("High needs", "DSG", 40.0, 20.0, ring_fenced=True),
    ...     MonitoringLine("Residential", "CSC", 8.0, 3.0))))
    >>> [(g, t.budget, idx) for g, t, idx in section_groups(r, ring_fenced=False)]
    [('CSC', 18.0, [0, 2])]
    >>> [(g, idx) for g, _, idx in section_groups(r, ring_fenced=True)]
    [('DSG', [1])]
    """
    groups = r.lines.groups
    out = []
    for group, totals in r.groups.items():
        idx = [i for i, g in enumerate(groups) if g == group]
        if bool(r.lines.ring_fenced[idx[0]]) == ring_fenced:
            out.append((group, totals, idx))
    return out


def report_rows(r: MonitoringResults, ring_fenced: bool) -> list[tuple[str, list[str], str]]:
    """Rows of one part of the line table as text: (label, cells, kind).

    ``kind`` is "group" (a group heading), "line", "subtotal" or "total".
    """
    t = r.lines
    rows: list[tuple[str, list[str], str]] = []
    for group, totals, idx in section_groups(r, ring_fenced):
        rows.append((group, [], "group"))
        for i in idx:
            cells = [
                fmt_money(t.budget[i]),
                fmt_money(t.actual_to_date[i]),
                fmt_money(t.forecast_outturn[i]),
                fmt_money(t.variance[i]),
                _pct(t.variance_pct[i]),
                RAG_LABELS[int(t.rag[i])].capitalize(),
                _opt(t.movement[i]),
            ]
            rows.append((f"  {t.names[i]}", cells, "line"))
        rows.append((f"Total {group}", _total_cells(totals), "subtotal"))
    return rows


def _total_cells(t: Totals) -> list[str]:
    return [
        fmt_money(t.budget),
        fmt_money(t.actual_to_date),
        fmt_money(t.forecast_outturn),
        fmt_money(t.variance),
        "",
        "",
        "",
    ]


def _table(
    title: str,
    header: Sequence[str],
    rows: Sequence[tuple[str, Sequence[str], str]],
    also: Sequence[tuple[str, Sequence[str], str]] = (),
) -> list[str]:
    """Fixed-width text: first column left, the rest right; a rule above every total.

    Columns are wide enough for ``also`` too, so two tables printed together align.
    """
    ncol = len(header)
    widths = [len(h) for h in header]
    for label, cells, _kind in [*rows, *also]:
        widths[0] = max(widths[0], len(label))
        for j, c in enumerate(cells, start=1):
            widths[j] = max(widths[j], len(c))

    def line(label: str, cells: Sequence[str]) -> str:
        padded = list(cells) + [""] * (ncol - 1 - len(cells))
        rest = "".join(f"  {c:>{w}}" for c, w in zip(padded, widths[1:], strict=True))
        return (f"{label:<{widths[0]}}" + rest).rstrip()

    head = line(header[0], header[1:])
    rule = "-" * (sum(widths) + 2 * (ncol - 1))
    out = [title, rule, head, rule]
    for label, cells, kind in rows:
        if kind == "total" and out[-1] == "":
            out.pop()
        if kind in ("subtotal", "total"):
            out.append(rule)
        out.append(line(label, cells))
        if kind == "subtotal":
            out.append("")
    while out[-1] == "":
        out.pop()
    out.append(rule)
    return out


def render_monitoring(r: MonitoringResults) -> str:
    """The monitoring report as text: £m to 3 decimals, underspends in brackets."""
    c = r.case
    as_at = c.as_at_date
    legend = (
        "£m; overspends positive, underspends in brackets. RAG on the variance: amber above "
        f"{c.rag.amber:.1%} of budget, red above {c.rag.red:.1%}"
        + (f" or £{c.rag.red_amount:g}m" if math.isfinite(c.rag.red_amount) else "")
    )
    out = [
        c.authority,
        f"{c.directorate}: budget monitoring {c.year}, period {c.period} "
        f"({MONTHS[c.period - 1]}), as at {as_at.day} {as_at:%B %Y}",
        *textwrap.wrap(legend, TEXT_WIDTH),
        "",
    ]
    for sentence in headline(r):
        out += textwrap.wrap(sentence, TEXT_WIDTH)
    out.append("")
    header = ["£m", *REPORT_COLUMNS]
    gf_rows = report_rows(r, ring_fenced=False)
    gf_rows.append(("General Fund total", _total_cells(r.general_fund), "total"))
    rf_rows = report_rows(r, ring_fenced=True)
    out += _table("General Fund", header, gf_rows, rf_rows)
    if r.lines.ring_fenced.any():
        rf = r.ring_fenced
        rows = rf_rows
        rows.append(
            (
                "Ring-fenced total",
                _total_cells(
                    Totals(rf.budget, rf.actual_to_date, rf.forecast_outturn, rf.variance)
                ),
                "total",
            )
        )
        out += ["", *_table("Ring-fenced (not in the General Fund)", header, rows, gf_rows)]
        deficit = [
            ("Deficit brought forward", [fmt_money(rf.opening_deficit)], "line"),
            ("Variance in the year", [fmt_money(rf.variance)], "line"),
            ("Deficit carried forward", [fmt_money(rf.closing_deficit)], "total"),
        ]
        out += ["", *_table("Ring-fenced deficit", ["£m", "Amount"], deficit)]
    if r.risks:
        rows = [("General Fund forecast outturn", [fmt_money(r.general_fund.forecast_outturn)], "")]
        rows += [(f"  {name}", [fmt_money(v)], "line") for name, v in r.risks.items()]
        rows.append(("Forecast with risks", [fmt_money(r.forecast_with_risks)], "total"))
        out += ["", *_table("Risks not in the forecast", ["£m", "Amount"], rows)]
    if r.savings.refs:
        s = r.savings
        titles = {x.ref: x.title for x in c.savings}
        rows = [
            (
                f"{ref} {titles.get(ref, '')}".rstrip(),
                [
                    fmt_money(s.planned[k]),
                    fmt_money(s.forecast[k]),
                    fmt_money(s.shortfall[k]),
                    RAG_LABELS[int(s.rag[k])].capitalize(),
                ],
                "line",
            )
            for k, ref in enumerate(s.refs)
        ]
        rows.append(
            (
                "Total",
                [
                    fmt_money(s.planned.sum()),
                    fmt_money(s.forecast.sum()),
                    fmt_money(s.shortfall.sum()),
                    "",
                ],
                "total",
            )
        )
        header = ["£m", "Planned", "Forecast", "Shortfall", "RAG"]
        out += ["", *_table(f"Savings delivery {c.year}", header, rows)]
    if r.cost_avoided:
        rows = [(f"  {name}", [fmt_money(v)], "line") for name, v in r.cost_avoided.items()]
        rows.append(("Total cost avoided", [fmt_money(r.cost_avoided_total)], "total"))
        title = "Cost avoided compared with doing nothing (not in the forecast)"
        out += ["", *_table(title, ["£m", "Amount"], rows)]
    recon = [
        (name, float(v))
        for name, v in zip(r.lines.names, r.lines.reconciliation, strict=True)
        if math.isfinite(v)
    ]
    if recon:
        rows = [(f"  {n}", [fmt_money(v)], "line") for n, v in recon]
        title = "Reconciliation: driver cost to date - ledger actual to date"
        out += ["", *_table(title, ["£m", "Difference"], rows)]
    return "\n".join(out) + "\n"
