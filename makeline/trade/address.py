"""Phone numbers and street addresses as people type them, made comparable.

The store and the cloud find "1234 N Maple Ave" on the same street grid (blocks of
house numbers with their end coordinates), so both put an address at the same spot
and both read a caller's number the same way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from makeline.trade.errors import AddressNotFound, InvalidPhone

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


def phone_digits(raw: str) -> str:
    """Ten digits (North American numbers); a leading 1 is dropped."""
    digits = re.sub(r"\D", "", raw or "")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10 or (raw or "").strip().lstrip("+()-. 0123456789") or digits[0] in "01":
        raise InvalidPhone(
            f"'{raw}' is not a phone number we can call back; enter 10 digits, e.g. 312-555-0142."
        )
    return digits


def format_phone(digits: str) -> str:
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}" if len(digits) == 10 else digits


def street_key(name: str) -> str:
    """ "N. Maple Avenue" and "n maple ave" are one street."""
    words = re.sub(r"[^a-z0-9 ]", " ", name.lower()).split()
    return " ".join(_SUFFIXES.get(w, w) for w in words)


def house_and_street(line1: str) -> tuple[int, str]:
    match = re.match(r"^\s*(\d{1,7})\s+(.+?)\s*$", line1 or "")
    if not match:
        raise AddressNotFound(f"'{line1}' needs a house number and a street, e.g. 1234 N Maple Ave.")
    return int(match.group(1)), match.group(2)


class Block(Protocol):
    """A run of house numbers on one street, with the coordinates of its two ends."""

    @property
    def name(self) -> str: ...
    @property
    def city(self) -> str: ...
    @property
    def from_number(self) -> int: ...
    @property
    def to_number(self) -> int: ...
    @property
    def lat1(self) -> float: ...
    @property
    def lon1(self) -> float: ...
    @property
    def lat2(self) -> float: ...
    @property
    def lon2(self) -> float: ...


@dataclass(frozen=True)
class Located:
    line1: str
    city: str
    lat: float
    lon: float


def place_on_blocks(number: int, street: str, blocks: Sequence[Block], where: str) -> Located:
    """Interpolate house `number` along the block of `street` (the blocks found under its key)
    that holds it; `where` names the area searched in the message ("this store's area")."""
    if not blocks:
        raise AddressNotFound(f"We cannot find the street '{street}' {where}; check the spelling.")
    block = next((b for b in blocks if b.from_number <= number <= b.to_number), None)
    if block is None:
        low = min(b.from_number for b in blocks)
        high = max(b.to_number for b in blocks)
        raise AddressNotFound(f"{blocks[0].name} runs from {low} to {high}; there is no number {number}.")
    t = (number - block.from_number) / max(block.to_number - block.from_number, 1)
    return Located(
        line1=f"{number} {block.name}",
        city=block.city,
        lat=block.lat1 + (block.lat2 - block.lat1) * t,
        lon=block.lon1 + (block.lon2 - block.lon1) * t,
    )
