"""Texts through the official Twilio SDK against a fake Twilio on loopback: one text per
order per stage whatever repeats or restarts, retries with backoff, STOP, and promotions
only in the store's daytime."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from sqlalchemy import select, update
from starlette.testclient import TestClient
from twilio.request_validator import RequestValidator

from cloud_api.app import create_app
from cloud_api.db.base import utcnow
from cloud_api.models import Notification
from cloud_api.notifications.freshness import still_news
from cloud_api.notifications.worker import NotificationWorker
from cloud_api.settings import CloudSettings
from cloud_api.store_events.service import apply_store_events
from sync.contract.events import DispatchedStop, RunDispatched

from .fake_twilio import FakeTwilio
from .helpers import (
    bring_online,
    ctx,
    customer,
    event,
    head_office,
    manager,
    order_body,
    place,
    staged,
    store_order_payload,
)


@pytest.fixture
def texting_app(settings: CloudSettings, fake_twilio: FakeTwilio) -> FastAPI:
    return create_app(
        settings.model_copy(
            update={
                "twilio_account_sid": fake_twilio.account_sid,
                "twilio_auth_token": fake_twilio.auth_token,
                "twilio_base_url": fake_twilio.base_url,
                "twilio_from": "+17085550000",
            }
        )
    )


@pytest.fixture
def texting(texting_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(texting_app) as test_client:
        yield test_client


def _worker(app: FastAPI, clock: list[datetime] | None = None, lease_s: float = 60) -> NotificationWorker:
    c = ctx(app)
    now = (lambda: clock[0]) if clock is not None else utcnow
    return NotificationWorker(
        c.db, c.sms, c.tokens, c.public_url, lease=timedelta(seconds=lease_s), clock=now
    )


def _stage(order_id: str, stage: str) -> dict[str, Any]:
    return staged(order_id, stage)


def test_one_text_per_stage_across_repeats_restarts_and_a_crash(
    texting: TestClient,
    texting_app: FastAPI,
    fake_twilio: FakeTwilio,
) -> None:
    app = texting_app
    store = bring_online(app)
    order = place(texting, customer(texting), order_body(store, "delivery")).json()
    phone = "+1" + texting.get("/api/v1/profile", headers=customer(texting)).json()["phone"]
    in_store = str(uuid.uuid4())
    taken = store_order_payload(order_id=in_store, number=1050) | {
        "cloud_order_id": order["id"],
        "channel": "online",
    }
    with ctx(app).db.transaction() as session:
        apply_store_events(
            session,
            store,
            [
                event("order.placed", taken, seq=1),
                event("order.placed", taken, seq=2),
                event("order.stage", _stage(in_store, "made"), seq=3),
            ],
        )
    first = _worker(app)
    assert first.run_once() == 1
    with ctx(app).db.transaction() as session:
        apply_store_events(
            session,
            store,
            [
                event("order.stage", _stage(in_store, s), seq=n)
                for n, s in enumerate(["made", "baked", "ready", "out_the_door", "out_the_door"], start=4)
            ],
        )
        apply_store_events(
            session,
            store,
            [
                event(
                    "run.dispatched",
                    RunDispatched(
                        run_id=str(uuid.uuid4()),
                        driver_id=str(uuid.uuid4()),
                        driver="Sam",
                        at=utcnow(),
                        stops=[DispatchedStop(order_id=in_store, number=1050)],
                    ).payload(),
                    seq=9,
                )
            ],
        )
    # The worker takes the "on the way" text and stops before it can send it.
    assert [phone_ for _, phone_, _ in first.claim(utcnow())] == [phone[2:]]
    with ctx(app).db.transaction() as session:
        apply_store_events(session, store, [event("order.stage", _stage(in_store, "out_the_door"), seq=10)])
    restarted = _worker(app, lease_s=0)
    assert restarted.run_once() == 2  # recovered (Twilio has no such text), then sent
    restarted.run_once()
    texts = fake_twilio.to(phone)
    assert len(texts) == 2
    assert texts[0].body.startswith("makeline Oak Park has your order #1050")
    assert texts[1].body.startswith("Your order #1050 is on the way with Sam.")
    assert order["id"] in texts[1].body

    # Now a text that went out just before its worker stopped: found at Twilio, not sent again.
    with ctx(app).db.transaction() as session:
        apply_store_events(session, store, [event("order.stage", _stage(in_store, "delivered"), seq=11)])
        session.execute(update(Notification).values(status="sent"))  # nothing else pending
    carry = place(texting, customer(texting), order_body(store)).json()
    with ctx(app).db.transaction() as session:
        apply_store_events(
            session,
            store,
            [
                event(
                    "order.placed",
                    store_order_payload(order_id=str(uuid.uuid4()), service="carryout")
                    | {"cloud_order_id": carry["id"], "channel": "online"},
                    seq=12,
                )
            ],
        )
    claimed = _worker(app).claim(utcnow())
    assert len(claimed) == 1
    note_id, to, body = claimed[0]
    ctx(app).sms.send(to, body)
    again = _worker(app, lease_s=0)
    again.run_once()
    again.run_once()
    assert len(fake_twilio.to(phone)) == 3
    with ctx(app).db.transaction() as session:
        assert session.get(Notification, note_id).status == "sent"  # type: ignore[union-attr]
        statuses = session.scalars(select(Notification.status)).all()
        assert set(statuses) == {"sent"}


def test_a_failing_twilio_is_retried_with_growing_waits(
    texting: TestClient,
    texting_app: FastAPI,
    fake_twilio: FakeTwilio,
) -> None:
    app = texting_app
    store = bring_online(app)
    with ctx(app).db.transaction() as session:
        apply_store_events(
            session, store, [event("order.placed", store_order_payload(service="carryout"), seq=1)]
        )
        order_id = session.scalars(select(Notification.order_id)).first()
        assert order_id is None  # a phone order gets no "we have it" text
    payload = store_order_payload(service="carryout", phone="7085550177")
    with ctx(app).db.transaction() as session:
        apply_store_events(
            session,
            store,
            [event("order.placed", payload, seq=2)]
            + [
                event("order.stage", _stage(payload["id"], s), seq=n)
                for n, s in enumerate(["made", "baked", "ready"], start=3)
            ],
        )
    fake_twilio.fail_next(2, 503)
    clock = [utcnow()]
    worker = _worker(app, clock)
    waits = []
    for _ in range(2):
        worker.run_once()
        with ctx(app).db.transaction() as session:
            note = session.scalars(select(Notification)).one()
            assert note.status == "queued" and "503" in (note.last_error or "")
            waits.append((note.next_attempt_at - clock[0]).total_seconds())
        assert worker.run_once() == 0  # not due yet
        clock[0] = note.next_attempt_at
    worker.run_once()
    assert 1.5 <= waits[0] <= 2.5 and 3 <= waits[1] <= 5
    assert [m.body for m in fake_twilio.to("+17085550177")] == [
        "Your order #1042 is ready for pickup at makeline Oak Park."
    ]
    assert fake_twilio.requests == 3


def _reply(
    client: TestClient, app: FastAPI, fake: FakeTwilio, number: str, body: str, sign_with: str = ""
) -> int:
    form = {"From": number, "To": "+17085550000", "Body": body, "MessageSid": "SM" + "1" * 32}
    url = "http://testserver/api/v1/notifications/inbound"
    signature = RequestValidator(sign_with or fake.auth_token).compute_signature(url, form)
    return client.post(
        "/api/v1/notifications/inbound", data=form, headers={"X-Twilio-Signature": signature}
    ).status_code


def test_stop_means_no_more_texts(texting: TestClient, texting_app: FastAPI, fake_twilio: FakeTwilio) -> None:
    app = texting_app
    store = bring_online(app)
    assert _reply(texting, app, fake_twilio, "+17085550188", "STOP", sign_with="not-the-token") == 400
    assert _reply(texting, app, fake_twilio, "+17085550188", "Stop please") == 200
    payload = store_order_payload(service="carryout", phone="7085550188")
    with ctx(app).db.transaction() as session:
        apply_store_events(
            session,
            store,
            [event("order.placed", payload, seq=1)]
            + [
                event("order.stage", _stage(payload["id"], s), seq=n)
                for n, s in enumerate(["made", "baked", "ready"], 2)
            ],
        )
    _worker(app).run_once()
    assert fake_twilio.to("+17085550188") == []
    with ctx(app).db.transaction() as session:
        assert session.scalars(select(Notification.status)).all() == ["suppressed"]

    assert _reply(texting, app, fake_twilio, "+17085550188", "START") == 200
    fake_twilio.unsubscribe("+17085550199")  # Twilio itself knows this one replied STOP
    late = {"phone": "708-555-0199", "body": "Your order will be 10 minutes late."}
    storeless = texting.post("/api/v1/notifications", headers=head_office(texting), json=late)
    assert storeless.status_code == 422 and "Name the store" in storeless.json()["detail"]
    sent = texting.post(
        "/api/v1/notifications", headers=head_office(texting), json=late | {"store_id": store}
    )
    assert sent.status_code == 202
    _worker(app).run_once()
    with ctx(app).db.transaction() as session:
        notes = session.scalars(select(Notification).order_by(Notification.id)).all()
        assert notes[-1].status == "suppressed"
        from cloud_api.notifications.repository import opted_out

        assert opted_out(session, "7085550199") and not opted_out(session, "7085550188")


def test_promotions_wait_for_the_stores_daytime(
    texting: TestClient, texting_app: FastAPI, fake_twilio: FakeTwilio
) -> None:
    app = texting_app
    store = bring_online(app)
    headers = customer(texting, 3)
    me = texting.put("/api/v1/profile", headers=headers, json={"promotions": True}).json()
    night = datetime(2026, 11, 20, 23, 30, tzinfo=ZoneInfo("America/Chicago")).astimezone(UTC)
    promo = {
        "kind": "promotion",
        "customer_id": me["id"],
        "store_id": store,
        "body": "2 large for $19.99 tonight",
    }
    assert texting.post("/api/v1/notifications", headers=customer(texting), json=promo).status_code == 403
    assert texting.post("/api/v1/notifications", headers=manager(texting), json=promo).status_code == 422
    answer = texting.post("/api/v1/notifications", headers=head_office(texting), json=promo)
    assert answer.status_code == 202
    with ctx(app).db.transaction() as session:
        session.execute(update(Notification).values(next_attempt_at=night, created_at=night))
    clock = [night]
    worker = _worker(app, clock)
    worker.run_once()
    assert fake_twilio.messages == []
    with ctx(app).db.transaction() as session:
        due = session.scalars(select(Notification.next_attempt_at)).one()
    assert due.astimezone(ZoneInfo("America/Chicago")) == datetime(
        2026, 11, 21, 9, 0, tzinfo=ZoneInfo("America/Chicago")
    )
    clock[0] = due
    worker.run_once()
    assert [m.body for m in fake_twilio.messages] == ["2 large for $19.99 tonight"]

    nobody = texting.put("/api/v1/profile", headers=customer(texting, 4), json={}).json()
    refused = texting.post(
        "/api/v1/notifications", headers=head_office(texting), json=promo | {"customer_id": nobody["id"]}
    )
    assert refused.status_code == 409 and "has not agreed" in refused.json()["detail"]


def _texts_queued(app: FastAPI) -> dict[str, str]:
    """The status texts in the outbox: their key → status."""
    with ctx(app).db.transaction() as session:
        rows = session.execute(select(Notification.dedupe_key, Notification.status)).all()
    return {key: status for key, status in rows}


def test_a_backlog_texts_only_what_is_still_news(
    texting: TestClient, texting_app: FastAPI, fake_twilio: FakeTwilio
) -> None:
    """A store's evening synced in one batch after hours offline: the customer whose order was
    delivered later in the batch gets no "on the way", nor does one whose driver left an
    hour ago; the order that left minutes ago and is still on its way is texted."""
    app = texting_app
    store = bring_online(app)
    now = utcnow()
    delivered, long_gone, on_its_way = (str(uuid.uuid4()) for _ in range(3))
    events = []
    for n, (order_id, left) in enumerate(
        ((delivered, now - timedelta(minutes=5)), (long_gone, now - timedelta(hours=1)), (on_its_way, now))
    ):
        placed = store_order_payload(order_id=order_id, number=1100 + n, phone=f"708555{1100 + n:04d}")
        events.append(event("order.placed", placed, at=left - timedelta(minutes=20)))
        for stage in ("made", "baked", "ready", "out_the_door"):
            events.append(event("order.stage", staged(order_id, stage, left), at=left))
    events.append(event("order.stage", staged(delivered, "delivered", now), at=now))
    with ctx(app).db.transaction() as session:
        apply_store_events(session, store, events)
    assert _texts_queued(app) == {f"order:{on_its_way}:out_the_door": "queued"}
    assert _worker(app).run_once() == 1
    assert len(fake_twilio.messages) == 1 and fake_twilio.messages[0].to == "+17085551102"


def test_a_text_that_waited_past_its_moment_is_not_sent(
    texting: TestClient, texting_app: FastAPI, fake_twilio: FakeTwilio
) -> None:
    """Twilio down for most of an hour: the "on the way" text queued when the driver left is
    set aside with its reason when the sender gets to it, not sent late."""
    app = texting_app
    store = bring_online(app)
    order_id = str(uuid.uuid4())
    with ctx(app).db.transaction() as session:
        apply_store_events(
            session,
            store,
            [
                event("order.placed", store_order_payload(order_id=order_id, number=1200)),
                *(
                    event("order.stage", staged(order_id, s))
                    for s in ("made", "baked", "ready", "out_the_door")
                ),
            ],
        )
    clock = [utcnow() + timedelta(minutes=45)]
    assert _worker(app, clock).run_once() == 0
    assert fake_twilio.messages == []
    with ctx(app).db.transaction() as session:
        note = session.scalars(select(Notification)).one()
    assert (note.status, note.last_error) == (
        "suppressed",
        "no longer news: its moment passed while it waited",
    )


def test_still_news_rule() -> None:
    now = datetime(2026, 12, 5, 19, 0, tzinfo=UTC)
    assert still_news("out_the_door", "out_the_door", now - timedelta(minutes=29), now)
    assert not still_news("out_the_door", "out_the_door", now - timedelta(minutes=31), now)
    assert not still_news("out_the_door", "delivered", now, now)
    assert not still_news("placed", "voided", now, now)
    assert still_news("voided", "voided", now, now)
    assert still_news("placed", "made", now, now)  # "the store has your order" is still true
