"""A bad entry never stalls a store, in either direction, over the real paths (the cloud on
PostgreSQL over HTTP, `makeline agent` as a process, the store's SQLite file):

- malformed feed entries in front of a valid paid order: the order reaches the kitchen in
  the same pull, each bad entry is set aside with its reason, the cloud is told;
- a malformed event of every kind pushed in front of valid ones: the valid ones are
  applied, nothing answers 5xx, the bad ones are held with their reason for head office.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from cloud_api.models import InboundEvent, InboundQuarantine, Order
from makeline.trade.lifecycle import Service
from makeline.trade.pricing import ItemRequest
from store_db.db import StoreDB
from store_db.models import SyncState
from store_db.queries.kitchen import open_tickets
from store_db.queries.quarantine import set_aside
from sync import contract
from sync.agent.link import auth_headers
from sync.contract.entries import OnlineOrder
from tests import calls
from tests.cloud.helpers import store_order_payload
from tests.sync.bad_input import malformed_events, raw_feed_entry
from tests.sync.helpers import Cloud, eventually, login, start_agent, stop
from tests.sync.test_end_to_end import _online, _store_order


def _device_token(store_path: Path) -> str:
    with StoreDB(store_path) as db, db.read() as session:
        state = session.get(SyncState, 1)
        assert state is not None and state.device_token
        return state.device_token


def _bad_orders() -> list[tuple[str, dict[str, object]]]:
    good = OnlineOrder(
        cloud_order_id=str(uuid.uuid4()),
        service=Service.CARRYOUT,
        items=[ItemRequest(product="pepperoni", size="lg")],
        payment="paid",
        total=1883,
        placed_at=datetime.now(UTC),
    ).payload()
    return [
        ("order.online", good | {"items": [{"product": "pepperoni", "size": "lg", "quantity": "abc"}]}),
        ("order.online", {k: v for k, v in good.items() if k != "cloud_order_id"}),
        ("order.teleport", {"cloud_order_id": str(uuid.uuid4())}),
    ]


def test_bad_feed_entries_are_set_aside_and_the_paid_order_behind_them_is_made(
    cloud: Cloud, store_path: Path, enrolled: str, tmp_path: Path
) -> None:
    log = tmp_path / "agent.log"
    agent = start_agent(store_path, log)
    try:
        eventually(lambda: "connected as store" in log.read_text(), timeout=20, what="the agent connects")
        bad = [raw_feed_entry(cloud.db, enrolled, kind, payload) for kind, payload in _bad_orders()]
        order = _online(cloud.url, enrolled)
        here = eventually(lambda: _store_order(store_path, str(order["id"])), timeout=20, what="the order")
        assert here.payment == "paid"
        with StoreDB(store_path) as db, db.read() as session:
            assert any(t.order_id == here.id for t in open_tickets(session, "makeline"))
            held = set_aside(session)
            cursor = session.get(SyncState, 1).feed_cursor  # type: ignore[union-attr]
        assert [h.cursor for h in held] == bad and cursor > bad[-1]
        assert "quantity" in held[0].reason and "cloud_order_id" in held[1].reason
        assert "unknown kind 'order.teleport'" in held[2].reason

        def told() -> int:
            with cloud.db.transaction() as session:
                return int(
                    session.scalar(
                        select(func.count())
                        .select_from(InboundEvent)
                        .where(InboundEvent.store_id == enrolled, InboundEvent.kind == "feed.quarantined")
                    )
                    or 0
                )

        eventually(lambda: told() == 3, timeout=20, what="the cloud hears of the three set aside")
    finally:
        stop(agent)
    text = log.read_text()
    assert "Traceback" not in text and "set aside" in text
    assert text.count("sync: offline") == 0, "a bad entry does not break the session"


def test_malformed_events_of_every_kind_are_held_in_the_cloud_and_the_rest_applied(
    cloud: Cloud, store_path: Path, enrolled: str
) -> None:
    headers = auth_headers(_device_token(store_path)) | {"Content-Type": "application/json"}
    bad = malformed_events()
    valid = [store_order_payload(number=2000 + n, service="carryout") for n in range(3)]
    events = [
        contract.OutboxEvent(
            seq=n,
            event_id=str(uuid.uuid4()),
            txn=str(uuid.uuid4()),
            kind=kind,
            subject="s",
            payload=payload,
            created_at=datetime.now(UTC),
        )
        for n, (kind, payload) in enumerate(
            [*bad[: len(bad) // 2], *[("order.placed", p) for p in valid], *bad[len(bad) // 2 :]], start=1
        )
    ]
    batch = contract.PushBatch(store_id=enrolled, events=events)
    answer = calls.post(
        f"{cloud.url}/api/v1/sync/push", content=batch.model_dump_json(), headers=headers, timeout=60
    )
    assert answer.status_code == 200, answer.text
    ack = contract.PushAck.model_validate(answer.json())
    assert (ack.high_water, ack.stored, ack.quarantined) == (len(events), len(events), len(bad))
    again = calls.post(
        f"{cloud.url}/api/v1/sync/push", content=batch.model_dump_json(), headers=headers, timeout=60
    )
    assert again.status_code == 200 and contract.PushAck.model_validate(again.json()).stored == 0
    with cloud.db.transaction() as session:
        placed = session.scalars(select(Order.number).where(Order.store_id == enrolled)).all()
        held = session.scalars(select(InboundQuarantine).where(InboundQuarantine.store_id == enrolled)).all()
    assert sorted(n for n in placed if n is not None and n >= 2000) == [2000, 2001, 2002]
    assert len(held) == len(bad) and all(h.reason for h in held)
    seen = calls.get(
        f"{cloud.url}/api/v1/sync/quarantine", params={"store_id": enrolled}, headers=login(cloud.url)
    )
    assert seen.status_code == 200 and len(seen.json()) == len(bad)
    reasons = {(h["kind"], h["reason"]) for h in seen.json()}
    assert any(k == "printer.on_fire" and "unknown kind" in r for k, r in reasons)
    assert any(k == "order.placed" and "NUL character" in r for k, r in reasons)
    assert any("newer than this side reads" in r for _, r in reasons)
    refused = calls.get(f"{cloud.url}/api/v1/sync/quarantine", headers=headers)
    assert refused.status_code == 403
