"""Orders placed through the store's real service, and printers set up in a real store file."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from makeline.trade.lifecycle import Channel, Service
from makeline.trade.menu import Amount, Placement, ToppingChoice
from makeline.trade.pricing import ItemRequest
from printers.decode import decode
from store_db.db import StoreDB
from store_db.models import PrintJob, utcnow
from store_db.services.orders import OrderRequest, TenderRequest, place_order

HALF_AND_HALF = ItemRequest(
    product="pepperoni",
    size="lg",
    crust="thin",
    cheese_amount=Amount.EXTRA,
    toppings=[
        ToppingChoice(code="pepperoni", placement=Placement.LEFT),
        ToppingChoice(code="mushrooms", placement=Placement.RIGHT, amount=Amount.EXTRA),
    ],
    notes="well done",
)


def online(*items: ItemRequest, notes: str = "") -> OrderRequest:
    """An online delivery order, paid: the store prints its kitchen ticket only."""
    return OrderRequest(
        channel=Channel.ONLINE,
        service=Service.CARRYOUT,
        items=list(items) or [ItemRequest(product="pepperoni", size="lg")],
        customer_name="Ana Ruiz",
        phone="708-555-0101",
        notes=notes,
        cloud_order_id=None,
        tenders=[TenderRequest(kind="card")],
    )


def walk_in(*items: ItemRequest, cash: int | None = None, notes: str = "") -> OrderRequest:
    """A walk-in carryout: kitchen ticket and receipt. `cash` handed over, else card."""
    tender = TenderRequest(kind="cash", tendered=cash) if cash else TenderRequest(kind="card")
    return OrderRequest(
        channel=Channel.WALK_IN,
        service=Service.CARRYOUT,
        items=list(items) or [ItemRequest(product="pepperoni", size="lg")],
        customer_name="Sam Lee",
        notes=notes,
        tenders=[tender],
    )


def place(db: StoreDB, request: OrderRequest, at: datetime | None = None) -> tuple[str, str]:
    """Place an order in its own transaction; its (id, label)."""
    with db.write() as session:
        order = place_order(session, request, at or utcnow())
        return order.id, order.label


def jobs(db: StoreDB) -> list[PrintJob]:
    with db.read() as session:
        return list(session.scalars(select(PrintJob).order_by(PrintJob.id)))


def count_jobs(db: StoreDB) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(PrintJob)) or 0)


def order_label(job: bytes) -> str:
    return next(t for t in decode(job).texts if t.startswith("#"))
