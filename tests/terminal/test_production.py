"""The make line's production counts: F2 shows what to pull for the tickets on the line."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from makeline.trade.pricing import ItemRequest
from store_db.db import StoreDB
from terminal.dialogs.production import ProductionCounts
from terminal.screens.make_line import MakeLineScreen
from tests.terminal.conftest import FRIDAY, Clock, make_app, place, screen_text, wait_for


async def test_f2_shows_dough_cheese_and_toppings_for_the_open_tickets(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    place(db, [ItemRequest(product="pepperoni", size="lg", quantity=2)], FRIDAY - timedelta(minutes=2))
    place(db, [ItemRequest(product="cheese", size="md", crust="thin")], FRIDAY - timedelta(minutes=1))
    app = make_app(store_path, "makeline", clock, db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, MakeLineScreen)
        await wait_for(pilot, lambda: len(screen.cards) == 2, timeout=30, what="the two tickets")
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, ProductionCounts), timeout=30)
        await wait_for(pilot, lambda: "DOUGH BALLS" in screen_text(app), timeout=30, what="the counts")
        text = screen_text(app)
        assert "Hand tossed" in text and "lg 2" in text and "2 balls" in text
        assert "Thin" in text and "md 1" in text
        assert "Mozzarella" in text and "Pepperoni" in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ProductionCounts))
