"""The appliers' queue (`inbound_pending`): a chunk is taken off it by the statement that
reads it, in the transaction that applies it, so a transaction that does not commit (a
crash, the database gone) leaves the chunk queued and a later apply applies it once; and
Python's collector, held off while a chunk is applied, runs again after it, failed or not; a
store's backlog applied in chunks has its report days recomputed once, when it is drained."""

from __future__ import annotations

import gc
import uuid
from datetime import date

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cloud_api.db.base import utcnow
from cloud_api.models import DueDay, Order, SalesHour
from cloud_api.store_events import repository
from cloud_api.store_events.intake import keep_store_events
from cloud_api.store_events.schemas import Outcome
from cloud_api.store_events.service import _collector_paused, apply_pending

from .helpers import ctx, demo_store_id, evanston, event, staged, store_order_payload


class _Crash(Exception):
    pass


def test_a_chunk_whose_transaction_rolls_back_stays_queued_and_is_applied_once_later(app: FastAPI) -> None:
    store, now = evanston(app), utcnow()
    order_id = str(uuid.uuid4())
    events = [
        event("order.placed", store_order_payload(order_id=order_id, placed_at=now), seq=1, at=now),
        event("order.stage", staged(order_id, "made", now), seq=2, at=now),
    ]
    with ctx(app).db.transaction() as session:
        keep_store_events(session, store, events, now)
    with pytest.raises(_Crash), ctx(app).db.transaction() as session:
        assert apply_pending(session, store, now) == {1: Outcome.APPLIED, 2: Outcome.APPLIED}
        assert repository.waiting(session, store) == 0
        raise _Crash  # the process dies before its commit
    with ctx(app).db.transaction() as session:
        assert repository.waiting(session, store) == 2
        assert (
            session.scalar(select(Order.stage).where(Order.store_id == store, Order.id == order_id)) is None
        )
        assert apply_pending(session, store, now) == {1: Outcome.APPLIED, 2: Outcome.APPLIED}
    with ctx(app).db.transaction() as session:
        assert repository.waiting(session, store) == 0 and apply_pending(session, store, now) == {}
        stages = session.scalars(select(Order.stage).where(Order.store_id == store, Order.id == order_id))
        assert list(stages) == ["made"]


def test_the_collector_runs_again_after_a_chunk_even_one_that_fails() -> None:
    assert gc.isenabled()
    with _collector_paused():
        assert not gc.isenabled()
        with _collector_paused():  # a second chunk meanwhile leaves it to the first
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(_Crash), _collector_paused():
        raise _Crash
    assert gc.isenabled()


def _sold(session: Session, store: str) -> int:
    found = session.scalar(
        select(func.coalesce(func.sum(SalesHour.orders), 0)).where(SalesHour.store_id == store)
    )
    return int(found or 0)


def _due(session: Session, store: str) -> list[date]:
    return list(session.scalars(select(DueDay.business_date).where(DueDay.store_id == store)))


def test_a_backlog_in_chunks_recomputes_its_report_days_once_with_the_chunk_that_drains_it(
    app: FastAPI,
) -> None:
    store, now = evanston(app), utcnow()
    orders = [str(uuid.uuid4()) for _ in range(5)]
    events = [
        event("order.placed", store_order_payload(order_id=order_id, placed_at=now), seq=n, at=now)
        for n, order_id in enumerate(orders, start=1)
    ]
    with ctx(app).db.transaction() as session:
        keep_store_events(session, store, events, now)
    with ctx(app).db.transaction() as session:  # more waits behind this chunk: its day is due
        assert len(apply_pending(session, store, now, limit=2)) == 2
    with ctx(app).db.transaction() as session:
        day = session.scalar(
            select(Order.business_date).where(Order.store_id == store, Order.id == orders[0])
        )
        assert _due(session, store) == [day] and _sold(session, store) == 0
    with pytest.raises(_Crash), ctx(app).db.transaction() as session:  # the draining chunk dies
        assert len(apply_pending(session, store, now, limit=3)) == 3
        assert _due(session, store) == []  # taken, to be recomputed at the commit
        raise _Crash
    with ctx(app).db.transaction() as session:  # ... and its rollback kept the note
        assert _due(session, store) == [day] and _sold(session, store) == 0
    with ctx(app).db.transaction() as session:  # a full chunk that empties the queue drains it too
        assert len(apply_pending(session, store, now, limit=3)) == 3
    with ctx(app).db.transaction() as session:
        assert _due(session, store) == [] and _sold(session, store) == 5


def test_the_stores_waiting_are_each_listed_once_in_the_order_of_their_ids(app: FastAPI) -> None:
    """The appliers' round: every store with events waiting, once however many it has, and
    no more than asked for."""
    now = utcnow()
    stores = [demo_store_id(app), evanston(app)]
    with ctx(app).db.transaction() as session:
        assert repository.stores_waiting(session, 64) == []
        for n, store in enumerate(stores):
            order_id = str(uuid.uuid4())
            events = [
                event("order.placed", store_order_payload(order_id=order_id, placed_at=now), seq=1, at=now),
                *(
                    event("order.stage", staged(order_id, s, now), seq=2 + k, at=now)
                    for k, s in enumerate(["made", "baked"][: n + 1])
                ),
            ]
            keep_store_events(session, store, events, now)
    with ctx(app).db.transaction() as session:
        assert repository.stores_waiting(session, 64) == sorted(stores)
        assert repository.stores_waiting(session, 1) == sorted(stores)[:1]
        apply_pending(session, sorted(stores)[0], now)
        assert repository.stores_waiting(session, 64) == sorted(stores)[1:]
