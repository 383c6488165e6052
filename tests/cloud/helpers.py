"""Factory helpers for the cloud's tests: signing in the demo people, putting the demo
store online, placing orders, and building store events by hand."""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime, timedelta
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from cloud_api.context import CloudContext
from cloud_api.db.base import utcnow
from cloud_api.demo import DEMO_PASSWORD, HEAD_OFFICE_EMAIL, MANAGER_EMAIL, STORE_CODE
from cloud_api.demo.seed import demo_customer_email
from cloud_api.models import Store
from cloud_api.store_events.schemas import StoreEvent
from cloud_api.stores.schemas import StoreDetails
from cloud_api.stores.service import save_store
from makeline.demo.menu import demo_menu
from makeline.trade.lifecycle import Channel, Service, Stage
from makeline.trade.pricing import ItemRequest, price_order
from sync.contract.events import OrderPlaced, OrderStaged, OrderVoided

Headers = dict[str, str]
_seq = itertools.count(1)


def ctx(app: FastAPI) -> CloudContext:
    found: CloudContext = app.state.ctx
    return found


def login(client: TestClient, email: str, password: str = DEMO_PASSWORD) -> Headers:
    answer = client.post("/api/v1/login", json={"email": email, "password": password})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def head_office(client: TestClient) -> Headers:
    return login(client, HEAD_OFFICE_EMAIL)


def manager(client: TestClient) -> Headers:
    return login(client, MANAGER_EMAIL)


def customer(client: TestClient, n: int = 1) -> Headers:
    return login(client, demo_customer_email(n))


def register(
    client: TestClient, email: str, phone: str = "708-555-0199", name: str = "Test Customer"
) -> Headers:
    answer = client.post(
        "/api/v1/register", json={"email": email, "password": "long-enough-1", "name": name, "phone": phone}
    )
    assert answer.status_code == 201, answer.text
    return login(client, email, "long-enough-1")


def demo_store_id(app: FastAPI) -> str:
    with ctx(app).db.transaction() as session:
        return session.scalars(select(Store.id).where(Store.code == STORE_CODE)).one()


def bring_online(app: FastAPI, store_id: str | None = None, at: datetime | None = None) -> str:
    store_id = store_id or demo_store_id(app)
    with ctx(app).db.transaction() as session:
        session.execute(update(Store).where(Store.id == store_id).values(last_seen_at=at or utcnow()))
    return store_id


def evanston(app: FastAPI) -> str:
    """A second store of the chain, a few miles north of the demo store; its id."""
    details = StoreDetails(
        code="EV-002",
        name="makeline Evanston",
        timezone="America/Chicago",
        tax_rate_bp=1000,
        lat=41.975,
        lon=-87.665,
    )
    with ctx(app).db.transaction() as session:
        return save_store(session, details, utcnow()).id


def take_offline(app: FastAPI, store_id: str) -> None:
    bring_online(app, store_id, utcnow() - timedelta(minutes=5))


def order_body(
    store_id: str, service: str = "carryout", token: str = "tok_visa", **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "store_id": store_id,
        "service": service,
        "items": [{"product": "pepperoni", "size": "lg"}, {"product": "cola", "size": "2l", "quantity": 2}],
        "payment": {"method": "card", "token": token},
    }
    if service == "delivery":
        body["address"] = {"line1": "1200 N Harlem Ave"}
    body.update(extra)
    return body


def place(client: TestClient, headers: Headers, body: dict[str, Any], key: str | None = None) -> Any:
    return client.post(
        "/api/v1/orders", json=body, headers={**headers, "Idempotency-Key": key or str(uuid.uuid4())}
    )


def count(session: Session, table: str, where: str = "true") -> int:
    return int(session.execute(text(f"SELECT count(*) FROM {table} WHERE {where}")).scalar_one())


def event(
    kind: str,
    payload: dict[str, Any],
    seq: int | None = None,
    at: datetime | None = None,
    event_id: str | None = None,
) -> StoreEvent:
    return StoreEvent(
        seq=seq if seq is not None else next(_seq),
        event_id=event_id or str(uuid.uuid4()),
        kind=kind,
        payload=payload,
        created_at=at or utcnow(),
    )


def store_order_payload(
    order_id: str | None = None,
    number: int = 1042,
    service: str = "delivery",
    placed_at: datetime | None = None,
    phone: str = "7085550123",
    business_date: str | None = None,
) -> dict[str, Any]:
    """An `order.placed` payload as the store's `placed_event` builds it (a phone order)."""
    placed_at = placed_at or utcnow()
    items = price_order(demo_menu(), [ItemRequest(product="pepperoni", size="lg")], 1025).items
    event = OrderPlaced(
        id=order_id or str(uuid.uuid4()),
        number=number,
        business_date=business_date or (placed_at - timedelta(hours=10)).date().isoformat(),
        channel=Channel.PHONE,
        service=Service(service),
        stage=Stage.PLACED,
        customer_name="Pat Phone",
        phone=phone,
        address="1200 N Harlem Ave, Oak Park" if service == "delivery" else "",
        menu_version=1,
        subtotal=1708,
        discount=0,
        tax=175,
        tip=0,
        total=1883,
        payment="due",
        promise_at=placed_at + timedelta(minutes=35),
        placed_at=placed_at,
        items=items,
    )
    return event.payload()


def staged(order_id: str, stage: str, at: datetime | None = None) -> dict[str, Any]:
    """An `order.stage` payload as the store's lifecycle builds it."""
    return OrderStaged(order_id=order_id, number=1042, stage=Stage(stage), at=at or utcnow()).payload()


def voided(order_id: str, reason: str, at: datetime | None = None) -> dict[str, Any]:
    """An `order.voided` payload as the store's lifecycle builds it."""
    return OrderVoided(
        order_id=order_id,
        number=1042,
        reason=reason,
        approved_by="Morgan",
        after_made=False,
        at=at or utcnow(),
    ).payload()
