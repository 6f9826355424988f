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
from .driver_csv import RowProblems, _dates, parse_numbers, read_table

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
    df = read_table(path, EPISODE_COLUMNS, (), "an SSDA903 episodes file")
    n = len(df)
    rp = RowProblems(str(path), n)
    child = df["CHILD"]
    rp.add_where((child == "").to_numpy(), "CHILD", "missing; expected the child's id")
    decom = _dates(rp, df, "DECOM", True, 0)
    dec = _dates(rp, df, "DEC", False, OPEN_END)
    dec_given = (df["DEC"] != "").to_numpy()
    before = dec_given & (dec < decom) & ~rp.rejected
    for i in np.flatnonzero(before):
        rp.add(
            int(i),
            "DEC",
            f"DEC {_fmt_day(dec[i])} is before DECOM {_fmt_day(decom[i])}; expected on or after",
        )
    rec = df["REC"].str.upper()
    rp.add_where(
        dec_given & (rec == "").to_numpy(),
        "REC",
        "missing; an episode with DEC needs its reason (X1 if another episode follows)",
    )
    place = df["PLACE"].str.upper()
    provider = df["PLACE_PROVIDER"].str.upper()
    known_codes = pd.Series(list(mapping.codes), dtype=object)
    known = place.isin(known_codes).to_numpy()
    rp.add_where((place == "").to_numpy(), "PLACE", "missing; expected a placement code such as U4")
    rp.add_where(
        ~known & (place != "").to_numpy(),
        "PLACE",
        "unknown placement code {value}; expected a code of the placement list "
        "(docs/drivers.md) or one added in [register.place_codes]",
        df["PLACE"].tolist(),
    )
    weekly = np.full(n, np.nan)
    if costs is not None:
        weekly = costs.lookup(place, provider)
        missing = np.isnan(weekly) & known
        for i in np.flatnonzero(missing):
            who = f" with PLACE_PROVIDER {provider.iloc[i]}" if provider.iloc[i] else ""
            rp.add(
                int(i),
                "PLACE",
                f"no weekly cost for {place.iloc[i]}{who} in {Path(costs.source).name}",
            )
    _overlaps(rp, child, decom, dec)
    keep = ~rp.rejected
    pairs = {
        (p, v): types.index(mapping.type_of(p, v) or "other")
        for p, v in set(zip(place[keep], provider[keep], strict=True))
    }
    type_index = np.array(
        [pairs[(p, v)] for p, v in zip(place[keep], provider[keep], strict=True)], dtype=np.int64
    )
    codes, uniques = pd.factorize(child[keep])
    episodes = Episodes(
        child=codes.astype(np.int64),
        decom=decom[keep],
        dec=dec[keep],
        admission=(df["RNE"].str.upper() == "S").to_numpy()[keep],
        discharge=(dec_given & (rec != "X1").to_numpy())[keep],
        type_index=type_index,
        weekly_cost=weekly[keep],
        row=np.flatnonzero(keep) + 2,
    )
    return EpisodesRead(episodes, rp.problems, n, tuple(str(u) for u in uniques))


def _overlaps(rp: RowProblems, child: pd.Series, decom: np.ndarray, dec: np.ndarray) -> None:
    """Reject an episode that starts before the same child's earlier episode has ended."""
    ok = np.flatnonzero(~rp.rejected)
    frame = pd.DataFrame({"child": child.to_numpy()[ok], "start": decom[ok], "end": dec[ok]})
    frame["row"] = ok
    frame = frame.sort_values(["child", "start", "row"], kind="stable")
    prev_end = frame.groupby("child", sort=False)["end"].cummax()
    prev_end = prev_end.groupby(frame["child"], sort=False).shift(1)
    clash = (frame["start"] < prev_end).to_numpy()
    group_start = np.arange(len(frame)) - frame.groupby("child", sort=False).cumcount().to_numpy()
    for pos in np.flatnonzero(clash):
        row = int(frame["row"].iloc[pos])
        same = frame.iloc[group_start[pos] : pos]
        same = same[same["end"] > decom[row]]
        other = int(same["row"].iloc[0])
        ends = "is open" if dec[other] >= OPEN_END else f"ends {_fmt_day(dec[other])}"
        rp.add(
            row,
            "DECOM",
            f"DECOM {_fmt_day(decom[row])} overlaps this child's episode on row {other + 2}, "
            f"which {ends}; expected one episode at a time",
        )
