"""Customers by phone number, their addresses, and where an address is.

An address the store cannot use gets a hint from its own street list: a street
it does not know is answered with the names spelled most like it, one outside the
delivery area with the streets spelled like it that run through the area, and
which house numbers of them do.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from difflib import SequenceMatcher
from typing import Any, NamedTuple, cast

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from makeline.trade.address import (
    Located,
    house_and_street,
    phone_digits,
    place_on_blocks,
    street_key,
)
from makeline.trade.geo import distance_km
from store_db.errors import AddressNotFound, BadInput, OutsideDeliveryArea
from store_db.kept import STREETS, kept
from store_db.models import Customer, CustomerAddress, Street, new_id
from store_db.services import rows
from store_db.services.store_settings import AnyStore


def normalize_phone(raw: str) -> str:
    """Ten digits (North American numbers); a leading 1 is dropped."""
    return phone_digits(raw)


ALIKE = 0.6  # how alike two street keys must be to be offered as a spelling
HINTS = 3
_SAMPLES = 64  # points along a block where the delivery area is checked


def locate(session: Session, line1: str) -> Located:
    """Find "1234 N Maple Ave" on the store's street list and interpolate its coordinates."""
    number, street = house_and_street(line1)
    blocks = _blocks(session, street_key(street))
    if not blocks:
        names = [name for _, name in _alike(session, street)[:HINTS]]
        maybe = f" Did you mean {_either(names)}?" if names else ""
        raise AddressNotFound(
            f"We cannot find the street '{street}' in this store's area; check the spelling.{maybe}"
        )
    return place_on_blocks(number, street, blocks, "in this store's area")


class StreetBlock(NamedTuple):
    """A block of the street list as an address is placed on it (`Block`): a tuple, whose
    fields are read in C, not an ORM row's instrumented attributes."""

    name: str
    city: str
    from_number: int
    to_number: int
    lat1: float
    lon1: float
    lat2: float
    lon2: float


_BLOCKS = f"SELECT {', '.join(StreetBlock._fields)} FROM street WHERE key = ? ORDER BY id"  # plain columns


def _blocks(session: Session, key: str) -> list[StreetBlock]:
    """The blocks of the street with this key; in a write transaction of a `StoreDB`, as its
    connection keeps them until the street list is written (`store_db.kept`)."""
    keeping = kept(session)
    held = None if keeping is None else keeping.values.get(STREETS)
    if isinstance(held, dict) and key in held:
        return cast(list[StreetBlock], held[key])
    blocks = list(map(StreetBlock._make, rows.connection(session).execute(_BLOCKS, (key,))))
    if keeping is not None and blocks:  # a street not found is looked for again
        keeping.values[STREETS] = {**(held if isinstance(held, dict) else {}), key: blocks}
    return blocks


