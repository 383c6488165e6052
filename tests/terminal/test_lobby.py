"""The lobby board: carryout orders by number and first name, where they are, and nothing a
stranger should read (no prices, no phone numbers, no addresses)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from textual.widgets import Static

from makeline.trade.lifecycle import Service
from makeline.trade.pricing import ItemRequest
from store_db.db import StoreDB
from store_db.queries.kitchen import open_tickets
from store_db.services import cut_table, kitchen
from terminal.screens.lobby import LobbyScreen
from tests.terminal.conftest import FRIDAY, REPEAT_ADDRESS, Clock, make_app, place, screen_text, wait_for

PEPPERONI = ItemRequest(product="pepperoni", size="lg")


def column(app: object, n: int) -> str:
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, LobbyScreen)
    return str(screen.query_one(f"#lobby-{n}", Static).render())


async def test_the_board_shows_first_names_and_numbers_where_they_are(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    waiting = place(db, [PEPPERONI], FRIDAY - timedelta(minutes=2), phone="7085550111", name="Ana Lopez")
    baking = place(db, [PEPPERONI], FRIDAY - timedelta(minutes=6), phone="7085550122", name="Ben [/b] Stone")
    boxed = place(db, [PEPPERONI], FRIDAY - timedelta(minutes=12), phone="7085550133", name="Chloe")
    gone = place(db, [PEPPERONI], FRIDAY - timedelta(minutes=20), name="Dana")
    delivery = place(
        db, [PEPPERONI], FRIDAY - timedelta(minutes=3), Service.DELIVERY, "7085550144", "Eve", REPEAT_ADDRESS
    )
    with db.write() as session:
        for ticket in open_tickets(session, "makeline"):
            if ticket.order_id in {baking.id, boxed.id, gone.id}:
                kitchen.bump(session, ticket.id, FRIDAY - timedelta(minutes=9))
        cut_table.box(session, boxed.id, FRIDAY - timedelta(minutes=1))
        cut_table.box(session, gone.id, FRIDAY - timedelta(minutes=2))
        from makeline.trade.lifecycle import Stage
        from store_db.services import lifecycle

        lifecycle.advance(session, gone.id, Stage.PICKED_UP, FRIDAY - timedelta(minutes=1))
    app = make_app(store_path, "board", clock, db)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LobbyScreen) and "Chloe" in column(app, 2))
        assert f"#{waiting.number}  Ana" in column(app, 0)
        assert f"#{baking.number}  Ben" in column(app, 1)  # the first word only, shown as typed
        assert f"#{boxed.number}  Chloe" in column(app, 2)
        text = screen_text(app)
        assert "BEING MADE" in text and "IN THE OVEN" in text and "READY FOR PICK-UP" in text
        assert "Dana" not in text  # picked up
        assert "Eve" not in text and f"#{delivery.number}" not in text  # delivery orders leave with a driver
        assert "Lopez" not in text and "$" not in text
        assert not re.search(r"\d{3}\D?\d{4}", text), "no phone number on the board"
        assert "Harlem" not in text
        # a bump elsewhere reaches the board
        with db.write() as session:
            cut_table.box(session, baking.id, FRIDAY)
        await wait_for(pilot, lambda: "Ben" in column(app, 2))
