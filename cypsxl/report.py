"""Present results: the report's four tables as text, and the JSON shape of ``cypsxl run``.

No finance rules here: every figure comes from :class:`cypsxl.model.Results`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .model import Case, Results
from .model._arrays import ArrayLike, year_or_none

__all__ = [
    "NO_INVESTMENT",
    "TextTable",
    "case_heading",
    "case_keys",
    "fmt_money",
    "line_label",
    "payback_label",
    "render_tables",
    "results_tables",
    "results_to_dict",
    "year_span",
]


def fmt_money(value: float, decimals: int = 3, brackets: bool = True) -> str:
    """Money as the report prints it: fixed decimals, negatives in brackets.

    >>> fmt_money(-2.2764), fmt_money(0.1789), fmt_money(-0.0001)
    ('(2.276)', '0.179', '0.000')
    """
    rounded = round(float(value), decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    if rounded < 0 and brackets:
        return f"({-rounded:,.{decimals}f})"
    return f"{rounded:,.{decimals}f}"


@dataclass(frozen=True)
class TextTable:
    """A titled table with years across: rows of (label, values, extra column)."""

    title: str
    columns: Sequence[str]
    rows: Sequence[tuple[str, ArrayLike, str]]
    extra: str = ""
    total_from: int | None = None  # index of the first row that is a total (a rule above it)

    def render(self) -> str:
        """Fixed-width text of the table."""
        label_w = max([len(r[0]) for r in self.rows] + [10])
        col_w = max(10, *(len(c) + 1 for c in self.columns))
        extra_w = max(len(self.extra), *(len(r[2]) for r in self.rows)) if self.extra else 0
        head = f"{'£m':<{label_w}}" + "".join(f"{c:>{col_w}}" for c in self.columns)
        if self.extra:
            head += f"  {self.extra:>{extra_w}}"
        rule = "-" * len(head)
        lines = [self.title, rule, head, rule]
        for i, (label, values, extra) in enumerate(self.rows):
            if self.total_from is not None and i == self.total_from:
                lines.append(rule)
            cells = np.asarray(values, dtype=np.float64)
            line = f"{label:<{label_w}}" + "".join(f"{fmt_money(v):>{col_w}}" for v in cells)
            if self.extra:
                line += f"  {extra:>{extra_w}}"
            lines.append(line.rstrip())
        lines.append(rule)
        return "\n".join(lines)


def case_heading(case: Case) -> str:
    """The first lines of every text output: the case's name, then its authority.

    >>> from cypsxl import load_case
    >>> print(case_heading(load_case()))
    Rotherham MTFS update, November 2016
    Rotherham Metropolitan Borough Council
    """
    return f"{case.name}\n{case.authority}".strip()


def case_keys(case: Case) -> dict[str, Any]:
    """The leading keys of every JSON document: the case, its years and MTFS years.

    >>> from cypsxl import load_case
    >>> case_keys(load_case())["mtfs_years"][-1]
    '2019/20'
    """
    return {
        "case": {"name": case.name, "authority": case.authority},
        "years": list(case.years),
        "mtfs_years": list(case.mtfs_years),
    }


#: Shown for the payback of a bid that invests nothing: there is nothing to pay back.
NO_INVESTMENT = "no investment"


def payback_label(year: int, years: Sequence[str], investment: ArrayLike | None = None) -> str:
    """The report's payback year with its label: ``2 (2017/18)``, or ``-`` for none.

    Given the bid's ``investment`` by year, a bid that invests nothing says so: its
    first net saving is not a payback.

    >>> payback_label(2, ["2016/17", "2017/18"]), payback_label(0, ["2016/17"])
    ('2 (2017/18)', '-')
    >>> payback_label(1, ["2016/17", "2017/18"], investment=[0.0, 0.0])
    'no investment'
    """
    if investment is not None and not np.any(np.asarray(investment) != 0):
        return NO_INVESTMENT
    number = year_or_none(year)
    return f"{number} ({years[number - 1]})" if number else "-"


def year_span(years: Sequence[str], between: str = "-") -> str:
    """The first to the last of ``years``; one year alone when there is only one.

    >>> year_span(["2016/17", "2017/18", "2018/19"]), year_span(["2018/19"])
    ('2016/17-2018/19', '2018/19')
    >>> year_span(["2016/17", "2017/18"], " to ")
    '2016/17 to 2017/18'
    """
    return years[0] if len(years) == 1 else f"{years[0]}{between}{years[-1]}"


def _shorten(text: str, width: int = 50) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


_LABELS = {"ifa": "IFA", "sgo": "SGO", "in_house_fostering": "In-house fostering"}


def line_label(key: str) -> str:
    """A case key as a label: underscores as spaces, the first letter capital, acronyms kept.

    >>> line_label("CCG_income"), line_label("demand"), line_label("ifa")
    ('CCG income', 'Demand', 'IFA')
    """
    if key in _LABELS:
        return _LABELS[key]
    text = key.replace("_", " ")
    return text[:1].upper() + text[1:]


_label = line_label


def results_tables(r: Results) -> list[TextTable]:
    """The four tables of the Cabinet report, plus the bid gross savings, as text tables."""
    case = r.case
    years, mtfs = list(case.years), list(case.mtfs_years)
    b = r.budget
    t1_rows: list[tuple[str, ArrayLike, str]] = [("Net budget", b.net_budget, "")]
    t1_rows += [(f"Pressure: {_label(k)}", v, "") for k, v in r.pressures_by_line.items()]
    t1_rows += [
        ("Investment (bids)", b.investment, ""),
        ("Savings (bids)", -b.savings, ""),
        ("Net forecast", b.net_forecast, ""),
        ("Funding support", b.funding_support, ""),
    ]
    t1 = TextTable("Table 1: CYPS budget", years, t1_rows, total_from=len(t1_rows) - 2)

    t = r.bids
    t2_rows = [
        (
            _shorten(f"{ref} {bid.title}"),
            t.net[i],
            payback_label(t.payback_year[i], years, t.investment[i]),
        )
        for i, (ref, bid) in enumerate(zip(t.refs, case.bids, strict=True))
    ]
    t2_rows.append(("Total", t.net.sum(axis=0), ""))
    t2 = TextTable(
        "Table 2: Investment bids, net (investment - saving)",
        years,
        t2_rows,
        extra="Payback",
        total_from=len(t2_rows) - 1,
    )

    a = r.additional
    t3_rows: list[tuple[str, ArrayLike, str]] = [
        ("CYPS pressures", a.cyps_pressures, ""),
        ("CYPS net investment", a.cyps_net_investment, ""),
    ]
    labels = {p.key: p.label for p in case.other_proposals}
    t3_rows += [(labels[k], v, "") for k, v in a.others.items()]
    t3_rows.append(("Total additional funding", a.total, ""))
    t3 = TextTable("Table 3: Total additional funding", mtfs, t3_rows, total_from=len(t3_rows) - 1)

    g = r.gap
    first = "one-off, from reserves" if case.mtfs.current_year_funded_from_reserves else "recurring"
    t4_rows: list[tuple[str, ArrayLike, str]] = [
        ("Funding gap (base, new each year)", g.base, ""),
        ("Change in recurring funding", g.change, ""),
        ("Revised funding gap", g.revised, ""),
    ]
    drawn = f"; reserves drawn {fmt_money(g.reserve_draw)}" if g.reserve_draw else ""
    t4 = TextTable(
        f"Table 4: Revised funding gap (first year {first}{drawn})",
        mtfs,
        t4_rows,
        total_from=2,
    )

    saving_rows = [
        (f"{ref}", t.gross_saving[i], "")
        for i, ref in enumerate(t.refs)
        if np.any(t.gross_saving[i])
    ]
    saving_rows.append(("Total", t.gross_saving.sum(axis=0), ""))
    t5 = TextTable(
        "Bid gross savings / cost avoidance", years, saving_rows, total_from=len(saving_rows) - 1
    )
    tables = [t1, t2, t3, t4, t5]
    if r.placements is not None:
        tables.append(_placement_text(r))
    return tables


def _placement_text(r: Results) -> TextTable:
    p = r.placements
    assert p is not None
    weeks = r.case.assumptions.weeks_per_year
    rows: list[tuple[str, ArrayLike, str]] = [
        (
            f"{_label(k)}: {p.counts[i]:g} x £{p.weekly_cost[i]:,.0f} x {weeks:g} wk",
            [p.annual_cost[i]],
            "",
        )
        for i, k in enumerate(p.types)
    ]
    rows.append(("Total placements now", [p.annual_cost.sum()], ""))
    table = TextTable("Placements: annual cost now", ["a year"], rows, total_from=len(rows) - 1)
    if p.projected_cost is None or p.lac_numbers is None:
        return table
    proj = TextTable(
        "Looked-after children on trend, priced at today's mix",
        list(r.case.years),
        [("Cost of placements (£m)", p.projected_cost, "")],
    )
    numbers = "  ".join(f"{y}: {n:g}" for y, n in zip(r.case.years, p.lac_numbers, strict=True))
    return TextTable(
        f"{table.render()}\n\n{proj.title}\nChildren: {numbers}",
        proj.columns,
        proj.rows,
    )


def render_tables(r: Results) -> str:
    """Every table as text, with a heading naming the case.

    >>> from cypsxl import load_case, run_case
    >>> "24.130" in render_tables(run_case(load_case()))
    True
    """
    head = case_heading(r.case)
    body = "\n\n".join(t.render() for t in results_tables(r))
    return f"{head}\nMoney in £m; savings and net savings in brackets.\n\n{body}\n"


def _floats(values: Any) -> list[float]:
    return [float(v) for v in np.asarray(values, dtype=np.float64).ravel()]


def _placements_dict(r: Results) -> dict[str, Any]:
    p = r.placements
    if p is None:
        return {}
    out: dict[str, Any] = {
        "by_type": {
            k: {
                "count": float(p.counts[i]),
                "weekly_cost": float(p.weekly_cost[i]),
                "annual_cost": float(p.annual_cost[i]),
            }
            for i, k in enumerate(p.types)
        },
        "annual_cost": float(p.annual_cost.sum()),
    }
    if p.lac_numbers is not None and p.projected_cost is not None:
        out["lac_numbers"] = _floats(p.lac_numbers)
        out["projected_cost"] = _floats(p.projected_cost)
    return {"placements": out}


def results_to_dict(r: Results) -> dict[str, Any]:
    """The JSON document of ``cypsxl run --json`` (money in £m, unrounded).

    >>> from cypsxl import load_case, run_case
    >>> d = results_to_dict(run_case(load_case()))
    >>> d["bids"]["CYPS_5"]["payback_year"], round(d["funding_gap"]["reserve_draw"], 3)
    (3, 8.456)
    """
    case, t, b = r.case, r.bids, r.budget
    bids = {}
    for i, bid in enumerate(case.bids):
        bids[bid.ref] = {
            "title": bid.title,
            "service_area": bid.service_area,
            "investment": _floats(t.investment[i]),
            "gross_saving": _floats(t.gross_saving[i]),
            "net": _floats(t.net[i]),
            "cumulative_net": _floats(t.cumulative_net[i]),
            "payback_year": year_or_none(t.payback_year[i]),
            "breakeven_year": year_or_none(t.breakeven_year[i]),
        }
    return {
        **case_keys(case),
        "bids": bids,
        "cyps_budget": {
            "net_budget": _floats(b.net_budget),
            "pressures": _floats(b.pressures),
            "pressure_lines": {k: _floats(v) for k, v in r.pressures_by_line.items()},
            "investment": _floats(b.investment),
            "savings": _floats(b.savings),
            "net_forecast": _floats(b.net_forecast),
            "funding_support": _floats(b.funding_support),
        },
        "bid_total_net": _floats(t.net.sum(axis=0)),
        **_placements_dict(r),
        "total_additional_funding": _floats(r.additional.total),
        "funding_gap": {
            "base": _floats(r.gap.base),
            "change": _floats(r.gap.change),
            "revised": _floats(r.gap.revised),
            "reserve_draw": float(r.gap.reserve_draw),
            "current_year_funded_from_reserves": case.mtfs.current_year_funded_from_reserves,
        },
    }
