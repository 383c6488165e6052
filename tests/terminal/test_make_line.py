"""The make line and sides screens under Pilot, on a real store file."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from textual.widgets import Static

from makeline.trade.pricing import ItemRequest
from store_db.db import StoreDB
from store_db.models import KitchenTicket, Order
from terminal.dialogs.portion_guide import PortionGuide
from terminal.screens.make_line import MakeLineScreen
from terminal.widgets.ticket_grid import TicketGrid
from tests.terminal.conftest import (
    FRIDAY,
    Clock,
    half_and_half,
    make_app,
    place,
    screen_text,
    use_sides_screen,
    wait_for,
)

PEPPERONI = ItemRequest(product="pepperoni", size="lg")


def numbers(screen: MakeLineScreen) -> list[int]:
    return [c.ticket.number for c in screen.cards]


def bumped(db: StoreDB, number: int) -> bool:
    with db.read() as session:
        ticket = (
            session.query(KitchenTicket)
            .join(Order, Order.id == KitchenTicket.order_id)
            .filter(Order.number == number, KitchenTicket.station == "makeline")
            .one()
        )
        return ticket.bumped_at is not None


async def test_tickets_show_in_order_and_key_1_bumps_the_first(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    for n in range(3):
        place(db, [PEPPERONI], FRIDAY - timedelta(seconds=90 - n * 10))
    app = make_app(store_path, "makeline", clock, db)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, MakeLineScreen)
        await wait_for(pilot, lambda: numbers(screen) == [1001, 1002, 1003])
        await pilot.press("1")
        assert numbers(screen) == [1002, 1003]  # gone at once, before the store answers
        await wait_for(pilot, lambda: bumped(db, 1001), what="the bump to be written")
        await wait_for(pilot, lambda: "Bumped #1001" in str(screen.query_one("#rail-info", Static).render()))
        assert numbers(screen) == [1002, 1003]


async def test_arrows_and_enter_bump_the_selected_and_r_recalls(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    for n in range(3):
        place(db, [PEPPERONI], FRIDAY - timedelta(seconds=90 - n * 10))
    app = make_app(store_path, "makeline", clock, db)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, MakeLineScreen)
        await wait_for(pilot, lambda: len(numbers(screen)) == 3)
        await pilot.press("right", "right", "left", "enter")
        await wait_for(pilot, lambda: bumped(db, 1002))
        assert numbers(screen) == [1001, 1003]
        await pilot.press("r")
        await wait_for(pilot, lambda: numbers(screen) == [1001, 1002, 1003], what="the recall")
        assert not bumped(db, 1002)


async def test_half_and_half_is_laid_out_left_and_right(store_path: Path, db: StoreDB, clock: Clock) -> None:
    place(db, [half_and_half(), ItemRequest(product="wings", size="8pc")], FRIDAY - timedelta(seconds=20))
    app = make_app(store_path, "makeline", clock, db)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: numbers(app.screen) == [1001])  # type: ignore[arg-type]
        text = screen_text(app)
        assert "◧ LEFT" in text and "RIGHT ◨" in text
        assert "PEPPERONI" in text and "EXTRA MUSHROOMS" in text
        assert "Wings" not in text  # sides go to the sides station
        rows = text.splitlines()
        head = next(r for r in rows if "◧ LEFT" in r)
        assert head.index("◧ LEFT") < head.index("RIGHT ◨")
        row = next(r for r in rows if "PEPPERONI" in r)
        assert row.index("PEPPERONI") < row.index("EXTRA")  # left half on the left, same row


async def test_a_ticket_turns_amber_then_red_against_the_store_targets(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    place(db, [PEPPERONI], FRIDAY - timedelta(seconds=10))
    app = make_app(store_path, "makeline", clock, db)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, MakeLineScreen)
        await wait_for(pilot, lambda: numbers(screen) == [1001])
        grid = screen.query_one(TicketGrid)
        ticket = screen.cards[0].ticket
        assert grid.level(ticket) == ""
        clock.advance(55)  # 65 s: past the 60 s make target
        await wait_for(pilot, lambda: grid.level(ticket) == "amber", what="amber")
        assert "1:05" in screen_text(app)
        clock.advance(60)  # 125 s: past the 120 s late mark
        await wait_for(pilot, lambda: grid.level(ticket) == "late", what="red")
        await wait_for(pilot, lambda: "┏" in screen_text(app), what="the heavy border of a late ticket")


async def test_a_bump_seconds_after_arrival_is_recorded_as_early(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    place(db, [PEPPERONI], FRIDAY - timedelta(seconds=2))
    app = make_app(store_path, "makeline", clock, db)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: numbers(screen) == [1001])  # type: ignore[arg-type]
        await pilot.press("1")
        info = screen.query_one("#rail-info", Static)
        await wait_for(pilot, lambda: "early bump" in str(info.render()))
    with db.read() as session:
        assert session.query(KitchenTicket).one().suspicious


async def test_portion_guide_shows_the_selected_pizzas_portions(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    place(db, [half_and_half()], FRIDAY - timedelta(seconds=30))
    app = make_app(store_path, "makeline", clock, db)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: numbers(app.screen) == [1001])  # type: ignore[arg-type]
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, PortionGuide))
        table = app.screen.query_one("#portion-table", Static)
        await wait_for(pilot, lambda: "Loading" not in str(table.render()))
        text = screen_text(app)
        assert "Dough ball 14" in text
        assert "Mushrooms (right, extra)" in text
        await pilot.press("escape")
        assert isinstance(app.screen, MakeLineScreen)


async def test_sides_screen_shows_only_sides(store_path: Path, db: StoreDB, clock: Clock) -> None:
    use_sides_screen(db)
    place(db, [PEPPERONI, ItemRequest(product="wings", size="16pc")], FRIDAY - timedelta(seconds=30))
    place(db, [PEPPERONI], FRIDAY - timedelta(seconds=20))
    app = make_app(store_path, "sides", clock, db)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: numbers(app.screen) == [1001])  # type: ignore[arg-type]
        assert "16 piece Buffalo Wings" in screen_text(app)


async def test_a_store_without_a_sides_screen_says_where_the_sides_go(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    place(db, [PEPPERONI, ItemRequest(product="wings", size="16pc")], FRIDAY - timedelta(seconds=30))
    app = make_app(store_path, "sides", clock, db)
    async with app.run_test(size=(120, 30)) as pilot:
        info = app.screen.query_one("#rail-info", Static)
        await wait_for(pilot, lambda: "no sides screen" in str(info.render()))
        assert "bagged at the cut table" in str(info.render())
        assert numbers(app.screen) == []  # type: ignore[arg-type]


async def test_what_was_done_fades_after_seconds_of_the_store_clock(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    place(db, [PEPPERONI], FRIDAY - timedelta(seconds=60))
    app = make_app(store_path, "makeline", clock, db)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: numbers(screen) == [1001])  # type: ignore[arg-type]
        await pilot.press("1")
        info = screen.query_one("#rail-info", Static)
        await wait_for(pilot, lambda: "Bumped #1001" in str(info.render()))
        clock.advance(5)
        await pilot.pause(0.05)
        assert "Bumped #1001" in str(info.render())  # still news
        clock.advance(10)  # 15 s later
        await wait_for(pilot, lambda: "Bumped #1001" not in str(info.render()), what="the message to fade")
        assert "No tickets" in str(info.render())
