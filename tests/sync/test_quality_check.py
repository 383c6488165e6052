"""The cut table's quality check from head office to the customer's tracker: head office turns
it on in the store's settings, the store's check of an online order (boxed, sent back to be
remade, passed) travels with its `order.checked` events through the agent, and the cloud's
`GET /orders/{id}` and the storefront tracker show it."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import select

from store_db.db import StoreDB
from store_db.models import KitchenTicket, Order, Store, utcnow
from store_db.services import cut_table, kitchen, quality_check
from sync.agent import SyncAgent
from tests import calls
from tests.sync.helpers import Cloud, login
from tests.sync.test_agents import QUICK
from tests.sync.test_end_to_end import _online


def _status(cloud: Cloud, order: dict[str, object]) -> tuple[str, str]:
    """What `GET /orders/{id}` says, and what the storefront tracker page says now."""
    got = calls.get(f"{cloud.url}/api/v1/orders/{order['id']}", headers=order["headers"])  # type: ignore[arg-type]
    assert got.status_code == 200, got.text
    link = httpx.URL(str(order["tracking_url"]))  # the public address; the same path here
    page = calls.get(f"{cloud.url}{link.raw_path.decode()}", timeout=10)
    assert page.status_code == 200, page.text
    return str(got.json()["status"]), page.text


def test_the_check_reaches_the_tracker_and_a_send_back_shows_as_a_remake(
    cloud: Cloud, store_path: Path, enrolled: str
) -> None:
    head_office = login(cloud.url)
    turned = calls.put(
        f"{cloud.url}/api/v1/stores/{enrolled}", json={"quality_check": True}, headers=head_office, timeout=10
    )
    assert turned.status_code == 200, turned.text
    with StoreDB(store_path) as db:
        agent = SyncAgent(db, QUICK)
        asyncio.run(agent.sync_once())  # the store is heard from: it takes online orders
        order = _online(cloud.url, enrolled)
        asyncio.run(agent.sync_once())
        with db.read() as session:
            assert session.scalars(select(Store.quality_check)).one(), "the setting came down the feed"
            here = session.scalars(select(Order).where(Order.cloud_order_id == order["id"])).one()
            ticket_id = session.scalars(
                select(KitchenTicket.id).where(KitchenTicket.order_id == here.id)
            ).one()
        start = utcnow()
        with db.write() as session:
            kitchen.bump(session, ticket_id, start)
            cut_table.box(session, here.id, start + timedelta(seconds=400))
        asyncio.run(agent.sync_once())
        status, page = _status(cloud, order)
        assert status == "quality_check"
        assert 'aria-current="step">Quality check</li>' in page and "track-remake" not in page
        with db.write() as session:
            quality_check.send_back(session, here.id, "cheese burnt", start + timedelta(seconds=410))
        asyncio.run(agent.sync_once())
        status, page = _status(cloud, order)
        assert status == "prep" and "sent your pizza back to be made again" in page
        with db.write() as session:
            kitchen.bump(session, ticket_id, start + timedelta(seconds=470))
            cut_table.box(session, here.id, start + timedelta(seconds=830))
        asyncio.run(agent.sync_once())
        assert _status(cloud, order)[0] == "quality_check"
        with db.write() as session:
            quality_check.pass_check(session, here.id, start + timedelta(seconds=840), "Kim")
        asyncio.run(agent.sync_once())
    status, page = _status(cloud, order)
    assert status == "quality_check" and "track-remake" not in page
    got = calls.get(f"{cloud.url}/api/v1/orders/{order['id']}", headers=order["headers"])  # type: ignore[arg-type]
    assert got.json()["stage"] == "ready"
