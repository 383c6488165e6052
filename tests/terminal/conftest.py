"""Terminal test helpers: a settable clock, orders placed through the store's services, Pilot waits."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from makeline.trade.lifecycle import Channel, Service
from makeline.trade.menu import Amount, Placement, ToppingChoice
from makeline.trade.pricing import ItemRequest
from store_db.db import StoreDB
from store_db.models import Order
from store_db.services.orders import AddressRequest, OrderRequest, TenderRequest, place_order
from terminal.app import MakelineApp
from terminal.config import TerminalConfig
from tests.conftest import copy_store
from tests.patience import patient

# A Friday evening in Oak Park: 6:30 PM store time.
FRIDAY = datetime(2025, 3, 14, 23, 30, tzinfo=UTC)
REPEAT_PHONE = "7085550142"
REPEAT_ADDRESS = "1200 N Harlem Ave"


@dataclass
class Clock:
    """The one clock a test's app reads; `advance` moves it like time passing."""

    at: datetime = field(default=FRIDAY)

    def now(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="session")
def hostile_template(demo_store_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store with hostile text in every field people read (`hostile_store`)."""
    from tests.terminal import hostile_store

    path = copy_store(demo_store_template, tmp_path_factory.mktemp("hostile") / "store.db")
    with StoreDB(path) as db:
        hostile_store.build(db)
    return path


@pytest.fixture
def hostile_path(hostile_template: Path, tmp_path: Path) -> Path:
    return copy_store(hostile_template, tmp_path / "store.db")


def half_and_half(size: str = "lg") -> ItemRequest:
    return ItemRequest(
        product="cheese",
        size=size,
        toppings=[
            ToppingChoice(code="pepperoni", placement=Placement.LEFT),
            ToppingChoice(code="mushrooms", placement=Placement.RIGHT, amount=Amount.EXTRA),
        ],
    )


def place(
    db: StoreDB,
    items: Iterable[ItemRequest],
    at: datetime,
    service: Service = Service.CARRYOUT,
    phone: str | None = None,
    name: str = "",
    address: str | None = None,
    notes: str = "",
    paid: bool = True,
    address_note: str = "",
) -> Order:
    """`paid=False`: a carryout order paid when it is picked up."""
    request = OrderRequest(
        channel=Channel.PHONE if phone else Channel.WALK_IN,
        service=service,
        items=list(items),
        phone=phone,
        customer_name=name,
        notes=notes,
        address=AddressRequest(line1=address, notes=address_note) if address else None,
        tenders=[TenderRequest(kind="pay_at_door" if service is Service.DELIVERY else "cash")]
        if paid
        else [],
    )
    with db.write() as session:
        return place_order(session, request, at)


def use_sides_screen(db: StoreDB, on: bool = True) -> None:
    """The store setting: a sides screen makes wings and bread (off: the cut table bags them)."""
    from store_db.services import kitchen

    with db.write() as session:
        kitchen.set_sides_station(session, on, FRIDAY)


def repeat_customer(db: StoreDB, at: datetime) -> Order:
    """Maria has ordered before: a saved address and a last order to repeat."""
    return place(
        db,
        [ItemRequest(product="pepperoni", size="md")],
        at - timedelta(days=3),
        Service.DELIVERY,
        phone=REPEAT_PHONE,
        name="Maria Garcia",
        address=REPEAT_ADDRESS,
    )


def make_app(
    path: Path, screen: str, clock: Clock, db: StoreDB | None = None, poll_s: float = 0.02
) -> MakelineApp:
    """The app on a test's store file; pass the test's `db` to skip a second schema check."""
    config = TerminalConfig(db_path=path, screen=screen, now=clock.now, cursor_blink=False, poll_s=poll_s)
    return MakelineApp(config, db=db)


async def wait_for(
    pilot: Pilot[None],
    condition: Callable[[], bool],
    timeout: float = 5.0,
    what: str = "the screen to update",
) -> None:
    deadline = time.monotonic() + patient(timeout)
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.01)
    await pilot.pause()  # let the change reach the screen


async def type_text(pilot: Pilot[None], text: str) -> int:
    """Press each character; returns the number of keystrokes."""
    keys = ["space" if ch == " " else ch for ch in text]
    await pilot.press(*keys)
    return len(keys)


async def fill(pilot: Pilot[None], field_id: str, text: str) -> None:
    """Put `text` in a field and press Enter there (Pilot types one key at ~65 ms; tests that
    count keystrokes type, the others fill)."""
    field = pilot.app.screen.query_one(f"#{field_id}", Input)
    field.focus()
    field.value = text
    await pilot.press("enter")


async def log_in(pilot: Pilot[None], name: str, pin: str) -> None:
    await fill(pilot, "login-name", name)
    await fill(pilot, "login-pin", pin)


def screen_text(app: MakelineApp) -> str:
    """The top screen as plain text, line by line (what a person would read)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())
