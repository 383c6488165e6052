"""The fleet over HTTP on real PostgreSQL: a store's heartbeat report (backlogs, printers, the
menu it applied) is kept and shown worst first to head office; a store manager sees only
their own store; a customer is refused; a hostile heartbeat is refused and changes nothing."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy import select
from starlette.testclient import TestClient

from cloud_api.db.base import utcnow
from cloud_api.models import MenuRelease, StoreHeartbeat
from makeline.demo.menu import demo_menu
from sync.contract import Heartbeat, PrinterHealth

from .helpers import count, ctx, customer, demo_store_id, head_office, manager
from .test_stores import _enroll


def _beat(client: TestClient, token: str, **report: Any) -> Any:
    beat = Heartbeat(sent_at=utcnow(), instance="fleet-test", **report)
    return client.post(
        "/api/v1/sync/heartbeat",
        content=beat.model_dump_json(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )


def test_head_office_sees_every_store_worst_first_with_its_last_report(
    client: TestClient, app: FastAPI
) -> None:
    enrolled = _enroll(client, "BW-003")
    printers = [PrinterHealth(name="kitchen", online=False, waiting=3, last_error="paper out")]
    answer = _beat(client, enrolled["device_token"], outbox_backlog=12, quarantined=1, printers=printers)
    assert answer.status_code == 200, answer.text

    rows = client.get("/api/v1/fleet", headers=head_office(client)).json()
    assert rows[0]["code"] == "BW-003"  # the one store in trouble first
    berwyn = rows[0]
    assert berwyn["online"] and berwyn["outbox_backlog"] == 12 and berwyn["held_at_store"] == 1
    assert berwyn["printers"] == [
        {"name": "kitchen", "online": False, "waiting": 3, "last_error": "paper out"}
    ]
    assert berwyn["online_ordering"] is False  # no menu reaches it yet
    assert berwyn["online_ordering_why"] == "paused: no menu published to this store"
    assert berwyn["unseen_order_alarms"] == 0
    assert "Printer 'kitchen' is down with 3 waiting: paper out" in berwyn["problems"]
    codes = {r["code"] for r in rows}
    assert "OP-001" in codes

    # Head office publishes; the store reports it applied it: the fleet says so.
    menu = demo_menu().model_dump(mode="json")
    published = client.post(
        "/api/v1/menus", json={"menu": menu, "store_ids": [enrolled["store_id"]]}, headers=head_office(client)
    )
    assert published.status_code == 201
    version = published.json()["version"]
    with ctx(app).db.transaction() as session:
        reached = session.scalars(select(MenuRelease.store_id).where(MenuRelease.version == version)).all()
    assert reached == [enrolled["store_id"]]
    _beat(client, enrolled["device_token"], menu_version=version)
    rows = client.get("/api/v1/fleet", headers=head_office(client)).json()
    berwyn = next(r for r in rows if r["code"] == "BW-003")
    assert berwyn["menu_version"] == berwyn["menu_applied"] == version
    assert berwyn["online_ordering"] is True and berwyn["printers"] == []

    # A store manager sees their own store only; a customer nothing.
    mine = client.get("/api/v1/fleet", headers=manager(client))
    assert mine.status_code == 200
    assert [r["store_id"] for r in mine.json()] == [demo_store_id(app)]
    assert client.get("/api/v1/fleet", headers=customer(client)).status_code == 403
    assert client.get("/api/v1/fleet").status_code == 401


def test_a_hostile_heartbeat_is_refused_and_keeps_nothing(client: TestClient, app: FastAPI) -> None:
    enrolled = _enroll(client, "BW-003")
    auth = {"Authorization": f"Bearer {enrolled['device_token']}"}
    for body in (
        {"sent_at": "2026-12-05T10:00:00Z", "menu_version": -1},
        {"sent_at": "2026-12-05T10:00:00Z", "outbox_backlog": "lots"},
        {"sent_at": "2026-12-05T10:00:00Z", "printers": [{"name": "x" * 3000, "online": True}]},
        {"sent_at": "2026-12-05T10:00:00Z", "store_id": demo_store_id(app)},
    ):
        answer = client.post("/api/v1/sync/heartbeat", json=body, headers=auth)
        assert 400 <= answer.status_code < 500, answer.text
    with ctx(app).db.transaction() as session:
        assert count(session, StoreHeartbeat.__tablename__) == 0
