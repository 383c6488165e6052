"""Enrollment binds to one store, attacked over real HTTP: a fresh code cannot take over
an existing store, a code issued for one store cannot enroll another, a code works once,
and of two claims at once exactly one wins. Whatever is refused changes nothing."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from cloud_api.demo import DEMO_PASSWORD, HEAD_OFFICE_EMAIL, STORE_CODE
from tests import calls

from .helpers import ctx, demo_store_id
from .server import serve


@pytest.fixture
def base(app: FastAPI) -> Iterator[str]:
    with serve(app) as url:
        yield url


def _hq(base: str) -> dict[str, str]:
    answer = calls.post(f"{base}/api/v1/login", json={"email": HEAD_OFFICE_EMAIL, "password": DEMO_PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _code(base: str, **store: str) -> str:
    answer = calls.post(f"{base}/api/v1/enrollments", json=store or None, headers=_hq(base))
    assert answer.status_code == 201, answer.text
    return str(answer.json()["code"])


def _details(code: str, name: str = "makeline Mallory", tax: int = 0) -> dict[str, Any]:
    """What an attacker's store database claims: another name, no tax, coordinates far away."""
    return {
        "code": code,
        "name": name,
        "address": "1 Nowhere Rd",
        "phone": "5550000",
        "timezone": "America/Chicago",
        "tax_rate_bp": tax,
        "lat": 10.0,
        "lon": 10.0,
        "delivery_radius_km": 50,
    }


_STREET = {
    "name": "Attacker St",
    "city": "Nowhere",
    "from_number": 1,
    "to_number": 9999,
    "lat1": 10.0,
    "lon1": 10.0,
    "lat2": 10.1,
    "lon2": 10.1,
}


def _claim(base: str, code: str, store_code: str, **extra: Any) -> httpx.Response:
    body = {"code": code, "store": _details(store_code, **extra), "streets": [_STREET]}
    return calls.post(f"{base}/api/v1/enrollments/claim", json=body, timeout=30)


def _snapshot(app: FastAPI, store_id: str) -> dict[str, Any]:
    """Everything the cloud holds about a store that an enrollment could touch."""
    with ctx(app).db.engine.connect() as conn:
        store = conn.execute(text("SELECT * FROM store WHERE id = :s"), {"s": store_id}).mappings().one()
        streets = conn.execute(
            text("SELECT * FROM street_block WHERE store_id = :s ORDER BY id"), {"s": store_id}
        ).mappings()
        devices = conn.execute(
            text("SELECT id, revoked_at FROM device WHERE store_id = :s ORDER BY id"), {"s": store_id}
        ).mappings()
        return {
            "store": dict(store),
            "streets": [dict(s) for s in streets],
            "devices": [dict(d) for d in devices],
        }


def _stores(app: FastAPI) -> int:
    with ctx(app).db.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM store")).scalar_one())


def test_a_fresh_code_cannot_take_over_an_existing_store(app: FastAPI, base: str) -> None:
    victim = demo_store_id(app)
    before, stores = _snapshot(app, victim), _stores(app)
    code = _code(base)
    taken = _claim(base, code, STORE_CODE)
    assert taken.status_code == 409, taken.text
    assert taken.json()["field"] == "store.code"
    assert f"issued for {STORE_CODE}" in taken.json()["detail"]
    assert "device_token" not in taken.text and victim not in taken.text
    assert _snapshot(app, victim) == before and _stores(app) == stores
    # The refused claim did not spend the code: it still creates a store of its own.
    fresh = _claim(base, code, "NEW-1")
    assert fresh.status_code == 201, fresh.text
    assert fresh.json()["store_id"] != victim and fresh.json()["re_enrolled"] is False
    assert _snapshot(app, victim) == before


def test_a_code_issued_for_one_store_enrolls_no_other(app: FastAPI, base: str) -> None:
    first = _claim(base, _code(base), "NEW-1").json()
    victim = demo_store_id(app)
    before, stores = _snapshot(app, victim), _stores(app)
    for_first = _code(base, store_id=first["store_id"])
    taken = _claim(base, for_first, STORE_CODE)
    assert taken.status_code == 409 and taken.json()["field"] == "code"
    assert "issued for store NEW-1" in taken.json()["detail"]
    assert _snapshot(app, victim) == before
    # A code for a brand-new store code is refused too: it may only re-enroll NEW-1.
    assert _claim(base, for_first, "NEW-2").status_code == 409
    assert _stores(app) == stores


def test_a_re_enrollment_keeps_the_store_and_revokes_its_old_credential(app: FastAPI, base: str) -> None:
    first = _claim(base, _code(base), "NEW-1").json()
    old = {"Authorization": f"Bearer {first['device_token']}"}
    heartbeat = f"{base}/api/v1/stores/{first['store_id']}/heartbeat"
    assert calls.post(heartbeat, json={}, headers=old).status_code == 200
    before = _snapshot(app, first["store_id"])

    # The replaced computer's database says other things: head office's settings stay.
    again = _claim(base, _code(base, store_code="NEW-1"), "NEW-1", name="Renamed", tax=0)
    assert again.status_code == 201, again.text
    answer = again.json()
    assert answer["store_id"] == first["store_id"] and answer["re_enrolled"] is True
    assert answer["revoked_device_ids"] == [first["device_id"]]
    assert "no longer work" in answer["message"]
    after = _snapshot(app, first["store_id"])
    assert after["store"] == before["store"] and after["streets"] == before["streets"]

    refused = calls.post(heartbeat, json={}, headers=old)
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    new = {"Authorization": f"Bearer {answer['device_token']}"}
    assert calls.post(heartbeat, json={}, headers=new).status_code == 200


def test_a_code_works_once(app: FastAPI, base: str) -> None:
    code = _code(base, store_code=STORE_CODE)
    assert _claim(base, code, STORE_CODE).status_code == 201
    before = _snapshot(app, demo_store_id(app))
    twice = _claim(base, code, STORE_CODE)
    assert twice.status_code == 409 and "already used" in twice.json()["detail"]
    assert _snapshot(app, demo_store_id(app)) == before


def test_head_office_names_a_real_store(base: str) -> None:
    hq = _hq(base)
    missing = calls.post(f"{base}/api/v1/enrollments", json={"store_code": "NOPE-9"}, headers=hq)
    assert missing.status_code == 404 and missing.json()["field"] == "store_code"
    both = calls.post(
        f"{base}/api/v1/enrollments", json={"store_code": STORE_CODE, "store_id": "0" * 36}, headers=hq
    )
    assert both.status_code == 422


@pytest.mark.parametrize("bound", [False, True], ids=["new-store", "re-enroll"])
def test_of_concurrent_claims_exactly_one_wins(app: FastAPI, base: str, bound: bool) -> None:
    code = _code(base, store_code=STORE_CODE) if bound else _code(base)
    stores = _stores(app)
    answers: list[httpx.Response] = []
    start = threading.Barrier(8)

    def claim(n: int) -> None:
        start.wait()
        answers.append(_claim(base, code, STORE_CODE if bound else f"RACE-{n}"))

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] + [409] * 7, [a.text for a in answers]
    assert _stores(app) == stores + (0 if bound else 1)
    winner = next(a.json() for a in answers if a.status_code == 201)
    live = [d for d in _snapshot(app, winner["store_id"])["devices"] if d["revoked_at"] is None]
    assert [d["id"] for d in live] == [winner["device_id"]]
