"""A store's order events applied to the cloud's orders: `order.placed`, `order.stage`,
`order.voided` (`store_db.services.orders`, `.lifecycle`), and its answers to the feed:
`order.cancel_answer`, `feed.refused`, `feed.price_mismatch` (`store_db.services.feed`)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from cloud_api.models import Order, OrderLine
from cloud_api.orders import progress
from cloud_api.orders.repository import by_store_reference
from makeline.trade.lifecycle import TRACKER_STATUS, Stage

log = logging.getLogger(__name__)
Payload = Mapping[str, Any]


def time_of(raw: Any) -> datetime | None:
    return datetime.fromisoformat(str(raw)) if raw else None


def _linked(session: Session, store_id: str, payload: Payload, at: datetime) -> bool | None:
    """An online order the store took: linked to the cloud's own. None when the cloud does not
    hold that order for this store (then the store's copy is recorded as it is)."""
    cloud_id = str(payload["cloud_order_id"])
    order = session.get(Order, cloud_id, with_for_update=True)
    if order is None or order.store_id != store_id:
        log.warning(
            "store %s took online order %s, which the cloud does not hold for it; "
            "recording the store's copy %s",
            store_id,
            cloud_id,
            payload["id"],
        )
        return None
    return progress.taken_in_store(
        session,
        order,
        store_order_id=str(payload["id"]),
        number=payload.get("number"),
        business_date=date.fromisoformat(str(payload["business_date"]))
        if payload.get("business_date")
        else None,
        promise_at=time_of(payload.get("promise_at")),
        at=at,
    )


def order_placed(session: Session, store_id: str, payload: Payload, at: datetime) -> bool:
    """`order_payload` of `store_db.services.orders`: the order joins the reports; an online
    order is now in the kitchen."""
    if payload.get("cloud_order_id"):
        linked = _linked(session, store_id, payload, at)
        if linked is not None:
            return linked
    placed_at = time_of(payload.get("placed_at")) or at
    stage = Stage(str(payload.get("stage") or Stage.PLACED.value))
    inserted = session.execute(
        insert(Order)
        .values(
            id=str(payload["id"]),
            store_id=store_id,
            store_order_id=str(payload["id"]),
            number=payload.get("number"),
            business_date=date.fromisoformat(str(payload["business_date"])),
            channel=str(payload["channel"]),
            service=str(payload["service"]),
            stage=stage.value,
            tracked_status="prep" if stage is Stage.PLACED else TRACKER_STATUS[stage],
            customer_name=str(payload.get("customer_name") or ""),
            phone=str(payload.get("phone") or ""),
            address=str(payload.get("address") or ""),
            lat=payload.get("lat"),
            lon=payload.get("lon"),
            notes=str(payload.get("notes") or ""),
            menu_version=int(payload.get("menu_version") or 0),
            coupon=payload.get("coupon"),
            subtotal=int(payload["subtotal"]),
            discount=int(payload["discount"]),
            tax=int(payload["tax"]),
            tip=int(payload.get("tip") or 0),
            total=int(payload["total"]),
            payment=str(payload.get("payment") or "due"),
            promise_at=time_of(payload.get("promise_at")),
            placed_at=placed_at,
            in_store_at=placed_at,
            updated_at=at,
        )
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(Order.id)
    ).first()
    if inserted is None:
        return False
    lines = [
        {
            "order_id": str(payload["id"]),
            "line_no": n,
            "product": str(item["product"]),
            "name": str(item.get("name") or item["product"]),
            "size": str(item["size"]),
            "quantity": int(item.get("quantity") or 1),
            "unit_price": int(item.get("unit_price") or 0),
            "line_total": int(item.get("line_total") or 0),
            "item": dict(item),
        }
        for n, item in enumerate(payload.get("items") or [], start=1)
    ]
    if lines:
        session.execute(insert(OrderLine), lines)
    return True


def _order(session: Session, store_id: str, payload: Payload) -> Order | None:
    ref = payload.get("order_id") or payload.get("cloud_order_id")
    found = by_store_reference(session, store_id, str(ref)) if ref else None
    if found is None:
        log.warning("store %s sent news of order %s, which the cloud does not know", store_id, ref)
    return found


def order_stage(session: Session, store_id: str, payload: Payload, at: datetime) -> bool:
    order = _order(session, store_id, payload)
    return order is not None and progress.advance(
        session, order, Stage(str(payload["stage"])), at, strict=False
    )


def order_voided(session: Session, store_id: str, payload: Payload, at: datetime) -> bool:
    order = _order(session, store_id, payload)
    return order is not None and progress.void(
        session, order, str(payload.get("reason") or ""), at, strict=False
    )


def cancel_answer(session: Session, store_id: str, payload: Payload, at: datetime) -> bool:
    """The store's answer to a customer's cancel. Accepted: its `order.voided` came first and
    refunded; refused (already in the oven, or unknown there): the order stands."""
    order = _order(session, store_id, payload)
    if order is None:
        return False
    if payload.get("accepted"):
        return progress.cancel_accepted(session, order, at)
    return progress.cancel_refused(session, order, str(payload.get("reason") or ""), at)


def feed_refused(session: Session, store_id: str, payload: Payload, at: datetime) -> bool:
    """The store could not apply a feed entry. An online order it refused will never be
    made: it is cancelled and its card payment refunded. Anything else is logged for head office."""
    reason = str(payload.get("reason") or "no reason given")
    cloud_id = payload.get("cloud_order_id")
    if payload.get("kind") == "order.online" and cloud_id:
        order = session.get(Order, str(cloud_id), with_for_update=True)
        if order is not None and order.store_id == store_id and order.in_store_at is None:
            return progress.void(session, order, f"The store could not take it: {reason}", at, strict=False)
    log.warning(
        "store %s refused feed entry %s (%s): %s",
        store_id,
        payload.get("cursor"),
        payload.get("kind"),
        reason,
    )
    return False


def price_mismatch(store_id: str, payload: Payload) -> None:
    log.warning(
        "store %s priced online order %s at %s cents; the cloud charged %s",
        store_id,
        payload.get("cloud_order_id"),
        payload.get("store_total"),
        payload.get("cloud_total"),
    )
