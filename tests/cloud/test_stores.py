"""Stores: enrollment codes, device credentials (bound to one store, revocable), store
online by heartbeat, settings down the feed, menus, and who delivers where."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select, update
from starlette.testclient import TestClient

from cloud_api.db.base import utcnow
from cloud_api.models import Enrollment, StoreFeedEntry
from makeline.demo.menu import demo_menu
from sync.contract import parse_entry
from sync.contract.entries import StoreSettings

from .helpers import count, ctx, customer, demo_store_id, head_office, manager, order_body, place


def _details(code: str = "BW-003", lat: float = 41.85, lon: float = -87.80) -> dict[str, Any]:
    return {
        "code": code,
        "name": "makeline Berwyn",
        "address": "6800 W Cermak Rd",
        "phone": "7085550300",
        "timezone": "America/Chicago",
        "tax_rate_bp": 1000,
        "lat": lat,
        "lon": lon,
        "delivery_radius_km": 5,
    }


def _enroll(client: TestClient, code: str = "BW-003") -> dict[str, Any]:
    issued = client.post("/api/v1/enrollments", headers=head_office(client))
    assert issued.status_code == 201
    streets = [
        {
            "name": "S Oak Park Ave",
            "city": "Berwyn",
            "from_number": 1,
            "to_number": 4000,
            "lat1": 41.85,
            "lon1": -87.79,
            "lat2": 41.82,
            "lon2": -87.79,
        }
    ]
    claimed = client.post(
        "/api/v1/enrollments/claim",
        json={"code": issued.json()["code"], "store": _details(code), "streets": streets},
    )
    assert claimed.status_code == 201, claimed.text
    return claimed.json()


def test_enrollment_is_one_use_and_gives_a_store_its_own_credential(client: TestClient, app: FastAPI) -> None:
    assert client.post("/api/v1/enrollments", headers=customer(client)).status_code == 403
    assert client.post("/api/v1/enrollments", headers=manager(client)).status_code == 403
    issued = client.post("/api/v1/enrollments", headers=head_office(client)).json()
    expires_in = datetime.fromisoformat(issued["expires_at"]) - utcnow()
    assert timedelta(minutes=9) < expires_in <= timedelta(minutes=10)
    claim = {"code": issued["code"], "store": _details()}
    enrolled = client.post("/api/v1/enrollments/claim", json=claim)
    assert enrolled.status_code == 201
    again = client.post("/api/v1/enrollments/claim", json=claim)
    assert again.status_code == 409 and again.json()["field"] == "code"
    device = {"Authorization": f"Bearer {enrolled.json()['device_token']}"}
    store = enrolled.json()["store_id"]
    with ctx(app).db.transaction() as session:
        assert count(session, "device", f"secret_hash <> '' AND store_id = '{store}'") == 1
        assert count(session, "device", f"secret_hash LIKE '%{enrolled.json()['device_token'][-10:]}%'") == 0

    assert client.get(f"/api/v1/stores/{store}").json()["online"] is False
    beat = client.post(f"/api/v1/stores/{store}/heartbeat", json={"backlog": 0}, headers=device)
    assert beat.status_code == 200
    assert client.get(f"/api/v1/stores/{store}").json()["online"] is True

    expired = client.post("/api/v1/enrollments", headers=head_office(client)).json()
    with ctx(app).db.transaction() as session:
        session.execute(
            update(Enrollment)
            .where(Enrollment.code == expired["code"])
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    late = client.post("/api/v1/enrollments/claim", json={"code": expired["code"], "store": _details("X-9")})
    assert late.status_code == 409 and "expired" in late.json()["detail"]
    unknown = client.post(
        "/api/v1/enrollments/claim", json={"code": "AAAA-BBBB-CCCC", "store": _details("X-9")}
    )
    assert unknown.status_code == 404
    bad_zone = client.post(
        "/api/v1/enrollments/claim",
        json={
            "code": client.post("/api/v1/enrollments", headers=head_office(client)).json()["code"],
            "store": _details("X-9") | {"timezone": "Mars/Olympus"},
        },
    )
    assert bad_zone.status_code == 422 and bad_zone.json()["field"] == "store.timezone"


def test_a_device_acts_only_for_its_own_store_and_can_be_revoked(client: TestClient, app: FastAPI) -> None:
    enrolled = _enroll(client)
    device = {"Authorization": f"Bearer {enrolled['device_token']}"}
    oak_park = demo_store_id(app)
    assert client.post(f"/api/v1/stores/{oak_park}/heartbeat", json={}, headers=device).status_code == 403
    assert client.put(f"/api/v1/stores/{oak_park}", json={"phone": "1"}, headers=device).status_code == 403
    assert client.get("/api/v1/inventory", params={"store_id": oak_park}, headers=device).status_code == 403
    assert client.get(f"/api/v1/stores/{oak_park}/devices", headers=device).status_code == 403

    # An Oak Park order is invisible to the Berwyn device and to Berwyn's reports.
    with ctx(app).db.transaction() as session:
        from cloud_api.stores.service import record_heartbeat

        record_heartbeat(session, oak_park, utcnow())
    order = place(client, customer(client), order_body(oak_park)).json()
    assert client.get(f"/api/v1/orders/{order['id']}", headers=device).status_code == 404
    moved = client.put(f"/api/v1/orders/{order['id']}/status", json={"status": "made"}, headers=device)
    assert moved.status_code == 404
    assert client.get("/api/v1/orders", params={"store_id": oak_park}, headers=device).status_code == 403

    forged = {"Authorization": f"Bearer mld_{enrolled['device_id']}.not-the-secret"}
    assert (
        client.post(f"/api/v1/stores/{enrolled['store_id']}/heartbeat", json={}, headers=forged).status_code
        == 401
    )
    devices = client.get(f"/api/v1/stores/{enrolled['store_id']}/devices", headers=head_office(client)).json()
    assert [d["id"] for d in devices] == [enrolled["device_id"]]
    assert (
        client.delete(
            f"/api/v1/stores/{enrolled['store_id']}/devices/{enrolled['device_id']}", headers=manager(client)
        ).status_code
        == 403
    )
    revoked = client.delete(
        f"/api/v1/stores/{enrolled['store_id']}/devices/{enrolled['device_id']}", headers=head_office(client)
    )
    assert revoked.status_code == 204
    refused = client.post(f"/api/v1/stores/{enrolled['store_id']}/heartbeat", json={}, headers=device)
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]


def test_settings_flow_down_and_addresses_find_their_store(client: TestClient, app: FastAPI) -> None:
    store = demo_store_id(app)
    changed = client.put(f"/api/v1/stores/{store}", json={"delivery_radius_km": 5.5}, headers=manager(client))
    assert changed.status_code == 200 and changed.json()["delivery_radius_km"] == 5.5
    assert client.put(f"/api/v1/stores/{store}", json={}, headers=manager(client)).status_code == 422
    assert (
        client.put(f"/api/v1/stores/{store}", json={"tax_rate_bp": 5}, headers=customer(client)).status_code
        == 403
    )
    with ctx(app).db.transaction() as session:
        entries = session.scalars(select(StoreFeedEntry).where(StoreFeedEntry.kind == "store.settings")).all()
        assert [parse_entry(e.kind, e.payload) for e in entries] == [StoreSettings(delivery_radius_km=5.5)]
        assert entries[0].payload == {"kind": "store.settings", "v": 1, "delivery_radius_km": 5.5}

    found = client.get("/api/v1/stores/locate", params={"address": "1200 N Harlem Ave"}).json()
    assert [c["store"]["code"] for c in found["stores"]] == ["OP-001"] and found["stores"][0][
        "distance_km"
    ] < 3
    nowhere = client.get("/api/v1/stores/locate", params={"address": "77 Sunset Strip"})
    assert nowhere.status_code == 422 and nowhere.json()["field"] == "address"
    assert client.get("/api/v1/stores/not-a-store-id").status_code == 422
    assert client.get("/api/v1/stores/01a20b09-0000-7000-8000-000000000000").status_code == 404


def test_head_office_publishes_menus_to_every_store(client: TestClient, app: FastAPI) -> None:
    enrolled = _enroll(client)
    menu = demo_menu().model_dump(mode="json")
    menu["products"] = [p for p in menu["products"] if p["code"] != "cola"]
    assert client.post("/api/v1/menus", json={"menu": menu}, headers=manager(client)).status_code == 403
    published = client.post("/api/v1/menus", json={"menu": menu}, headers=head_office(client))
    assert (
        published.status_code == 201 and published.json()["version"] == 2 and published.json()["stores"] == 2
    )
    current = client.get(f"/api/v1/stores/{enrolled['store_id']}/menu").json()
    assert current["version"] == 2 and all(p["code"] != "cola" for p in current["menu"]["products"])
    assert [m["version"] for m in client.get("/api/v1/menus").json()] == [2, 1]
    assert client.get("/api/v1/menus/1").json()["version"] == 1
    assert client.get("/api/v1/menus/9").status_code == 404
    with ctx(app).db.transaction() as session:
        assert count(session, "store_feed", "kind = 'menu.version' AND (payload->>'version')::int = 2") == 2
    broken = client.post(
        "/api/v1/menus", json={"menu": menu | {"sizes": "large"}}, headers=head_office(client)
    )
    assert broken.status_code == 422 and broken.json()["field"].startswith("menu.sizes")
    only = client.post(
        "/api/v1/menus", json={"menu": menu, "store_ids": [enrolled["store_id"]]}, headers=head_office(client)
    )
    assert only.json()["stores"] == 1
    assert client.get(f"/api/v1/stores/{demo_store_id(app)}/menu").json()["version"] == 2


def test_the_rack_cap_is_set_with_the_stores_settings_and_flows_down(
    client: TestClient, app: FastAPI
) -> None:
    store = demo_store_id(app)
    for hostile in (60, 10_000, "half an hour", None):
        refused = client.put(f"/api/v1/stores/{store}", json={"rack_cap_s": hostile}, headers=manager(client))
        assert refused.status_code == 422, hostile
    assert client.get(f"/api/v1/stores/{store}").json()["rack_cap_s"] == 1800
    changed = client.put(f"/api/v1/stores/{store}", json={"rack_cap_s": 1200}, headers=manager(client))
    assert changed.status_code == 200 and changed.json()["rack_cap_s"] == 1200
    with ctx(app).db.transaction() as session:
        entries = session.scalars(select(StoreFeedEntry).where(StoreFeedEntry.kind == "store.settings")).all()
        sent = [parse_entry(e.kind, e.payload) for e in entries]
        assert StoreSettings(rack_cap_s=1200) in sent
        assert {"kind": "store.settings", "v": 4, "rack_cap_s": 1200} in [e.payload for e in entries]
