"""Customers by phone number, their addresses, and where an address is."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from store_db.errors import BadInput, InvalidPhone, OutsideDeliveryArea
from store_db.geo import distance_km
from store_db.models import Customer, CustomerAddress, Store, Street

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


def normalize_phone(raw: str) -> str:
    """Ten digits (North American numbers); a leading 1 is dropped."""
    digits = re.sub(r"\D", "", raw or "")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10 or raw.strip().lstrip("+()- 0123456789") or digits[0] in "01":
        raise InvalidPhone(
            f"'{raw}' is not a phone number we can call back; enter 10 digits, e.g. 312-555-0142."
        )
    return digits


def format_phone(digits: str) -> str:
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}" if len(digits) == 10 else digits


def street_key(name: str) -> str:
    words = re.sub(r"[^a-z0-9 ]", " ", name.lower()).split()
    return " ".join(_SUFFIXES.get(w, w) for w in words)


@dataclass(frozen=True)
class Located:
    line1: str
    city: str
    lat: float
    lon: float


def locate(session: Session, line1: str) -> Located:
    """Find "1234 N Maple Ave" on the store's street list and interpolate its coordinates."""
    match = re.match(r"^\s*(\d+)\s+(.+?)\s*$", line1 or "")
    if not match:
        raise BadInput(f"'{line1}' needs a house number and a street, e.g. 1234 N Maple Ave.")
    number, street = int(match.group(1)), match.group(2)
    key = street_key(street)
    blocks = session.scalars(select(Street).where(Street.key == key)).all()
    if not blocks:
        raise BadInput(f"We cannot find the street '{street}' in this store's area; check the spelling.")
    block = next((b for b in blocks if b.from_number <= number <= b.to_number), None)
    if block is None:
        low = min(b.from_number for b in blocks)
        high = max(b.to_number for b in blocks)
        raise BadInput(f"{blocks[0].name} runs from {low} to {high}; there is no number {number}.")
    span = max(block.to_number - block.from_number, 1)
    t = (number - block.from_number) / span
    return Located(
        line1=f"{number} {block.name}",
        city=block.city,
        lat=block.lat1 + (block.lat2 - block.lat1) * t,
        lon=block.lon1 + (block.lon2 - block.lon1) * t,
    )


def check_delivery_area(store: Store, lat: float, lon: float, label: str) -> float:
    """Distance in km, or `OutsideDeliveryArea` when the store does not deliver there."""
    km = distance_km(store.lat, store.lon, lat, lon)
    if km > store.delivery_radius_km:
        raise OutsideDeliveryArea(
            f"{label} is {km:.1f} km from {store.name}; this store delivers within "
            f"{store.delivery_radius_km:g} km. Offer carryout, or send the caller to the nearer store."
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
