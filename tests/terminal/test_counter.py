"""The counter under Pilot: log-in, phone orders for new and repeat customers, and refusals."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from textual.pilot import Pilot
from textual.widgets import Static

from store_db.db import StoreDB
from store_db.models import Customer, Order, OrderLine
from terminal.app import MakelineApp
from terminal.screens.counter import CounterScreen
from terminal.screens.login import LoginScreen
from tests.terminal.conftest import (
    FRIDAY,
    REPEAT_PHONE,
    Clock,
    fill,
    log_in,
    make_app,
    repeat_customer,
    type_text,
    wait_for,
)

NEW_PHONE = "7085550199"


def message(app: MakelineApp) -> str:
    return str(app.screen.query_one("#counter-message", Static).render())


def focused_id(app: MakelineApp) -> str | None:
    return app.focused.id if app.focused is not None else None


def orders(db: StoreDB) -> list[Order]:
    with db.read() as session:
        return list(session.scalars(select(Order).order_by(Order.number)))


def customers(db: StoreDB) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Customer)) or 0)


async def at_counter(pilot: Pilot[None], app: MakelineApp) -> CounterScreen:
    assert isinstance(app.screen, LoginScreen)
    await log_in(pilot, "alex", "3333")
    await wait_for(pilot, lambda: isinstance(app.screen, CounterScreen), what="the log-in")
    screen = app.screen
    assert isinstance(screen, CounterScreen)
    await wait_for(pilot, lambda: screen.menu is not None, what="the menu")
    return screen


async def phone(pilot: Pilot[None], app: MakelineApp, number: str, then: str) -> None:
    await fill(pilot, "phone", number)
    await wait_for(pilot, lambda: focused_id(app) == then, what=f"focus on {then}")


async def add_item(pilot: Pilot[None], screen: CounterScreen, typed: str, keys: bool = False) -> int:
    """Add an item line; with `keys`, typed key by key and counted."""
    before = len(screen.cart.lines)
    if keys:
        count = await type_text(pilot, typed) + 1
        await pilot.press("enter")
    else:
        count = 0
        await fill(pilot, "item", typed)
    await wait_for(pilot, lambda: len(screen.cart.lines) == before + 1, what=f"'{typed}' to be added")
    return count


async def placed(pilot: Pilot[None], app: MakelineApp, db: StoreDB, count: int) -> None:
    await wait_for(pilot, lambda: "placed" in message(app) or "Not placed" in message(app), what="F10")
    assert "Not placed" not in message(app), message(app)
    assert len(orders(db)) == count


async def test_repeat_customer_large_pepperoni_delivery_in_at_most_15_keys(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    repeat_customer(db, FRIDAY)
    app = make_app(store_path, "counter", clock, db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await at_counter(pilot, app)
        await type_text(pilot, REPEAT_PHONE)
        keys = 1
        await pilot.press("enter")  # look the caller up
        await wait_for(pilot, lambda: focused_id(app) == "item", what="Maria's card")
        keys += await add_item(pilot, screen, "lg pep", keys=True)
        keys += 3
        await pilot.press("f5", "f9", "f10")  # delivery, pay at the door, place
        await placed(pilot, app, db, 2)
    assert keys <= 15, keys
    order = orders(db)[-1]
    assert (order.service, order.phone, order.address.startswith("1200 N Harlem Ave")) == (
        "delivery",
        REPEAT_PHONE,
        True,
    )
    with db.read() as session:
        line = session.scalars(select(OrderLine).where(OrderLine.order_id == order.id)).one()
    assert (line.product, line.size, line.quantity) == ("pepperoni", "lg", 1)


async def test_new_customer_phone_order_saves_the_customer(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    before = customers(db)
    app = make_app(store_path, "counter", clock, db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await at_counter(pilot, app)
        await phone(pilot, app, NEW_PHONE, "name")
        assert "New customer" in str(screen.query_one("#customer-card", Static).render())
        await fill(pilot, "name", "Pat Doe")
        await fill(pilot, "address", "400 N Harlem Ave, Apt 2")
        await wait_for(pilot, lambda: "in the delivery area" in message(app), what="the address check")
        await add_item(pilot, screen, "md sup -oni")
        await pilot.press("f10")
        await placed(pilot, app, db, 1)
    assert customers(db) == before + 1
    order = orders(db)[0]
    assert (order.customer_name, order.service, order.payment) == ("Pat Doe", "delivery", "due")
    assert "Apt 2" in order.address


async def test_half_and_half_and_a_coupon(store_path: Path, db: StoreDB, clock: Clock) -> None:
    app = make_app(store_path, "counter", clock, db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await at_counter(pilot, app)
        await pilot.press("enter")  # a walk-in: no phone
        await add_item(pilot, screen, "lg cheese +pep< +mush>!")
        await add_item(pilot, screen, "lg pep")
        await fill(pilot, "coupon", "5off30")
        await wait_for(
            pilot,
            lambda: screen.priced is not None and screen.priced.quote.coupon == "5OFF30",
            what="the coupon to price",
        )
        await pilot.press("f7")
        assert focused_id(app) == "cash"
        await fill(pilot, "cash", "40")
        await pilot.press("f10")
        await placed(pilot, app, db, 1)
        assert "CHANGE DUE" in message(app)
    order = orders(db)[0]
    assert (order.coupon, order.channel, order.payment) == ("5OFF30", "walk_in", "paid")
    assert order.discount > 0
    with db.read() as session:
        first = session.scalars(
            select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.line_no)
        ).first()
    assert first is not None
    assert [(t["code"], t["placement"]) for t in first.item["toppings"]] == [
        ("pepperoni", "left"),
        ("mushrooms", "right"),
    ]


async def test_reorder_last_repeats_the_callers_previous_order(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    repeat_customer(db, FRIDAY)
    app = make_app(store_path, "counter", clock, db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await at_counter(pilot, app)
        await phone(pilot, app, REPEAT_PHONE, "item")
        await pilot.press("f3")
        assert [line.product for line in screen.cart.lines] == ["pepperoni"]
        await pilot.press("f10")
        await placed(pilot, app, db, 2)


async def bad_input(pilot: Pilot[None], app: MakelineApp, says: str) -> None:
    await wait_for(pilot, lambda: says in message(app), what=f"the message '{says}'")
    assert app.screen.query_one("#counter-message", Static).has_class("-error")


async def test_a_malformed_phone_number_is_refused_on_screen(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    before = customers(db)
    app = make_app(store_path, "counter", clock, db)
    async with app.run_test(size=(80, 24)) as pilot:
        await at_counter(pilot, app)
        await fill(pilot, "phone", "555-12")
        await bad_input(pilot, app, "not a phone number we can call back")
        assert focused_id(app) == "phone"
    assert customers(db) == before and orders(db) == []


async def test_an_address_outside_the_area_is_refused_and_not_saved(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    before = customers(db)
    app = make_app(store_path, "counter", clock, db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await at_counter(pilot, app)
        await phone(pilot, app, NEW_PHONE, "name")
        await fill(pilot, "name", "Far Away")
        await fill(pilot, "address", "3200 N Harlem Ave")
        await bad_input(pilot, app, "this store delivers within 6 km")
        await add_item(pilot, screen, "lg pep")
        await pilot.press("f5")
        await bad_input(pilot, app, "Type the delivery address")
    assert customers(db) == before and orders(db) == []


async def test_an_unknown_coupon_is_refused_and_nothing_is_placed(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    app = make_app(store_path, "counter", clock, db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await at_counter(pilot, app)
        await pilot.press("enter")
        await add_item(pilot, screen, "lg pep")
        await fill(pilot, "coupon", "BOGUS")
        await bad_input(pilot, app, "There is no coupon 'BOGUS'")
        await pilot.press("f10")
        await bad_input(pilot, app, "Not placed: There is no coupon 'BOGUS'")
    assert orders(db) == []


async def test_quantity_0_or_100_is_refused(store_path: Path, db: StoreDB, clock: Clock) -> None:
    app = make_app(store_path, "counter", clock, db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await at_counter(pilot, app)
        await pilot.press("enter")
        for typed in ("0 lg pep", "100 lg pep"):
            await fill(pilot, "item", typed)
            await bad_input(pilot, app, f"Quantity {typed.split()[0]} for Pepperoni Pizza is out of range")
            assert screen.cart.lines == ()
        await pilot.press("f10")
        await bad_input(pilot, app, "Add at least one item")
    assert orders(db) == []
