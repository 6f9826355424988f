"""Reference data packaged with cypsxl (published figures, each with its source).

>>> schedule = green_book_schedule()
>>> schedule.bands[0].rate, schedule.bands[1].first_year
(0.035, 31)
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .model.rates import RateBand

__all__ = ["RateScheduleData", "green_book_schedule"]


@dataclass(frozen=True, slots=True)
class RateScheduleData:
    """A published schedule of discount rates and where it comes from."""

    source: str
    bands: tuple[RateBand, ...]


@cache
def green_book_schedule() -> RateScheduleData:
    """HM Treasury Green Book long-term real discount rates (packaged ``green_book.toml``)."""
    text = resources.files("cypsxl.data").joinpath("green_book.toml").read_text("utf-8")
    doc = tomllib.loads(text)
    bands = tuple(
        RateBand(int(b["first_year"]), b.get("last_year"), float(b["rate"])) for b in doc["band"]
    )
    return RateScheduleData(source=str(doc["source"]), bands=bands)
