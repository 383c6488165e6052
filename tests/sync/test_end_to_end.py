"""End to end over real sockets: an online order placed through the cloud's API is in the
store's database, on the make line and printed; its bump in the store reaches the cloud's
`GET /orders/{id}` and the customer's tracker."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import websockets
from sqlalchemy import select

from cloud_api.demo.seed import demo_customer_email
from printers.configure import add_demo_printers
from store_db.db import StoreDB
from store_db.models import KitchenTicket, Order, utcnow
from store_db.queries.kitchen import open_tickets
from store_db.services import kitchen
from tests import calls
from tests.sync.helpers import Cloud, agent_env, eventually, login, start_agent, stop


def _store_order(store_path: Path, cloud_id: str) -> Order | None:
    with StoreDB(store_path) as db, db.read() as session:
        return session.scalars(select(Order).where(Order.cloud_order_id == cloud_id)).first()


def _online(url: str, store_id: str) -> dict[str, object]:
    shopper = login(url, demo_customer_email(1))
    body = {
        "store_id": store_id,
        "service": "carryout",
        "items": [{"product": "pepperoni", "size": "lg"}],
        "payment": {"method": "card", "token": "tok_visa"},
    }
    answer = calls.post(
        f"{url}/api/v1/orders",
        json=body,
        headers=shopper | {"Idempotency-Key": str(uuid.uuid4())},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json()) | {"headers": shopper}


def test_an_online_order_reaches_the_kitchen_and_its_bump_the_tracker(
    cloud: Cloud, store_path: Path, enrolled: str, tmp_path: Path
) -> None:
    printouts = tmp_path / "printouts"
    with StoreDB(store_path) as db:
        add_demo_printers(db, printouts)
    # Neither a poll nor a heartbeat's news comes within the test: the order can only arrive
    # because the cloud nudged the store over its websocket.
    log = tmp_path / "agent.log"
    agent = start_agent(
        store_path, log, agent_env(MAKELINE_SYNC_POLL_S="3600", MAKELINE_SYNC_HEARTBEAT_S="3600")
    )
    try:
        eventually(
            lambda: calls.get(f"{cloud.url}/api/v1/stores/{enrolled}").json()["online"],
            what="the cloud hears the store's agent",
        )
        eventually(lambda: "sync: nudges on" in log.read_text(), what="the agent's websocket is up")
        order = _online(cloud.url, enrolled)
        here = eventually(lambda: _store_order(store_path, str(order["id"])), timeout=60, every=0.05)
        assert here.channel == "online" and here.payment == "paid" and here.total == order["total"]
        with StoreDB(store_path) as db, db.read() as session:
            tickets = [t for t in open_tickets(session, "makeline") if t.order_id == here.id]
            assert len(tickets) == 1 and tickets[0].pizzas[0].size
        ticket_file = eventually(lambda: list((printouts / "kitchen").glob(f"*-{here.number}-kitchen.txt")))
        assert "PEPPERONI" in ticket_file[0].read_text(encoding="utf-8")

        async def bump_and_watch() -> list[dict[str, object]]:
            code = str(order["tracking_url"]).split("code=")[1]
            ws_url = cloud.url.replace("http://", "ws://") + f"/api/v1/orders/{order['id']}/track?code={code}"
            async with websockets.connect(ws_url) as tracker:
                seen = [json.loads(await tracker.recv())]
                with StoreDB(store_path) as db, db.write() as session:
                    ticket = session.scalars(
                        select(KitchenTicket).where(KitchenTicket.order_id == here.id)
                    ).one()
                    kitchen.bump(session, ticket.id, utcnow())
                while seen[-1].get("stage") != "made":  # "prep" may come first: the store took it
                    seen.append(json.loads(await asyncio.wait_for(tracker.recv(), timeout=5)))
                return seen

        seen = asyncio.run(bump_and_watch())
        assert seen[0]["stage"] == "placed" and seen[-1]["status"] == "bake"
        got = calls.get(f"{cloud.url}/api/v1/orders/{order['id']}", headers=order["headers"])  # type: ignore[arg-type]
        assert got.status_code == 200 and got.json()["status"] == "bake"
        assert got.json()["number"] == here.number, "the store's number for the day reached the cloud"
    finally:
        stop(agent)
    said = log.read_text()
    assert "sync: connected as store" in said and "kitchen: printed kitchen ticket" in said
