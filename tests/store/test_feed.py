"""The cloud's feed applied in the store: once, in order, with the cursor; refusals reported."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from makeline.demo.menu import demo_menu
from makeline.trade.lifecycle import Stage
from store_db.db import StoreDB
from store_db.models import Order, OutboxEvent, Store
from store_db.services import feed, lifecycle
from store_db.services.menu import current_menu
from tests.store.helpers import T0, fingerprint


def online(cloud_id: str, **extra: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": cloud_id,
        "service": "delivery",
        "phone": "7085550177",
        "customer_name": "Web Customer",
        "address": {"line1": "700 N Oak Park Ave", "lat": 41.8913, "lon": -87.7845},
        "items": [{"product": "pepperoni", "size": "lg"}],
        "payment": "paid",
        "total": 1883,
        "placed_at": T0.isoformat(),
    }
    payload.update(extra)
    return payload


def events(db: StoreDB, kind: str) -> list[OutboxEvent]:
    with db.read() as session:
        return list(session.scalars(select(OutboxEvent).where(OutboxEvent.kind == kind)))


def test_an_online_order_applies_once(db: StoreDB) -> None:
    entries = [(1, "order.online", online("c-1"))]
    with db.write() as session:
        assert feed.apply_entries(session, entries, T0) == 1
    before = fingerprint(db)
    with db.write() as session:
        assert feed.apply_entries(session, entries, T0) == 0
    assert fingerprint(db) == before
    with db.read() as session:
        order = session.scalars(select(Order).where(Order.cloud_order_id == "c-1")).one()
        assert (order.channel, order.payment, order.total) == ("online", "paid", 1883)
    assert events(db, "feed.price_mismatch") == []


def test_a_refused_entry_is_reported_not_dropped(db: StoreDB) -> None:
    bad = online("c-2", items=[{"product": "calzone", "size": "lg"}])
    with db.write() as session:
        feed.apply_entries(session, [(1, "order.online", bad), (2, "order.online", online("c-3"))], T0)
        assert feed.sync_state(session).feed_cursor == 2
        assert session.scalar(select(func.count()).select_from(Order)) == 1
    refused = events(db, "feed.refused")
    assert len(refused) == 1 and "calzone" in str(refused[0].payload["reason"])


def test_cancel_is_accepted_only_before_the_oven(db: StoreDB) -> None:
    with db.write() as session:
        feed.apply_entries(
            session, [(1, "order.online", online("early")), (2, "order.online", online("late"))], T0
        )
        late = session.scalars(select(Order).where(Order.cloud_order_id == "late")).one()
        lifecycle.advance(session, late.id, Stage.MADE, T0 + timedelta(minutes=1))
    with db.write() as session:
        feed.apply_entries(
            session,
            [(3, "order.cancel_request", {"id": "early"}), (4, "order.cancel_request", {"id": "late"})],
            T0 + timedelta(minutes=2),
        )
    answers = {e.payload["cloud_order_id"]: e.payload["accepted"] for e in events(db, "order.cancel_answer")}
    assert answers == {"early": True, "late": False}
    with db.read() as session:
        stages = dict(session.execute(select(Order.cloud_order_id, Order.stage)).all())
    assert stages == {"early": "voided", "late": "made"}


def test_menu_versions_apply_whole_and_only_forward(db: StoreDB) -> None:
    menu = demo_menu(version=2)
    cheaper = menu.model_copy(
        update={
            "products": [
                p.model_copy(update={"price": {**p.price, "lg": 1599}}) if p.code == "pepperoni" else p
                for p in menu.products
            ]
        }
    )
    with db.write() as session:
        feed.apply_entries(session, [(1, "menu.version", {"menu": cheaper.model_dump(mode="json")})], T0)
    with db.read() as session:
        assert session.scalars(select(Store.menu_version)).one() == 2
        product = current_menu(session).product("pepperoni")
        assert product is not None and product.price["lg"] == 1599
    with db.write() as session:
        feed.apply_entries(session, [(2, "menu.version", {"menu": demo_menu(1).model_dump(mode="json")})], T0)
    assert "older than the current version" in str(events(db, "feed.refused")[0].payload["reason"])


def test_acknowledgements_mark_events_sent(db: StoreDB) -> None:
    with db.write() as session:
        feed.apply_entries(session, [(1, "order.online", online("a")), (2, "order.online", online("b"))], T0)
    with db.write() as session:
        assert feed.mark_acked(session, 1, T0) == 1
        assert feed.mark_acked(session, 1, T0) == 0
        assert feed.sync_state(session).acked_seq == 1


def test_head_office_item_changes_in_counting_units(db: StoreDB) -> None:
    from store_db.models import InventoryItem

    change = {"code": "mozzarella", "cost_cents": 1500, "par": "20", "discontinued": False}
    with db.write() as session:
        feed.apply_entries(session, [(1, "inventory.item", change)], T0)
        item = session.get(InventoryItem, "mozzarella")
        assert item is not None
        # a bag (80 oz) at $15.00 → a case of 6 bags (480 oz) at $90.00
        assert (item.cost_cents_per_purchase, str(item.par), item.active) == (9000, "20", True)
    with db.write() as session:
        feed.apply_entries(session, [(2, "inventory.item", {"code": "mozzarella", "discontinued": True})], T0)
        item = session.get(InventoryItem, "mozzarella")
        assert item is not None and item.active is False
