"""Rebuilding a store's database from the cloud's snapshot (`makeline restore`), in one
transaction on a fresh file (`store_db.restore.restore_store` makes the file).

What the cloud knew comes back: the store's settings and streets, its items and the stock
on hand (a count as of the snapshot), its menu, the people it knew (drivers and managers,
without PINs: those never leave a store), customers, today's open orders in their stages,
the drivers' open runs, head office's settings changes (the store's own settings, such as
its make-time target, are kept nowhere else in the cloud), and the online orders the store
had not taken yet (applied as its feed would, so they are on the make line). Both ledgers pick up where the cloud stands: the
store's first event (`store.restored`) is numbered right after the last one the cloud
holds, and the feed cursor is the cloud's feed head, so nothing is replayed as new.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from makeline.trade.address import street_key
from store_db.errors import BadInput
from store_db.models import (
    Customer,
    CustomerAddress,
    InventoryItem,
    ItemUnit,
    OutboxEvent,
    Staff,
    StockCount,
    StockCountLine,
    Store,
    Street,
    new_id,
)
from store_db.services import feed, staff
from store_db.services.enrollment import enroll
from store_db.services.menu import apply_menu
from store_db.services.restore_orders import write_orders, write_runs
from sync.contract.events import StoreRestored
from sync.contract.snapshot import SnapshotCustomer, SnapshotStock, SnapshotStore, StoreSnapshot

RESTORED = "restore"  # the source of the stock count that carries the cloud's figures
STORAGE_AREA = "dry"  # the cloud does not know where an item is kept: the count sheet shows it here


@dataclass(frozen=True)
class Manager:
    """A manager who can sign in on the restored store (PINs are not in the cloud)."""

    name: str
    pin: str


@dataclass(frozen=True)
class Restored:
    store_code: str
    store_name: str
    orders: int
    runs: int
    customers: int
    staff: int
    items: int
    taken_online: int  # online orders the store had not taken: applied now, tickets queued
    first_seq: int
    feed_cursor: int


def _no_pin() -> str:
    """A PIN hash nobody knows: the person exists (their runs, their orders) until a
    manager gives them a PIN."""
    return staff.hash_pin(f"{secrets.randbelow(10**8):08d}")


def _head_office_settings(store: Store, s: SnapshotStore) -> None:
    store.name, store.address, store.phone = s.name, s.address, s.phone
    store.tax_rate_bp, store.delivery_radius_km = s.tax_rate_bp, s.delivery_radius_km
    store.day_starts_hour = s.day_starts_hour
    store.order_limits = s.order_limits.model_dump() if s.order_limits else None
    store.hours = s.hours.model_dump(mode="json") if s.hours else None


def _store(session: Session, snapshot: StoreSnapshot, at: datetime) -> Store:
    s = snapshot.store
    store = Store(id=snapshot.store_id, code=s.code, timezone=s.timezone, lat=s.lat, lon=s.lon, created_at=at)
    _head_office_settings(store, s)
    session.add(store)
    session.add_all(
        Street(
            name=t.name[:80],
            key=street_key(t.name)[:80],
            city=t.city[:60],
            from_number=t.from_number,
            to_number=t.to_number,
            lat1=t.lat1,
            lon1=t.lon1,
            lat2=t.lat2,
            lon2=t.lon2,
        )
        for t in snapshot.streets
    )
    session.flush()
    return store


def _purchase_unit(item: SnapshotStock) -> str:
    if item.purchase_size == 1:
        return item.base_unit
    return item.count_unit if item.purchase_size == item.count_size else "case"


def _items(session: Session, snapshot: StoreSnapshot) -> list[SnapshotStock]:
    """Every item the store had, and any the menu needs that the cloud knew nothing of."""
    stock = list(snapshot.stock)
    known = {i.code for i in stock}
    needed = snapshot.menu.inventory_items() - known if snapshot.menu else set()
    stock += [
        SnapshotStock(
            code=code,
            name=code,
            base_unit="each",
            count_unit="each",
            count_size=Decimal(1),
            purchase_size=Decimal(1),
            on_hand=Decimal(0),
        )
        for code in sorted(needed)
    ]
    for n, item in enumerate(stock, start=1):
        purchase = _purchase_unit(item)
        session.add(
            InventoryItem(
                code=item.code,
                name=item.name[:80],
                storage_area=STORAGE_AREA,
                shelf_order=n,
                base_unit=item.base_unit[:10],
                count_unit=item.count_unit[:10],
                purchase_unit=purchase[:10],
                cost_cents_per_purchase=max(item.cost_cents_per_purchase, 0),
                par=item.par,
                daily=False,
                active=True,
            )
        )
        sizes = {item.base_unit: Decimal(1), item.count_unit: item.count_size, purchase: item.purchase_size}
        session.add_all(ItemUnit(item=item.code, unit=unit[:10], base_qty=qty) for unit, qty in sizes.items())
    session.flush()
    return stock


def _stock_count(session: Session, stock: list[SnapshotStock], at: datetime, taken_at: datetime) -> None:
    """The cloud's figures as a finalised count at the snapshot's moment: on hand from then on."""
    count = StockCount(
        id=new_id(), kind="full", state="finalised", source=RESTORED, started_at=taken_at, finalised_at=at
    )
    session.add(count)
    session.flush()
    session.add_all(
        StockCountLine(
            count_id=count.id,
            item=item.code,
            storage_area=STORAGE_AREA,
            shelf_order=n,
            expected=item.on_hand,
            counted=item.on_hand,
            entry="from the cloud",
            counted_at=taken_at,
            on_hand=item.on_hand,
        )
        for n, item in enumerate(stock, start=1)
    )


def _people(session: Session, snapshot: StoreSnapshot, manager: Manager | None) -> int:
    taken: set[str] = set()
    for person in snapshot.staff:
        name = person.name.strip()[:70] or "(no name)"
        while name.lower() in taken:  # names sign people in: never two alike
            name = f"{name}*"
        taken.add(name.lower())
        session.add(Staff(id=person.id, name=name, role=person.role, pin_hash=_no_pin(), active=True))
    session.flush()
    if manager is not None:
        same = session.scalars(select(Staff).where(Staff.name == manager.name.strip())).first()
        if same is not None:
            same.role, same.pin_hash = "manager", staff.hash_pin(manager.pin)
        else:
            staff.add_staff(session, manager.name, "manager", manager.pin)
    return len(session.scalars(select(Staff.id)).all())


def _address(customer: Customer, c: SnapshotCustomer) -> CustomerAddress | None:
    if not c.address or c.lat is None or c.lon is None:
        return None
    parts = [p.strip() for p in c.address.split(",")]
    return CustomerAddress(
        id=new_id(),
        customer_id=customer.id,
        line1=parts[0][:120],
        line2=", ".join(parts[1:-1])[:120],
        city=parts[-1][:60] if len(parts) > 1 else "",
        lat=c.lat,
        lon=c.lon,
        notes="",
        last_used_at=c.last_order_at,
    )


def _customers(session: Session, snapshot: StoreSnapshot) -> dict[str, Customer]:
    found: dict[str, Customer] = {}
    for c in snapshot.customers:
        if c.phone in found:
            continue
        customer = Customer(
            id=new_id(), phone=c.phone, name=c.name[:80], notes="", created_at=c.last_order_at
        )
        found[c.phone] = customer
        session.add(customer)
        address = _address(customer, c)
        if address is not None:
            session.add(address)
    session.flush()
    return found


def restore(
    session: Session,
    snapshot: StoreSnapshot,
    cloud_url: str,
    device_token: str,
    at: datetime,
    *,
    device_label: str = "",
    manager: Manager | None = None,
) -> Restored:
    """Write the snapshot into this empty store database (one transaction: all or nothing)."""
    if session.scalars(select(Store.id)).first() is not None:
        raise BadInput("This store database already holds a store; a restore only fills a new, empty one.")
    store = _store(session, snapshot, at)
    stock = _items(session, snapshot)
    _stock_count(session, stock, at, snapshot.taken_at)
    if snapshot.menu is not None:
        apply_menu(session, snapshot.menu, "cloud", at)
    people = _people(session, snapshot, manager)
    customers = _customers(session, snapshot)
    orders = write_orders(session, store, list(snapshot.orders), dict(snapshot.day_numbers), customers)
    etas = {o.id: o.eta_at for o in snapshot.orders}
    runs = write_runs(session, list(snapshot.runs), {o.id: o for o in orders}, etas, _no_pin())
    state = enroll(session, cloud_url, device_token, at)
    # The store's first event follows the last one the cloud holds, so the cloud takes the
    # next events as new (not as duplicates, not after a gap); everything before is acknowledged.
    first_seq = snapshot.events_high_water + 1
    restored = StoreRestored(
        at=at, feed_cursor=snapshot.feed_high_water, orders=len(orders), device_label=device_label[:200]
    )
    session.add(
        OutboxEvent(
            seq=first_seq,
            event_id=new_id(),
            txn=new_id(),
            kind=restored.kind,
            subject=snapshot.store_id,
            payload=restored.payload(),
            created_at=at,
        )
    )
    state.acked_seq = snapshot.events_high_water
    session.flush()
    feed.apply_entries(session, [(e.cursor, e.kind, e.payload) for e in snapshot.pending], at)
    _head_office_settings(store, snapshot.store)  # the cloud's row is where those changes ended
    state.feed_cursor = max(state.feed_cursor, snapshot.feed_high_water)
    taken = sum(1 for e in snapshot.pending if e.kind == "order.online")
    return Restored(
        store_code=store.code,
        store_name=store.name,
        orders=len(orders),
        runs=runs,
        customers=len(customers),
        staff=people,
        items=len(stock),
        taken_online=taken,
        first_seq=first_seq,
        feed_cursor=state.feed_cursor,
    )
