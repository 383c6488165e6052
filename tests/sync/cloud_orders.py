"""Online orders written straight into the cloud's database, in bulk, as its order service
writes them (the order, its lines, the store's feed entry, one transaction each batch):
thousands in a second, where the API would take minutes. The end-to-end test uses the
real API; these feed the fault tests."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from cloud_api.db.base import new_id, utcnow
from cloud_api.db.database import Database
from cloud_api.feed import service as feed
from cloud_api.models import Order, OrderLine
from cloud_api.orders.feed_entry import order_entry
from cloud_api.orders.intake import order_lines
from cloud_api.orders.records import columns
from cloud_api.orders.repository import order_by_id
from makeline.demo.menu import demo_menu
from makeline.trade.business_day import business_date
from makeline.trade.pricing import ItemRequest, price_order
from store_db.db import StoreDB
from store_db.models import Order as StoreOrder
from sync.contract.entries import StoreSettings

TAX_BP = 1025  # the demo store's
PRODUCTS = [("pepperoni", "lg"), ("cheese", "md"), ("supreme", "xl"), ("wings", "8pc"), ("cola", "2l")]


def online_orders(db: Database, store_id: str, count: int, seed: int = 1) -> list[str]:
    """`count` paid carryout orders for `store_id`, each with its `order.online` feed entry."""
    rng = random.Random(seed)
    menu = demo_menu()
    ids: list[str] = []
    with db.transaction() as session:
        for _ in range(count):
            now = utcnow()
            items = [ItemRequest(product=p, size=s) for p, s in rng.sample(PRODUCTS, rng.randint(1, 3))]
            quote = price_order(menu, items, TAX_BP)
            order = Order(
                id=new_id(),
                store_id=store_id,
                business_date=business_date(now, "America/Chicago", 4),
                channel="online",
                service="carryout",
                stage="placed",
                tracked_status="placed",
                customer_name="Web Customer",
                phone="7085550177",
                notes="",
                coupon=None,
                menu_version=menu.version,
                subtotal=quote.subtotal,
                discount=quote.discount,
                tax=quote.tax,
                tip=0,
                total=quote.total,
                payment="paid",
                placed_at=now,
                updated_at=now,
            )
            session.add(order)
            session.add_all(OrderLine(**columns(line)) for line in order_lines(order, quote.items))
            entry = order_entry(order, items, None, paid=True)
            feed.append(session, store_id, entry, now)
            ids.append(order.id)
    return ids


def settings_changes(db: Database, store_id: str, count: int) -> None:
    """`count` `store.settings` entries (the make-time target nudged back and forth)."""
    with db.transaction() as session:
        now = utcnow()
        for n in range(count):
            feed.append(session, store_id, StoreSettings(make_target_s=60 + n % 7), now)


def cancel_requests(db: Database, order_ids: list[str]) -> None:
    """Customers ask to cancel these orders, through the cloud's own cancel service."""
    from cloud_api.auth.principal import Role
    from cloud_api.orders.service import request_cancel

    with db.transaction() as session:
        for order_id in order_ids:
            order = order_by_id(session, order_id, lock=True)
            assert order is not None
            request_cancel(session, order, "changed my mind", Role.CUSTOMER, utcnow())


def register_store_online_orders(db: Database, store_id: str, store_path: Path) -> int:
    """Give the cloud the online orders a simulated store night claims came from it (the
    simulator invents their cloud ids), as the cloud would have taken them before."""
    with StoreDB(store_path) as store, store.read() as session:
        taken = list(session.scalars(select(StoreOrder).where(StoreOrder.cloud_order_id.is_not(None))))
    with db.transaction() as session:
        for o in taken:
            assert o.cloud_order_id is not None
            session.add(
                Order(
                    id=o.cloud_order_id,
                    store_id=store_id,
                    business_date=o.business_date,
                    channel="online",
                    service=o.service,
                    stage="placed",
                    tracked_status="placed",
                    customer_name=o.customer_name,
                    phone=o.phone,
                    address=o.address,
                    menu_version=o.menu_version,
                    coupon=o.coupon,
                    subtotal=o.subtotal,
                    discount=o.discount,
                    tax=o.tax,
                    tip=o.tip,
                    total=o.total,
                    payment="paid",
                    placed_at=o.placed_at - timedelta(seconds=1),
                    updated_at=o.placed_at,
                )
            )
    return len(taken)
