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
from typing import TYPE_CHECKING

from .model.rates import RateBand

if TYPE_CHECKING:  # the placement register model: imported when it is read
    from .model.register import PlaceMapping, PlacementTypes

__all__ = ["PlacementReference", "RateScheduleData", "green_book_schedule", "placement_reference"]


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


@dataclass(frozen=True, slots=True)
class PlacementReference:
    """The placement types and the SSDA903 PLACE code mapping, and where they come from.

    >>> ref = placement_reference()
    >>> ref.types.keys[:2], ref.mapping.type_of("U4", "PR1"), ref.mapping.type_of("U4", "PR4")
    (('in_house_fostering', 'ifa'), 'in_house_fostering', 'ifa')
    """

    source: str
    types: PlacementTypes
    mapping: PlaceMapping


@cache
def placement_reference() -> PlacementReference:
    """Placement types and PLACE codes (packaged ``placement_types.toml``)."""
    from .model.register import PlaceCode, PlaceMapping, PlacementTypes

    text = resources.files("cypsxl.data").joinpath("placement_types.toml").read_text("utf-8")
    doc = tomllib.loads(text)
    types = PlacementTypes(
        tuple(str(t["key"]) for t in doc["type"]), tuple(str(t["label"]) for t in doc["type"])
    )
    codes = {
        code: PlaceCode(
            code,
            str(entry["label"]),
            str(entry["type"]),
            {k: str(v) for k, v in entry.items() if k not in ("label", "type")},
        )
        for code, entry in doc["place"].items()
    }
    return PlacementReference(str(doc["source"]), types, PlaceMapping(codes))
