"""Every screen opened on a store where every text people typed is hostile (issue 11, item 2).

Customers, addresses, notes, head office's menu names, staff names and the store's name hold a
closing tag nothing opened (`Mallory [/x]`, which crashed the rack, manager and dispatch
screens), a click action (`[@click=app.quit]`) and terminal commands (ESC sequences, BEL, CR,
NUL, a bidi override). On every screen and the dialogs they open, nothing crashes, the text
reads as typed with ESC shown as ␛ (CR as ␍, NUL as ␀, BEL as ␇, the override as �), no control character reaches the terminal, and clicking
on the injected action does nothing.
"""

from __future__ import annotations

import io
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from rich.console import Console
from rich.text import Text
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import DataTable, Static
from textual.widgets._toast import Toast

from store_db.db import StoreDB
from terminal.app import MakelineApp
from terminal.screens.counter import CounterScreen
from terminal.screens.dispatch import DispatchScreen
from terminal.screens.driver import DriverScreen
from terminal.screens.lobby import LobbyScreen
from terminal.screens.login import LoginScreen
from terminal.screens.make_line import MakeLineScreen
from terminal.screens.manager import ManagerScreen
from terminal.screens.oven import OvenScreen
from terminal.screens.rack import RackScreen
from terminal.screens.stock import StockScreen
from terminal.widgets.ticket_grid import TicketGrid
from tests.terminal import hostile_store as hostile
from tests.terminal.conftest import Clock, fill, log_in, make_app, screen_text, wait_for

# What must never reach the terminal: C0 controls but the line break, DEL, C1, bidi controls.
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
SIZE = (180, 50)


def drawn(app: MakelineApp) -> str:
    """Everything the top screen draws, whole (cells and cards are cut to their width on the
    screen itself): the screen's lines, every table cell, every static's content, every card."""
    out = io.StringIO()
    console = Console(width=400, file=out, color_system=None, legacy_windows=False)
    parts = [screen_text(app)]
    for table in app.screen.query(DataTable):
        for row in table.ordered_rows:
            cells = table.get_row(row.key)
            parts.append(" | ".join(c.plain if isinstance(c, Text) else str(c) for c in cells))
    for static in app.screen.query(Static):
        content = static.content
        if isinstance(content, Content):
            parts.append(content.plain)
        elif isinstance(content, str):
            parts.append(content)
        else:
            console.print(content)
    for toast in app.screen.query(Toast):
        parts.append(toast.render().plain)
    for grid in app.screen.query(TicketGrid):
        for card in grid.cards:
            parts += [strip.text for strip in grid._body(card.ticket, 400)]
    return "\n".join(parts) + "\n" + out.getvalue()


def assert_shown(app: MakelineApp, *values: str) -> None:
    """Each value reads as typed, and nothing on the screen is a control character."""
    text = drawn(app)
    for value in values:
        assert hostile.whole(value) in text, f"{hostile.whole(value)!r} is not on the {app.screen}:\n{text}"
    on_screen = screen_text(app)
    assert not CONTROL.search(on_screen), CONTROL.findall(on_screen)
    assert not CONTROL.search(text), CONTROL.findall(text)
    assert "␛[2J" in on_screen  # the escape shows as a symbol, where people can see it


async def click_injected_actions(pilot: Pilot[None], app: MakelineApp) -> int:
    """Click every `[@click=app.quit]` on the screen; the app must keep running."""
    clicks = 0
    for y, line in enumerate(screen_text(app).splitlines()):
        for found in re.finditer(re.escape("[@click=app.quit]"), line):
            for x in (found.start(), found.end()):
                if x < SIZE[0]:
                    await pilot.click(offset=(x, y))
                    clicks += 1
    await pilot.pause()
    assert app.return_code is None and app.is_running
    return clicks


async def open_as(
    pilot: Pilot[None], app: MakelineApp, screen: type, name: str = hostile.MANAGER, pin: str = ""
) -> None:
    await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen | screen), what="the first screen")
    if isinstance(app.screen, LoginScreen):
        await log_in(pilot, name, pin or hostile.MANAGER_PIN)
    await wait_for(pilot, lambda: isinstance(app.screen, screen), what=f"the {screen.__name__}")


MENU_PEPPERONI = hostile.menu_name("Pepperoni Pizza")


