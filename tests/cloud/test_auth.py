"""Accounts and tokens: register, sign in, profile, and every way a token must be refused."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import jwt
from fastapi import FastAPI
from starlette.testclient import TestClient

from cloud_api.auth.tokens import AUDIENCE, ISSUER
from cloud_api.db.base import utcnow

from .helpers import ctx, customer, head_office, register


def test_register_login_and_profile(client: TestClient) -> None:
    answer = client.post(
        "/api/v1/register",
        json={
            "email": "Ana@Example.com",
            "password": "pizza-lover-1",
            "name": "Ana Lopez",
            "phone": "(708) 555-0199",
        },
    )
    assert answer.status_code == 201
    assert answer.json()["phone"] == "7085550199"
    assert "password" not in answer.text and "hash" not in answer.text

    tokens = client.post(
        "/api/v1/login", json={"email": "ana@example.com", "password": "pizza-lover-1"}
    ).json()
    assert tokens["token_type"] == "bearer" and tokens["refresh_token"].startswith("mlr_")
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    profile = client.get("/api/v1/profile", headers=headers).json()
    assert {k: profile[k] for k in ("email", "name", "phone")} == {
        "email": "Ana@example.com",
        "name": "Ana Lopez",
        "phone": "7085550199",
    }

    changed = client.put("/api/v1/profile", headers=headers, json={"name": "Ana L.", "promotions": True})
    assert changed.status_code == 200
    assert changed.json()["name"] == "Ana L." and changed.json()["promotions"] is True
    assert client.get("/api/v1/profile", headers=headers).json()["phone"] == "7085550199"


def test_register_twice_and_wrong_password(client: TestClient) -> None:
    register(client, "dup@example.com")
    again = client.post(
        "/api/v1/register",
        json={"email": "DUP@example.com", "password": "another-pass", "name": "Dup", "phone": "7085550100"},
    )
    assert again.status_code == 409 and again.json()["field"] == "email"
    wrong = client.post("/api/v1/login", json={"email": "dup@example.com", "password": "not-the-one"})
    assert wrong.status_code == 401
    nobody = client.post("/api/v1/login", json={"email": "nobody@example.com", "password": "whatever1"})
    assert nobody.status_code == 401 and nobody.json()["detail"] == wrong.json()["detail"]


def test_register_refuses_bad_input_naming_the_field(client: TestClient) -> None:
    cases = [
        ({"email": "not-an-email", "password": "long-enough-1", "name": "A", "phone": "7085550100"}, "email"),
        ({"email": "a@example.com", "password": "short", "name": "A", "phone": "7085550100"}, "password"),
        ({"email": "a@example.com", "password": "long-enough-1", "name": "", "phone": "7085550100"}, "name"),
        ({"email": "a@example.com", "password": "long-enough-1", "name": "A", "phone": "12"}, "phone"),
        ({"email": "a@example.com", "password": "long-enough-1", "name": "A"}, "phone"),
        (
            {"email": "a@example.com", "password": "long-enough-1", "name": "A\x00", "phone": "7085550100"},
            "name",
        ),
    ]
    for body, field in cases:
        answer = client.post("/api/v1/register", json=body)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.json()["field"] == field, answer.json()
        assert field in answer.json()["detail"] or "phone number" in answer.json()["detail"]
    assert (
        client.post("/api/v1/login", json={"email": "a@example.com", "password": "long-enough-1"}).status_code
        == 401
    )


def _forge(claims: dict[str, object], key: str = "test-signing-key-" + "x" * 64, alg: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=alg)


def test_expired_tampered_and_alg_none_tokens_are_refused(client: TestClient, app: FastAPI) -> None:
    headers = customer(client)
    account_id = client.get("/api/v1/profile", headers=headers).json()["id"]
    now = utcnow()
    good = {
        "sub": account_id,
        "role": "customer",
        "store": None,
        "sv": 1,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=15)).timestamp()),
    }
    assert (
        client.get("/api/v1/profile", headers={"Authorization": f"Bearer {_forge(good)}"}).status_code == 200
    )

    expired = ctx(app).tokens.access_token(account_id, "customer", None, now - timedelta(minutes=20))
    answer = client.get("/api/v1/profile", headers={"Authorization": f"Bearer {expired}"})
    assert answer.status_code == 401 and "expired" in answer.json()["detail"]

    token = headers["Authorization"].split()[1]
    head, body, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["role"] = "head_office"
    forged_body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    tampered = f"{head}.{forged_body}.{signature}"
    assert client.get("/api/v1/profile", headers={"Authorization": f"Bearer {tampered}"}).status_code == 401

    none_head = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').decode().rstrip("=")
    unsigned = f"{none_head}.{forged_body}."
    assert client.get("/api/v1/profile", headers={"Authorization": f"Bearer {unsigned}"}).status_code == 401

    for wrong in ({"iss": "someone-else"}, {"aud": "another-api"}):
        answer = client.get("/api/v1/profile", headers={"Authorization": f"Bearer {_forge(good | wrong)}"})
        assert answer.status_code == 401
    other_key = _forge(good, key="another-key-" + "y" * 32)
    assert client.get("/api/v1/profile", headers={"Authorization": f"Bearer {other_key}"}).status_code == 401
    hs512 = _forge(good, alg="HS512")
    assert client.get("/api/v1/profile", headers={"Authorization": f"Bearer {hs512}"}).status_code == 401
    assert client.get("/api/v1/profile").status_code == 401
    assert client.get("/api/v1/profile", headers={"Authorization": "Bearer junk"}).status_code == 401


def test_refresh_rotates_and_a_reused_token_revokes_the_family(client: TestClient) -> None:
    register(client, "rot@example.com")
    first = client.post(
        "/api/v1/login", json={"email": "rot@example.com", "password": "long-enough-1"}
    ).json()
    second = client.post("/api/v1/token/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    third = client.post("/api/v1/token/refresh", json={"refresh_token": second.json()["refresh_token"]})
    assert third.status_code == 200

    # The first token, already spent, comes back: a thief has a copy. The whole family ends.
    reused = client.post("/api/v1/token/refresh", json={"refresh_token": first["refresh_token"]})
    assert reused.status_code == 401 and "already used" in reused.json()["detail"]
    latest = client.post("/api/v1/token/refresh", json={"refresh_token": third.json()["refresh_token"]})
    assert latest.status_code == 401

    # Another sign-in is another family, untouched.
    other = client.post(
        "/api/v1/login", json={"email": "rot@example.com", "password": "long-enough-1"}
    ).json()
    assert (
        client.post("/api/v1/token/refresh", json={"refresh_token": other["refresh_token"]}).status_code
        == 200
    )


def test_logout_ends_the_sign_in(client: TestClient) -> None:
    register(client, "out@example.com")
    tokens = client.post(
        "/api/v1/login", json={"email": "out@example.com", "password": "long-enough-1"}
    ).json()
    assert client.post("/api/v1/logout", json={"refresh_token": tokens["refresh_token"]}).status_code == 204
    again = client.post("/api/v1/token/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert again.status_code == 401


def test_only_head_office_opens_staff_accounts(client: TestClient, app: FastAPI) -> None:
    from .helpers import demo_store_id

    store = demo_store_id(app)
    body = {
        "email": "mgr2@makeline.test",
        "password": "long-enough-1",
        "name": "Second Manager",
        "role": "store_manager",
        "store_id": store,
    }
    assert client.post("/api/v1/accounts", json=body, headers=customer(client)).status_code == 403
    created = client.post("/api/v1/accounts", json=body, headers=head_office(client))
    assert created.status_code == 201 and created.json()["store_id"] == store
    missing = client.post(
        "/api/v1/accounts",
        headers=head_office(client),
        json=body | {"email": "mgr3@makeline.test", "store_id": None},
    )
    assert missing.status_code == 422 and missing.json()["field"] == "store_id"


def test_housekeeping_forgets_old_keys_and_expired_tokens(client: TestClient, app: FastAPI) -> None:
    from sqlalchemy import text

    from cloud_api.housekeeping import purge

    from .helpers import bring_online, count, order_body, place

    store = bring_online(app)
    assert place(client, customer(client), order_body(store)).status_code == 201
    now = utcnow()
    assert purge(ctx(app).db, now) == 0
    wrong = client.post("/api/v1/login", json={"email": "sprayed@example.com", "password": "guess-1"})
    assert wrong.status_code == 401
    with ctx(app).db.transaction() as session:
        assert count(session, "sign_in_throttle", "key = 'account:sprayed@example.com'") == 1
        session.execute(text("UPDATE sign_in_throttle SET updated_at = updated_at - interval '2 days'"))
        session.execute(text("UPDATE idempotency_record SET created_at = created_at - interval '2 days'"))
        session.execute(text("UPDATE refresh_token SET expires_at = now() - interval '1 second'"))
    assert purge(ctx(app).db, now) >= 2
    with ctx(app).db.transaction() as session:
        assert count(session, "idempotency_record") == 0 and count(session, "refresh_token") == 0
        assert count(session, "sign_in_throttle") == 0
        assert count(session, "orders") == 1
