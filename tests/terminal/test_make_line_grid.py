"""The make line fills the screen, each ticket keeps its bump key, and overflow is loud."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from textual.widgets import Static

from makeline.trade.menu import Amount, ToppingChoice
from makeline.trade.pricing import ItemRequest
from store_db.db import StoreDB
from store_db.models import KitchenTicket, Order
from terminal.app import MakelineApp
from terminal.data.bump_keys import KEYS, BumpKeys
from terminal.data.ticket_flow import flow_page, page_starts
from terminal.screens.make_line import MakeLineScreen
from tests.terminal.conftest import FRIDAY, Clock, half_and_half, make_app, place, screen_text, wait_for

PEPPERONI = ItemRequest(product="pepperoni", size="lg")
SUPREME = ItemRequest(
    product="supreme",
    size="md",
    crust="thin",
    cheese_amount=Amount.LIGHT,
    toppings=[ToppingChoice(code=c) for c in ("pepperoni", "sausage", "mushrooms")],
)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screens"


def keys(screen: MakeLineScreen) -> dict[int, str]:
    return {c.ticket.number: c.key for c in screen.cards}


def bumped(db: StoreDB, number: int) -> bool:
    with db.read() as session:
        ticket = (
            session.query(KitchenTicket)
            .join(Order, Order.id == KitchenTicket.order_id)
            .filter(Order.number == number, KitchenTicket.station == "makeline")
            .one()
        )
        return ticket.bumped_at is not None


def overflow(app: MakelineApp) -> str:
    bar = app.screen.query_one("#rail-overflow", Static)
    return str(bar.render()) if bar.display else ""


def a_friday_rush(db: StoreDB, count: int) -> None:
    """Oldest first, one every 20 s: plain pepperonis, half-and-halves, two-pizza orders."""
    for n in range(count):
        items = [[PEPPERONI], [half_and_half()], [SUPREME, PEPPERONI]][n % 3]
        place(
            db, items, FRIDAY - timedelta(seconds=20 * (count - n)), notes="Ring twice" if n % 7 == 3 else ""
        )


async def test_80x24_shows_four_or_more_and_keys_survive_a_bump_and_paging(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    for n in range(20):
        place(db, [PEPPERONI], FRIDAY - timedelta(seconds=600 - 10 * n))
    app = make_app(store_path, "makeline", clock, db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, MakeLineScreen)
        await wait_for(pilot, lambda: len(screen.cards) >= 4, what="the first page")
        first_page = keys(screen)
        assert list(first_page) == list(range(1001, 1001 + len(first_page)))  # oldest first
        assert list(first_page.values()) == list(KEYS[: len(first_page)])
        hidden = 20 - len(first_page)
        # Overflow cannot be missed: how many, and how long the oldest of them has waited.
        assert f"+{hidden} more ▸ PgDn, oldest waiting" in overflow(app)
        # Bump the third ticket by its key: everyone else keeps the key they had.
        third = first_page[1003]
        await pilot.press(third)
        await wait_for(pilot, lambda: bumped(db, 1003), what="the bump")
        after_bump = keys(screen)
        assert 1003 not in after_bump
        assert all(after_bump[n] == k for n, k in first_page.items() if n != 1003)
        newcomer = max(after_bump)  # the ticket that moved onto the page took the freed key
        assert after_bump[newcomer] == third
        # Page down: the next tickets get keys no ticket on the first page holds.
        await pilot.press("pagedown")
        second_page = keys(screen)
        assert min(second_page) > newcomer
        assert not set(second_page.values()) & set(after_bump.values())
        assert "OLDER not shown, oldest waiting 10:00" in overflow(app)
        # Bump one there by its key, then page back: the first page's keys are unchanged.
        number, key = next(iter(second_page.items()))
        await pilot.press(key)
        await wait_for(pilot, lambda: bumped(db, number), what="the bump on page 2")
        await pilot.press("pageup")
        assert keys(screen) == after_bump


async def test_240x67_fills_the_kitchen_monitor(store_path: Path, db: StoreDB, clock: Clock) -> None:
    a_friday_rush(db, 40)
    app = make_app(store_path, "makeline", clock, db)
    async with app.run_test(size=(240, 67)) as pilot:
        screen = app.screen
        assert isinstance(screen, MakeLineScreen)
        await wait_for(pilot, lambda: len(screen.cards) >= 12, what="a full monitor")
        cards = screen.cards
        assert len({c.column for c in cards}) >= 6  # columns side by side, not one row
        assert max(c.top + c.height for c in cards) >= 60  # down to the bottom rows
        keyed = [c.key for c in cards if c.key]
        assert len(set(keyed)) == len(keyed) == min(len(cards), len(KEYS))  # every key once
        text = screen_text(app)
        assert all(f"#{c.ticket.number}" in text for c in cards)
        if os.environ.get("MAKELINE_DOCS_SCREENSHOTS"):  # refresh docs/screens on purpose only
            DOCS.mkdir(parents=True, exist_ok=True)
            app.save_screenshot("make_line.svg", str(DOCS))


async def test_a_crowded_rail_says_how_old_the_oldest_hidden_ticket_is(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    a_friday_rush(db, 80)
    app = make_app(store_path, "makeline", clock, db)
    async with app.run_test(size=(240, 67)) as pilot:
        screen = app.screen
        assert isinstance(screen, MakeLineScreen)
        await wait_for(pilot, lambda: len(screen.cards) >= 12)
        shown = len(screen.cards)
        oldest_hidden = 80 - shown
        # The first hidden ticket was placed 20 s × (80 - shown) before the clock.
        minutes, seconds = divmod(20 * oldest_hidden, 60)
        assert f"+{oldest_hidden} more ▸ PgDn, oldest waiting {minutes}:{seconds:02d}" in overflow(app)
        # Tickets past the 34 keys are drawn but keyless; bumping frees a key for them.
        keyless = [c for c in screen.cards if not c.key]
        assert len(keyless) == max(0, shown - len(KEYS))


def test_flow_fills_columns_top_to_bottom_and_cuts_a_giant() -> None:
    heights = [5, 5, 9, 30, 4, 4]
    placed = flow_page(0, len(heights), heights.__getitem__, columns=3, rows=12, limit=99)
    assert [(p.index, p.column, p.top) for p in placed] == [(0, 0, 0), (1, 0, 5), (2, 1, 0), (3, 2, 0)]
    assert placed[-1].cut and placed[-1].height == 12
    assert page_starts(5, len(heights), heights.__getitem__, 3, 12, 99) == [0, 4]


def test_keys_stay_with_their_ticket_and_off_screen_tickets_give_theirs_up_last() -> None:
    pool = BumpKeys(("1", "2", "3"))
    assert pool.assign(["a", "b"]) == {"a": "1", "b": "2"}
    pool.forget_closed(["b", "c", "d"])  # a was bumped
    assert pool.assign(["b", "c", "d"]) == {"b": "2", "c": "1", "d": "3"}
    # A fourth ticket on screen while b is off screen: b gives its key, the others keep theirs.
    assert pool.assign(["c", "d", "e"]) == {"c": "1", "d": "3", "e": "2"}
    assert pool.key_of("b") is None