async def login(pilot: Pilot[None], app: MakelineApp) -> None:
    await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))
    assert_shown(app, hostile.STORE)
    await log_in(pilot, hostile.MANAGER, "0000")
    await wait_for(pilot, lambda: "Wrong PIN" in drawn(app), what="the refusal")
    assert_shown(app, hostile.STORE, f"Wrong PIN for {hostile.MANAGER}")
    await click_injected_actions(pilot, app)
    await log_in(pilot, hostile.DRIVER, hostile.DRIVER_PIN)  # a driver may not open the counter
    await wait_for(pilot, lambda: "may not open that screen" in drawn(app), what="the notice")
    assert_shown(app, f"{hostile.DRIVER} may not open that screen.")
    await click_injected_actions(pilot, app)


async def counter(pilot: Pilot[None], app: MakelineApp) -> None:
    await open_as(pilot, app, CounterScreen)
    screen = app.screen
    assert isinstance(screen, CounterScreen)
    await wait_for(pilot, lambda: screen.menu is not None, what="the menu")
    await fill(pilot, "phone", hostile.PHONE)
    await wait_for(pilot, lambda: screen.card is not None, what="Mallory's card")
    await pilot.press("f3")  # her last order again: head office's names on the lines
    await wait_for(pilot, lambda: screen.priced is not None, what="the price")
    coupon = hostile.hostile("Coupon", "c")
    await fill(pilot, "coupon", coupon)
    await wait_for(pilot, lambda: "no coupon" in drawn(app), what="the coupon refusal")
    assert_shown(
        app,
        hostile.STORE,
        hostile.MANAGER,
        hostile.CUSTOMER,
        hostile.REGULAR,
        f"Address note: {hostile.DOORBELL}",
        MENU_PEPPERONI,
        hostile.menu_name("Mushrooms").upper(),
        hostile.ITEM_NOTE,
        f"There is no coupon '{coupon.upper()}",
    )
    await click_injected_actions(pilot, app)
    await pilot.press("f1")
    await wait_for(pilot, lambda: "Codes" in screen_text(app), what="the codes")
    assert_shown(
        app,
        MENU_PEPPERONI,
        hostile.menu_name("Onions"),
        hostile.menu_name("2 large 1-topping pizzas for $19.99"),
    )
    await click_injected_actions(pilot, app)


async def make_line(pilot: Pilot[None], app: MakelineApp) -> None:
    screen = app.screen
    assert isinstance(screen, MakeLineScreen)
    await wait_for(pilot, lambda: len(screen.shown_ids) >= 1, what="the ticket")
    assert_shown(
        app,
        hostile.STORE,
        MENU_PEPPERONI,
        hostile.menu_name("Mushrooms").upper(),
        hostile.ITEM_NOTE,
        f"NOTE: {hostile.ORDER_NOTE}",
    )
    await click_injected_actions(pilot, app)
    await pilot.press("p")
    await wait_for(pilot, lambda: "Portions for" in screen_text(app), what="the portion guide")
    assert_shown(app, MENU_PEPPERONI)


async def sides(pilot: Pilot[None], app: MakelineApp) -> None:
    screen = app.screen
    assert isinstance(screen, MakeLineScreen)
    await wait_for(pilot, lambda: len(screen.shown_ids) >= 1, what="the tickets")
    assert_shown(app, hostile.menu_name("Buffalo Wings"), hostile.ITEM_NOTE, f"NOTE: {hostile.ORDER_NOTE}")
    await click_injected_actions(pilot, app)


async def oven(pilot: Pilot[None], app: MakelineApp) -> None:
    screen = app.screen
    assert isinstance(screen, OvenScreen)
    await wait_for(pilot, lambda: len(screen.orders) == 2, what="the oven")
    assert_shown(app, hostile.STORE, MENU_PEPPERONI)
    await click_injected_actions(pilot, app)


async def rack(pilot: Pilot[None], app: MakelineApp) -> None:
    screen = app.screen
    assert isinstance(screen, RackScreen)
    await wait_for(pilot, lambda: len(screen.carryout) == 1 and len(screen.delivery) == 1, what="the rack")
    assert_shown(app, hostile.STORE, hostile.CUSTOMER, hostile.ADDRESS, hostile.GATE)
    assert "Mallory [/" in screen_text(app)
    await click_injected_actions(pilot, app)


async def dispatch(pilot: Pilot[None], app: MakelineApp) -> None:
    await open_as(pilot, app, DispatchScreen)
    screen = app.screen
    assert isinstance(screen, DispatchScreen)
    await wait_for(
        pilot, lambda: screen.board is not None and len(screen.board.orders) == 2, what="the board"
    )
    assert_shown(app, hostile.STORE, hostile.MANAGER, hostile.DRIVER, hostile.ADDRESS)
    await click_injected_actions(pilot, app)


