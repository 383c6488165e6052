"""Oven / cut table and rack screens under Pilot: box an order, hand a carryout over."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from textual.widgets import DataTable, Static

from makeline.trade.lifecycle import Service
from makeline.trade.pricing import ItemRequest
from store_db.db import StoreDB
from store_db.models import Order
from store_db.queries.kitchen import open_tickets
from store_db.services import cut_table, kitchen
from terminal.dialogs.confirm import ConfirmDialog
from terminal.screens.oven import OvenScreen
from terminal.screens.rack import RackScreen
from tests.terminal.conftest import (
    FRIDAY,
    REPEAT_ADDRESS,
    REPEAT_PHONE,
    Clock,
    make_app,
    place,
    screen_text,
    use_sides_screen,
    wait_for,
)

PEPPERONI = ItemRequest(product="pepperoni", size="lg")


def made(db: StoreDB, *orders: Order, seconds_ago: float) -> None:
    with db.write() as session:
        for ticket in open_tickets(session, "makeline"):
            if ticket.order_id in {o.id for o in orders}:
                kitchen.bump(session, ticket.id, FRIDAY - timedelta(seconds=seconds_ago))


def stage(db: StoreDB, order: Order) -> Order:
    with db.read() as session:
        found = session.get(Order, order.id)
        assert found is not None
        return found


async def test_oven_shows_time_left_and_one_key_boxes_onto_the_rack(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    early = place(db, [PEPPERONI, ItemRequest(product="cola", size="2l")], FRIDAY - timedelta(minutes=9))
    late = place(db, [PEPPERONI], FRIDAY - timedelta(minutes=3))
    made(db, early, seconds_ago=400)  # out of a 360 s oven 40 s ago
    made(db, late, seconds_ago=100)  # 260 s left on the belt
    app = make_app(store_path, "oven", clock, db)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 2)
        text = screen_text(app)
        assert "OUT 0:40" in text and "IN 4:20" in text
        assert "1 2 Liter Cola" in text  # what goes in the bag with the box
        await pilot.press("1")
        await wait_for(pilot, lambda: stage(db, early).stage == "ready", what="the box")
        await wait_for(pilot, lambda: table.row_count == 1)
    boxed = stage(db, early)
    assert boxed.made_at is not None
    assert boxed.baked_at == boxed.made_at + timedelta(seconds=app.store.oven_s)
    assert boxed.ready_at == FRIDAY


async def test_enter_boxes_the_selected_and_o_marks_out_of_oven(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    first = place(db, [PEPPERONI], FRIDAY - timedelta(minutes=5))
    second = place(db, [PEPPERONI], FRIDAY - timedelta(minutes=5))
    made(db, first, second, seconds_ago=200)
    app = make_app(store_path, "oven", clock, db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, OvenScreen)
        table = screen.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 2)
        await pilot.press("down", "o")  # 2:40 left on the belt: asks first
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="the question")
        assert "left on the belt — out of the oven anyway?" in screen_text(app)
        await pilot.press("y")
        await wait_for(pilot, lambda: stage(db, second).stage == "baked")
        await pilot.press("up", "enter")  # 2:40 left on the belt: asks first
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="the question")
        await pilot.press("y")
        await wait_for(pilot, lambda: stage(db, first).stage == "ready")
    assert stage(db, second).baked_at == FRIDAY


async def test_rack_hands_carryout_over_and_keeps_delivery_for_a_driver(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    carry = place(db, [PEPPERONI], FRIDAY - timedelta(minutes=12), name="Rita")
    deliver = place(
        db,
        [PEPPERONI],
        FRIDAY - timedelta(minutes=12),
        Service.DELIVERY,
        phone=REPEAT_PHONE,
        name="Maria",
        address=REPEAT_ADDRESS,
    )
    made(db, carry, deliver, seconds_ago=600)
    with db.write() as session:
        for order in (carry, deliver):
            cut_table.box(session, order.id, FRIDAY - timedelta(seconds=400))
    app = make_app(store_path, "rack", clock, db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, RackScreen)
        carryout = screen.query_one("#rack-carryout", DataTable)
        delivery = screen.query_one("#rack-delivery", DataTable)
        await wait_for(pilot, lambda: carryout.row_count == 1 and delivery.row_count == 1)
        assert "6:40" in screen_text(app)  # rack time, past the 5 min target
        await pilot.press("1")
        await wait_for(pilot, lambda: stage(db, carry).stage == "picked_up")
        await wait_for(pilot, lambda: carryout.row_count == 0)
        info = screen.query_one("#list-info", Static)
        await wait_for(pilot, lambda: "picked up" in str(info.render()))
    assert stage(db, deliver).stage == "ready"


def info(app: object) -> str:
    screen = app.screen  # type: ignore[attr-defined]
    return str(screen.query_one("#list-info", Static).render())


async def test_boxing_with_time_left_on_the_belt_asks_once_and_no_keeps_it_in(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    order = place(db, [PEPPERONI], FRIDAY - timedelta(minutes=1))
    made(db, order, seconds_ago=17)  # 343 s = 5:43 left on a 360 s belt
    app = make_app(store_path, "oven", clock, db)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 1)
        await pilot.press("1")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="the question")
        assert "#1001: 5:43 left on the belt — box anyway?" in screen_text(app)
        await pilot.press("n")
        await wait_for(pilot, lambda: "stays on the belt" in info(app))
        assert stage(db, order).stage == "made"
        await pilot.press("1")  # asked again: each early box is one question
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: stage(db, order).stage == "ready", what="the box")
    boxed = stage(db, order)
    assert boxed.baked_at == FRIDAY  # pulled early: out now, not at the belt's end


async def test_r_takes_a_box_back_onto_the_belt_within_a_minute(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    order = place(db, [PEPPERONI], FRIDAY - timedelta(minutes=2))
    made(db, order, seconds_ago=17)
    app = make_app(store_path, "oven", clock, db)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 1)
        await pilot.press("1")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: stage(db, order).stage == "ready")
        await wait_for(pilot, lambda: table.row_count == 0)
        clock.advance(50)
        await pilot.press("r")
        await wait_for(pilot, lambda: stage(db, order).stage == "made", what="the undo")
        await wait_for(pilot, lambda: table.row_count == 1)
        assert "back on the belt" in info(app)
        assert "IN 4:53" in screen_text(app)  # the belt's own time again
    undone = stage(db, order)
    assert undone.baked_at is None and undone.ready_at is None


async def test_an_undo_after_the_minute_is_refused_and_the_order_stays_on_the_rack(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    order = place(db, [PEPPERONI], FRIDAY - timedelta(minutes=9))
    made(db, order, seconds_ago=400)
    app = make_app(store_path, "oven", clock, db)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 1)
        await pilot.press("1")
        await wait_for(pilot, lambda: stage(db, order).stage == "ready")
        clock.advance(61)
        await pilot.press("r")
        await wait_for(pilot, lambda: "can no longer be undone" in screen_text(app), what="the refusal")
    assert stage(db, order).stage == "ready"


async def test_with_a_sides_screen_a_boxed_pizza_waits_for_its_wings_at_the_cut_table(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    use_sides_screen(db)
    order = place(db, [PEPPERONI, ItemRequest(product="wings", size="8pc")], FRIDAY - timedelta(minutes=9))
    made(db, order, seconds_ago=400)  # the pizza went into the oven without waiting for the wings
    app = make_app(store_path, "oven", clock, db)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 1)
        await pilot.press("1")
        await wait_for(pilot, lambda: "waits for the sides" in info(app), what="the box")
        await wait_for(pilot, lambda: "BOXED, needs sides" in screen_text(app))
        assert stage(db, order).stage == "baked"
        with db.write() as session:
            (wings,) = open_tickets(session, "sides")
            kitchen.bump(session, wings.id, FRIDAY)
        await wait_for(pilot, lambda: table.row_count == 0, what="the order to leave for the rack")
    assert stage(db, order).stage == "ready"


async def test_handing_over_an_unpaid_order_asks_and_r_puts_it_back(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    unpaid = place(db, [PEPPERONI], FRIDAY - timedelta(minutes=12), name="Rita", paid=False)
    made(db, unpaid, seconds_ago=600)
    with db.write() as session:
        cut_table.box(session, unpaid.id, FRIDAY - timedelta(seconds=60))
    app = make_app(store_path, "rack", clock, db)
    async with app.run_test(size=(80, 24)) as pilot:
        carryout = app.screen.query_one("#rack-carryout", DataTable)
        await wait_for(pilot, lambda: carryout.row_count == 1)
        await pilot.press("1")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "due — collected? Hand it over?" in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: "stays on the rack until" in info(app))
        assert stage(db, unpaid).stage == "ready"
        await pilot.press("1")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("enter")
        await wait_for(pilot, lambda: stage(db, unpaid).stage == "picked_up")
        await wait_for(pilot, lambda: carryout.row_count == 0)
        await pilot.press("r")
        await wait_for(pilot, lambda: stage(db, unpaid).stage == "ready", what="the undo")
        await wait_for(pilot, lambda: carryout.row_count == 1)
        assert "back on the rack" in info(app)
