"""Creating the demo store in an empty database. Running it again changes nothing."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from makeline.demo import area
from makeline.demo.inventory import ITEMS
from makeline.demo.menu import demo_menu
from makeline.trade.address import street_key
from store_db.models import Customer, CustomerAddress, InventoryItem, ItemUnit, Store, Street
from store_db.services import customers as customer_service
from store_db.services.menu import apply_menu
from store_db.services.staff import add_staff
from store_db.setup import init_store

DEMO_STORE_CODE = "OP-001"
# name, role, PIN — printed in the README.
DEMO_STAFF = [
    ("Dana", "manager", "1234"),
    ("Chris", "shift_lead", "2222"),
    ("Alex", "crew", "3333"),
    ("Jordan", "crew", "4444"),
    ("Sam", "driver", "5101"),
    ("Priya", "driver", "5102"),
    ("Luis", "driver", "5103"),
    ("Keisha", "driver", "5104"),
    ("Tomasz", "driver", "5105"),
    ("Omar", "driver", "5106"),
]


def demo_store_row(at: datetime) -> Store:
    return Store(
        code=DEMO_STORE_CODE,
        name="makeline Oak Park",
        timezone="America/Chicago",
        tax_rate_bp=1025,
        address="1040 W Lake St, Oak Park, IL 60301",
        phone="7085550142",
        lat=area.STORE_LAT,
        lon=area.STORE_LON,
        delivery_radius_km=6.0,
        created_at=at,
    )


def seed_inventory(session: Session) -> None:
    for n, (code, name, storage, base, count_unit, purchase, units, cost, par, daily) in enumerate(ITEMS):
        session.add(
            InventoryItem(
                code=code,
                name=name,
                storage_area=storage,
                shelf_order=n,
                base_unit=base,
                count_unit=count_unit,
                purchase_unit=purchase,
                cost_cents_per_purchase=cost,
                par=Decimal(par),
                daily=daily,
            )
        )
        session.add(ItemUnit(item=code, unit=base, base_qty=Decimal(1)))
        for unit, qty in units.items():
            if unit != base:
                session.add(ItemUnit(item=code, unit=unit, base_qty=Decimal(qty)))
    session.flush()


def seed_area(session: Session, at: datetime) -> None:
    for block in area.streets():
        session.add(
            Street(
                name=block.name,
                key=street_key(block.name),
                city=area.CITY,
                from_number=block.from_number,
                to_number=block.to_number,
                lat1=block.lat1,
                lon1=block.lon1,
                lat2=block.lat2,
                lon2=block.lon2,
            )
        )
    session.flush()
    for demo in area.customers():
        customer = Customer(phone=demo.phone, name=demo.name, notes="", created_at=at)
        session.add(customer)
        session.flush()
        place = customer_service.locate(session, demo.line1)
        session.add(
            CustomerAddress(
                customer_id=customer.id,
                line1=place.line1,
                line2=demo.line2,
                city=place.city,
                lat=place.lat,
                lon=place.lon,
                notes=demo.notes,
                last_used_at=at,
            )
        )
    session.flush()


def seed_demo(session: Session, at: datetime) -> bool:
    """Fill an empty store database with the demo store; False when a store already exists."""
    if session.scalars(select(Store)).first() is not None:
        return False
    session.add(demo_store_row(at))
    session.flush()
    seed_inventory(session)
    apply_menu(session, demo_menu(), "demo", at)
    for name, role, pin in DEMO_STAFF:
        add_staff(session, name, role, pin)
    seed_area(session, at)
    return True


def init_demo_store(path: Path) -> str:
    """Migrate `path` and seed the demo store into it (nothing to do when it holds a store)."""
    return init_store(path, seed=seed_demo)