async def driver(pilot: Pilot[None], app: MakelineApp) -> None:
    await open_as(pilot, app, DriverScreen, hostile.DRIVER, hostile.DRIVER_PIN)
    screen = app.screen
    assert isinstance(screen, DriverScreen)
    await wait_for(pilot, lambda: screen.data is not None and screen.data.run is not None, what="the run")
    assert_shown(app, hostile.STORE, hostile.DRIVER, hostile.CUSTOMER, hostile.ADDRESS)
    await click_injected_actions(pilot, app)  # a click on the stop opens its outcome, nothing more
    if not isinstance(app.screen, DriverScreen):
        assert_shown(app, f"delivered — {hostile.CUSTOMER}")
        await pilot.press("escape")
    await pilot.press("n")  # not delivered: the dialog names the customer
    await wait_for(pilot, lambda: "NOT delivered" in screen_text(app), what="the outcome dialog")
    assert_shown(app, hostile.CUSTOMER)
    await fill(pilot, "stop-reason", hostile.hostile("Nobody", "q"))
    await wait_for(pilot, lambda: isinstance(app.screen, DriverScreen), what="the run again")
    await wait_for(pilot, lambda: "Nobody [/q]" in drawn(app), what="the reason")
    assert_shown(app, hostile.hostile("Nobody", "q"))
    await pilot.press("f10")
    await wait_for(pilot, lambda: "Cash out" in screen_text(app), what="the cash-out dialog")
    assert_shown(app, f"Cash out {hostile.DRIVER}")


async def manager(pilot: Pilot[None], app: MakelineApp) -> None:
    await open_as(pilot, app, ManagerScreen)
    screen = app.screen
    assert isinstance(screen, ManagerScreen)
    await wait_for(pilot, lambda: screen.data is not None, what="today's figures")
    assert_shown(app, hostile.STORE, hostile.MANAGER, hostile.CUSTOMER)
    await click_injected_actions(pilot, app)
    for key, name in (("f3", hostile.DRIVER), ("f4", f"{hostile.MANAGER} logged in"), ("f6", hostile.DRIVER)):
        await pilot.press(key)
        await wait_for(pilot, lambda name=name: hostile.whole(name) in drawn(app), what=f"{key}'s list")  # type: ignore[misc]
        assert_shown(app, name)
        await click_injected_actions(pilot, app)
    await pilot.press("f2")
    orders = screen.data.orders if screen.data else []
    voidable = next(n for n, order in enumerate(orders) if order.voidable)
    screen.query_one("#orders", DataTable).move_cursor(row=voidable)
    await pilot.press("v")
    await wait_for(pilot, lambda: "Void #" in screen_text(app), what="the void dialog")
    assert_shown(app, hostile.CUSTOMER)


async def stock(pilot: Pilot[None], app: MakelineApp) -> None:
    await open_as(pilot, app, StockScreen)
    screen = app.screen
    assert isinstance(screen, StockScreen)
    await pilot.press("f5")
    await wait_for(pilot, lambda: screen.data is not None and screen.data.sheet is not None, what="the count")
    assert_shown(app, hostile.STORE, f"by {hostile.MANAGER}")
    await click_injected_actions(pilot, app)


async def lobby(pilot: Pilot[None], app: MakelineApp) -> None:
    await wait_for(
        pilot, lambda: isinstance(app.screen, LobbyScreen) and "Mallory" in drawn(app), what="the board"
    )
    assert_shown(app, hostile.WALK_IN.split()[0], "Mallory")
    await click_injected_actions(pilot, app)


VISITS: dict[str, Callable[[Pilot[None], MakelineApp], Awaitable[None]]] = {
    "login": login,
    "counter": counter,
    "makeline": make_line,
    "sides": sides,
    "oven": oven,
    "rack": rack,
    "dispatch": dispatch,
    "driver": driver,
    "manager": manager,
    "stock": stock,
    "board": lobby,
}


@pytest.mark.parametrize("mode", list(VISITS))
async def test_every_screen_shows_hostile_text_as_typed(hostile_path: Path, clock: Clock, mode: str) -> None:
    with StoreDB(hostile_path) as db:
        app = make_app(hostile_path, "counter" if mode == "login" else mode, clock, db)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await VISITS[mode](pilot, app)
            assert app.return_code is None
