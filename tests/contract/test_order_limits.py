"""A store's order limits set by head office in the cloud reach the store through its feed, and
both sides then refuse and accept the same orders."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from starlette.testclient import TestClient

from cloud_api.db.base import utcnow
from makeline.trade.pricing import ItemRequest
from store_db.db import StoreDB
from store_db.errors import OverLimits
from store_db.models import Order, Store
from store_db.services.orders import TenderRequest, place_order, store_limits
from tests.cloud.helpers import customer, head_office, order_body, place
from tests.contract.test_online_orders import Link
from tests.store.helpers import carryout

FIFTEEN = {"product": "cheese", "size": "sm", "quantity": 15}


def _store_order(db: StoreDB) -> Order:
    request = carryout(
        ItemRequest(product="cheese", size="sm", quantity=15), tenders=[TenderRequest(kind="card")]
    )
    with db.write() as session:
        return place_order(session, request, utcnow())


def test_limits_set_in_the_cloud_are_the_stores_limits(client: TestClient, app: FastAPI, db: StoreDB) -> None:
    link = Link(app, db)
    # Under the defaults (10 per line), both sides refuse fifteen pizzas on one line.
    refused = place(client, customer(client), order_body(link.store_id, items=[FIFTEEN]))
    assert refused.status_code == 422 and "limit of 10 per line" in refused.json()["detail"]
    with pytest.raises(OverLimits, match="limit of 10 per line"):
        _store_order(db)

    answer = client.put(
        f"/api/v1/stores/{link.store_id}",
        json={"order_limits": {"max_line_quantity": 20}},
        headers=head_office(client),
    )
    assert answer.status_code == 200, answer.text
    assert link.pull() == 1
    with db.read() as session:
        limits = store_limits(session.scalars(select(Store)).one())
    assert limits.model_dump() == answer.json()["order_limits"]

    # Now both sides take it; the online one reaches the store's make line as well.
    taken = place(client, customer(client), order_body(link.store_id, items=[FIFTEEN]))
    assert taken.status_code == 201, taken.text
    assert _store_order(db).total > 0
    assert link.pull() == 1
    with db.read() as session:
        online = session.scalars(select(Order).where(Order.cloud_order_id == taken.json()["id"])).one()
        assert online.limits_approved_by is None
