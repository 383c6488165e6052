"""The benchmarks' chain: stores made in the cloud's database, each with its own device
credential, and the heartbeat a store's agent sends on a busy evening."""

from __future__ import annotations

import uuid
from datetime import timedelta

from cloud_api.db.base import utcnow
from cloud_api.db.database import Database
from cloud_api.stores import devices
from cloud_api.stores.schemas import StoreDetails
from cloud_api.stores.service import save_store
from cloud_api.sync import repository as sync_repository
from sync.contract import Heartbeat, PrinterHealth
from sync.contract.quote import LiveLoad, PlannedDoor, WaitingDelivery


def make_stores(url: str, count: int, prefix: str = "STORM") -> list[tuple[str, str]]:
    db = Database(url, pool_size=1, max_overflow=0)
    made = []
    with db.transaction() as session:
        now = utcnow()
        for n in range(count):
            store = save_store(
                session,
                StoreDetails(
                    code=f"{prefix}-{n:04d}",
                    name=f"{prefix.title()} store {n}",
                    timezone="America/Chicago",
                    tax_rate_bp=1025,
                    lat=41.0 + n / 1000,
                    lon=-87.0,
                ),
                now,
            )
            _, token = devices.issue(session, store.id, "bench", now)
            made.append((store.id, token))
    db.dispose()
    return made


def claim_stores(stores: list[tuple[str, str]], url: str, since: timedelta) -> None:
    """The stores' computers as the cloud knew them before an outage of `since`: each store's
    agent (`bench-<n>`, as `agent_beat` names it) recorded as speaking for it, last seen then."""
    db = Database(url, pool_size=1, max_overflow=0)
    with db.transaction() as session:
        then = utcnow() - since
        for n, (store_id, _) in enumerate(stores):
            sync_repository.add_agent(session, store_id, f"bench-{n}", then)
    db.dispose()


def agent_beat(n: int, store_id: str, backlog: int = 0) -> bytes:
    """A store computer's heartbeat as the agent sends it on a busy evening: its ledgers (with
    `backlog` events not yet sent), two printers, the kitchen's load with two deliveries
    waiting and one run on the plan."""
    now = utcnow()
    leave = now + timedelta(minutes=6)
    door = PlannedDoor(order_id=str(uuid.UUID(int=n)), leave_at=leave, eta_at=leave + timedelta(minutes=9))
    waiting = [WaitingDelivery(ready_in_s=240, drive_s=540), WaitingDelivery(ready_in_s=420, drive_s=300)]
    load = LiveLoad(
        taken_at=now, make_ahead=3, in_oven=2, deliveries=waiting, drivers=[0, 600], make_target_s=60,
        oven_s=360, belt_pizzas=8, bag=3, speed_kmh=30, road_factor=1.35, plan=[door],
    )  # fmt: skip
    printers = [PrinterHealth(name="kitchen", online=True), PrinterHealth(name="counter", online=True)]
    beat = Heartbeat(
        store_id=store_id, instance=f"bench-{n}", sent_at=now, acked_seq=1200, last_seq=1200 + backlog,
        outbox_backlog=backlog,
        feed_cursor=88, printers=printers, agent_version="0.1.0", menu_version=3, load=load,
    )  # fmt: skip
    return beat.model_dump_json().encode()
