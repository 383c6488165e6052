"""Pictures of the screens a crew reads across the room, compared with accepted snapshots.

Each app runs on a fixed clock with the cursor blink off, so the picture only
changes when the screen does. Update with `pytest tests/terminal --snapshot-update`
after checking the new picture by eye.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from makeline.trade.menu import Amount, ToppingChoice
from makeline.trade.pricing import ItemRequest
from printers.configure import add_printer
from store_db.db import StoreDB
from store_db.queries import stock_ledger as ledger
from store_db.services import stock_counts as counts
from terminal.screens.counter import CounterScreen
from terminal.screens.dispatch import DispatchScreen
from terminal.screens.make_line import MakeLineScreen
from terminal.screens.rack import RackScreen
from terminal.screens.stock import StockScreen
from tests.terminal.conftest import (
    FRIDAY,
    REPEAT_PHONE,
    Clock,
    fill,
    half_and_half,
    log_in,
    make_app,
    place,
    repeat_customer,
    wait_for,
)
from tests.terminal.delivery_store import friday_board


def test_make_line_with_a_half_and_half_and_a_late_ticket(
    snap_compare: Any, store_path: Path, db: StoreDB, clock: Clock
) -> None:
    """The grid fills the screen top to bottom, column by column, oldest first. Ticket 1 (#1001)
    is late (2:30, past the 2-minute mark): red header and a heavy red border. Ticket 2 is a large
    cheese with PEPPERONI under ◧ LEFT and EXTRA MUSHROOMS under RIGHT ◨ side by side, its note
    last; ticket 3 is a thin-crust supreme listing LIGHT CHEESE and NO ONIONS. Each card's head
    starts with its bump key (1, 2, 3, …); the tickets that do not fit are counted in a bar above
    the footer with the age of the oldest of them."""
    place(db, [ItemRequest(product="pepperoni", size="lg")], FRIDAY - timedelta(seconds=150))
    place(db, [half_and_half()], FRIDAY - timedelta(seconds=40), notes="Ring twice")
    supreme = ItemRequest(
        product="supreme",
        size="md",
        crust="thin",
        cheese_amount=Amount.LIGHT,
        toppings=[
            ToppingChoice(code=c)
            for c in ("pepperoni", "sausage", "green_peppers", "mushrooms", "black_olives")
        ],
    )
    place(db, [supreme], FRIDAY - timedelta(seconds=10))
    for n in range(14):
        place(db, [ItemRequest(product="pepperoni", size="md")], FRIDAY - timedelta(seconds=9 - n * 0.5))
    app = make_app(store_path, "makeline", clock, db)

    async def ready(pilot: Pilot[None]) -> None:
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, MakeLineScreen)
                and len(app.screen.shown_ids) >= 9
                and app.counts.in_progress == 17
            ),
        )

    assert snap_compare(app, terminal_size=(100, 30), run_before=ready)


def test_counter_mid_order(snap_compare: Any, store_path: Path, db: StoreDB, clock: Clock) -> None:
    """A repeat caller found by phone: her card with the last order and F3, her saved address,
    delivery paid at the door; two lines, the half-and-half showing its LEFT and RIGHT changes;
    subtotal, tax, total and a promise time quoted from the load, with where its minutes go (make,
    oven, wait for a driver, drive); under the item line, what the
    last line was understood as ("Added 1 2 Liter Cola.")."""
    repeat_customer(db, FRIDAY)
    app = make_app(store_path, "counter", clock, db)

    async def mid_order(pilot: Pilot[None]) -> None:
        await log_in(pilot, "alex", "3333")
        await wait_for(pilot, lambda: isinstance(app.screen, CounterScreen) and app.screen.menu is not None)
        screen = app.screen
        assert isinstance(screen, CounterScreen)
        await fill(pilot, "phone", REPEAT_PHONE)
        await wait_for(pilot, lambda: screen.card is not None)
        await fill(pilot, "item", "lg cheese +pep< +mush>!")
        await fill(pilot, "item", "2l cola")
        await wait_for(
            pilot,
            lambda: (
                screen.priced is not None
                and len(screen.priced.quote.items) == 2
                and app.counts.in_progress == 1
            ),
        )

    assert snap_compare(app, terminal_size=(80, 24), run_before=mid_order)


def test_stock_count_mid_walk_under_a_printer_banner(
    snap_compare: Any, store_path: Path, db: StoreDB, clock: Clock
) -> None:
    """The daily count in the walk-in cooler: DAILY COUNT standing for the shelves at 6:30 PM,
    by Dana, 2 of 11 counted; the areas strip highlights Walk-in cooler 2/8. The first line
    (1 case + 1 tray) is 3 trays over the books, the second 1 tray short in red; the prompt
    names the third line with its expected 2 tray and its units. Above it, the red PRINTER
    banner: 1 ticket has waited 2 min for the kitchen printer and nothing is printing it."""
    with db.write() as session:
        codes = [c for c, i in ledger.catalog(session).items() if i.active]
        counts.record_count(
            session, "full", [(c, "2", None) for c in codes], FRIDAY - timedelta(days=1), "Dana"
        )
    add_printer(db, "kitchen", "dummy://kitchen", ["kitchen"])
    place(db, [ItemRequest(product="pepperoni", size="lg")], FRIDAY - timedelta(minutes=2))
    app = make_app(store_path, "stock", clock, db)

    async def mid_walk(pilot: Pilot[None]) -> None:
        await log_in(pilot, "dana", "1234")
        await wait_for(pilot, lambda: isinstance(app.screen, StockScreen) and app.screen.data is not None)
        screen = app.screen
        assert isinstance(screen, StockScreen)
        await pilot.press("f5")
        await wait_for(pilot, lambda: screen.data is not None and screen.data.sheet is not None)
        await fill(pilot, "count-entry", "1 case + 1 tray")
        await fill(pilot, "count-entry", "1")
        await wait_for(
            pilot,
            lambda: (
                screen.data is not None
                and screen.data.sheet is not None
                and screen.data.sheet.counted == 2
                and len(app.printer_banner) == 1
                and app.counts.in_progress == 1
            ),
        )

    assert snap_compare(app, terminal_size=(80, 24), run_before=mid_walk)


def test_dispatch_board_with_two_suggested_runs(
    snap_compare: Any, store_path: Path, db: StoreDB, clock: Clock
) -> None:
    """Drivers: Priya and Sam in since 5:30 PM, Luis OUT and back about 6:33 PM. Delivery orders
    by stage: four ready (#1001 11 min on the rack and promised 6:30 PM LATE, both in red; #1003's
    promise amber, its ETA within 3 minutes of it), #1005 boxing, #1006 on the make line, each with
    its promise and the run it is on. Above the runs, in amber: call in 1 driver now, the next
    hour needing 4 (6 waiting, ~12 expected) against 2 in and 1 on the way back. Two suggested
    runs leaving now, two stops each in stop order
    with ETA, promise, return and km: the north pair with Sam (#1001's ETA and promise red), the
    south pair with Priya."""
    friday_board(db)
    app = make_app(store_path, "dispatch", clock, db)

    async def planned(pilot: Pilot[None]) -> None:
        await log_in(pilot, "dana", "1234")
        await wait_for(pilot, lambda: isinstance(app.screen, DispatchScreen))
        screen = app.screen
        assert isinstance(screen, DispatchScreen)
        await wait_for(
            pilot,
            lambda: screen.plan is not None and len(screen.plan.runs) == 2 and app.counts.in_progress == 7,
            timeout=10,
        )

    assert snap_compare(app, terminal_size=(100, 30), run_before=planned)


def test_rack_with_hostile_names_shows_them_as_typed(
    snap_compare: Any, hostile_path: Path, clock: Clock
) -> None:
    """Text people typed, shown as typed. The status line starts with the store's name
    `Oak [/s] [@click=app.quit]Oak[/] ␛[2J␛]0;pwned␇␍␀�Oak` in bold; CARRYOUT lists #1004, paid,
    with the customer cut to her column as `Mallory [/`; DELIVERY lists #1003 with its address
    `12 Apt [/y] [@click=app.quit]12 Apt[/] ␛[2J␛]0;pwned␇␍␀�12 Apt, …` up to the edge: every
    bracket visible, ESC as ␛, BEL as ␇, CR as ␍, NUL as ␀ and the right-to-left override as �,
    so the rest of the line still reads left to right."""
    app = make_app(hostile_path, "rack", clock)

    async def racked(pilot: Pilot[None]) -> None:
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, RackScreen)
                and len(app.screen.carryout) == 1
                and len(app.screen.delivery) == 1
                and app.counts.in_progress == 7
            ),
        )

    assert snap_compare(app, terminal_size=(180, 12), run_before=racked)
