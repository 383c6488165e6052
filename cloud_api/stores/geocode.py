"""Where an address is: "1234 N Maple Ave" found on the streets the stores sent when they enrolled.

The same street grid the stores use, so the cloud and the store put an address
at the same spot. A client that knows the coordinates may send them instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from cloud_api.errors import BadRequest
from cloud_api.stores import repository

_SUFFIXES = {
    "avenue": "ave",
    "av": "ave",
    "street": "st",
    "str": "st",
    "road": "rd",
    "boulevard": "blvd",
    "drive": "dr",
    "lane": "ln",
    "court": "ct",
    "place": "pl",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "parkway": "pkwy",
}


def street_key(name: str) -> str:
    words = re.sub(r"[^a-z0-9 ]", " ", name.lower()).split()
    return " ".join(_SUFFIXES.get(w, w) for w in words)


@dataclass(frozen=True)
class Located:
    line1: str
    city: str
    lat: float
    lon: float


def locate(session: Session, line1: str, field: str = "address.line1") -> Located:
    match = re.match(r"^\s*(\d+)\s+(.+?)\s*$", line1 or "")
    if not match:
        raise BadRequest(f"'{line1}' needs a house number and a street, e.g. 1234 N Maple Ave.", field)
    number, street = int(match.group(1)), match.group(2)
    blocks = repository.blocks_by_key(session, street_key(street))
    if not blocks:
        raise BadRequest(
            f"We cannot find the street '{street}' near any of our stores; check the spelling.", field
        )
    block = next((b for b in blocks if b.from_number <= number <= b.to_number), None)
    if block is None:
        low = min(b.from_number for b in blocks)
        high = max(b.to_number for b in blocks)
        raise BadRequest(f"{blocks[0].name} runs from {low} to {high}; there is no number {number}.", field)
    t = (number - block.from_number) / max(block.to_number - block.from_number, 1)
    return Located(
        line1=f"{number} {block.name}",
        city=block.city,
        lat=block.lat1 + (block.lat2 - block.lat1) * t,
        lon=block.lon1 + (block.lon2 - block.lon1) * t,
    )
