"""Moving an online order along as its store would: the cloud's own progress service, the
same code the store's synced events reach."""

from __future__ import annotations

import uuid
from datetime import timedelta

from cloud_api.context import CloudContext
from cloud_api.db.base import utcnow
from cloud_api.orders import progress
from cloud_api.orders.repository import order_by_id
from makeline.trade.lifecycle import Stage


def take(ctx: CloudContext, order_id: str, number: int, promise_minutes: int = 40) -> None:
    now = utcnow()
    with ctx.db.transaction() as session:
        order = order_by_id(session, order_id, lock=True)
        assert order is not None
        progress.taken_in_store(
            session,
            order,
            store_order_id=str(uuid.uuid4()),
            number=number,
            business_date=None,
            promise_at=now + timedelta(minutes=promise_minutes),
            at=now,
        )


def move(ctx: CloudContext, order_id: str, stage: Stage, driver: str | None = None) -> None:
    now = utcnow()
    with ctx.db.transaction() as session:
        order = order_by_id(session, order_id, lock=True)
        assert order is not None
        if driver:
            progress.set_driver(session, order, driver, str(uuid.uuid4()), now)
        progress.advance(session, order, stage, now, strict=False)
