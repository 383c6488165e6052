"""The status line on every screen: store, clock in the store's zone, orders in progress, sync."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from makeline.trade.pricing import ItemRequest
from store_db.db import StoreDB
from store_db.models.sync import SyncState
from store_db.queries.store import SyncStatus
from terminal.data.formatting import sync_line
from terminal.widgets.status_line import StatusLine
from tests.terminal.conftest import FRIDAY, Clock, make_app, place, wait_for


def status(app: object) -> str:
    return str(app.screen.query_one(StatusLine).render())  # type: ignore[attr-defined]


async def test_status_line_follows_the_store(store_path: Path, db: StoreDB, clock: Clock) -> None:
    place(db, [ItemRequest(product="pepperoni", size="lg")], FRIDAY - timedelta(minutes=1))
    app = make_app(store_path, "rack", clock, db)
    async with app.run_test(size=(120, 24)) as pilot:
        await wait_for(pilot, lambda: "1 in progress" in status(app))
        text = status(app)
        assert "makeline Oak Park" in text and "RACK" in text
        assert "6:30 PM" in text  # 23:30 UTC in Chicago
        assert "sync: not set up" in text
        place(db, [ItemRequest(product="pepperoni", size="lg")], FRIDAY)
        with db.write() as session:
            session.add(SyncState(id=1, status="offline", last_contact_at=FRIDAY - timedelta(minutes=28)))
        await wait_for(pilot, lambda: "2 in progress" in status(app), what="the second order")
        await wait_for(pilot, lambda: "sync: OFFLINE since 6:02 PM · 2 waiting" in status(app))
        clock.advance(60)
        await wait_for(pilot, lambda: "6:31 PM" in status(app), what="the clock")


def test_sync_line_says_what_a_manager_needs() -> None:
    assert sync_line(SyncStatus("online", FRIDAY, 0), "America/Chicago") == "sync: online"
    assert sync_line(SyncStatus("online", FRIDAY, 3), "America/Chicago") == "sync: online · 3 waiting"
    assert "REVOKED" in sync_line(SyncStatus("revoked", None, 0), "America/Chicago")
