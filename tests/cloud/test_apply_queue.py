"""The appliers' queue (`inbound_pending`): a chunk is taken off it by the statement that
reads it, in the transaction that applies it, so a transaction that does not commit (a
crash, the database gone) leaves the chunk queued and a later apply applies it once; the
queue holds runs of consecutive events (a push's new events one row), taken oldest first
whatever the pushes, the chunks and the events set aside as they were stored; and
Python's collector, held off while a chunk is applied, runs again after it, failed or not; a
store's backlog applied in chunks has its report days recomputed once, when it is drained."""

from __future__ import annotations

import gc
import itertools
import json
import uuid
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cloud_api.db.base import utcnow
from cloud_api.models import DueDay, InboundPending, Order, SalesHour
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


def _push(session: Session, store: str, seqs: list[int]) -> set[int]:
    rows = [
        {
            "seq": n,
            "event_id": f"e-{n}",
            "kind": "order.stage",
            "payload": {},
            "created_at": "2026-12-05T20:00:00Z",
        }
        for n in seqs
    ]
    return repository.store_batch(session, store, json.dumps(rows), utcnow())


def _runs(session: Session, store: str) -> list[tuple[int, int]]:
    found = session.execute(
        select(InboundPending.seq, InboundPending.last_seq)
        .where(InboundPending.store_id == store)
        .order_by(InboundPending.seq)
    )
    return [(int(first), int(last)) for first, last in found]


def test_a_push_waits_as_one_run_and_a_chunk_cut_short_leaves_the_rest_queued(app: FastAPI) -> None:
    store = demo_store_id(app)
    with pytest.raises(_Crash), ctx(app).db.transaction() as session:
        assert _push(session, store, list(range(1, 501))) == set(range(1, 501))
        assert _runs(session, store) == [(1, 500)]
        assert _push(session, store, list(range(401, 601))) == set(range(501, 601))  # sent again, and more
        assert _runs(session, store) == [(1, 500), (501, 600)]
        assert repository.waiting(session, store) == 600
        assert [w.seq for w in repository.take_pending(session, store, 450)] == list(range(1, 451))
        assert _runs(session, store) == [(451, 500), (501, 600)]
        assert [w.seq for w in repository.take_pending(session, store, 100)] == list(range(451, 551))
        assert _runs(session, store) == [(551, 600)]
        repository.drop_pending(session, store, [560, 561, 600])  # set aside as they were stored
        assert _runs(session, store) == [(551, 559), (562, 599)]
        raise _Crash


@given(
    st.lists(
        st.one_of(
            st.tuples(
                st.just("push"),
                st.lists(st.integers(1, 60), min_size=1, max_size=25),
                st.lists(st.integers(1, 60), max_size=3),
            ),
            st.tuples(st.just("take"), st.integers(1, 30), st.just([])),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_every_stored_event_is_taken_once_oldest_first_whatever_the_pushes_and_chunks(
    app: FastAPI, steps: list[tuple[str, Any, list[int]]]
) -> None:
    """Pushes with any sequence numbers (out of order, sent again, some set aside as stored),
    chunks of any size: the queue gives the waiting events oldest first, each once."""
    store = demo_store_id(app)
    waiting: set[int] = set()
    stored: set[int] = set()
    with pytest.raises(_Crash), ctx(app).db.transaction() as session:
        for what, arg, held in steps:
            if what == "push":
                new = _push(session, store, sorted(set(arg)))
                assert new == set(arg) - stored
                stored |= new
                aside = [n for n in held if n in new]
                repository.drop_pending(session, store, aside)
                waiting |= new - set(aside)
            else:
                taken = [w.seq for w in repository.take_pending(session, store, arg)]
                assert taken == sorted(waiting)[:arg]
                waiting -= set(taken)
            assert repository.waiting(session, store) == len(waiting)
            runs = _runs(session, store)
            assert {n for first, last in runs for n in range(first, last + 1)} == waiting
            assert all(a_last < b_first for (_, a_last), (b_first, _) in itertools.pairwise(runs))
        raise _Crash