def _either(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _core(name: str) -> str:
    """A street's name as spelled, without its direction: 'N Harlem Ave' -> 'harlem ave'."""
    head, _, rest = name.lower().strip().partition(" ")
    return rest if head in ("n", "s", "e", "w", "north", "south", "east", "west") and rest else name.lower()


def _alike(session: Session, street: str) -> list[tuple[str, str]]:
    """(key, name) of the known streets spelled most like `street`, most alike first."""
    key = street_key(street)
    known = session.execute(select(Street.key, Street.name).distinct()).all()
    scored = sorted(
        ((SequenceMatcher(None, _core(street), _core(n)).ratio() + (k == key), k, n) for k, n in known),
        key=lambda x: (-x[0], x[2]),
    )
    seen: set[str] = set()
    found = []
    for ratio, k, name in scored:
        if ratio >= ALIKE and k not in seen:
            seen.add(k)
            found.append((k, name))
    return found


def _numbers_in_area(store: AnyStore, blocks: Sequence[Street]) -> tuple[int, int] | None:
    """The lowest and highest house numbers of these blocks inside the delivery area, about."""
    inside = []
    for b in blocks:
        for i in range(_SAMPLES + 1):
            t = i / _SAMPLES
            lat, lon = b.lat1 + (b.lat2 - b.lat1) * t, b.lon1 + (b.lon2 - b.lon1) * t
            if distance_km(store.lat, store.lon, lat, lon) <= store.delivery_radius_km:
                inside.append(int(b.from_number + (b.to_number - b.from_number) * t))
    return (min(inside), max(inside)) if inside else None


def in_area_hint(session: Session, store: AnyStore, label: str) -> str:
    """Streets spelled like the one in `label` that run through the delivery area, with the
    house numbers that do: what the caller may have meant. Empty when there are none."""
    try:
        _, street = house_and_street(label)
    except AddressNotFound:
        return ""
    found = []
    for key, name in _alike(session, street):
        blocks = session.scalars(select(Street).where(Street.key == key)).all()
        numbers = _numbers_in_area(store, blocks)
        if numbers is not None:
            found.append(f"{name} {numbers[0]}-{numbers[1]}")
        if len(found) == HINTS:
            break
    return f" In the area: {', '.join(found)}; check the number and the spelling." if found else ""


def check_delivery_area(
    store: AnyStore, lat: float, lon: float, label: str, session: Session | None = None
) -> float:
    """Distance in km, or `OutsideDeliveryArea` when the store does not deliver there (with a
    hint from the store's street list when `session` is given)."""
    km = distance_km(store.lat, store.lon, lat, lon)
    if km > store.delivery_radius_km:
        hint = in_area_hint(session, store, label) if session is not None else ""
        raise OutsideDeliveryArea(
            f"{label} is {km:.1f} km from {store.name}; this store delivers within "
            f"{store.delivery_radius_km:g} km.{hint} Otherwise offer carryout, or send the caller "
            "to the nearer store."
        )
    return km


def find_customer(session: Session, phone: str) -> Customer | None:
    digits = normalize_phone(phone)
    return session.scalars(
        select(Customer).where(Customer.phone == digits).options(selectinload(Customer.addresses))
    ).one_or_none()


_BY_PHONE = "SELECT id, name, notes FROM customer WHERE phone = ?"
# The caller and the saved address at `line1` in one look-up (the counter's delivery).
_BY_PHONE_AT = """
SELECT c.id, c.name, c.notes, a.id, a.line2, a.notes FROM customer c
LEFT JOIN customer_address a ON a.customer_id = c.id AND a.line1 = ?
WHERE c.phone = ?
"""
_RENAME = "UPDATE customer SET name = ?, notes = ? WHERE id = ?"
_ADDRESS = "SELECT id, line2, notes FROM customer_address WHERE customer_id = ? AND line1 = ?"
_USED = "UPDATE customer_address SET last_used_at = ?, line2 = ?, notes = ? WHERE id = ?"
_CUSTOMER, _SAVED_ADDRESS = rows.Insert(Customer), rows.Insert(CustomerAddress)
_stamp = rows.bind(CustomerAddress.last_used_at)
Found = tuple[Any, ...] | None


def save_customer(
    session: Session, phone: str, name: str, at: datetime, notes: str | None = None
) -> tuple[str, str]:
    """Create the customer, or update the name and notes of the one with this phone; returns
    the customer's id and name."""
    digits = normalize_phone(phone)
    return _saved(session, digits, name, at, notes, rows.fetch_one(session, _BY_PHONE, (digits,)))


def save_caller_at(
    session: Session, phone: str, name: str, place: Located, at: datetime, line2: str = "", notes: str = ""
) -> tuple[str, str, str]:
    """`save_customer` and `remember_address` at once, with one look-up of both: the
    customer's id and name, and the address's notes."""
    digits = normalize_phone(phone)
    found = rows.fetch_one(session, _BY_PHONE_AT, (place.line1, digits))
    customer_id, name = _saved(session, digits, name, at, None, None if found is None else found[:3])
    address = None if found is None or found[3] is None else found[3:]
    return customer_id, name, _remembered(session, customer_id, place, at, line2, notes, address)


def _saved(
    session: Session, digits: str, name: str, at: datetime, notes: str | None, found: Found
) -> tuple[str, str]:
    name = name.strip()
    if found is None:
        if not name:
            raise BadInput("A new customer needs a name; ask the caller for one.")
        customer_id = new_id()
        row = {"id": customer_id, "phone": digits, "name": name, "notes": notes or "", "created_at": at}
        _CUSTOMER.run(session, [row])
        return customer_id, name
    customer_id, known_name, known_notes = found
    name, notes = name or known_name, known_notes if notes is None else notes
    if (name, notes) != (known_name, known_notes):
        rows.connection(session).execute(_RENAME, (name, notes, customer_id))
    return customer_id, name


def remember_address(
    session: Session, customer_id: str, place: Located, at: datetime, line2: str = "", notes: str = ""
) -> str:
    """Save the customer's address, or mark the saved one used now (taking a new second line
    and notes); returns the address's notes."""
    found = rows.fetch_one(session, _ADDRESS, (customer_id, place.line1))
    return _remembered(session, customer_id, place, at, line2, notes, found)


def _remembered(
    session: Session, customer_id: str, place: Located, at: datetime, line2: str, notes: str, found: Found
) -> str:
    if found is not None:
        address_id, known_line2, known_notes = found
        notes = notes or known_notes
        rows.connection(session).execute(_USED, (_stamp(at), line2 or known_line2, notes, address_id))
        return str(notes)
    address = {
        "id": new_id(),
        "customer_id": customer_id,
        "line1": place.line1,
        "line2": line2,
        "city": place.city,
        "lat": place.lat,
        "lon": place.lon,
        "notes": notes,
        "last_used_at": at,
    }
    _SAVED_ADDRESS.run(session, [address])
    return notes
