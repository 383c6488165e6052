"""Online orders both ways: placed in the cloud, pulled into a real store through the feed,
and the store's answers — the order on its make line, a cancel accepted before the oven and
refused after it, an order it could not take — read back by the cloud from the store's own
events: linked, cancelled and refunded as the store decided, and the day's sales equal."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy import select, update
from starlette.testclient import TestClient

from cloud_api.db.base import utcnow
from cloud_api.models import Store as CloudStore
from cloud_api.store_events.schemas import Outcome
from cloud_api.sync.service import pull
from makeline.trade.business_day import business_date
from makeline.trade.lifecycle import Stage
from store_db.db import StoreDB
from store_db.models import Order, Store
from store_db.reports.sales import sales_report
from store_db.services import feed, lifecycle
from sync.contract import parse_entry
from sync.contract.entries import OnlineOrder
from tests.cloud.helpers import customer, head_office, order_body, place
from tests.contract.link import SEEDED_CODE, outbox_batches, push, register

MIXED_UP = {"product": "calzone", "size": "lg"}


def _cloud_id(kind: str, payload: dict[str, Any]) -> str:
    entry = parse_entry(kind, payload)
    return entry.cloud_order_id if isinstance(entry, OnlineOrder) else ""


class Link:
    """The store and the cloud, moved along by hand as the agent would."""

    def __init__(self, app: FastAPI, db: StoreDB) -> None:
        self.app, self.db = app, db
        self.store_id = register(app, db)
        self.cursor, self.pushed = 0, 0
        with app.state.ctx.db.transaction() as session:
            seeded = session.scalars(select(CloudStore).where(CloudStore.code == SEEDED_CODE)).one()
            session.execute(
                update(CloudStore)
                .where(CloudStore.id == self.store_id)
                .values(menu_version=seeded.menu_version, last_seen_at=utcnow())
            )

    def pull(self, unknown_to_the_store: frozenset[str] = frozenset()) -> int:
        """The feed since the cursor, applied in the store. The orders named in
        `unknown_to_the_store` arrive with a product the store does not sell (a menu mix-up)."""
        with self.app.state.ctx.db.transaction() as session:
            page = pull(session, self.store_id, self.cursor, 100)
        entries = [
            (
                e.cursor,
                e.kind,
                e.payload
                | ({"items": [MIXED_UP]} if _cloud_id(e.kind, e.payload) in unknown_to_the_store else {}),
            )
            for e in page.entries
        ]
        with self.db.write() as session:
            applied = feed.apply_entries(session, entries, utcnow())
        self.cursor = page.high_water
        return applied

    def push(self) -> list[tuple[str, Outcome]]:
        batches = [[e for e in batch if e.seq > self.pushed] for batch in outbox_batches(self.db)]
        outcomes, mark = push(self.app, self.store_id, [b for b in batches if b])
        self.pushed = mark
        return outcomes


def _order(client: TestClient, order_id: str) -> dict[str, Any]:
    answer = client.get(f"/api/v1/orders/{order_id}", headers=customer(client))
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def _in_store(db: StoreDB, cloud_id: str) -> Order | None:
    with db.read() as session:
        return session.scalars(select(Order).where(Order.cloud_order_id == cloud_id)).one_or_none()


def test_the_store_decides_and_the_cloud_follows(client: TestClient, app: FastAPI, db: StoreDB) -> None:
    link = Link(app, db)
    who = customer(client)
    made, kept, cancelled, refused = (
        place(client, who, order_body(link.store_id)).json()["id"] for _ in range(4)
    )
    link.pull(unknown_to_the_store=frozenset({refused}))
    taken = _in_store(db, made)
    assert taken is not None and _in_store(db, refused) is None
    with db.write() as session:
        lifecycle.advance(session, taken.id, Stage.MADE, utcnow())
    assert {o for _, o in link.push()} == {Outcome.APPLIED}

    seen = _order(client, made)
    assert seen["status"] == "bake" and seen["number"] == taken.number
    assert _order(client, kept)["status"] == "prep"
    gone = _order(client, refused)
    assert gone["status"] == "cancelled" and gone["payment_state"] == "refund_pending"

    for order_id in (made, cancelled):
        answer = client.put(f"/api/v1/orders/{order_id}/status", json={"status": "cancelled"}, headers=who)
        assert answer.status_code == 200, answer.text
    assert link.pull() == 2
    voided = _in_store(db, cancelled)
    assert voided is not None and voided.stage == Stage.VOIDED.value
    assert {o for _, o in link.push()} == {Outcome.APPLIED}

    too_late = _order(client, made)
    assert too_late["status"] == "bake" and too_late["cancel_state"] == "refused"
    assert too_late["payment_state"] == "paid"
    withdrawn = _order(client, cancelled)
    assert withdrawn["status"] == "cancelled" and withdrawn["cancel_state"] == "accepted"
    assert withdrawn["payment_state"] == "refund_pending"

    with db.read() as session:
        store = session.scalars(select(Store)).one()
        day = business_date(utcnow(), store.timezone, store.day_starts_hour)
        mine = sales_report(session, day, day).as_json()["totals"]
    theirs = client.get(
        "/api/v1/reports/sales",
        params={"store_id": link.store_id, "from": day.isoformat(), "to": day.isoformat()},
        headers=head_office(client),
    ).json()["totals"]
    assert mine["orders"] == theirs["orders"] == 2
    for key in ("gross_cents", "discount_cents", "net_sales_cents", "tax_cents", "total_cents"):
        assert theirs[key] == mine[key], key
    # The order the store never took was cancelled in the cloud alone.
    assert (mine["voided_orders"], theirs["voided_orders"]) == (1, 2)
