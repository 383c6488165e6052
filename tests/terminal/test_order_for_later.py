"""An order for later at the counter: the time typed as it is said, read back in words,
refused outside the store's hours with the next opening, held off the make line and listed
as scheduled on the counter and the manager's orders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from makeline.trade.hours import Span, StoreHours
from store_db.db import StoreDB
from store_db.models import KitchenTicket, Order
from store_db.queries.manager import todays_orders
from store_db.services import feed
from sync.contract.entries import StoreSettings
from terminal.data.order_time import read_order_time, stage_words
from terminal.errors import TerminalError
from tests.terminal.conftest import FRIDAY, Clock, fill, make_app, screen_text, wait_for
from tests.terminal.test_counter import add_item, at_counter, message, placed

ZONE = "America/Chicago"  # FRIDAY is 14 March 2025, 18:30 there


def local(day: int, hour: int, minute: int = 0) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime(2025, 3, day, hour, minute, tzinfo=ZoneInfo(ZONE)).astimezone(UTC)


@pytest.mark.parametrize(
    ("typed", "wanted"),
    [
        ("", None),
        ("asap", None),
        ("19:45", local(14, 19, 45)),
        ("7:45pm", local(14, 19, 45)),
        ("7.45 p", local(14, 19, 45)),
        ("tomorrow 11:30", local(15, 11, 30)),
        ("Sat 7pm", local(15, 19)),
        ("fri 12", local(21, 12)),  # this Friday's noon has passed: next Friday
        ("sun 12am", local(16, 0)),
    ],
)
def test_times_are_read_as_they_are_said(typed: str, wanted: datetime | None) -> None:
    if typed == "fri 12":
        with pytest.raises(TerminalError, match="has passed today"):
            read_order_time(typed, FRIDAY, ZONE)
        return
    assert read_order_time(typed, FRIDAY, ZONE) == wanted


@pytest.mark.parametrize("typed", ["25:00", "13pm", "soon", "18:75", "tomorrow", "12:00"])
def test_unreadable_or_past_times_say_how_to_type_them(typed: str) -> None:
    with pytest.raises(TerminalError, match=r"18:30|has passed|not a time|1 to 12"):
        read_order_time(typed, FRIDAY, ZONE)


def closed_on_sundays(db: StoreDB) -> None:
    week = {d: [Span(opens="11:00", closes="23:00")] for d in ("mon", "tue", "wed", "thu", "fri", "sat")}
    entry = StoreSettings(hours=StoreHours(week=week))  # type: ignore[arg-type]
    with db.write() as session:
        feed.apply_entries(session, [(1, "store.settings", entry.payload())], FRIDAY)


async def test_an_order_for_later_at_the_counter(store_path: Path, db: StoreDB, clock: Clock) -> None:
    closed_on_sundays(db)
    app = make_app(store_path, "counter", clock, db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await at_counter(pilot, app)
        await pilot.press("enter")  # a walk-in
        await add_item(pilot, screen, "lg pep")
        await fill(pilot, "later", "sun 12:00")
        await wait_for(pilot, lambda: "closed at" in message(app), what="the refusal")
        assert "it next opens Monday 11:00" in message(app), message(app)
        await pilot.press("f10")
        await wait_for(pilot, lambda: "Press Enter on the time" in message(app), what="the guard")
        await fill(pilot, "later", "tomorrow 12:30")
        await wait_for(pilot, lambda: "For later: tomorrow 12:30" in message(app), what="the echo")
        assert "FOR LATER Saturday 12:30 (15 Mar)" in screen_text(app)
        await pilot.press("f8", "f10")
        await placed(pilot, app, db, 1)
        assert "for later, tomorrow 12:30" in message(app), message(app)
        await wait_for(pilot, lambda: "tomorrow 12:30 CARRY" in screen_text(app), what="the scheduled list")
    with db.read() as session:
        order = session.scalars(select(Order)).one()
        assert order.scheduled_for == local(15, 12, 30) and order.fired_at is None
        assert session.scalars(select(KitchenTicket)).all() == []
        rows = todays_orders(session, FRIDAY + timedelta(hours=1))
    assert [(r.number, r.held, r.scheduled_for) for r in rows] == [(order.number, True, local(15, 12, 30))]
    assert stage_words(rows[0], ZONE, FRIDAY) == "SCHEDULED tomorrow 12:30", "as the manager's list shows it"
