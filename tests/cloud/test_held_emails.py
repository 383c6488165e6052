"""A chunk's order emails queued in one statement (`emails.emails_in_one_statement`) go to
the same addresses as one look-up per email (`customers.contact.email_of`): the checkout's
address first, else the customer's account unless it is a guest's, none for an order with
neither; a kind repeated is one email; and a chunk of stage news queues them so."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from cloud_api.db.base import utcnow
from cloud_api.demo.seed import demo_customer_email
from cloud_api.models import Account, EmailMessage
from cloud_api.notifications import emails
from cloud_api.orders.repository import order_by_id
from cloud_api.store_events.service import apply_store_events

from .helpers import ctx, demo_store_id, event, staged, store_order_payload


def _queued(session: Session, ids: list[str]) -> list[tuple[int, str, str, str, str]]:
    found = session.execute(
        select(EmailMessage.order_id, EmailMessage.kind, EmailMessage.email, EmailMessage.dedupe_key)
        .where(EmailMessage.order_id.in_(ids))
        .order_by(EmailMessage.id)
    )
    return [(ids.index(order_id), kind, email, key, "queued") for order_id, kind, email, key in found]


def _orders(app: FastAPI) -> list[str]:
    """Online orders taken in store: with a checkout address, a customer account, a guest
    account, a checkout address and a guest account, and neither."""
    store, now = demo_store_id(app), utcnow()
    payloads = [store_order_payload(number=n, placed_at=now) | {"channel": "online"} for n in range(21, 26)]
    with ctx(app).db.transaction() as session:
        apply_store_events(
            session, store, [event("order.placed", p, seq=i) for i, p in enumerate(payloads, 1)]
        )
        ids = [p["id"] for p in payloads]
        member = session.scalars(select(Account.id).where(Account.email == demo_customer_email(1))).one()
        guest = Account(
            email="Someone@GUEST.invalid",
            password_hash="x",
            name="Guest",
            role="customer",
            created_at=now,
            updated_at=now,
        )
        session.add(guest)
        session.flush()
        for order_id, customer in zip(ids, [None, member, guest.id, guest.id, None], strict=True):
            session.execute(
                text("UPDATE orders SET customer_id = :c WHERE id = :o"), {"c": customer, "o": order_id}
            )
        for order_id, address in ((ids[0], "pat@example.test"), (ids[3], "given@example.test")):
            session.execute(
                text(
                    "INSERT INTO order_contact (store_id, order_id, email, created_at) VALUES (:s, :o, :e, now())"
                ),
                {"s": store, "o": order_id, "e": address},
            )
    return ids


def test_emails_held_for_one_statement_go_where_one_look_up_each_sends_them(app: FastAPI) -> None:
    ids, at = _orders(app), utcnow()
    with ctx(app).db.transaction() as session:
        orders = [order_by_id(session, i) for i in ids]
        for order in [*orders, orders[1]]:
            assert order is not None
            emails.queue_order_email(session, order, emails.DELIVERED, at)
        one_each = _queued(session, ids)
        session.execute(text("DELETE FROM email_message WHERE order_id = ANY(:ids)"), {"ids": ids})
        with emails.emails_in_one_statement(session):
            for order in [*orders, orders[1]]:
                assert order is not None
                emails.queue_order_email(session, order, emails.DELIVERED, at)
            assert _queued(session, ids) == [], "held until the block ends"
        held = _queued(session, ids)
    assert held == one_each
    assert [(n, address) for n, _, address, _, _ in held] == [
        (0, "pat@example.test"),
        (1, demo_customer_email(1)),
        (3, "given@example.test"),
    ]


def test_a_chunk_of_deliveries_queues_each_order_one_delivered_email(app: FastAPI) -> None:
    ids, store = _orders(app), None
    store = demo_store_id(app)
    later = utcnow() + timedelta(minutes=30)
    walk = ["made", "baked", "ready", "out_the_door", "delivered", "delivered"]
    news = [
        event("order.stage", staged(i, s, later), seq=10 + n)
        for n, (i, s) in enumerate((i, s) for i in ids for s in walk)
    ]
    with ctx(app).db.transaction() as session:
        apply_store_events(session, store, news)
    with ctx(app).db.transaction() as session:
        delivered = [
            (n, address) for n, kind, address, _, _ in _queued(session, ids) if kind == emails.DELIVERED
        ]
    assert delivered == [(0, "pat@example.test"), (1, demo_customer_email(1)), (3, "given@example.test")]
