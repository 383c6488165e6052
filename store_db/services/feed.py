"""Applying the cloud's feed to this store: each entry once, with the cursor, in one transaction.

Entry kinds: `order.online` (an online order with its payment state),
`menu.version` (a whole menu), `order.cancel_request` (a customer's cancel,
accepted only while the order is not yet made, i.e. not yet in the oven),
`store.settings`, `inventory.item`. An entry the store cannot apply (say an
unknown product after a menu mix-up) is not dropped: the store tells the cloud
it refused it, with the reason, and moves on — the cloud refunds.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from makeline.trade.lifecycle import Channel, Service, Stage
from makeline.trade.menu import Menu
from makeline.trade.pricing import ItemRequest
from store_db.errors import BadInput, StoreError
from store_db.models import InventoryItem, ItemUnit, Order, Store, SyncState
from store_db.services import lifecycle, outbox
from store_db.services.menu import apply_menu
from store_db.services.orders import AddressRequest, OrderRequest, TenderRequest, place_order, set_limits

SETTINGS = frozenset(
    {
        "make_target_s",
        "make_late_s",
        "oven_s",
        "rack_target_s",
        "hot_bag_capacity",
        "avg_speed_kmh",
        "road_factor",
        "mileage_cents_per_km",
        "delivery_radius_km",
        "tax_rate_bp",
    }
)


def sync_state(session: Session) -> SyncState:
    state = session.get(SyncState, 1)
    if state is None:
        state = SyncState(id=1, feed_cursor=0, acked_seq=0, last_error="", status="not_enrolled")
        session.add(state)
        session.flush()
    return state


def apply_entries(session: Session, entries: list[tuple[int, str, dict[str, Any]]], at: datetime) -> int:
    """Apply feed entries (cursor, kind, payload) past this store's cursor; returns how many were new.

    Entries at or below the cursor were applied before and are skipped: applying
    twice is a no-op. The cursor moves in the caller's transaction.
    """
    state = sync_state(session)
    applied = 0
    for cursor, kind, payload in sorted(entries, key=lambda e: e[0]):
        if cursor <= state.feed_cursor:
            continue
        try:
            with session.begin_nested():
                _apply(session, kind, payload, at)
        except StoreError as exc:
            outbox.emit(
                session,
                "feed.refused",
                str(payload.get("id", cursor)),
                {"cursor": cursor, "kind": kind, "reason": str(exc), "cloud_order_id": payload.get("id")},
                at,
            )
        state.feed_cursor = cursor
        applied += 1
    return applied


def _apply(session: Session, kind: str, payload: dict[str, Any], at: datetime) -> None:
    if kind == "order.online":
        _online_order(session, payload, at)
    elif kind == "menu.version":
        apply_menu(session, Menu.model_validate(payload["menu"]), "cloud", at)
    elif kind == "order.cancel_request":
        _cancel_request(session, payload, at)
    elif kind == "store.settings":
        store = session.scalars(select(Store)).one()
        for key, value in payload.items():
            if key == "order_limits":
                set_limits(store, value)
            elif key in SETTINGS:
                setattr(store, key, value)
    elif kind == "inventory.item":
        item = session.get(InventoryItem, payload["code"])
        if item is None:
            raise BadInput(f"Inventory item {payload['code']} is not stocked in this store.")
        if "cost_cents_per_purchase" in payload:
            item.cost_cents_per_purchase = int(payload["cost_cents_per_purchase"])
        if "cost_cents" in payload:  # head office prices per counting unit
            units = {
                u.unit: u.base_qty
                for u in session.scalars(select(ItemUnit).where(ItemUnit.item == item.code))
            }
            per_purchase = (
                Decimal(int(payload["cost_cents"])) * units[item.purchase_unit] / units[item.count_unit]
            )
            item.cost_cents_per_purchase = int(per_purchase.quantize(Decimal(1), rounding=ROUND_HALF_UP))
        if "par" in payload:
            item.par = Decimal(str(payload["par"]))
        if "active" in payload:
            item.active = bool(payload["active"])
        if "discontinued" in payload:
            item.active = not bool(payload["discontinued"])
    else:
        raise BadInput(f"This store does not know feed entries of kind '{kind}'; update makeline.")


def _online_order(session: Session, payload: dict[str, Any], at: datetime) -> None:
    cloud_id = str(payload["id"])
    if session.scalars(select(Order.id).where(Order.cloud_order_id == cloud_id)).first():
        return  # already here (a replayed entry after a lost cursor write)
    address = payload.get("address")
    paid = payload.get("payment") == "paid"
    request = OrderRequest(
        channel=Channel.ONLINE,
        service=Service(payload["service"]),
        items=[ItemRequest.model_validate(i) for i in payload["items"]],
        phone=payload.get("phone") or None,
        customer_name=payload.get("customer_name", ""),
        address=AddressRequest.model_validate(address) if address else None,
        coupon=payload.get("coupon"),
        tip=int(payload.get("tip", 0)),
        notes=payload.get("notes", ""),
        tenders=[TenderRequest(kind="online", reference=cloud_id)] if paid else [],
        cloud_order_id=cloud_id,
        paid_online=paid,
    )
    placed = datetime.fromisoformat(payload["placed_at"]) if payload.get("placed_at") else at
    order = place_order(session, request, min(placed, at))
    expected = payload.get("total")
    if expected is not None and int(expected) != order.total:
        outbox.emit(
            session,
            "feed.price_mismatch",
            order.id,
            {"cloud_order_id": cloud_id, "cloud_total": int(expected), "store_total": order.total},
            at,
        )


def _cancel_request(session: Session, payload: dict[str, Any], at: datetime) -> None:
    cloud_id = str(payload["id"])
    order = session.scalars(select(Order).where(Order.cloud_order_id == cloud_id)).first()
    if order is None:
        accepted, why = False, "the store has no such order"
    elif order.stage == Stage.VOIDED.value:
        accepted, why = True, "already voided"
    elif order.stage == Stage.PLACED.value:
        lifecycle.void(session, order.id, payload.get("reason") or "customer cancelled online", None, at)
        accepted, why = True, "voided before it was made"
    else:
        accepted, why = False, f"the order is already {order.stage.replace('_', ' ')}"
    outbox.emit(
        session,
        "order.cancel_answer",
        order.id if order else cloud_id,
        {"cloud_order_id": cloud_id, "accepted": accepted, "reason": why, "at": at.isoformat()},
        at,
    )


def mark_acked(session: Session, high_water: int, at: datetime) -> int:
    """Record that the cloud has stored every event up to `high_water`; returns events newly acked."""
    from sqlalchemy import update

    from store_db.models import OutboxEvent

    state = sync_state(session)
    if high_water <= state.acked_seq:
        return 0
    result = session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.seq <= high_water, OutboxEvent.acked_at.is_(None))
        .values(acked_at=at)
    )
    state.acked_seq = high_water
    state.last_contact_at = at
    return int(getattr(result, "rowcount", 0) or 0)
