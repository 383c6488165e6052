"""The store's new orders of a chunk and their lines, written in one statement
(`store_events.new_orders`): every column as the store sent it, hostile text kept as
text, a replayed order's lines never doubled, and an order the columns cannot hold set
aside alone while the rest of its chunk is recorded."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select

from cloud_api.db.base import utcnow
from cloud_api.models import InboundQuarantine, Order, OrderLine
from cloud_api.store_events.schemas import Outcome
from cloud_api.store_events.service import apply_store_events
from sync.contract.events import OrderPlaced

from .helpers import ctx, demo_store_id, event, store_order_payload

HOSTILE = 'Robert\'); DROP TABLE orders; -- {"id": 1} \\N ½ 🍕'


def _lines(session: Any, order_id: str) -> list[tuple[int, str, int, dict[str, Any]]]:
    found = session.scalars(
        select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.line_no)
    )
    return [(li.line_no, li.product, li.line_total, li.item) for li in found]


def test_a_chunk_of_new_orders_is_recorded_column_for_column(app: FastAPI) -> None:
    store, now = demo_store_id(app), utcnow().replace(microsecond=0)
    plain = store_order_payload(number=7, placed_at=now)
    hostile = {
        **store_order_payload(number=8, service="carryout", placed_at=now),
        "customer_name": HOSTILE[:80],
        "notes": HOSTILE * 20,
        "coupon": None,
        "lat": 41.88,
        "lon": -87.63,
        "scheduled_for": (now + timedelta(hours=3)).isoformat(),
    }
    empty = {**store_order_payload(number=9, placed_at=now), "items": []}
    with ctx(app).db.transaction() as session:
        before, _ = apply_store_events(session, store, [event("order.placed", plain, seq=1, at=now)])
    chunk = [
        event("order.placed", hostile, seq=2, at=now),
        event("order.placed", plain, seq=3, at=now),  # the store sent it again under a new number
        event("order.placed", empty, seq=4, at=now),
        event("order.placed", hostile, seq=5, at=now),
    ]
    with ctx(app).db.transaction() as session:
        outcomes, mark = apply_store_events(session, store, chunk)
    assert before == [Outcome.APPLIED] and mark == 5
    assert outcomes == [Outcome.APPLIED] * 4

    with ctx(app).db.transaction() as session:
        for payload in (plain, hostile, empty):
            sent = OrderPlaced.model_validate(payload)
            order = session.get(Order, {"store_id": store, "id": sent.id})
            assert order is not None and order.store_id == store and order.store_order_id == sent.id
            assert (order.number, order.business_date, order.channel, order.service) == (
                sent.number,
                sent.business_date,
                sent.channel.value,
                sent.service.value,
            )
            assert (order.customer_name, order.notes, order.coupon, order.lat, order.lon) == (
                sent.customer_name,
                sent.notes,
                sent.coupon,
                sent.lat,
                sent.lon,
            )
            assert (order.subtotal, order.tax, order.total, order.payment) == (
                sent.subtotal,
                sent.tax,
                sent.total,
                sent.payment,
            )
            assert (order.placed_at, order.in_store_at, order.promise_at, order.scheduled_for) == (
                sent.placed_at,
                sent.placed_at,
                sent.promise_at,
                sent.scheduled_for,
            )
            assert order.stage == "placed" and order.updated_at == now
            assert not (
                order.flagged_early_bump or order.flagged_quick_delivery or order.flagged_repeated_recall
            )
            assert _lines(session, sent.id) == [
                (n, item.product, item.line_total, item.model_dump(mode="json"))
                for n, item in enumerate(sent.items, start=1)
            ]
        held_for_later = session.get(Order, {"store_id": store, "id": hostile["id"]})
        assert held_for_later is not None and held_for_later.tracked_status == "placed"
        assert len(_lines(session, plain["id"])) == 1, "a replayed order's lines are not doubled"


def test_an_order_the_columns_cannot_hold_is_set_aside_and_the_rest_recorded(app: FastAPI) -> None:
    store, now = demo_store_id(app), utcnow().replace(microsecond=0)
    good = [store_order_payload(number=n, placed_at=now) for n in (11, 12)]
    too_long = {**store_order_payload(number=13, placed_at=now), "customer_name": "N" * 81}
    chunk = [
        event("order.placed", good[0], seq=1, at=now),
        event("order.placed", too_long, seq=2, at=now),
        event("order.placed", good[1], seq=3, at=now),
    ]
    with ctx(app).db.transaction() as session:
        outcomes, mark = apply_store_events(session, store, chunk)
    assert outcomes == [Outcome.APPLIED, Outcome.QUARANTINED, Outcome.APPLIED] and mark == 3
    with ctx(app).db.transaction() as session:
        assert session.get(Order, {"store_id": store, "id": too_long["id"]}) is None
        assert all(len(_lines(session, p["id"])) == 1 for p in good)
        reason = session.scalar(
            select(InboundQuarantine.reason).where(
                InboundQuarantine.store_id == store, InboundQuarantine.seq == 2
            )
        )
        assert reason is not None and reason.startswith("Could not apply it")
