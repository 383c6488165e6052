"""The dispatch board under Pilot: an order over the store's rack-time cap is red, with its wait,
in the orders list and in a line of its own, and the suggested runs take it first; the
drivers the next hour needs, and when to call one in."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from rich.text import Text
from textual.widgets import Static

from store_db.db import StoreDB
from terminal.widgets.dispatch_lists import OrdersList
from tests.dispatch.store_orders import clock_in, order_at
from tests.terminal.conftest import FRIDAY, Clock, make_app, screen_text, wait_for
from tests.terminal.delivery_store import friday_board
from tests.terminal.test_dispatch import at_board, runs_of


def cell(orders: OrdersList, order_id: str, column: str) -> Text:
    found = orders.get_cell(order_id, column)
    assert isinstance(found, Text)
    return found


async def test_an_order_over_the_rack_cap_shows_red_with_its_wait(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    # ready 34 minutes ago and far to the north; two fresh orders close by, south
    forgotten = order_at(
        db, 4.0, 0.0, placed=FRIDAY - timedelta(minutes=50), stage_at=FRIDAY - timedelta(minutes=34)
    )
    fresh = [
        order_at(
            db, -0.5, 0.1 * n, placed=FRIDAY - timedelta(minutes=12), stage_at=FRIDAY - timedelta(minutes=1)
        )
        for n in range(3)
    ]
    clock_in(db, "Sam", at=FRIDAY - timedelta(hours=1))
    app = make_app(store_path, "dispatch", clock, db)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await at_board(pilot, app)
        assert screen.board is not None
        label = screen.board.order(forgotten).label
        orders = screen.query_one(OrdersList)
        rack = cell(orders, forgotten, "rack")
        assert rack.plain == "34:00 OVER 30 MIN CAP" and "red" in str(rack.style)
        assert "red" in str(cell(orders, forgotten, "order").style)
        fresh_rack = cell(orders, fresh[0], "rack")
        assert "OVER" not in fresh_rack.plain and "red" not in str(fresh_rack.style)
        alerts = screen.query_one("#dispatch-alerts", Static)
        assert alerts.display
        text = screen_text(app)
        assert f"On the rack over 30 min, goes first: {label} 34:00" in text
        # one driver, three seats, four orders: the forgotten one rides, the far detour or not
        assert forgotten in runs_of(screen)["Sam"]

        # time passes: the wait grows on screen between plans
        clock.advance(65)
        await wait_for(pilot, lambda: cell(orders, forgotten, "rack").plain.startswith("35:05"))
        await wait_for(pilot, lambda: f"{label} 35:05" in screen_text(app))


async def test_the_board_says_when_to_call_a_driver_in(store_path: Path, db: StoreDB, clock: Clock) -> None:
    friday_board(db)  # six orders waiting, six placed in the last half hour; two in, Luis out
    app = make_app(store_path, "dispatch", clock, db)
    async with app.run_test(size=(160, 30)) as pilot:
        screen = await at_board(pilot, app)
        await wait_for(pilot, lambda: "Call in" in screen_text(app) or "enough" in screen_text(app))
        text = screen_text(app)
        assert "Call in 1 driver now: the next hour needs 4 drivers" in text
        assert "6 waiting, ~12 expected); 2 in and 1 on the way back cover" in text
        # 11 minutes on the rack is red against the 5-minute target, but under the cap: no alert
        assert not screen.query_one("#dispatch-alerts", Static).display and "OVER" not in text
    # two more clock in: the same load is covered
    clock_in(db, "Keisha", "Omar", at=FRIDAY)
    app = make_app(store_path, "dispatch", clock, db)
    async with app.run_test(size=(160, 30)) as pilot:
        await at_board(pilot, app)
        await wait_for(pilot, lambda: "enough" in screen_text(app))
        assert "4 in and 1 on the way back: enough." in screen_text(app)
