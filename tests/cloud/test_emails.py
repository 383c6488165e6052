"""Order emails through the official SendGrid SDK against a local fake SendGrid: one
confirmation when the store has the order and one when it is delivered, however often the
store's events repeat; a refused send waits and retries; a refused address is not retried."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from starlette.testclient import TestClient

from cloud_api.app import create_app
from cloud_api.db.base import utcnow
from cloud_api.demo.seed import demo_customer_email
from cloud_api.models import EmailMessage
from cloud_api.notifications.email_sender import SendGridSender
from cloud_api.notifications.emails import send_due
from cloud_api.settings import CloudSettings
from cloud_api.store_events.service import apply_store_events

from .fake_sendgrid import FakeSendGrid
from .helpers import bring_online, ctx, customer, event, order_body, place, staged, store_order_payload


@pytest.fixture
def fake_sendgrid() -> Iterator[FakeSendGrid]:
    fake = FakeSendGrid().start()
    yield fake
    fake.stop()


@pytest.fixture
def mail_app(settings: CloudSettings, fake_sendgrid: FakeSendGrid) -> FastAPI:
    return create_app(
        settings.model_copy(
            update={"sendgrid_api_key": fake_sendgrid.api_key, "sendgrid_base_url": fake_sendgrid.base_url}
        )
    )


@pytest.fixture
def mailing(mail_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(mail_app) as client:
        yield client


def _send(app: FastAPI, later: timedelta = timedelta(0)) -> int:
    c = ctx(app)
    return send_due(c.db, c.email, c.tokens, c.public_url, utcnow() + later)


def test_one_confirmation_and_one_delivered_email_per_order(
    mailing: TestClient, mail_app: FastAPI, fake_sendgrid: FakeSendGrid
) -> None:
    store = bring_online(mail_app)
    order = place(mailing, customer(mailing), order_body(store, "delivery")).json()
    in_store = str(uuid.uuid4())
    taken = store_order_payload(order_id=in_store, number=1077) | {
        "cloud_order_id": order["id"],
        "channel": "online",
    }
    stages = ["made", "baked", "ready", "out_the_door", "delivered", "delivered"]
    with ctx(mail_app).db.transaction() as session:
        apply_store_events(
            session, store, [event("order.placed", taken, seq=1), event("order.placed", taken, seq=2)]
        )
    assert _send(mail_app) == 1
    assert _send(mail_app) == 0  # nothing more to send
    with ctx(mail_app).db.transaction() as session:
        apply_store_events(
            session,
            store,
            [event("order.stage", staged(in_store, s), seq=n) for n, s in enumerate(stages, start=3)],
        )
    assert _send(mail_app) == 1
    to_me = fake_sendgrid.to(demo_customer_email(1))
    assert [e.subject for e in to_me] == [
        "Your makeline Oak Park order #1077 is confirmed",
        "Your makeline Oak Park order #1077 was delivered",
    ]
    confirmation = to_me[0]
    assert "Large" in confirmation.text and "Total: $" in confirmation.text
    assert f"/track/{order['id']}?code=" in confirmation.text and "Track your order" in confirmation.html
    assert confirmation.from_ == "orders@makeline.test"


def test_a_refused_send_retries_and_a_rejected_one_stops(
    mailing: TestClient, mail_app: FastAPI, fake_sendgrid: FakeSendGrid
) -> None:
    store = bring_online(mail_app)
    order = place(mailing, customer(mailing), order_body(store, "carryout")).json()
    taken = store_order_payload(service="carryout") | {"cloud_order_id": order["id"], "channel": "online"}
    with ctx(mail_app).db.transaction() as session:
        apply_store_events(session, store, [event("order.placed", taken, seq=1)])
    fake_sendgrid.fail_next(1, 503)
    assert _send(mail_app) == 1
    assert fake_sendgrid.emails == []
    assert _send(mail_app) == 0  # it waits before trying again
    assert _send(mail_app, later=timedelta(minutes=1)) == 1
    assert len(fake_sendgrid.emails) == 1

    # A key SendGrid refuses is not a reason to keep trying.
    sender = SendGridSender("SG.wrong", "orders@makeline.test", fake_sendgrid.base_url)
    c = ctx(mail_app)
    with c.db.transaction() as session:
        message = session.scalars(select(EmailMessage)).one()
        message.status, message.next_attempt_at = "queued", utcnow()
    assert send_due(c.db, sender, c.tokens, c.public_url, utcnow()) == 1
    with c.db.transaction() as session:
        message = session.scalars(select(EmailMessage)).one()
        assert message.status == "failed" and "401" in (message.last_error or "")
