"""The console's stores pages over HTTP: head office issues enrollment codes (a new store, or
re-enrolling a named one), revokes a device, and changes settings through the stores service
(validated, down the store's feed); a store manager gets 404; bad input saves nothing."""

from __future__ import annotations

import csv
import io
import re
from types import SimpleNamespace
from typing import cast

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from starlette.testclient import TestClient

from cloud_api.demo import HEAD_OFFICE_EMAIL, MANAGER_EMAIL
from cloud_api.models import Device, Enrollment, Store, StoreFeedEntry
from cloud_api.reports.speed import MEASURES, fold, targets

from .console_pages import staff
from .helpers import ctx, demo_store_id
from .test_stores import _details


def _code(text: str) -> str:
    found = re.search(r'data-testid="code">([A-Z0-9-]+)<', text)
    assert found is not None, text
    return found.group(1)


def test_head_office_issues_codes_revokes_and_changes_settings(client: TestClient, app: FastAPI) -> None:
    staff(client, HEAD_OFFICE_EMAIL)
    _refused(client, app)
    staff(client, HEAD_OFFICE_EMAIL)
    store_id = demo_store_id(app)
    assert "OP-001" in client.get("/console/stores").text
    fresh = _code(client.post("/console/stores/enroll").text)
    claimed = client.post("/api/v1/enrollments/claim", json={"code": fresh, "store": _details("BW-003")})
    assert claimed.status_code == 201
    again = _code(client.post(f"/console/stores/{store_id}/enroll").text)
    with ctx(app).db.transaction() as session:
        assert session.get(Enrollment, again).for_store_id == store_id  # type: ignore[union-attr]

    berwyn = claimed.json()
    page = client.post(f"/console/stores/{berwyn['store_id']}/devices/{berwyn['device_id']}/revoke")
    assert "Revoked" in page.text
    with ctx(app).db.transaction() as session:
        assert session.get(Device, berwyn["device_id"]).revoked_at is not None  # type: ignore[union-attr]

    form = {
        "name": "makeline Oak Park",
        "tax_rate_bp": "10.50",
        "max_order_cents": "400.00",
        "max_pizzas": "20",
    }
    saved = client.post(f"/console/stores/{store_id}/settings", data=form)
    assert "Saved" in saved.text, saved.text
    with ctx(app).db.transaction() as session:
        store = session.get(Store, store_id)
        assert store is not None and store.tax_rate_bp == 1050
        assert store.order_limits is not None and store.order_limits["max_order_cents"] == 40000
        entry = session.scalars(
            select(StoreFeedEntry)
            .where(StoreFeedEntry.store_id == store_id)
            .order_by(StoreFeedEntry.cursor.desc())
        ).first()
        assert entry is not None and entry.kind == "store.settings"
        assert set(entry.payload) >= {"tax_rate_bp", "order_limits"} and "name" not in entry.payload


def _refused(client: TestClient, app: FastAPI) -> None:
    """Bad input is refused by name and writes nothing; a store manager gets 404."""
    store_id = demo_store_id(app)
    for form, says in (
        ({"tax_rate_bp": "lots"}, "Sales tax (%): enter a percentage"),
        ({"max_cash_order_cents": "900.00", "max_order_cents": "500.00"}, "cannot be above"),
        ({"day_starts_hour": "25"}, "Business day starts at"),
        ({"name": ""}, "Name"),
    ):
        answer = client.post(f"/console/stores/{store_id}/settings", data=form)
        assert "Not saved" in answer.text and says in answer.text, (form, answer.text)
    with ctx(app).db.transaction() as session:
        store = session.get(Store, store_id)
        assert store is not None and store.tax_rate_bp == 1025 and store.order_limits is None
    assert client.get("/console/stores/not-a-store").status_code == 404
    staff(client, MANAGER_EMAIL)
    for path in ("/console/stores", f"/console/stores/{store_id}"):
        assert client.get(path).status_code == 404
    assert client.post(f"/console/stores/{store_id}/settings", data={"tax_rate_bp": "0"}).status_code == 404
    assert client.post("/console/stores/enroll").status_code == 404


