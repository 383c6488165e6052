"""Seeding the demo chain once: the demo menu, the demo store (the same one
`makeline init-store --demo` creates in a store database), its streets, head office,
a store manager, a few customers, and the catalog of stock items its stores count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from cloud_api.auth.principal import Role
from cloud_api.auth.repository import account_by_email
from cloud_api.auth.service import new_account
from cloud_api.db.base import utcnow
from cloud_api.db.database import Database
from cloud_api.db.migrate import upgrade
from cloud_api.demo import DEMO_PASSWORD, HEAD_OFFICE_EMAIL, MANAGER_EMAIL, STORE_CODE
from cloud_api.inventory.service import catalog_entry, seed_catalog
from cloud_api.inventory.terms import round_cents
from cloud_api.menus.service import publish
from cloud_api.stores import repository as stores
from cloud_api.stores.schemas import StoreDetails, StreetIn
from cloud_api.stores.service import save_store, save_streets
from makeline.demo.area import CITY, STORE_LAT, STORE_LON, customers, streets
from makeline.demo.inventory import ITEMS, Item
from makeline.demo.menu import demo_menu

CUSTOMERS = 5


@dataclass(frozen=True)
class Seeded:
    store_id: str
    created: bool


def demo_customer_email(n: int) -> str:
    return f"customer{n}@makeline.test"


def _catalog_entry(item: Item, at: datetime) -> dict[str, object]:
    """A demo stock item as head office's catalog holds it: counted in its counting unit,
    costed per counting unit."""
    code, name, _, base, count, purchase, sizes, cost_per_purchase, par, _ = item
    size = {base: "1", **sizes}
    per_count = Decimal(cost_per_purchase) * Decimal(size[count]) / Decimal(size[purchase])
    return catalog_entry(code, name, count, round_cents(per_count), Decimal(par), at)


def seed(session: Session, at: datetime) -> Seeded:
    """Create the demo chain unless it is there already (running it again changes nothing)."""
    seed_catalog(session, [_catalog_entry(item, at) for item in ITEMS])
    existing = stores.store_by_code(session, STORE_CODE)
    if existing is not None:
        return Seeded(existing.id, created=False)
    store = save_store(
        session,
        StoreDetails(
            code=STORE_CODE,
            name="makeline Oak Park",
            address=f"1 N Oak Park Ave, {CITY}, IL",
            phone="7085550142",
            timezone="America/Chicago",
            tax_rate_bp=1025,
            lat=STORE_LAT,
            lon=STORE_LON,
            delivery_radius_km=6.0,
            day_starts_hour=4,
        ),
        at,
    )
    save_streets(
        session,
        store.id,
        [
            StreetIn(
                name=b.name,
                city=CITY,
                from_number=b.from_number,
                to_number=b.to_number,
                lat1=b.lat1,
                lon1=b.lon1,
                lat2=b.lat2,
                lon2=b.lon2,
            )
            for b in streets()
        ],
    )
    publish(session, None, demo_menu(), None, at)
    people = [
        (HEAD_OFFICE_EMAIL, "Head Office", "", Role.HEAD_OFFICE, None),
        (MANAGER_EMAIL, "Oak Park Manager", "7085550100", Role.STORE_MANAGER, store.id),
    ]
    people += [
        (demo_customer_email(n), c.name, c.phone, Role.CUSTOMER, None)
        for n, c in enumerate(customers(CUSTOMERS), start=1)
    ]
    for email, name, phone, role, store_id in people:
        if account_by_email(session, email) is None:
            new_account(session, email, DEMO_PASSWORD, name, phone, role, store_id, at)
    return Seeded(store.id, created=True)


def seed_database(url: str) -> Seeded:
    """Migrate the database at `url` to head and seed the demo chain into it: what a benchmark
    starts from."""
    upgrade(url)
    db = Database(url, pool_size=1, max_overflow=0)
    try:
        with db.transaction() as session:
            return seed(session, utcnow())
    finally:
        db.dispose()
