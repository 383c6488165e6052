"""The counter's store work, as plain functions of the `StoreDB` run in worker threads.

Reads go through `store_db.queries`; the one write is `place` (or, above the
store's limits, `place_approved` with a manager's PIN), through the order service,
in one transaction. Each raises the store's `BadInput` (or another
`StoreError`) with a sentence the counter shows as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from makeline.trade.hours import say_time
from makeline.trade.lifecycle import Service
from makeline.trade.limits import OrderLimits
from makeline.trade.menu import Menu, Station
from makeline.trade.pricing import Quote
from store_db.db import StoreDB
from store_db.errors import BadInput, OverLimits
from store_db.models import Order
from store_db.queries import scheduled
from store_db.queries.counter import (
    AddressCheck,
    CustomerCard,
    PromiseQuote,
    check_address,
    customer_card,
    order_limits,
    promise_estimate,
)
from store_db.services import access
from store_db.services.menu import current_menu
from store_db.services.orders import AddressRequest, place_order, quote
from terminal.data.cart import Cart
from terminal.data.formatting import clock
from terminal.data.order_time import later_words, read_order_time
from terminal.errors import TerminalError


@dataclass(frozen=True)
class Priced:
    """A quote and promise for one version of the cart."""

    quote: Quote
    promise: PromiseQuote


@dataclass(frozen=True)
class Placed:
    number: int
    promise: str  # the promise time as said on the phone
    total: int
    change: int  # cash change due, cents
    approved_by: str = ""  # the manager who let it go over the store's limits


@dataclass(frozen=True)
class NeedsApproval:
    """The order is above the store's limits: `reason` names each; a manager's PIN places it."""

    reason: str


def load_menu(db: StoreDB) -> Menu:
    with db.read() as session:
        return current_menu(session)


def load_limits(db: StoreDB) -> OrderLimits:
    with db.read() as session:
        return order_limits(session)


def look_up(db: StoreDB, phone: str) -> CustomerCard | None:
    with db.read() as session:
        return customer_card(session, phone)


def saved_address(card: CustomerCard | None) -> AddressRequest | None:
    """The caller's most recently used address, with its known coordinates."""
    if card is None or not card.addresses:
        return None
    a = card.addresses[0]
    return AddressRequest(line1=a.line1, line2=a.line2, city=a.city, lat=a.lat, lon=a.lon, notes=a.notes)


def check(db: StoreDB, line1: str) -> AddressCheck:
    with db.read() as session:
        return check_address(session, line1)


def price(db: StoreDB, cart: Cart, at: datetime) -> Priced:
    with db.read() as session:
        priced = quote(session, cart.quote_request())
        pizzas = sum(i.quantity for i in priced.items if i.station is Station.MAKELINE)
        where = cart.address if cart.service is Service.DELIVERY else None
        promise = promise_estimate(
            session, pizzas, where is not None, at, where.lat if where else None, where.lon if where else None
        )
    return Priced(priced, promise)


@dataclass(frozen=True)
class LaterRead:
    """The "for later" field read: the time (None: as soon as possible) and what to say."""

    when: datetime | None
    words: str
    refused: bool = False


def check_time(db: StoreDB, typed: str, at: datetime, zone: str) -> LaterRead:
    """The time typed in the "for later" field, if the store takes orders for it; refused
    when it cannot be read or the store is closed then (naming the next opening)."""
    try:
        wanted = read_order_time(typed, at, zone)
        if wanted is not None:
            with db.read() as session:
                wanted = scheduled.check_time(session, wanted, at)
    except (TerminalError, BadInput) as exc:
        return LaterRead(None, str(exc), refused=True)
    return LaterRead(wanted, later_words(wanted, zone, at))


def load_held(db: StoreDB) -> list[scheduled.HeldOrder]:
    with db.read() as session:
        return scheduled.held_orders(session, limit=8)


def place(db: StoreDB, cart: Cart, staff_id: str | None, at: datetime, zone: str) -> Placed | NeedsApproval:
    try:
        return _placed(db.run(place_order, cart.request(staff_id), at), cart, zone)
    except OverLimits as exc:  # nothing was written
        return NeedsApproval(str(exc))


def place_approved(
    db: StoreDB, cart: Cart, staff_id: str | None, who: str, pin: str, at: datetime, zone: str
) -> Placed | access.PinOutcome:
    """Place with a manager's approval; a wrong PIN comes back as the outcome (and counts)."""
    outcome, order = db.run(access.place_with_approval, cart.request(staff_id), who, pin, at, staff_id)
    if order is None:
        return outcome
    return _placed(order, cart, zone, approved_by=outcome.name)


def _placed(order: Order, cart: Cart, zone: str, approved_by: str = "") -> Placed:
    change = cart.cash_given - order.total if cart.tender == "cash" and cart.cash_given is not None else 0
    when = clock(order.promise_at, zone)
    if order.scheduled_for is not None:
        when = f"for later, {say_time(order.scheduled_for, zone, order.placed_at)}"
    return Placed(order.number, when, order.total, change, approved_by)
