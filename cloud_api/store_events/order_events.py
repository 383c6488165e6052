"""A store's order events applied to the cloud's orders: `order.placed`, `order.stage`,
`order.voided` (`store_db.services.orders`, `.lifecycle`), `order.flagged` (`.kitchen`), `order.checked`
(`.quality_check`), and its answers to the feed:
`order.cancel_answer`, `feed.refused`, `feed.price_mismatch` (`store_db.services.feed`)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from cloud_api.models import Order
from cloud_api.orders import progress
from cloud_api.orders.repository import order_in_store
from cloud_api.orders.state import OrderState
from cloud_api.store_events.named_orders import NamedOrders
from cloud_api.store_events.new_orders import insert_placed
from cloud_api.store_events.order_rows import OrderRow, OrderRows
from makeline.trade.integrity import IntegrityFlag
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
# The orders a chunk of events names: plain rows (the set path) or mapped orders (one event
# at a time, each in its own savepoint).
Orders = OrderRows | NamedOrders


def _linked(
    session: Session, store_id: str, event: OrderPlaced, at: datetime, orders: Orders, seq: int
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
    orders.relink(order.id)
    return linked


def order_placed(
    session: Session, store_id: str, event: OrderPlaced, at: datetime, orders: Orders, seq: int
) -> bool:
    """The order joins the reports; an online order is now in the kitchen."""
    if event.cloud_order_id:
        linked = _linked(session, store_id, event, at, orders, seq)
        if linked is not None:
            return linked
    return bool(insert_placed(session, store_id, [(seq, event, at)]))


def _order(orders: Orders, store_id: str, reference: str, seq: int) -> Order | OrderRow | None:
    found = orders.find(reference, seq)
    if found is None:
        log.warning("store %s sent news of order %s, which the cloud does not know", store_id, reference)
    return found


_FLAG_COLUMN = {
    IntegrityFlag.EARLY_BUMP: "flagged_early_bump",
    IntegrityFlag.QUICK_DELIVERY: "flagged_quick_delivery",
    IntegrityFlag.REPEATED_RECALL: "flagged_repeated_recall",
}


def _keep_flags(order: OrderState, flags: Iterable[IntegrityFlag]) -> None:
    """The store's honest-timer flags stay on the order (a repeat sets them again: no change)."""
    for flag in flags:
        setattr(order, _FLAG_COLUMN[flag], True)


def order_stage(
    session: Session, store_id: str, event: OrderStaged, at: datetime, orders: Orders, seq: int
) -> bool:
    order = _order(orders, store_id, event.order_id, seq)
    if order is None:
        return False
    _keep_flags(order, event.flags)
    return progress.advance(session, order, event.stage, event.at, strict=False) or bool(event.flags)


def order_flagged(
    session: Session, store_id: str, event: OrderFlagged, at: datetime, orders: Orders, seq: int
) -> bool:
    """The store flagged an order's times between its stage events."""
    order = _order(orders, store_id, event.order_id, seq)
    if order is None:
        return False
    _keep_flags(order, [event.flag])
    return True


def order_checked(
    session: Session, store_id: str, event: OrderChecked, at: datetime, orders: Orders, seq: int
) -> bool:
    """The store's quality check at the cut table: the customer's tracker shows it."""
    order = _order(orders, store_id, event.order_id, seq)
    return order is not None and progress.checked(session, order, event.result, event.at)


def order_fired(
    session: Session, store_id: str, event: OrderFired, at: datetime, orders: Orders, seq: int
) -> bool:
    """An order for later went to the store's kitchen: the tracker moves on to prep."""
    order = _order(orders, store_id, event.order_id, seq)
    return order is not None and progress.fired(session, order, event.at)


def order_voided(
    session: Session, store_id: str, event: OrderVoided, at: datetime, orders: Orders, seq: int
) -> bool:
    order = _order(orders, store_id, event.order_id, seq)
    return order is not None and progress.void(session, order, event.reason, event.at, strict=False)


def cancel_answer(
    session: Session, store_id: str, event: CancelAnswer, at: datetime, orders: Orders, seq: int
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
        order = order_in_store(session, store_id, event.cloud_order_id, lock=True)
        if order is not None and order.in_store_at is None:
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
