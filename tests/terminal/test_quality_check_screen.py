"""The quality check on the oven / cut table screen, in a store that checks: a boxed order
shows CHECK; `c` passes it onto the rack, `x` sends it back to the make line with a reason
(REMAKE on its ticket), and `r` takes either back."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from textual.widgets import DataTable

from makeline.trade.pricing import ItemRequest
from store_db.db import StoreDB
from store_db.models import KitchenTicket, Order
from store_db.queries.kitchen import open_tickets
from store_db.services import cut_table, quality_check
from terminal.dialogs.remake import RemakeDialog
from tests.terminal.conftest import FRIDAY, Clock, fill, make_app, place, screen_text, wait_for
from tests.terminal.test_oven_rack import made

PEPPERONI = ItemRequest(product="pepperoni", size="lg")


def order_row(db: StoreDB, order: Order) -> Order:
    with db.read() as session:
        found = session.get(Order, order.id)
        assert found is not None
        return found


def remake_on_make_line(db: StoreDB, order: Order) -> str | None:
    with db.read() as session:
        ticket = next((t for t in open_tickets(session, "makeline") if t.order_id == order.id), None)
        return ticket.remake if ticket else None


async def test_pass_send_back_and_undo_at_the_cut_table(store_path: Path, db: StoreDB, clock: Clock) -> None:
    with db.write() as session:
        quality_check.set_quality_check(session, True, FRIDAY)
    order = place(db, [PEPPERONI], FRIDAY - timedelta(minutes=9))
    made(db, order, seconds_ago=400)  # out of the oven 40 s ago
    app = make_app(store_path, "oven", clock, db)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 1)
        await pilot.press("1")
        await wait_for(pilot, lambda: "CHECK" in screen_text(app), what="the order waiting for its check")
        assert order_row(db, order).stage == "baked", "boxed is not ready before the check"
        await pilot.press("1")  # boxing again says what it waits for, and does nothing
        await wait_for(pilot, lambda: "c passes it, x sends it back" in screen_text(app))

        await pilot.press("c")
        await wait_for(pilot, lambda: order_row(db, order).stage == "ready", what="the pass")
        await wait_for(pilot, lambda: table.row_count == 0)
        await pilot.press("r")
        await wait_for(pilot, lambda: "CHECK" in screen_text(app), what="the pass taken back")
        assert order_row(db, order).stage == "baked"

        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, RemakeDialog))
        await fill(pilot, "remake-reason", "")  # no reason: refused in the dialog
        await wait_for(pilot, lambda: "why it must be made again" in screen_text(app))
        await fill(pilot, "remake-reason", "cheese burnt")
        await wait_for(pilot, lambda: remake_on_make_line(db, order) == "cheese burnt", what="the send-back")
        await wait_for(pilot, lambda: "REMAKE" in screen_text(app))
        await pilot.press("r")
        await wait_for(pilot, lambda: remake_on_make_line(db, order) is None, what="the send-back taken back")
        await wait_for(pilot, lambda: "CHECK" in screen_text(app))
        await pilot.press("c")
        await wait_for(pilot, lambda: order_row(db, order).stage == "ready", what="the pass")
    with db.read() as session:
        ticket = session.scalars(select(KitchenTicket).where(KitchenTicket.order_id == order.id)).one()
    assert ticket.bumped_at is not None and ticket.remake_reason is None


async def test_a_sent_back_pizza_is_back_on_the_make_line_marked_remake(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    with db.write() as session:
        quality_check.set_quality_check(session, True, FRIDAY)
    order = place(db, [PEPPERONI], FRIDAY - timedelta(minutes=9))
    app = make_app(store_path, "makeline", clock, db)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: f"#{order.number}" in screen_text(app))
        await pilot.press("1")  # made: off the screen and into the oven
        await wait_for(pilot, lambda: order_row(db, order).stage == "made", what="the bump")
        with db.write() as session:
            cut_table.box(session, order.id, FRIDAY + timedelta(seconds=1))
            quality_check.send_back(session, order.id, "cheese burnt", FRIDAY + timedelta(seconds=2))
        # The same ticket, drawn again (not from its card before the bump), with why.
        await wait_for(pilot, lambda: "REMAKE: cheese burnt" in screen_text(app), what="the remake")
        await pilot.press("1")
        await wait_for(
            pilot, lambda: remake_on_make_line(db, order) is None and "REMAKE" not in screen_text(app)
        )
    assert remake_on_make_line(db, order) is None
