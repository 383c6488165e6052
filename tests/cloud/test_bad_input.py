"""Bad input on every endpoint: a clear 4xx naming the field, never a 500, and nothing written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from sqlalchemy import func, select
from starlette.testclient import TestClient

from cloud_api.models import Base

from .helpers import bring_online, ctx, customer, head_office, manager

NO_ID = "01a20b09-0000-7000-8000-000000000000"


def _rows(app: FastAPI) -> dict[str, int]:
    with ctx(app).db.transaction() as session:
        return {
            t.name: session.scalar(select(func.count()).select_from(t)) or 0
            for t in Base.metadata.sorted_tables
        }


def test_each_endpoint_names_the_field_and_writes_nothing(client: TestClient, app: FastAPI) -> None:
    store = bring_online(app)
    who: dict[str, Callable[[], dict[str, str]]] = {
        "nobody": dict,
        "customer": lambda: customer(client),
        "hq": lambda: head_office(client),
        "manager": lambda: manager(client),
    }
    key = {"Idempotency-Key": "bad-input-key-0001"}
    order = {
        "store_id": store,
        "service": "carryout",
        "items": [{"product": "cheese", "size": "md"}],
        "payment": {"method": "card", "token": "tok_visa"},
    }
    cases: list[tuple[str, str, str, Any, str]] = [
        (
            "POST",
            "/api/v1/register",
            "nobody",
            {"email": "x@example.com", "password": 12345678, "name": "X", "phone": "7085550100"},
            "password",
        ),
        (
            "POST",
            "/api/v1/register",
            "nobody",
            {
                "email": "x@example.com",
                "password": "long-enough",
                "name": "X",
                "phone": "7085550100",
                "role": "head_office",
            },
            "role",
        ),
        ("POST", "/api/v1/login", "nobody", {"email": "x@example.com"}, "password"),
        ("POST", "/api/v1/token/refresh", "nobody", {"refresh_token": ""}, "refresh_token"),
        ("POST", "/api/v1/logout", "nobody", {}, "refresh_token"),
        (
            "POST",
            "/api/v1/accounts",
            "hq",
            {"email": "m@example.com", "password": "long-enough", "name": "M", "role": "owner"},
            "role",
        ),
        ("PUT", "/api/v1/profile", "customer", {"phone": "call me"}, "phone"),
        ("PUT", "/api/v1/profile", "customer", {"email": "not-an-address"}, "email"),
        ("POST", "/api/v1/orders", "customer", order | {"service": "dine_in"}, "service"),
        (
            "POST",
            "/api/v1/orders",
            "customer",
            order | {"items": [{"product": "cheese", "size": "md", "quantity": 1000}]},
            "items.0.quantity",
        ),
        (
            "POST",
            "/api/v1/orders",
            "customer",
            order
            | {
                "items": [
                    {"product": "cheese", "size": "md", "toppings": [{"code": "ham", "placement": "middle"}]}
                ]
            },
            "items.0.toppings.0.placement",
        ),
        ("POST", "/api/v1/orders", "customer", order | {"payment": {"method": "bitcoin"}}, "payment.method"),
        ("POST", "/api/v1/orders", "customer", order | {"store_id": "x"}, "store_id"),
        ("PUT", f"/api/v1/orders/{NO_ID}/status", "manager", {"status": "eaten"}, "status"),
        ("PUT", f"/api/v1/orders/{NO_ID}/status", "manager", {"status": "made", "at": "yesterday"}, "at"),
        ("GET", "/api/v1/orders?limit=0", "customer", None, "limit"),
        ("GET", "/api/v1/inventory?store_id=abc", "hq", None, "store_id"),
        ("PUT", "/api/v1/inventory/cheese", "hq", {"cost_cents": -5}, "cost_cents"),
        ("PUT", "/api/v1/inventory/bad%20code", "hq", {"cost_cents": 5}, "item_id"),
        (
            "POST",
            "/api/v1/deliveries",
            "manager",
            {"store_id": store, "driver_id": NO_ID, "driver_name": "Sam", "order_ids": []},
            "order_ids",
        ),
        ("PUT", f"/api/v1/deliveries/{NO_ID}/status", "manager", {"status": "lost"}, "status"),
        ("POST", "/api/v1/notifications", "hq", {"body": "", "phone": "7085550100"}, "body"),
        ("POST", "/api/v1/notifications", "hq", {"body": "hi", "phone": "7085550100"}, "store_id"),
        (
            "POST",
            "/api/v1/notifications",
            "hq",
            {"body": "hi", "phone": "7085550100", "store_id": NO_ID},
            "store_id",
        ),
        (
            "POST",
            "/api/v1/notifications",
            "hq",
            {"body": "hi", "phone": "7085550100", "customer_id": NO_ID},
            "order_id",
        ),
        ("POST", "/api/v1/payments", "customer", {"order_id": NO_ID}, "token"),
        ("GET", "/api/v1/reports/sales?from=2026-13-01", "hq", None, "from"),
        ("GET", "/api/v1/reports/delivery?to=2026-01-01&from=2026-02-01", "hq", None, "to"),
        ("GET", "/api/v1/reports/inventory?from=2024-01-01&to=2026-01-01", "hq", None, "from"),
        ("POST", "/api/v1/menus", "hq", {"menu": {"version": 1}}, "menu.categories"),
        ("GET", "/api/v1/menus/0", "nobody", None, "version"),
        ("PUT", f"/api/v1/stores/{store}", "manager", {"tax_rate_bp": 99999}, "tax_rate_bp"),
        ("POST", f"/api/v1/stores/{store}/heartbeat", "manager", {"backlog": -1}, "backlog"),
        ("POST", "/api/v1/enrollments/claim", "nobody", {"code": "AB", "store": {}}, "code"),
        ("GET", "/api/v1/stores/locate?address=x", "nobody", None, "address"),
    ]
    before = _rows(app)
    for method, path, role, body, field in cases:
        headers = who[role]() | (key if path.endswith("/orders") or path.endswith("/payments") else {})
        answer = client.request(method, path, json=body, headers=headers)
        assert 400 <= answer.status_code < 500, (method, path, answer.status_code, answer.text)
        found = answer.json()
        assert found["field"] == field, (method, path, found)
        assert found["detail"] and isinstance(found["detail"], str)
    after = _rows(app)
    # Signing in writes refresh tokens; nothing else may change.
    assert {k: v for k, v in after.items() if k != "refresh_token"} == {
        k: v for k, v in before.items() if k != "refresh_token"
    }
