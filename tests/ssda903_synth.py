"""Synthetic SSDA903 episodes with a known truth (no real child data anywhere).

Each synthetic child is admitted on a random day (RNE S), moves placement a few times
(the old episode ends with REC X1 on the day the next starts, RNE P) and may leave care
(a last REC such as E11). The generator keeps what the reader must recover: the
children looked after on any date, the admissions and discharges by day, and each
episode's placement type and weekly cost, computed here from the generation itself.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

#: (PLACE, PLACE_PROVIDER, type key, weekly cost £) the generator draws from.
PLACEMENTS = [
    ("U4", "PR1", "in_house_fostering", 450.0),
    ("U6", "PR1", "in_house_fostering", 450.0),
    ("U6", "PR4", "ifa", 900.0),
    ("U5", "PR5", "ifa", 900.0),
    ("U1", "PR1", "connected_carers", 300.0),
    ("K2", "PR1", "residential_in_house", 4_000.0),
    ("K2", "PR4", "residential_external", 5_500.0),
    ("K1", "PR3", "secure", 8_000.0),
    ("H5", "PR4", "semi_independent", 1_200.0),
    ("R3", "PR4", "parent_and_child", 3_000.0),
    ("P1", "PR0", "other", 100.0),
]

#: The cost table matching PLACEMENTS: by PLACE and provider where the provider decides.
COSTS_CSV = """PLACE,PLACE_PROVIDER,weekly_cost
U4,PR1,450
U6,PR1,450
U6,PR4,900
U5,PR5,900
U1,,300
K2,PR1,4000
K2,PR4,5500
K1,,8000
H5,,1200
R3,,3000
P1,,100
"""

HEADER = [
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
    "HOME_POST",
    "PL_POST",
    "URN",
]


@dataclass
class Truth:
    """What the file holds, worked out while generating it."""

    # (child, first day, last day in care inclusive or None, type, weekly cost)
    spells: list[tuple[str, dt.date, dt.date | None, str, float]] = field(default_factory=list)
    admissions: list[dt.date] = field(default_factory=list)
    discharges: list[dt.date] = field(default_factory=list)

    def looked_after(self, day: dt.date) -> int:
        return len({c for c, a, b, _, _ in self.spells if a <= day and (b is None or day <= b)})

    def cost_by_type(self, first: dt.date, last: dt.date) -> dict[str, float]:
        out: dict[str, float] = {}
        for _, a, b, kind, weekly in self.spells:
            lo, hi = max(a, first), min(b or last, last)
            days = (hi - lo).days + 1
            if days > 0:
                out[kind] = out.get(kind, 0.0) + weekly * days / 7
        return out


def _fmt(day: dt.date | None) -> str:
    return "" if day is None else day.strftime("%d/%m/%Y")


def generate(
    n_children: int, seed: int = 1, first: dt.date = dt.date(2023, 1, 1), span_days: int = 1200
) -> tuple[list[list[str]], Truth]:
    """Rows (with the header first) of ``n_children`` children's episodes, and the truth."""
    rng = random.Random(seed)
    rows: list[list[str]] = [HEADER]
    truth = Truth()
    for k in range(n_children):
        child = f"C{k:06d}"
        day = first + dt.timedelta(days=rng.randrange(span_days))
        truth.admissions.append(day)
        rne = "S"
        for move in range(rng.randint(1, 4)):
            place, provider, kind, weekly = rng.choice(PLACEMENTS)
            length = rng.randint(0, 500)
            end = day + dt.timedelta(days=length)
            last_one = move == 3 or rng.random() < 0.3
            if last_one and rng.random() < 0.4:
                # still open
                rows.append(_row(child, day, rne, place, provider, None, ""))
                truth.spells.append((child, day, None, kind, weekly))
                break
            rec = rng.choice(["E11", "E12", "E4A", "E13", "E8"]) if last_one else "X1"
            rows.append(_row(child, day, rne, place, provider, end, rec))
            if end > day:  # a one-day episode (DEC = DECOM) holds no day in care
                truth.spells.append((child, day, end - dt.timedelta(days=1), kind, weekly))
            if last_one:
                truth.discharges.append(end)
                break
            day, rne = end, "P"
    return rows, truth


def _row(
    child: str,
    start: dt.date,
    rne: str,
    place: str,
    provider: str,
    end: dt.date | None,
    rec: str,
) -> list[str]:
    return [child, _fmt(start), rne, "C2", "N1", place, provider, _fmt(end), rec, "", "", "", ""]


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path