def test_speed_targets_are_set_per_store_audited_and_held_to(
    client: TestClient, app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    staff(client, HEAD_OFFICE_EMAIL)
    store_id = demo_store_id(app)
    for bad, says in (
        ("0", "Make line target (seconds): Input should be greater"),
        ("soon", "enter a number"),
    ):
        answer = client.post(f"/console/stores/{store_id}/settings", data={"make_target_s": bad})
        assert "Not saved" in answer.text and says in answer.text, answer.text
    form = {"make_target_s": "90", "delivery_target_s": "1800", "out_the_door_target_s": "900"}
    with caplog.at_level("INFO", logger="cloud_api.audit"):
        saved = client.post(f"/console/stores/{store_id}/settings", data=form)
    assert "Saved" in saved.text and 'value="1800"' in saved.text, saved.text
    audited = [r.getMessage() for r in caplog.records if r.name == "cloud_api.audit"]
    assert len(audited) == 1 and "make_target_s None -> 90" in audited[0], audited
    assert "delivery_target_s None -> 1800" in audited[0] and "out_the_door" not in audited[0]
    with ctx(app).db.transaction() as session:
        store = session.get(Store, store_id)
        assert store is not None and (store.make_target_s, store.delivery_target_s) == (90, 1800)
        entry = session.scalars(
            select(StoreFeedEntry)
            .where(StoreFeedEntry.store_id == store_id)
            .order_by(StoreFeedEntry.cursor.desc())
        ).first()
        # The store's own target goes down its feed; the cloud's yardsticks stay in the cloud.
        assert entry is not None and entry.payload["make_target_s"] == 90
        assert "delivery_target_s" not in entry.payload
        goals = targets(store)
    assert goals == {"make": 90, "oven": 360, "rack": 300, "out_the_door": 900, "delivery": 1800}
    # The Speed page holds each store to its own targets.
    hours = [{"store_id": store_id, "daypart": "lunch", "orders": 2, "make_s": 200, "make_n": 2}]
    rows = fold([_zeros(row) for row in hours], [store])
    assert (
        rows[0]["make_target_min"] == 1.5 and rows[0]["make_over"] and rows[0]["delivery_target_min"] == 30.0
    )
    other = SimpleNamespace(id="s2", code="X", name="X", day_starts_hour=4)
    held = fold([_zeros(hours[0] | {"store_id": "s2"})], [cast(Store, other)])
    assert held[0]["make_target_min"] == 1.0 and held[0]["delivery_target_min"] == 35.0


def _zeros(row: dict[str, object]) -> dict[str, object]:
    found: dict[str, object] = {f"{m}_{x}": 0 for m in MEASURES for x in ("s", "n")}
    found |= {"early_bumps": 0, "quick_deliveries": 0, "repeated_recalls": 0, "flagged": 0}
    return found | row


def test_unused_enrollment_codes_are_listed_and_revoked(
    client: TestClient, app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    staff(client, HEAD_OFFICE_EMAIL)
    store_id = demo_store_id(app)
    fresh = _code(client.post("/console/stores/enroll").text)
    again = _code(client.post(f"/console/stores/{store_id}/enroll").text)
    used = _code(client.post("/console/stores/enroll").text)
    claimed = client.post("/api/v1/enrollments/claim", json={"code": used, "store": _details("BW-004")})
    assert claimed.status_code == 201
    page = client.get("/console/stores")
    listed = page.text[page.text.index('data-testid="table-codes"') :]
    assert fresh in listed and again in listed and used not in listed
    assert "a new store" in listed and "OP-001 · " in listed and HEAD_OFFICE_EMAIL in listed
    rows = list(csv.reader(io.StringIO(client.get("/console/stores?csv=codes").text)))
    assert rows[0] == ["Code", "For", "Issued by", "Issued", "Expires"] and len(rows) >= 3
    with caplog.at_level("INFO", logger="cloud_api.audit"):
        revoked = client.post(f"/console/stores/codes/{again}/revoke")
    assert f"Revoked code {again}" in revoked.text
    assert any(again in r.getMessage() for r in caplog.records if r.name == "cloud_api.audit")
    claim = client.post("/api/v1/enrollments/claim", json={"code": again, "store": _details("OP-001")})
    assert claim.status_code == 404  # a revoked code enrolls nothing
    # Twice, or a code that never was: a clear refusal, and the other codes stay.
    for bad in (again, "NOPE-NOPE-NOPE", "x" * 30):
        answer = client.post(f"/console/stores/codes/{bad}/revoke")
        assert answer.status_code in (200, 422), answer.status_code
        if answer.status_code == 200:
            assert "There is no unused enrollment code" in answer.text
    assert fresh in client.get("/console/stores").text
    staff(client, MANAGER_EMAIL)
    assert client.post(f"/console/stores/codes/{fresh}/revoke").status_code == 404
    with ctx(app).db.transaction() as session:
        assert session.get(Enrollment, fresh) is not None
