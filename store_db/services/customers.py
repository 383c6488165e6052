"""Customers by phone number, their addresses, and where an address is."""

from __future__ import annotations

from datetime import datetime

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
from store_db.errors import BadInput, OutsideDeliveryArea
from store_db.models import Customer, CustomerAddress, Store, Street


def normalize_phone(raw: str) -> str:
    """Ten digits (North American numbers); a leading 1 is dropped."""
    return phone_digits(raw)


def locate(session: Session, line1: str) -> Located:
    """Find "1234 N Maple Ave" on the store's street list and interpolate its coordinates."""
    number, street = house_and_street(line1)
    blocks = session.scalars(select(Street).where(Street.key == street_key(street))).all()
    return place_on_blocks(number, street, blocks, "in this store's area")


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
