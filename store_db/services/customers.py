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
from store_db.models import Customer, CustomerAddress, Store, Street


def normalize_phone(raw: str) -> str:
    """Ten digits (North American numbers); a leading 1 is dropped."""
    return phone_digits(raw)


ALIKE = 0.6  # how alike two street keys must be to be offered as a spelling
HINTS = 3
_SAMPLES = 64  # points along a block where the delivery area is checked


def locate(session: Session, line1: str) -> Located:
    """Find "1234 N Maple Ave" on the store's street list and interpolate its coordinates."""
    number, street = house_and_street(line1)
    blocks = session.scalars(select(Street).where(Street.key == street_key(street))).all()
    if not blocks:
        names = [name for _, name in _alike(session, street)[:HINTS]]
        maybe = f" Did you mean {_either(names)}?" if names else ""
        raise AddressNotFound(
            f"We cannot find the street '{street}' in this store's area; check the spelling.{maybe}"
        )
    return place_on_blocks(number, street, blocks, "in this store's area")


def _either(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _core(name: str) -> str:
    """A street's name as spelled, without its direction: 'N Harlem Ave' -> 'harlem ave'."""
    head, _, rest = name.lower().strip().partition(" ")
    return rest if head in ("n", "s", "e", "w", "north", "south", "east", "west") and rest else name.lower()


def _alike(session: Session, street: str) -> list[tuple[str, str]]:
    """(key, name) of the known streets spelled most like `street`, most alike first."""
    key = street_key(street)
    rows = session.execute(select(Street.key, Street.name).distinct()).all()
    scored = sorted(
        ((SequenceMatcher(None, _core(street), _core(n)).ratio() + (k == key), k, n) for k, n in rows),
        key=lambda x: (-x[0], x[2]),
    )
    seen: set[str] = set()
    found = []
    for ratio, k, name in scored:
        if ratio >= ALIKE and k not in seen:
            seen.add(k)
            found.append((k, name))
    return found


def _numbers_in_area(store: Store, blocks: Sequence[Street]) -> tuple[int, int] | None:
    """The lowest and highest house numbers of these blocks inside the delivery area, about."""
    inside = []
    for b in blocks:
        for i in range(_SAMPLES + 1):
            t = i / _SAMPLES
            lat, lon = b.lat1 + (b.lat2 - b.lat1) * t, b.lon1 + (b.lon2 - b.lon1) * t
            if distance_km(store.lat, store.lon, lat, lon) <= store.delivery_radius_km:
                inside.append(int(b.from_number + (b.to_number - b.from_number) * t))
    return (min(inside), max(inside)) if inside else None


def in_area_hint(session: Session, store: Store, label: str) -> str:
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
    store: Store, lat: float, lon: float, label: str, session: Session | None = None
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


def save_customer(
    session: Session, phone: str, name: str, at: datetime, notes: str | None = None
) -> Customer:
    """Create the customer, or update the name and notes of the one with this phone."""
    digits = normalize_phone(phone)
    name = name.strip()
    customer = session.scalars(select(Customer).where(Customer.phone == digits)).one_or_none()
    if customer is None:
        if not name:
            raise BadInput("A new customer needs a name; ask the caller for one.")
        customer = Customer(phone=digits, name=name, notes=notes or "", created_at=at)
        session.add(customer)
    else:
        if name:
            customer.name = name
        if notes is not None:
            customer.notes = notes
    session.flush()
    return customer


def remember_address(
    session: Session, customer: Customer, place: Located, at: datetime, line2: str = "", notes: str = ""
) -> CustomerAddress:
    existing = session.scalars(
        select(CustomerAddress).where(
            CustomerAddress.customer_id == customer.id, CustomerAddress.line1 == place.line1
        )
    ).one_or_none()
    if existing is not None:
        existing.last_used_at = at
        if line2:
            existing.line2 = line2
        if notes:
            existing.notes = notes
        return existing
    address = CustomerAddress(
        customer_id=customer.id,
        line1=place.line1,
        line2=line2,
        city=place.city,
        lat=place.lat,
        lon=place.lon,
        notes=notes,
        last_used_at=at,
    )
    session.add(address)
    session.flush()
    return address
