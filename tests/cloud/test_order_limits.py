"""Order limits over real HTTP: head office sets them, the cloud refuses an order above them
with the limit named, and a refused order writes nothing and takes no payment."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from cloud_api.demo import DEMO_PASSWORD, HEAD_OFFICE_EMAIL, MANAGER_EMAIL
from cloud_api.demo.seed import demo_customer_email
from cloud_api.models import StoreFeedEntry

from .helpers import bring_online, count, ctx, order_body
from .server import serve

TABLES = ("orders", "order_line", "payment", "test_gateway_charge", "store_feed")


@pytest.fixture
def http(app: FastAPI) -> Iterator[httpx.Client]:
    with serve(app) as base, httpx.Client(base_url=base, timeout=30) as client:
        yield client


def _headers(http: httpx.Client, email: str) -> dict[str, str]:
    answer = http.post("/api/v1/login", json={"email": email, "password": DEMO_PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _order(http: httpx.Client, body: dict[str, Any]) -> httpx.Response:
    headers = {**_headers(http, demo_customer_email(1)), "Idempotency-Key": str(uuid.uuid4())}
    return http.post("/api/v1/orders", json=body, headers=headers)


def _rows(app: FastAPI) -> dict[str, int]:
    with ctx(app).db.transaction() as session:
        return {table: count(session, table) for table in (*TABLES, "idempotency_record")}


def test_a_653101_dollar_order_is_impossible(app: FastAPI, http: httpx.Client) -> None:
    store = bring_online(app)
    toppings = [{"code": c, "amount": "extra"} for c in ("ham", "bacon", "sausage", "mushrooms", "onions")]
    line = {"product": "supreme", "size": "xl", "quantity": 99, "toppings": toppings}
    before = _rows(app)
    answer = _order(http, order_body(store, items=[line] * 50))
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert "above this store's limit of $500.00 per order" in detail
    assert "99 pizzas: above this store's limit of 10 per line" in detail
    assert "4950 pizzas: above this store's limit of 20 per order" in detail
    assert "50 lines: above this store's limit of 20 per order" in detail
    assert detail.endswith("to arrange a large order.")
    assert answer.json()["field"] == "items.0.quantity"
    assert _rows(app) == before  # no order, no line, no payment, no charge at the gateway, no feed entry


def test_cash_at_the_door_has_the_lower_limit_and_card_does_not(app: FastAPI, http: httpx.Client) -> None:
    store = bring_online(app)
    eight = [{"product": "pepperoni", "size": "xl", "quantity": 8}]
    cash = order_body(store, "delivery", items=eight, payment={"method": "cash"})
    before = _rows(app)
    answer = _order(http, cash)
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "payment.method"
    assert "in cash: above this store's limit of $150.00 for an order paid in cash" in answer.json()["detail"]
    assert answer.json()["detail"].endswith("Pay by card, or call the store to arrange it.")
    assert _rows(app) == before
    by_card = _order(http, order_body(store, "delivery", items=eight))
    assert by_card.status_code == 201, by_card.text


def test_head_office_sets_a_stores_limits_and_the_store_learns_them(app: FastAPI, http: httpx.Client) -> None:
    store = bring_online(app)
    office = _headers(http, HEAD_OFFICE_EMAIL)
    shown = http.get(f"/api/v1/stores/{store}").json()["order_limits"]
    assert shown == {
        "max_order_cents": 50_000,
        "max_cash_order_cents": 15_000,
        "max_line_quantity": 10,
        "max_pizzas": 20,
        "max_lines": 20,
    }
    answer = http.put(
        f"/api/v1/stores/{store}",
        json={"order_limits": {"max_pizzas": 120, "max_line_quantity": 99}},
        headers=office,
    )
    assert answer.status_code == 200, answer.text
    raised = shown | {"max_pizzas": 120, "max_line_quantity": 99}
    assert answer.json()["order_limits"] == raised
    with ctx(app).db.transaction() as session:
        entry = session.scalars(
            select(StoreFeedEntry)
            .where(StoreFeedEntry.store_id == store, StoreFeedEntry.kind == "store.settings")
            .order_by(StoreFeedEntry.cursor.desc())
        ).first()
        assert entry is not None
        assert entry.payload == {"kind": "store.settings", "v": 1, "order_limits": raised}  # the whole set
    # Fifteen pizzas by card are within the new limits ($500 still caps the value).
    fifteen = [{"product": "cheese", "size": "sm", "quantity": 15}]
    assert _order(http, order_body(store, items=fifteen)).status_code == 201


@pytest.mark.parametrize(
    ("limits", "says"),
    [
        (
            {"max_cash_order_cents": 60_000},
            r"the cash order limit ($600.00) cannot be above the order limit ($500.00)",
        ),
        ({"max_line_quantity": 0}, "greater than or equal to 1"),
        ({"max_order_cents": 10**12}, "less than or equal to 10000000"),
        ({"max_pizzas": "many"}, "valid integer"),
        ({"max_dogs": 3}, "Extra inputs are not permitted"),
        ({}, "Send at least one order limit"),
    ],
)
def test_limits_that_do_not_make_sense_are_refused_and_change_nothing(
    app: FastAPI, http: httpx.Client, limits: dict[str, Any], says: str
) -> None:
    store = bring_online(app)
    before = _rows(app)
    answer = http.put(
        f"/api/v1/stores/{store}", json={"order_limits": limits}, headers=_headers(http, HEAD_OFFICE_EMAIL)
    )
    assert answer.status_code == 422, answer.text
    assert says in answer.text
    assert _rows(app) == before
    assert http.get(f"/api/v1/stores/{store}").json()["order_limits"]["max_cash_order_cents"] == 15_000


def test_only_head_office_sets_limits(app: FastAPI, http: httpx.Client) -> None:
    store = bring_online(app)
    before = _rows(app)
    for who in (demo_customer_email(1), MANAGER_EMAIL):
        answer = http.put(
            f"/api/v1/stores/{store}", json={"order_limits": {"max_pizzas": 300}}, headers=_headers(http, who)
        )
        assert answer.status_code == 403, answer.text
    assert "Only head office sets a store's order limits" in answer.json()["detail"]
    assert _rows(app) == before
    assert http.get(f"/api/v1/stores/{store}").json()["order_limits"]["max_pizzas"] == 20
    # The store's manager still changes the store's other settings.
    answer = http.put(
        f"/api/v1/stores/{store}", json={"phone": "708-555-0100"}, headers=_headers(http, MANAGER_EMAIL)
    )
    assert answer.status_code == 200, answer.text
