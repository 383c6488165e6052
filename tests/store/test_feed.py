"""The cloud's feed applied in the store: once, in order, with the cursor; a bad entry set
aside with its reason while the ones behind it apply; refusals reported; fixed entries
applied once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from makeline.demo.menu import demo_menu
from makeline.trade.lifecycle import Service, Stage
from makeline.trade.pricing import ItemRequest
from store_db.db import StoreDB
from store_db.models import FeedQuarantine, InventoryItem, Order, OutboxEvent, Store
from store_db.queries.quarantine import set_aside
from store_db.queries.store import sync_status
from store_db.services import feed, lifecycle
from store_db.services.menu import current_menu
from sync.contract import parse_event
from sync.contract.entries import (
    AddressOnWire,
    CancelRequest,
    InventoryItemChanged,
    MenuPublished,
    OnlineOrder,
    OrderPaid,
    OrderRefunded,
)
from sync.contract.events import CancelAnswer, FeedQuarantined, FeedRefused, FeedReleased
from tests.store.helpers import T0, fingerprint


def online(cloud_id: str, **extra: Any) -> dict[str, Any]:
    entry = OnlineOrder(
        cloud_order_id=cloud_id,
        service=Service.DELIVERY,
        phone="7085550177",
        customer_name="Web Customer",
        address=AddressOnWire(line1="700 N Oak Park Ave", lat=41.8913, lon=-87.7845),
        items=[ItemRequest(product="pepperoni", size="lg")],
        payment="paid",
        total=1883,
        placed_at=T0,
    )
    return entry.payload() | extra


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
    refused = [parse_event(e.kind, e.payload) for e in events(db, "feed.refused")]
    assert len(refused) == 1 and isinstance(refused[0], FeedRefused)
    assert "calzone" in refused[0].reason and refused[0].cloud_order_id == "c-2"
    with db.read() as session:
        assert set_aside(session) == []  # answered, refunded by the cloud: nothing to retry


def test_malformed_entries_are_set_aside_and_the_ones_behind_apply(db: StoreDB) -> None:
    """A quantity of "abc", a missing id and an unknown kind in front of a valid paid order:
    the order is placed in the same pull, each bad entry is held with its reason and the
    cloud is told."""
    abc = online("c-abc", items=[{"product": "pepperoni", "size": "lg", "quantity": "abc"}])
    no_id = {k: v for k, v in online("c-noid").items() if k != "cloud_order_id"}
    entries = [
        (1, "order.online", abc),
        (2, "order.online", no_id),
        (3, "order.teleport", {"cloud_order_id": "x"}),
        (4, "order.online", online("c-good")),
    ]
    with db.write() as session:
        assert feed.apply_entries(session, entries, T0) == 4
        assert feed.sync_state(session).feed_cursor == 4
        placed = session.scalars(select(Order.cloud_order_id)).all()
    assert placed == ["c-good"]
    with db.read() as session:
        held = set_aside(session)
        assert sync_status(session).set_aside == 3
    assert [h.cursor for h in held] == [1, 2, 3]
    assert "quantity" in held[0].reason and "integer" in held[0].reason
    assert "cloud_order_id" in held[1].reason and "required" in held[1].reason
    assert "unknown kind 'order.teleport'" in held[2].reason
    told = [parse_event(e.kind, e.payload) for e in events(db, "feed.quarantined")]
    assert [(t.cursor, t.entry_kind) for t in told if isinstance(t, FeedQuarantined)] == [
        (1, "order.online"),
        (2, "order.online"),
        (3, "order.teleport"),
    ]


def test_a_held_entry_applies_once_when_fixed(db: StoreDB) -> None:
    """An item change for an item this store does not stock yet is held; once the item is
    stocked, retrying applies it, and retrying again changes nothing."""
    change = InventoryItemChanged(code="truffle", cost_cents_per_purchase=1234).payload()
    with db.write() as session:
        feed.apply_entries(session, [(1, "inventory.item", change)], T0)
    with db.read() as session:
        (held,) = set_aside(session)
    assert "truffle is not stocked" in held.reason
    with db.write() as session:
        assert feed.retry(session, 1, T0).state == "held"  # not fixed yet: still held
        mozzarella = session.get(InventoryItem, "mozzarella")
        assert mozzarella is not None
        session.add(
            InventoryItem(
                **{c.key: getattr(mozzarella, c.key) for c in InventoryItem.__table__.columns}
                | {"code": "truffle", "name": "Truffle oil"}
            )
        )
    with db.write() as session:
        row = feed.retry(session, 1, T0 + timedelta(minutes=1))
        assert (row.state, row.tries) == ("applied", 3)
    before = fingerprint(db)
    with db.write() as session:
        assert feed.retry(session, 1, T0 + timedelta(minutes=2)).state == "applied"
    assert fingerprint(db) == before
    with db.read() as session:
        truffle = session.get(InventoryItem, "truffle")
        assert truffle is not None and truffle.cost_cents_per_purchase == 1234
        assert set_aside(session) == [] and sync_status(session).set_aside == 0
        assert session.get(FeedQuarantine, 1) is not None
    released = [parse_event(e.kind, e.payload) for e in events(db, "feed.released")]
    assert released == [FeedReleased(cursor=1, entry_kind="inventory.item", at=T0 + timedelta(minutes=1))]


def test_paid_online_later_means_no_cash_at_the_door(db: StoreDB) -> None:
    due = online("c-due", payment="due")
    with db.write() as session:
        feed.apply_entries(session, [(1, "order.online", due)], T0)
        order = session.scalars(select(Order).where(Order.cloud_order_id == "c-due")).one()
        assert order.payment == "due"
    paid = OrderPaid(cloud_order_id="c-due", payment_id="p-1", amount=order.total).payload()
    with db.write() as session:
        feed.apply_entries(session, [(2, "order.paid", paid), (3, "order.paid", paid)], T0)
    with db.read() as session:
        order = session.scalars(select(Order).where(Order.cloud_order_id == "c-due")).one()
        assert order.payment == "paid"
        assert set_aside(session) == []


def test_a_refund_from_the_cloud_shows_on_the_order(db: StoreDB) -> None:
    refund = OrderRefunded(cloud_order_id="c-r", amount=1883, reason="customer cancelled").payload()
    with db.write() as session:
        feed.apply_entries(session, [(1, "order.online", online("c-r")), (2, "order.refunded", refund)], T0)
        order = session.scalars(select(Order).where(Order.cloud_order_id == "c-r")).one()
        assert order.payment == "refunded" and set_aside(session) == []


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
            [
                (3, "order.cancel_request", CancelRequest(cloud_order_id="early").payload()),
                (4, "order.cancel_request", CancelRequest(cloud_order_id="late").payload()),
            ],
            T0 + timedelta(minutes=2),
        )
    answers = {}
    for e in events(db, "order.cancel_answer"):
        answer = parse_event(e.kind, e.payload)
        assert isinstance(answer, CancelAnswer)
        answers[answer.cloud_order_id] = answer.accepted
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
        feed.apply_entries(
            session, [(1, "menu.version", MenuPublished(version=2, menu=cheaper).payload())], T0
        )
    with db.read() as session:
        assert session.scalars(select(Store.menu_version)).one() == 2
        product = current_menu(session).product("pepperoni")
        assert product is not None and product.price["lg"] == 1599
    older = MenuPublished(version=1, menu=demo_menu(1)).payload()
    with db.write() as session:
        feed.apply_entries(session, [(2, "menu.version", older)], T0)
    with db.read() as session:
        (held,) = set_aside(session)
        assert "older than the current version" in held.reason
        assert session.scalars(select(Store.menu_version)).one() == 2


def test_acknowledgements_mark_events_sent(db: StoreDB) -> None:
    with db.write() as session:
        feed.apply_entries(session, [(1, "order.online", online("a")), (2, "order.online", online("b"))], T0)
    with db.write() as session:
        assert feed.mark_acked(session, 1, T0) == 1
        assert feed.mark_acked(session, 1, T0) == 0
        assert feed.sync_state(session).acked_seq == 1


def test_head_office_item_changes_in_counting_units(db: StoreDB) -> None:
    change = InventoryItemChanged.model_validate(
        {"code": "mozzarella", "cost_cents": 1500, "par": "20", "discontinued": False}
    )
    with db.write() as session:
        feed.apply_entries(session, [(1, "inventory.item", change.payload())], T0)
        item = session.get(InventoryItem, "mozzarella")
        assert item is not None
        # a bag (80 oz) at $15.00 → a case of 6 bags (480 oz) at $90.00
        assert (item.cost_cents_per_purchase, str(item.par), item.active) == (9000, "20", True)
    off = InventoryItemChanged(code="mozzarella", discontinued=True).payload()
    with db.write() as session:
        feed.apply_entries(session, [(2, "inventory.item", off)], T0)
        item = session.get(InventoryItem, "mozzarella")
        assert item is not None and item.active is False
