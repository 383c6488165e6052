"""What the counter reads while taking an order: the caller's card, an address check, a promise.

Nothing here writes: a new customer is saved when the order is placed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from makeline.trade.address import Located
from makeline.trade.lifecycle import Stage
from makeline.trade.limits import OrderLimits
from makeline.trade.menu import Amount, Placement, ToppingChoice
from makeline.trade.pricing import ItemRequest
from makeline.trade.quote import Estimate
from store_db.models import Customer, CustomerAddress, Order, OrderLine, Store
from store_db.services import customers, promise
from store_db.services.orders import store_limits

HISTORY = 5


@dataclass(frozen=True)
class SavedAddress:
    line1: str
    line2: str
    city: str
    lat: float
    lon: float
    notes: str


@dataclass(frozen=True)
class PastOrder:
    number: int
    placed_at: datetime
    service: str
    total: int
    summary: str  # "1 LG Pepperoni Pizza, 1 2 Liter Cola"
    reorder: tuple[ItemRequest, ...]


@dataclass(frozen=True)
class CustomerCard:
    id: str
    phone: str
    name: str
    notes: str
    addresses: tuple[SavedAddress, ...]  # most recently used first
    order_count: int
    history: tuple[PastOrder, ...]  # newest first

    @property
    def last(self) -> PastOrder | None:
        return self.history[0] if self.history else None


def reorder_request(item: dict[str, Any]) -> ItemRequest:
    """The request that makes the same line again, from a priced line's JSON."""
    toppings = [
        ToppingChoice(
            code=str(t["code"]),
            placement=Placement(t.get("placement", "whole")),
            amount=Amount(t.get("amount", "normal")),
        )
        for t in item.get("toppings") or []
    ]
    pizza = item.get("kind") == "pizza"
    return ItemRequest(
        product=str(item["product"]),
        size=str(item["size"]),
        quantity=int(item.get("quantity", 1)),
        crust=item.get("crust") if pizza else None,
        sauce=item.get("sauce") if pizza else None,
        sauce_amount=Amount(item.get("sauce_amount", "normal")),
        cheese=item.get("cheese") if pizza else None,
        cheese_amount=Amount(item.get("cheese_amount", "normal")),
        toppings=toppings if pizza else None,
        notes=str(item.get("notes") or ""),
    )


def _summary(lines: list[OrderLine]) -> str:
    parts = []
    for line in lines:
        size = line.size.upper() if line.kind == "pizza" else str(line.item.get("size_name") or "")
        parts.append(" ".join(x for x in (str(line.quantity), size, line.name) if x))
    return ", ".join(parts)


def customer_card(session: Session, phone: str) -> CustomerCard | None:
    """The caller with this phone number, or None for a new customer.

    Raises `InvalidPhone` for a number nobody could call back.
    """
    digits = customers.normalize_phone(phone)
    customer = session.scalars(select(Customer).where(Customer.phone == digits)).one_or_none()
    if customer is None:
        return None
    addresses = session.scalars(
        select(CustomerAddress)
        .where(CustomerAddress.customer_id == customer.id)
        .order_by(CustomerAddress.last_used_at.desc())
    ).all()
    placed = Order.customer_id == customer.id, Order.stage != Stage.VOIDED.value
    count = session.scalar(select(func.count()).select_from(Order).where(*placed)) or 0
    recent = list(
        session.scalars(select(Order).where(*placed).order_by(Order.placed_at.desc()).limit(HISTORY))
    )
    lines: dict[str, list[OrderLine]] = {}
    if recent:
        for line in session.scalars(
            select(OrderLine)
            .where(OrderLine.order_id.in_([o.id for o in recent]))
            .order_by(OrderLine.line_no)
        ):
            lines.setdefault(line.order_id, []).append(line)
    history = tuple(
        PastOrder(
            number=o.number,
            placed_at=o.placed_at,
            service=o.service,
            total=o.total,
            summary=_summary(lines.get(o.id, [])),
            reorder=tuple(reorder_request(dict(x.item)) for x in lines.get(o.id, [])),
        )
        for o in recent
    )
    return CustomerCard(
        id=customer.id,
        phone=customer.phone,
        name=customer.name,
        notes=customer.notes,
        addresses=tuple(SavedAddress(a.line1, a.line2, a.city, a.lat, a.lon, a.notes) for a in addresses),
        order_count=int(count),
        history=history,
    )


@dataclass(frozen=True)
class AddressCheck:
    line1: str
    city: str
    lat: float
    lon: float
    km: float


def check_address(
    session: Session, line1: str, lat: float | None = None, lon: float | None = None
) -> AddressCheck:
    """Where the address is and how far; `BadInput` / `OutsideDeliveryArea` when we cannot go."""
    store = session.scalars(select(Store)).one()
    if lat is not None and lon is not None:
        place = Located(line1.strip(), "", lat, lon)
    else:
        place = customers.locate(session, line1)
    km = customers.check_delivery_area(store, place.lat, place.lon, place.line1, session)
    return AddressCheck(line1=place.line1, city=place.city, lat=place.lat, lon=place.lon, km=km)


@dataclass(frozen=True)
class PromiseQuote:
    seconds: int
    promise_at: datetime
    pizzas_ahead: int
    drivers_in: int
    drivers_out: int
    estimate: Estimate  # make, oven, wait for a driver, drive
    rack: int = 0  # delivery orders on the rack waiting for a driver


def promise_estimate(
    session: Session,
    pizzas: int,
    delivery: bool,
    at: datetime,
    lat: float | None = None,
    lon: float | None = None,
) -> PromiseQuote:
    """The promise `place_order` would quote now, from the live load."""
    quoted = promise.quote(session, pizzas, delivery, at, lat, lon)
    load = quoted.load
    return PromiseQuote(
        seconds=quoted.estimate.promise_s,
        promise_at=quoted.promise_at,
        pizzas_ahead=load.make_ahead,
        drivers_in=load.drivers_in,
        drivers_out=len(load.drivers) - load.drivers_in,
        estimate=quoted.estimate,
        rack=load.rack,
    )


def order_limits(session: Session) -> OrderLimits:
    """The store's order limits: the counter warns before an order needs a manager's approval."""
    return store_limits(session.scalars(select(Store)).one())
