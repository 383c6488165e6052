"""A real store file where every text a person or head office typed is hostile: markup that
would crash a screen (`Mallory [/x]`), markup that would be an action (`[@click=app.quit]`),
and bytes that would drive the terminal (ESC sequences, BEL, CR, NUL, a bidi override).

One order sits in each stage a store has (placed, made, baked, ready for carryout and for
delivery, out the door, delivered; the store has no scheduled orders), the menu's product,
topping, crust and coupon names come from a hostile head office through the menu service,
and a hostile manager and driver work the shift.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from pydantic import BaseModel
from sqlalchemy import select, update

from makeline.trade.lifecycle import Channel, Service, Stage
from makeline.trade.menu import Menu, Placement, ToppingChoice
from makeline.trade.pricing import ItemRequest
from store_db.db import StoreDB
from store_db.models import Store
from store_db.services import customers, drivers, kitchen, lifecycle, runs
from store_db.services.dispatch import send
from store_db.services.menu import apply_menu, current_menu
from store_db.services.orders import AddressRequest, OrderRequest, TenderRequest, place_order
from store_db.services.staff import add_staff
from tests.dispatch.store_orders import KM_LAT
from tests.terminal.conftest import FRIDAY

M = TypeVar("M", bound=BaseModel)
TAIL = " \x1b[2J\x1b]0;pwned\x07\r\x00\u202e"


def hostile(word: str, tag: str) -> str:
    """`word`, then a closing tag nothing opened, a click action, and terminal commands."""
    return f"{word} [/{tag}] [@click=app.quit]{word}[/]{TAIL}{word}"


SYMBOLS = {"\x1b": "\u241b", "\x07": "\u2407", "\r": "\u240d", "\x00": "\u2400", "\u202e": "\ufffd"}


def whole(value: str) -> str:
    """How `value` must read on screen: every character as typed, ESC as ␛, BEL as ␇, CR as ␍,
    NUL as ␀ and the right-to-left override as �."""
    return "".join(SYMBOLS.get(ch, ch) for ch in value)


CUSTOMER = hostile("Mallory", "x")
ADDRESS = hostile("12 Apt", "y")
GATE = hostile("Gate", "g")
DOORBELL = hostile("Doorbell", "d")
REGULAR = hostile("Regular", "r")
ORDER_NOTE = hostile("Ring", "o")
ITEM_NOTE = hostile("Extra", "n")
MANAGER = hostile("Boss", "b")
DRIVER = hostile("Rider", "v")
STORE = hostile("Oak", "s")
WALK_IN = "[/z]\x1b[2J\u202eLo bo"  # the lobby board shows a first word: this one is hostile
PHONE = "7085550666"
MANAGER_PIN = "4321"
DRIVER_PIN = "4322"


def menu_name(name: str) -> str:
    return hostile(name, "m")


@dataclass(frozen=True)
class HostileStore:
    placed: str
    made: str
    baked: str
    carryout: str
    delivery: str
    out: str
    delivered: str


def hostile_menu(menu: Menu) -> Menu:
    """The same menu, one version on, every name a person reads replaced by hostile text."""

    def renamed(options: list[M], field: str = "name") -> list[M]:
        return [o.model_copy(update={field: menu_name(getattr(o, field))}) for o in options]

    return menu.model_copy(
        update={
            "version": menu.version + 1,
            "products": renamed(menu.products),
            "toppings": renamed(menu.toppings),
            "crusts": renamed(menu.crusts),
            "sizes": renamed(menu.sizes),
            "coupons": renamed(menu.coupons, "description"),
        }
    )


def _order(db: StoreDB, minutes_ago: float, service: Service, paid: bool = False) -> str:
    """An order from Mallory with hostile notes everywhere, placed `minutes_ago`."""
    with db.write() as session:
        store = session.scalars(select(Store)).one()
        pizza = ItemRequest(
            product="pepperoni",
            size="lg",
            toppings=[
                ToppingChoice(code="pepperoni"),
                ToppingChoice(code="mushrooms", placement=Placement.LEFT),
                ToppingChoice(code="onions", placement=Placement.RIGHT),
            ],
            notes=ITEM_NOTE,
        )
        wings = ItemRequest(product="wings", size="8pc", notes=ITEM_NOTE)
        address = AddressRequest(
            line1=ADDRESS,
            line2=GATE,
            lat=store.lat + minutes_ago * KM_LAT / 10,
            lon=store.lon,
            notes=DOORBELL,
        )
        request = OrderRequest(
            channel=Channel.PHONE,
            service=service,
            items=[pizza, wings],
            phone=PHONE,
            customer_name=CUSTOMER,
            address=address if service is Service.DELIVERY else None,
            notes=ORDER_NOTE,
            tenders=[TenderRequest(kind="card" if paid else "pay_at_door")]
            if service is Service.DELIVERY
            else [TenderRequest(kind="cash", tendered=100_00)],
        )
        return place_order(session, request, FRIDAY - timedelta(minutes=minutes_ago)).id


def _advance(db: StoreDB, order_id: str, last: Stage, minutes_ago: float) -> None:
    at = FRIDAY - timedelta(minutes=minutes_ago)
    with db.write() as session:
        for stage in (Stage.MADE, Stage.BAKED, Stage.READY):
            lifecycle.advance(session, order_id, stage, at)
            if stage is last:
                return


def build(db: StoreDB) -> HostileStore:
    """Fill the demo store in `db` with hostile text in every field people read."""
    with db.write() as session:
        apply_menu(session, hostile_menu(current_menu(session)), "head office", FRIDAY - timedelta(hours=3))
        session.execute(update(Store).values(name=STORE))
        kitchen.set_sides_station(session, True, FRIDAY - timedelta(hours=3))  # every screen has tickets
        add_staff(session, MANAGER, "manager", MANAGER_PIN)
        rider = add_staff(session, DRIVER, "driver", DRIVER_PIN)
        drivers.clock_in(session, rider, FRIDAY - timedelta(hours=2))
    delivered = _order(db, 50, Service.DELIVERY, paid=True)
    out = _order(db, 30, Service.DELIVERY)
    delivery = _order(db, 20, Service.DELIVERY, paid=True)
    carryout = _order(db, 15, Service.CARRYOUT)
    baked = _order(db, 10, Service.DELIVERY)
    made = _order(db, 6, Service.CARRYOUT)
    placed = _order(db, 1, Service.CARRYOUT)
    with db.write() as session:
        walk_in = OrderRequest(
            channel=Channel.WALK_IN,
            service=Service.CARRYOUT,
            items=[ItemRequest(product="cookie", size="each")],
            customer_name=WALK_IN,
            tenders=[TenderRequest(kind="card")],
        )
        place_order(session, walk_in, FRIDAY - timedelta(seconds=30))
    for order_id, stage, minutes_ago in (
        (delivered, Stage.READY, 40),
        (out, Stage.READY, 20),
        (delivery, Stage.READY, 8),
        (carryout, Stage.READY, 5),
        (baked, Stage.BAKED, 1),
        (made, Stage.MADE, 2),
    ):
        _advance(db, order_id, stage, minutes_ago)
    with db.write() as session:
        first = send(session, DRIVER, [delivered], FRIDAY - timedelta(minutes=38))
        runs.mark_stop(session, first.id, delivered, True, FRIDAY - timedelta(minutes=30))
        runs.checkout(session, first.id, 0, FRIDAY - timedelta(minutes=25))
        send(session, DRIVER, [out], FRIDAY - timedelta(minutes=12))
        customers.save_customer(session, PHONE, CUSTOMER, FRIDAY - timedelta(minutes=1), notes=REGULAR)
    return HostileStore(placed, made, baked, carryout, delivery, out, delivered)
