"""The order that nobody saw, on the screens: an online order neither on a make-line screen
nor printed a minute after it reached the store puts a loud bar on every screen; the make
line drawing its ticket records the sighting and the bar goes away."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from makeline.trade.lifecycle import Service
from makeline.trade.pricing import ItemRequest
from store_db.db import StoreDB
from store_db.models import Order
from store_db.services import feed
from sync.contract.entries import OnlineOrder
from terminal.app import MakelineApp
from tests.terminal.conftest import FRIDAY, Clock, make_app, screen_text, wait_for


def status(app: MakelineApp) -> str:
    return screen_text(app)


def _arrive(db: StoreDB, cloud_id: str, name: str) -> int:
    entry = OnlineOrder(
        cloud_order_id=cloud_id,
        service=Service.CARRYOUT,
        phone="7085550177",
        customer_name=name,
        items=[ItemRequest(product="pepperoni", size="lg")],
        payment="paid",
        total=1883,
        placed_at=FRIDAY - timedelta(minutes=3),
    )
    with db.write() as session:
        feed.apply_entries(session, [(1, "order.online", entry.payload())], FRIDAY - timedelta(minutes=2))
    with db.read() as session:
        return session.scalars(select(Order.number).where(Order.cloud_order_id == cloud_id)).one()


async def test_an_unseen_order_alarms_every_screen_until_the_make_line_draws_it(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    number = _arrive(db, "c-unseen", "[b]Mallory[/b]")
    app = make_app(store_path, "rack", clock, db)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: "UNSEEN ONLINE ORDER" in status(app), what="the alarm")
        assert f"#{number}" in status(app) and "waiting 2 min" in status(app)
        app.go("makeline")
        await wait_for(pilot, lambda: "UNSEEN" not in status(app), what="the alarm to clear")
        app.go("rack")
        await wait_for(pilot, lambda: "UNSEEN" not in status(app), what="the rack without the alarm")
    with db.read() as session:
        seen = session.scalars(select(Order.seen_at).where(Order.cloud_order_id == "c-unseen")).one()
    assert seen == FRIDAY  # the moment the make line first drew it
