"""Read an SSDA903 episodes CSV and a weekly-cost table by PLACE code.

The episodes file is the one every English authority sends the DfE (CHILD, DECOM, RNE,
LS, CIN, PLACE, PLACE_PROVIDER, DEC, REC, ...; dates dd/mm/yyyy). Each row is checked
and a dirty one is rejected - reported by row (the header is row 1) and column - while
the rest are read:

- CHILD, DECOM or PLACE missing; a date that is not dd/mm/yyyy;
- DEC before DECOM; DEC given without REC (the reason the episode ended);
- a PLACE code not in the placement list (add it in the case's ``[register.place_codes]``);
- with a cost table, a PLACE (and PLACE_PROVIDER) it has no weekly cost for;
- an episode starting before the same child's previous episode ended (overlapping
  episodes: the later one is rejected).

The cost table is a CSV with columns ``PLACE``, ``weekly_cost`` and optionally
``PLACE_PROVIDER`` (blank = any provider); a row for the exact provider wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import CaseError, Problem
from ..model.dates import OPEN_END, date_of
from ..model.episodes import Episodes
from ..model.register import PlaceMapping, PlacementTypes
from .driver_csv import RowProblems, _dates, parse_numbers, read_columns, read_table

__all__ = ["CostTable", "EpisodesRead", "read_costs", "read_episodes"]

EPISODE_COLUMNS = ("CHILD", "DECOM", "RNE", "PLACE", "PLACE_PROVIDER", "DEC", "REC")


@dataclass(frozen=True, slots=True)
class CostTable:
    """Weekly cost (£) by (PLACE, PLACE_PROVIDER); provider "" = any provider."""

    source: str
    costs: dict[tuple[str, str], float]

    def lookup(self, place: pd.Series, provider: pd.Series) -> np.ndarray:
        """The weekly cost of each episode, NaN where the table has none."""
        exact = pd.Series(
            {f"{p}|{v}": c for (p, v), c in self.costs.items() if v}, dtype=np.float64
        )
        anyp = pd.Series({p: c for (p, v), c in self.costs.items() if not v}, dtype=np.float64)
        first = (place + "|" + provider).map(exact)
        result = first.fillna(place.map(anyp))
        return result.to_numpy(dtype=np.float64, na_value=np.nan)


def read_costs(path: str | Path) -> CostTable:
    """Read the weekly-cost table; any bad row is a located error (the table is small)."""
    df = read_table(path, ("PLACE", "weekly_cost"), ("PLACE_PROVIDER",), "a weekly-cost table")
    problems: list[Problem] = []
    values, ok, blank = parse_numbers(df["weekly_cost"])
    costs: dict[tuple[str, str], float] = {}
    for i in range(len(df)):
        where = f"row {i + 2}"
        place = df["PLACE"].iloc[i].upper()
        provider = df["PLACE_PROVIDER"].iloc[i].upper()
        if not place:
            problems.append(Problem(str(path), where, "PLACE", "missing; expected a PLACE code"))
        elif not ok[i] or values[i] < 0:
            got = "nothing" if blank[i] else ascii(df["weekly_cost"].iloc[i])
            problems.append(
                Problem(str(path), where, "weekly_cost", f"expected £ a week >= 0, got {got}")
            )
        elif (place, provider) in costs:
            problems.append(
                Problem(
                    str(path),
                    where,
                    "PLACE",
                    f"{place} {provider or '(any provider)'} is costed twice; expected once",
                )
            )
        else:
            costs[(place, provider)] = float(values[i])
    if problems:
        raise CaseError(problems)
    return CostTable(str(path), costs)


@dataclass(frozen=True, slots=True, eq=False)
class EpisodesRead:
    """An episodes file: the episodes read, the rows rejected, the rows in the file."""

    episodes: Episodes
    problems: list[Problem]
    rows: int
    children: tuple[str, ...]  # CHILD of each code in ``episodes.child``


def _fmt_day(day: int) -> str:
    return date_of(day).strftime("%d/%m/%Y")


def read_episodes(
    path: str | Path,
    types: PlacementTypes,
    mapping: PlaceMapping,
    costs: CostTable | None = None,
) -> EpisodesRead:
    """Read an SSDA903 episodes CSV into :class:`~cypsxl.model.episodes.Episodes`."""
    n, cols = read_columns(path, EPISODE_COLUMNS, (), "an SSDA903 episodes file")
    rp = RowProblems(str(path), n)
    rp.add_where(cols["CHILD"].blank, "CHILD", "missing; expected the child's id")
    decom = _dates(rp, cols, "DECOM", True, 0)
    dec = _dates(rp, cols, "DEC", False, OPEN_END)
    dec_given = ~cols["DEC"].blank
    before = dec_given & (dec < decom) & ~rp.rejected
    for i in np.flatnonzero(before):
        rp.add(
            int(i),
            "DEC",
            f"DEC {_fmt_day(dec[i])} is before DECOM {_fmt_day(decom[i])}; expected on or after",
        )
    rec = cols["REC"].map(lambda u: u.str.upper())
    rp.add_where(
        dec_given & (rec == ""),
        "REC",
        "missing; an episode with DEC needs its reason (X1 if another episode follows)",
    )
    # PLACE and PLACE_PROVIDER take a few dozen values: look each pair up once
    place, prov = cols["PLACE"], cols["PLACE_PROVIDER"]
    width = max(len(prov.values), 1)
    pair_codes, pair_keys = pd.factorize(place.codes * width + prov.codes)
    places = [str(place.values[k // width]).upper() for k in pair_keys]
    providers = [str(prov.values[k % width]).upper() for k in pair_keys]
    pairs = list(zip(places, providers, strict=True))
    type_of = [mapping.type_of(p, v) for p, v in pairs]
    known = np.array([t is not None for t in type_of], dtype=bool)[pair_codes]
    blank_place = np.array([p == "" for p in places], dtype=bool)[pair_codes]
    rp.add_where(blank_place, "PLACE", "missing; expected a placement code such as U4")
    rp.add_where(
        ~known & ~blank_place,
        "PLACE",
        "unknown placement code {value}; expected a code of the placement list "
        "(docs/drivers.md) or one added in [register.place_codes]",
        place,
    )
    weekly = np.full(n, np.nan)
    if costs is not None:
        pair_cost = costs.lookup(
            pd.Series(places, dtype=object), pd.Series(providers, dtype=object)
        )
        weekly = pair_cost[pair_codes]
        for i in np.flatnonzero(np.isnan(weekly) & known):
            place, provider = pairs[pair_codes[i]]
            who = f" with PLACE_PROVIDER {provider}" if provider else ""
            rp.add(int(i), "PLACE", f"no weekly cost for {place}{who} in {Path(costs.source).name}")
    child_codes, children = cols["CHILD"].codes, cols["CHILD"].values
    _overlaps(rp, child_codes, decom, dec)
    keep = ~rp.rejected
    index_of = np.array([types.index(t) if t is not None else 0 for t in type_of], dtype=np.int64)
    episodes = Episodes(
        child=child_codes[keep].astype(np.int64),
        decom=decom[keep],
        dec=dec[keep],
        admission=(cols["RNE"].map(lambda u: u.str.upper()) == "S")[keep],
        discharge=(dec_given & (rec != "X1"))[keep],
        type_index=index_of[pair_codes][keep],
        weekly_cost=weekly[keep],
        row=np.flatnonzero(keep) + 2,
    )
    return EpisodesRead(episodes, rp.problems, n, tuple(str(c) for c in children))


def _overlaps(rp: RowProblems, child: np.ndarray, decom: np.ndarray, dec: np.ndarray) -> None:
    """Reject an episode that starts before the same child's earlier episode has ended.

    ``child`` holds integer codes. Sorted by child then DECOM, an episode clashes when
    it starts before the latest DEC of the child's earlier episodes.
    """
    ok = np.flatnonzero(~rp.rejected)
    order = ok[np.lexsort((ok, decom[ok], child[ok]))]
    c, start, end = child[order], decom[order], dec[order]
    new_group = np.ones(order.size, dtype=bool)
    new_group[1:] = c[1:] != c[:-1]
    # latest end so far within each child: a running maximum that restarts per child
    running = pd.Series(end).groupby(np.cumsum(new_group)).cummax().to_numpy()
    previous = np.empty_like(running)
    previous[1:] = running[:-1]
    clash = ~new_group & (start < previous)
    group_start = np.maximum.accumulate(np.where(new_group, np.arange(order.size), 0))
    for pos in np.flatnonzero(clash):
        row = int(order[pos])
        earlier = np.arange(group_start[pos], pos)
        other = int(order[earlier[end[earlier] > decom[row]][0]])
        ends = "is open" if dec[other] >= OPEN_END else f"ends {_fmt_day(dec[other])}"
        rp.add(
            row,
            "DECOM",
            f"DECOM {_fmt_day(decom[row])} overlaps this child's episode on row {other + 2}, "
            f"which {ends}; expected one episode at a time",
        )
