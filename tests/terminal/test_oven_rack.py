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
        await pilot.press("down", "o")
        await wait_for(pilot, lambda: stage(db, second).stage == "baked")
        await pilot.press("up", "enter")
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
