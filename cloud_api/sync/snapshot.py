"""The cloud's picture of one store, for rebuilding that store's database on a new computer
(`GET /sync/snapshot`, that store's device): built from the cloud's own tables only.

What the cloud cannot know it does not invent: staff PINs never leave the store, tenders
are the store's own, and a ticket's paper is the kitchen's. Open orders are the ones the
store took (it told the cloud with `order.placed`); online orders it had not taken yet
travel as their feed entries, for the restored store to apply as its feed would have.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Session

from cloud_api.errors import NotFound
from cloud_api.models import (
    Account,
    DeliveryRun,
    DriverShift,
    InventoryItem,
    MenuVersion,
    Order,
    OrderLine,
    Store,
    StoreFeedEntry,
    StoreStock,
    StreetBlock,
)
from cloud_api.store_events.service import high_water_mark
from cloud_api.sync import repository
from makeline.trade.business_day import business_date
from makeline.trade.hours import StoreHours
from makeline.trade.lifecycle import Stage
from makeline.trade.limits import OrderLimits
from makeline.trade.menu import Menu
from makeline.trade.pricing import PricedItem
from sync.contract.base import ContractError
from sync.contract.entries import OnlineOrder, parse_entry
from sync.contract.envelope import FeedEntry
from sync.contract.snapshot import (
    SnapshotCustomer,
    SnapshotOrder,
    SnapshotPerson,
    SnapshotRun,
    SnapshotStock,
    SnapshotStore,
    SnapshotStreet,
    StoreSnapshot,
)

log = logging.getLogger(__name__)
OPEN_STAGES = (Stage.PLACED, Stage.MADE, Stage.BAKED, Stage.READY, Stage.OUT_THE_DOOR)
MAX_CUSTOMERS = 100_000
MAX_PENDING = 5000


def _store(store: Store) -> SnapshotStore:
    return SnapshotStore(
        code=store.code,
        name=store.name,
        address=store.address,
        phone=store.phone,
        timezone=store.timezone,
        tax_rate_bp=store.tax_rate_bp,
        lat=store.lat,
        lon=store.lon,
        delivery_radius_km=store.delivery_radius_km,
        day_starts_hour=store.day_starts_hour,
        order_limits=OrderLimits.model_validate(store.order_limits) if store.order_limits else None,
        hours=StoreHours.model_validate(store.hours) if store.hours else None,
    )


def _streets(session: Session, store_id: str) -> list[SnapshotStreet]:
    rows = session.scalars(
        select(StreetBlock).where(StreetBlock.store_id == store_id).order_by(StreetBlock.id).limit(5000)
    )
    return [
        SnapshotStreet(
            name=r.name,
            city=r.city,
            from_number=r.from_number,
            to_number=r.to_number,
            lat1=r.lat1,
            lon1=r.lon1,
            lat2=r.lat2,
            lon2=r.lon2,
        )
        for r in rows
    ]


def _staff(session: Session, store_id: str) -> list[SnapshotPerson]:
    people: dict[str, SnapshotPerson] = {}
    for table in (DriverShift, DeliveryRun):
        for driver_id, name in session.execute(
            select(table.driver_id, table.driver_name).where(table.store_id == store_id).distinct()
        ):
            people[driver_id] = SnapshotPerson(id=driver_id, name=name, role="driver")
    managers = select(Account.id, Account.name).where(
        Account.role == "store_manager", Account.store_id == store_id, Account.deleted_at.is_(None)
    )
    for account_id, name in session.execute(managers):
        people.setdefault(account_id, SnapshotPerson(id=account_id, name=name, role="manager"))
    return sorted(people.values(), key=lambda p: (p.role, p.name))


def _customers(session: Session, store_id: str) -> list[SnapshotCustomer]:
    latest = (
        select(Order.phone, Order.customer_name, Order.address, Order.lat, Order.lon, Order.placed_at)
        .where(Order.store_id == store_id, Order.phone != "")
        .order_by(Order.phone, Order.placed_at.desc())
        .ext(distinct_on(Order.phone))
        .limit(MAX_CUSTOMERS)
    )
    return [
        SnapshotCustomer(
            phone=phone[:20], name=name, address=address, lat=lat, lon=lon, last_order_at=placed_at
        )
        for phone, name, address, lat, lon, placed_at in session.execute(latest)
    ]


def _open_orders(session: Session, store: Store, since: Any) -> list[SnapshotOrder]:
    orders = list(
        session.scalars(
            select(Order)
            .where(
                Order.store_id == store.id,
                Order.store_order_id.is_not(None),
                Order.business_date >= since,
                Order.stage.in_([s.value for s in OPEN_STAGES]),
                Order.voided_at.is_(None),
            )
            .order_by(Order.placed_at)
            .limit(5000)
        )
    )
    lines: dict[str, list[dict[str, Any]]] = {}
    if orders:
        for line in session.scalars(
            select(OrderLine)
            .where(OrderLine.store_id == store.id, OrderLine.order_id.in_([o.id for o in orders]))
            .order_by(OrderLine.order_id, OrderLine.line_no)
        ):
            lines.setdefault(line.order_id, []).append(line.item)
    found = []
    for o in orders:
        try:
            found.append(_order(o, [PricedItem.model_validate(i) for i in lines.get(o.id, [])]))
        except ValidationError as exc:  # never one odd row in the way of the whole store
            fields = sorted({".".join(map(str, e["loc"])) for e in exc.errors()})
            log.warning("store %s: open order %s left out of the snapshot (%s)", store.code, o.id, fields)
    return found


def _order(o: Order, items: list[PricedItem]) -> SnapshotOrder:
    return SnapshotOrder(
        id=o.store_order_id or o.id,
        cloud_order_id=o.id if o.id != o.store_order_id else None,
        number=o.number or 0,
        business_date=o.business_date,
        channel=o.channel,
        service=o.service,
        stage=o.stage,
        customer_name=o.customer_name,
        phone=o.phone,
        address=o.address,
        lat=o.lat,
        lon=o.lon,
        notes=o.notes,
        menu_version=o.menu_version,
        coupon=o.coupon,
        subtotal=o.subtotal,
        discount=o.discount,
        tax=o.tax,
        tip=o.tip,
        total=o.total,
        payment=o.payment,
        promise_at=o.promise_at,
        placed_at=o.placed_at,
        made_at=o.made_at,
        baked_at=o.baked_at,
        ready_at=o.ready_at,
        out_the_door_at=o.out_the_door_at,
        eta_at=o.eta_at,
        scheduled_for=o.scheduled_for,
        fired_at=o.fired_at,
        items=items,
    )


def _day_numbers(session: Session, store_id: str, since: Any) -> dict[Any, int]:
    rows = session.execute(
        select(Order.business_date, func.max(Order.number))
        .where(Order.store_id == store_id, Order.business_date >= since, Order.number.is_not(None))
        .group_by(Order.business_date)
    )
    return {day: int(number) for day, number in rows if number is not None}


def _runs(session: Session, store_id: str, orders: list[SnapshotOrder]) -> list[SnapshotRun]:
    by_cloud_id = {o.cloud_order_id or o.id: o for o in orders}
    runs = session.scalars(
        select(DeliveryRun)
        .where(DeliveryRun.store_id == store_id, DeliveryRun.status == "out")
        .order_by(DeliveryRun.dispatched_at)
    )
    found = []
    for run in runs:
        stops = sorted(
            (
                o
                for o in session.scalars(
                    select(Order).where(Order.store_id == store_id, Order.run_id == run.id)
                )
                if o.id in by_cloud_id
            ),
            key=lambda o: (o.eta_at is None, o.eta_at, o.number or 0),
        )
        if stops:
            found.append(
                SnapshotRun(
                    id=run.id,
                    driver_id=run.driver_id,
                    driver_name=run.driver_name,
                    dispatched_at=run.dispatched_at,
                    order_ids=[by_cloud_id[o.id].id for o in stops],
                )
            )
    return found


def _stock(session: Session, store_id: str, menu: Menu | None) -> list[SnapshotStock]:
    stocked = session.execute(
        select(StoreStock, InventoryItem)
        .join(InventoryItem, InventoryItem.code == StoreStock.code)
        .where(StoreStock.store_id == store_id)
        .order_by(StoreStock.code)
    )
    found: dict[str, SnapshotStock] = {}
    for row, item in stocked:
        base = row.base_unit or item.unit
        found[row.code] = SnapshotStock(
            code=row.code,
            name=item.name,
            base_unit=base,
            count_unit=row.count_unit or base,
            count_size=row.count_size if row.count_size > 0 else Decimal(1),
            purchase_size=row.purchase_size if row.purchase_size > 0 else Decimal(1),
            cost_cents_per_purchase=row.cost_cents_per_purchase or 0,
            par=max(item.par, Decimal(0)),
            on_hand=row.on_hand,
        )
    needed = sorted((menu.inventory_items() if menu else set()) - set(found))
    if needed:  # on the menu, never reported by this store: the catalog's terms, none on hand
        for item in session.scalars(select(InventoryItem).where(InventoryItem.code.in_(needed))):
            found[item.code] = SnapshotStock(
                code=item.code,
                name=item.name,
                base_unit=item.unit,
                count_unit=item.unit,
                count_size=Decimal(1),
                purchase_size=Decimal(1),
                cost_cents_per_purchase=max(item.cost_cents, 0),
                par=max(item.par, Decimal(0)),
                on_hand=Decimal(0),
            )
    return [found[code] for code in sorted(found)]


def _pending(session: Session, store_id: str, since: Any, head: int) -> list[FeedEntry]:
    """Feed entries (up to the feed's `head`) the restored store applies as its feed would:
    head office's `store.settings` changes in order (the store's own settings, such as its
    make-time target, live nowhere else in the cloud), and the `order.online` entries of
    orders the cloud holds for the store that the store never took (no `order.placed` came
    back) and that are still to be made. Entries past `head` the agent pulls as usual."""
    untaken: dict[str, datetime] = {
        order_id: placed
        for order_id, placed in session.execute(
            select(Order.id, Order.placed_at).where(
                Order.store_id == store_id,
                Order.store_order_id.is_(None),
                Order.channel == "online",
                Order.business_date >= since,
                Order.stage == Stage.PLACED.value,
                Order.voided_at.is_(None),
            )
        )
    }
    rows: list[StoreFeedEntry] = []
    if untaken:
        # An order's entry is written in the order's own transaction: none is much older than it.
        candidates = session.scalars(
            select(StoreFeedEntry)
            .where(
                StoreFeedEntry.store_id == store_id,
                StoreFeedEntry.kind == "order.online",
                StoreFeedEntry.cursor <= head,
                StoreFeedEntry.created_at >= min(untaken.values()) - timedelta(hours=1),
            )
            .order_by(StoreFeedEntry.cursor)
        )
        for entry in candidates:
            try:
                body = parse_entry(entry.kind, entry.payload)
            except ContractError as exc:  # the store would set it aside too
                log.warning("snapshot for store %s skips feed entry %s: %s", store_id, entry.cursor, exc)
                continue
            if isinstance(body, OnlineOrder) and body.cloud_order_id in untaken:
                rows.append(entry)
                if len(rows) == MAX_PENDING // 2:
                    break
    settings = session.scalars(
        select(StoreFeedEntry)
        .where(
            StoreFeedEntry.store_id == store_id,
            StoreFeedEntry.kind == "store.settings",
            StoreFeedEntry.cursor <= head,
        )
        .order_by(StoreFeedEntry.cursor.desc())
        .limit(MAX_PENDING // 2)
    )
    found = sorted([*rows, *settings], key=lambda r: r.cursor)
    return [
        FeedEntry(cursor=r.cursor, kind=r.kind, payload=r.payload, created_at=r.created_at) for r in found
    ]


def build(session: Session, store_id: str, now: datetime) -> StoreSnapshot:
    """The store as the cloud knows it now. Today's orders are those of the store's business
    day and the one before (an order placed before the day's boundary can still be open)."""
    # The feed's head first: whatever commits after it reaches the store through its feed.
    head = repository.feed_head(session, store_id)
    store = session.get(Store, store_id)
    if store is None:
        raise NotFound("This store is not in the cloud any more.", "store_id")
    since = business_date(now, store.timezone, store.day_starts_hour) - timedelta(days=1)
    menu_row = session.get(MenuVersion, store.menu_version) if store.menu_version is not None else None
    menu = Menu.model_validate(menu_row.document) if menu_row is not None else None
    orders = _open_orders(session, store, since)
    return StoreSnapshot(
        store_id=store.id,
        taken_at=now,
        store=_store(store),
        streets=_streets(session, store.id),
        menu=menu,
        staff=_staff(session, store.id),
        customers=_customers(session, store.id),
        orders=orders,
        day_numbers=_day_numbers(session, store.id, since),
        runs=_runs(session, store.id, orders),
        stock=_stock(session, store.id, menu),
        pending=_pending(session, store.id, since, head),
        events_high_water=high_water_mark(session, store.id),
        feed_high_water=head,
    )
