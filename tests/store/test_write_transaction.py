"""`StoreDB`'s write transaction begun and committed on the SQLite connection itself: the
counter's pre-written path begins no SQLAlchemy transaction, a service that uses the ORM
gets one inside the same SQLite transaction, and either way it is one transaction: committed
whole, rolled back whole, its outbox events grouped under one `txn`."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, func, select

from store_db.db import StoreDB
from store_db.models import Order, OutboxEvent
from store_db.services import kitchen, outbox
from store_db.services.orders import place_order
from sync.contract.events import OrderFired
from tests.store.helpers import T0, carryout, delivery, fingerprint


def _begins(db: StoreDB) -> list[object]:
    """Every transaction SQLAlchemy begins on the write engine, from now on."""
    seen: list[object] = []

    def _count(connection: Any) -> None:
        seen.append(connection)

    event.listen(db.engine, "begin", _count)
    return seen


def test_placing_orders_begins_no_orm_transaction_and_a_bump_does(db: StoreDB) -> None:
    db.run(place_order, carryout(), T0)  # the menu's first read is the ORM's (then kept)
    begins = _begins(db)
    placed = [db.run(place_order, carryout(), T0).id, db.run(place_order, delivery(), T0).id]
    assert begins == []
    db.run(kitchen.bump_order, placed[0], T0)
    assert len(begins) == 1
    with db.read() as session:
        stages = {order_id: stage for order_id, stage in session.execute(select(Order.id, Order.stage))}
        kinds = session.scalars(select(OutboxEvent.kind).order_by(OutboxEvent.seq)).all()
    assert [stages[p] for p in placed] == ["made", "placed"]
    assert kinds[:3] == ["order.placed"] * 3 and "order.stage" in kinds[3:]


def test_pre_written_and_orm_writes_are_one_transaction(db: StoreDB) -> None:
    with db.write() as session:
        order = place_order(session, carryout(), T0)
        kitchen.bump_order(session, order.id, T0)  # the ORM begins its transaction here
        outbox.emit(session, OrderFired(order_id=order.id, number=order.number, at=T0), order.id, T0)
    with db.read() as session:
        txns = session.scalars(select(OutboxEvent.txn).where(OutboxEvent.subject == order.id)).all()
        stage = session.scalars(select(Order.stage).where(Order.id == order.id)).one()
    assert len(txns) == 3 and len(set(txns)) == 1  # placed, staged, fired: one local transaction
    assert stage == "made"


def test_each_transaction_on_the_kept_session_is_its_own(db: StoreDB) -> None:
    """The session a pre-written write leaves untouched serves the next one: nothing it held
    (the outbox's `txn`, the kept values' transaction) reaches the next transaction."""
    placed = [db.run(place_order, carryout(), T0).id for _ in range(3)]
    with db.read() as session:
        txns = session.scalars(select(OutboxEvent.txn).where(OutboxEvent.subject.in_(placed))).all()
    assert len(txns) == 3 and len(set(txns)) == 3


@pytest.mark.parametrize("orm", [False, True], ids=["pre-written only", "with the orm"])
def test_a_refused_transaction_leaves_nothing_and_the_next_one_writes(db: StoreDB, orm: bool) -> None:
    first = db.run(place_order, carryout(), T0)
    before = fingerprint(db)
    with pytest.raises(RuntimeError), db.write() as session:
        order = place_order(session, delivery(), T0)
        if orm:
            kitchen.bump_order(session, order.id, T0)
            kitchen.bump_order(session, first.id, T0)
        raise RuntimeError("the counter's screen closed")
    assert fingerprint(db) == before
    db.run(place_order, carryout(), T0)
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Order)) == 2
        assert session.scalars(select(Order.stage).where(Order.id == first.id)).one() == "placed"
