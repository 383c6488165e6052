"""The order nobody saw, in the cloud on real PostgreSQL over HTTP: the store's heartbeat
carries its count of unseen online orders, the fleet (API and the console's live JSON) shows
it, and the customer of an order unseen for five minutes gets one text and one email,
however often the store repeats it; another store's order named in a heartbeat is ignored."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from starlette.testclient import TestClient

from cloud_api.app import create_app
from cloud_api.db.base import utcnow
from cloud_api.demo import HEAD_OFFICE_EMAIL
from cloud_api.models import EmailMessage, Notification
from cloud_api.notifications.worker import NotificationWorker
from cloud_api.settings import CloudSettings
from makeline.demo.menu import demo_menu
from sync.contract import Heartbeat

from .console_pages import staff
from .fake_twilio import FakeTwilio
from .helpers import bring_online, ctx, customer, head_office, order_body, place
from .test_console_fleet import _enroll_named


@pytest.fixture
def texting(settings: CloudSettings, fake_twilio: FakeTwilio) -> Iterator[tuple[TestClient, FastAPI]]:
    app = create_app(
        settings.model_copy(
            update={
                "twilio_account_sid": fake_twilio.account_sid,
                "twilio_auth_token": fake_twilio.auth_token,
                "twilio_base_url": fake_twilio.base_url,
                "twilio_from": "+17085550000",
            }
        )
    )
    with TestClient(app) as client:
        yield client, app


def _beat(client: TestClient, token: str, **report: Any) -> Any:
    answer = client.post(
        "/api/v1/sync/heartbeat",
        content=Heartbeat(sent_at=utcnow(), instance="unseen-test", **report).model_dump_json(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert answer.status_code == 200, answer.text


def test_the_heartbeat_reports_unseen_orders_and_the_customer_is_told_once(
    texting: tuple[TestClient, FastAPI], fake_twilio: FakeTwilio
) -> None:
    client, app = texting
    store = _enroll_named(client, "Berwyn")
    token, store_id = store["device_token"], store["store_id"]
    menu = demo_menu().model_dump(mode="json")
    published = client.post(
        "/api/v1/menus", json={"menu": menu, "store_ids": [store_id]}, headers=head_office(client)
    )
    assert published.status_code == 201, published.text
    bring_online(app, store_id)
    mine = place(client, customer(client), order_body(store_id)).json()
    elsewhere = place(client, customer(client, 2), order_body(bring_online(app))).json()

    # A minute in: the alarm stands, nobody is told yet.
    _beat(client, token, unseen_orders=1)
    rows = client.get("/api/v1/fleet", headers=head_office(client)).json()
    berwyn = next(r for r in rows if r["store_id"] == store_id)
    assert berwyn["unseen_order_alarms"] == 1
    assert "1 online order not on a make-line screen and not printed: call the store" in berwyn["problems"]
    staff(client, HEAD_OFFICE_EMAIL)
    live = client.get("/console/fleet.json").json()
    cells = next(r["cells"] for r in live["rows"] if r["cells"][0] == "BW-003")
    assert cells[9] == "1"

    # Five minutes in, repeated on every beat; the other store's order id is not this store's.
    for _ in range(3):
        _beat(client, token, unseen_orders=1, unseen_late=[mine["id"], elsewhere["id"]])
    with ctx(app).db.transaction() as session:
        notes = session.scalars(select(Notification.order_id).where(Notification.stage == "unseen")).all()
        mails = session.scalar(
            select(func.count()).select_from(EmailMessage).where(EmailMessage.kind == "unseen")
        )
    assert notes == [mine["id"]] and mails == 1
    c = ctx(app)
    worker = NotificationWorker(c.db, c.sms, c.tokens, c.public_url, lease=timedelta(seconds=60))
    while worker.run_once():
        pass
    phone = "+1" + client.get("/api/v1/profile", headers=customer(client)).json()["phone"]
    texts = [t.body for t in fake_twilio.to(phone) if "has not started it yet" in t.body]
    assert len(texts) == 1 and "Berwyn" in texts[0]

    # Seen at last: the count drops and the fleet says so.
    _beat(client, token, unseen_orders=0)
    rows = client.get("/api/v1/fleet", headers=head_office(client)).json()
    assert next(r for r in rows if r["store_id"] == store_id)["unseen_order_alarms"] == 0


def test_a_hostile_unseen_report_is_refused(texting: tuple[TestClient, FastAPI]) -> None:
    client, _ = texting
    token = _enroll_named(client, "Berwyn")["device_token"]
    for report in ({"unseen_orders": -1}, {"unseen_late": ["x" * 37]}, {"unseen_late": ["a"] * 201}):
        body = {"sent_at": utcnow().isoformat(), **report}
        answer = client.post(
            "/api/v1/sync/heartbeat", json=body, headers={"Authorization": f"Bearer {token}"}
        )
        assert answer.status_code in (400, 422), answer.text
