"""The demo store's neighbourhood: a street grid within ~6 km, and 200 customers on it."""

from __future__ import annotations

import random
from dataclasses import dataclass
from math import cos, radians

STORE_LAT, STORE_LON = 41.8850, -87.7845
CITY = "Oak Park"
KM_PER_DEG_LAT = 111.2
KM_PER_DEG_LON = KM_PER_DEG_LAT * cos(radians(STORE_LAT))
# 800 house numbers to the mile, as on a Midwestern grid; numbers count up away from the store.
NUMBERS_PER_KM = 500

NORTH_SOUTH = [
    "Ridgeland Ave",
    "Elmwood Ave",
    "Scoville Ave",
    "Kenilworth Ave",
    "Grove Ave",
    "Euclid Ave",
    "Wesley Ave",
    "Oak Park Ave",
    "East Ave",
    "Clarence Ave",
    "Home Ave",
    "Harlem Ave",
    "Marion St",
    "Forest Ave",
    "Linden Ave",
    "Maple Ave",
    "Clinton Ave",
    "Lombard Ave",
    "Austin Blvd",
    "Lathrop Ave",
    "Thatcher Ave",
    "Ashland Ave",
    "Hannah Ave",
    "Park Ave",
]
EAST_WEST = [
    "Lake St",
    "North Ave",
    "Division St",
    "Chicago Ave",
    "Augusta Blvd",
    "Superior St",
    "Erie St",
    "Ontario St",
    "Ohio St",
    "Washington Blvd",
    "Madison St",
    "Adams St",
    "Jackson Blvd",
    "Van Buren St",
    "Harrison St",
    "Roosevelt Rd",
    "Fillmore St",
    "Greenfield Ave",
    "Randolph St",
    "Pleasant St",
    "Iowa St",
    "Thomas Ave",
    "Berkshire St",
    "Le Moyne Pkwy",
]
SPACING_KM = 0.5
HALF_SPAN_KM = 6.5


@dataclass(frozen=True)
class StreetBlock:
    name: str
    from_number: int
    to_number: int
    lat1: float
    lon1: float
    lat2: float
    lon2: float


def _offset(north_km: float, east_km: float) -> tuple[float, float]:
    return STORE_LAT + north_km / KM_PER_DEG_LAT, STORE_LON + east_km / KM_PER_DEG_LON


def streets() -> list[StreetBlock]:
    """Each street in two ranges, numbered from the store outwards (N 1-… and S 1-…, say)."""
    blocks: list[StreetBlock] = []
    top = int(HALF_SPAN_KM * NUMBERS_PER_KM)
    for i, name in enumerate(NORTH_SOUTH):
        east = (i - len(NORTH_SOUTH) / 2 + 0.5) * SPACING_KM
        for prefix, sign in (("N", 1), ("S", -1)):
            a, b = _offset(0, east), _offset(sign * HALF_SPAN_KM, east)
            blocks.append(StreetBlock(f"{prefix} {name}", 1, top, a[0], a[1], b[0], b[1]))
    for i, name in enumerate(EAST_WEST):
        north = (i - len(EAST_WEST) / 2 + 0.5) * SPACING_KM
        for prefix, sign in (("E", 1), ("W", -1)):
            a, b = _offset(north, 0), _offset(north, sign * HALF_SPAN_KM)
            blocks.append(StreetBlock(f"{prefix} {name}", 1, top, a[0], a[1], b[0], b[1]))
    return blocks


FIRST = [
    "James",
    "Maria",
    "Robert",
    "Linda",
    "Michael",
    "Patricia",
    "David",
    "Jennifer",
    "Carlos",
    "Aisha",
    "Kevin",
    "Sofia",
    "Tyrone",
    "Emily",
    "Wei",
    "Fatima",
    "Brian",
    "Ana",
    "Daniel",
    "Grace",
    "Luis",
    "Hannah",
    "Omar",
    "Megan",
    "Raj",
    "Chloe",
    "Marcus",
    "Olivia",
    "Tomasz",
    "Keisha",
    "Ethan",
    "Priya",
    "Jamal",
    "Sarah",
    "Diego",
    "Nicole",
]
LAST = [
    "Johnson",
    "Garcia",
    "Kowalski",
    "Nguyen",
    "Smith",
    "Patel",
    "Williams",
    "O'Brien",
    "Martinez",
    "Brown",
    "Kim",
    "Lopez",
    "Anderson",
    "Jackson",
    "Novak",
    "Rossi",
    "Davis",
    "Hernandez",
    "Murphy",
    "Washington",
    "Chen",
    "Wilson",
    "Nowak",
    "Thompson",
]
NOTES = [
    "",
    "",
    "",
    "",
    "Side door, ring twice",
    "Gate code 4417",
    "Leave at front desk",
    "Dog in yard, call on arrival",
    "Apartment in back",
    "Extra napkins please",
]


@dataclass(frozen=True)
class DemoCustomer:
    phone: str
    name: str
    line1: str
    line2: str
    notes: str


def customers(count: int = 220, seed: int = 1042) -> list[DemoCustomer]:
    rng = random.Random(seed)
    blocks = streets()
    found: list[DemoCustomer] = []
    phones: set[str] = set()
    while len(found) < count:
        block = rng.choice(blocks)
        number = rng.randint(100, int(5.8 * NUMBERS_PER_KM))
        t = number / block.to_number
        north = (block.lat1 + (block.lat2 - block.lat1) * t - STORE_LAT) * KM_PER_DEG_LAT
        east = (block.lon1 + (block.lon2 - block.lon1) * t - STORE_LON) * KM_PER_DEG_LON
        if (north**2 + east**2) ** 0.5 > 5.9:
            continue
        phone = f"708{rng.randint(2000000, 9999999)}"
        if phone in phones:
            continue
        phones.add(phone)
        line2 = f"Apt {rng.randint(1, 4)}{rng.choice('ABCD')}" if rng.random() < 0.2 else ""
        found.append(
            DemoCustomer(
                phone,
                f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                f"{number} {block.name}",
                line2,
                rng.choice(NOTES),
            )
        )
    return found
