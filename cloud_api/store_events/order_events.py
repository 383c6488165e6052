"""A store's order events applied to the cloud's orders: `order.placed`, `order.stage`,
`order.voided` (`store_db.services.orders`, `.lifecycle`), `order.flagged` (`.kitchen`), `order.checked`
(`.quality_check`), and its answers to the feed:
`order.cancel_answer`, `feed.refused`, `feed.price_mismatch` (`store_db.services.feed`)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from cloud_api.models import Order, OrderLine
from cloud_api.orders import progress
from cloud_api.store_events.named_orders import NamedOrders
from makeline.trade.integrity import IntegrityFlag
from makeline.trade.lifecycle import TRACKER_STATUS, Stage
from sync.contract.events import (
    CancelAnswer,
    FeedRefused,
    OrderChecked,
    OrderFired,
    OrderFlagged,
    OrderPlaced,
    OrderStaged,
    OrderVoided,
    PriceMismatch,
)

log = logging.getLogger(__name__)


def _linked(
    session: Session, store_id: str, event: OrderPlaced, at: datetime, orders: NamedOrders, seq: int
) -> bool | None:
    """An online order the store took: linked to the cloud's own. None when the cloud does not
    hold that order for this store (then the store's copy is recorded as it is)."""
    cloud_id = event.cloud_order_id or ""
    orders.load([cloud_id])
    order = orders.find(cloud_id, seq)
    if order is None or order.id != cloud_id:
        log.warning(
            "store %s took online order %s, which the cloud does not hold for it; "
            "recording the store's copy %s",
            store_id,
            cloud_id,
            event.id,
        )
        return None
    linked = progress.taken_in_store(
        session,
        order,
        store_order_id=event.id,
        number=event.number,
        business_date=event.business_date,
        promise_at=event.promise_at,
        at=at,
    )
    orders.remember(order)
    return linked


def _order_row(store_id: str, event: OrderPlaced, at: datetime) -> dict[str, Any]:
    return {
        "id": event.id,
        "store_id": store_id,
        "store_order_id": event.id,
        "number": event.number,
        "business_date": event.business_date,
        "channel": event.channel.value,
        "service": event.service.value,
        "stage": event.stage.value,
        "tracked_status": (
            ("placed" if event.scheduled_for else "prep")  # for later: placed until it fires
            if event.stage is Stage.PLACED
            else TRACKER_STATUS[event.stage]
        ),
        "customer_name": event.customer_name,
        "phone": event.phone,
        "address": event.address,
        "lat": event.lat,
        "lon": event.lon,
        "notes": event.notes,
        "menu_version": event.menu_version,
        "coupon": event.coupon,
        "subtotal": event.subtotal,
        "discount": event.discount,
        "tax": event.tax,
        "tip": event.tip,
        "total": event.total,
        "payment": event.payment,
        "promise_at": event.promise_at,
        "placed_at": event.placed_at,
        "scheduled_for": event.scheduled_for,
        "in_store_at": event.placed_at,
        "updated_at": at,
    }


def _line_rows(event: OrderPlaced) -> list[dict[str, Any]]:
    return [
        {
            "order_id": event.id,
            "line_no": n,
            "product": item.product,
            "name": item.name or item.product,
            "size": item.size,
            "quantity": item.quantity,
            "unit_price": item.unit_price,
            "line_total": item.line_total,
            "item": item.model_dump(mode="json"),
        }
        for n, item in enumerate(event.items, start=1)
    ]


def insert_placed(
    session: Session, store_id: str, placed: Sequence[tuple[int, OrderPlaced, datetime]]
) -> set[str]:
    """The store's own orders (`order.placed` without a cloud order) of a batch, with their
    lines, in one statement each per thousand; returns the ids that were new."""
    first: dict[str, tuple[int, OrderPlaced, datetime]] = {}
    for seq, event, at in placed:
        first.setdefault(event.id, (seq, event, at))
    if not first:
        return set()
    rows = [_order_row(store_id, event, at) for _, event, at in first.values()]
    orders, order_lines = cast(Table, Order.__table__), cast(Table, OrderLine.__table__)
    statement = insert(orders).on_conflict_do_nothing(index_elements=["id"]).returning(orders.c.id)
    connection = session.connection()
    inserted = set(connection.execute(statement, rows).scalars())
    lines = [line for order_id in sorted(inserted) for line in _line_rows(first[order_id][1])]
    if lines:
        connection.execute(insert(order_lines), lines)
    return inserted


def order_placed(
    session: Session, store_id: str, event: OrderPlaced, at: datetime, orders: NamedOrders, seq: int
) -> bool:
    """The order joins the reports; an online order is now in the kitchen."""
    if event.cloud_order_id:
        linked = _linked(session, store_id, event, at, orders, seq)
        if linked is not None:
            return linked
    inserted = session.execute(
        insert(Order)
        .values(**_order_row(store_id, event, at))
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(Order.id)
    ).first()
    if inserted is None:
        return False
    lines = _line_rows(event)
    if lines:
        session.execute(insert(OrderLine), lines)
    return True


def _order(orders: NamedOrders, store_id: str, reference: str, seq: int) -> Order | None:
    found = orders.find(reference, seq)
    if found is None:
        log.warning("store %s sent news of order %s, which the cloud does not know", store_id, reference)
    return found


_FLAG_COLUMN = {
    IntegrityFlag.EARLY_BUMP: "flagged_early_bump",
    IntegrityFlag.QUICK_DELIVERY: "flagged_quick_delivery",
    IntegrityFlag.REPEATED_RECALL: "flagged_repeated_recall",
}


def _keep_flags(order: Order, flags: Iterable[IntegrityFlag]) -> None:
    """The store's honest-timer flags stay on the order (a repeat sets them again: no change)."""
    for flag in flags:
        setattr(order, _FLAG_COLUMN[flag], True)


def order_stage(
    session: Session, store_id: str, event: OrderStaged, at: datetime, orders: NamedOrders, seq: int
) -> bool:
    order = _order(orders, store_id, event.order_id, seq)
    if order is None:
        return False
    _keep_flags(order, event.flags)
    return progress.advance(session, order, event.stage, event.at, strict=False) or bool(event.flags)


def order_flagged(
    session: Session, store_id: str, event: OrderFlagged, at: datetime, orders: NamedOrders, seq: int
) -> bool:
    """The store flagged an order's times between its stage events."""
    order = _order(orders, store_id, event.order_id, seq)
    if order is None:
        return False
    _keep_flags(order, [event.flag])
    return True


def order_checked(
    session: Session, store_id: str, event: OrderChecked, at: datetime, orders: NamedOrders, seq: int
) -> bool:
    """The store's quality check at the cut table: the customer's tracker shows it."""
    order = _order(orders, store_id, event.order_id, seq)
    return order is not None and progress.checked(session, order, event.result, event.at)


def order_fired(
    session: Session, store_id: str, event: OrderFired, at: datetime, orders: NamedOrders, seq: int
) -> bool:
    """An order for later went to the store's kitchen: the tracker moves on to prep."""
    order = _order(orders, store_id, event.order_id, seq)
    return order is not None and progress.fired(session, order, event.at)


def order_voided(
    session: Session, store_id: str, event: OrderVoided, at: datetime, orders: NamedOrders, seq: int
) -> bool:
    order = _order(orders, store_id, event.order_id, seq)
    return order is not None and progress.void(session, order, event.reason, event.at, strict=False)


def cancel_answer(
    session: Session, store_id: str, event: CancelAnswer, at: datetime, orders: NamedOrders, seq: int
) -> bool:
    """The store's answer to a customer's cancel. Accepted: its `order.voided` came first and
    refunded; refused (already in the oven, or unknown there): the order stands."""
    order = _order(orders, store_id, event.cloud_order_id, seq)
    if order is None:
        return False
    if event.accepted:
        return progress.cancel_accepted(session, order, event.at)
    return progress.cancel_refused(session, order, event.reason, event.at)


def feed_refused(session: Session, store_id: str, event: FeedRefused, at: datetime) -> bool:
    """The store refused a feed entry by its own rules. An online order it refused will never
    be made: it is cancelled and its card payment refunded."""
    reason = event.reason or "no reason given"
    if event.entry_kind == "order.online" and event.cloud_order_id:
        order = session.get(Order, event.cloud_order_id, with_for_update=True)
        if order is not None and order.store_id == store_id and order.in_store_at is None:
            return progress.void(session, order, f"The store could not take it: {reason}", at, strict=False)
    log.warning("store %s refused feed entry %d (%s): %s", store_id, event.cursor, event.entry_kind, reason)
    return False


def price_mismatch(store_id: str, event: PriceMismatch) -> None:
    log.warning(
        "store %s priced online order %s at %d cents; the cloud charged %d",
        store_id,
        event.cloud_order_id,
        event.store_total,
        event.cloud_total,
    )
