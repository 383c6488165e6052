"""Moving a store's outbox into the cloud as sync does, and registering the store there under
its own id: the plumbing both contract tests share."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy import select, update

from cloud_api.context import CloudContext
from cloud_api.db.base import utcnow
from cloud_api.feed import service as feed
from cloud_api.models import Store as CloudStore
from cloud_api.store_events.schemas import Outcome, StoreEvent
from cloud_api.store_events.service import apply_store_events
from store_db.db import StoreDB
from store_db.models import OutboxEvent, Store
from tests.contract.store_day import StoreDay

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

BATCH = 250  # events per push, never splitting one store transaction
SEEDED_CODE = "SEEDED-DEMO"  # the cloud's own demo store, moved aside for the store's own id


@dataclass
class Contract:
    store_path: Path
    day: StoreDay
    store_id: str
    app: FastAPI
    client: TestClient
    headers: dict[str, str]
    first_push: list[tuple[str, Outcome]]
    mark: int

    @property
    def ctx(self) -> CloudContext:
        found: CloudContext = self.app.state.ctx
        return found


def outbox_batches(db: StoreDB) -> list[list[StoreEvent]]:
    """The store's whole outbox in sequence order, cut into batches at transaction borders."""
    with db.read() as session:
        rows = session.scalars(select(OutboxEvent).order_by(OutboxEvent.seq)).all()
        events = [
            (
                r.txn,
                StoreEvent(
                    seq=r.seq, event_id=r.event_id, kind=r.kind, payload=r.payload, created_at=r.created_at
                ),
            )
            for r in rows
        ]
    batches: list[list[StoreEvent]] = [[]]
    for n, (txn, event) in enumerate(events):
        if len(batches[-1]) >= BATCH and events[n - 1][0] != txn:
            batches.append([])
        batches[-1].append(event)
    return batches


def push(
    app: FastAPI, store_id: str, batches: list[list[StoreEvent]]
) -> tuple[list[tuple[str, Outcome]], int]:
    """Every batch through `apply_store_events`, one cloud transaction each, as sync pushes them."""
    ctx: CloudContext = app.state.ctx
    outcomes: list[tuple[str, Outcome]] = []
    mark = 0
    for batch in batches:
        with ctx.db.transaction() as session:
            found, mark = apply_store_events(session, store_id, batch)
        outcomes += [(e.kind, o) for e, o in zip(batch, found, strict=True)]
    return outcomes, mark


def register(app: FastAPI, db: StoreDB) -> str:
    """The store in the cloud under its own id (the seeded demo store with its code steps aside)."""
    with db.read() as session:
        store = session.scalars(select(Store)).one()
        details = {
            "id": store.id,
            "code": store.code,
            "name": store.name,
            "address": store.address,
            "phone": store.phone,
            "timezone": store.timezone,
            "tax_rate_bp": store.tax_rate_bp,
            "lat": store.lat,
            "lon": store.lon,
            "delivery_radius_km": store.delivery_radius_km,
            "day_starts_hour": store.day_starts_hour,
        }
    ctx: CloudContext = app.state.ctx
    now = utcnow()
    with ctx.db.transaction() as session:
        session.execute(update(CloudStore).where(CloudStore.code == details["code"]).values(code=SEEDED_CODE))
        session.add(CloudStore(**details, created_at=now, updated_at=now))
        session.flush()
        feed.start_feed(session, str(details["id"]))
    return str(details["id"])
