"""An order's progress: the ONE place its stage and tracked status change, whether the
news comes from a store's events (sync), a store's REST call, or the demo kitchen.

Stages only move forward (`makeline.trade.lifecycle`); a late or repeated event
changes nothing. Each change is announced to trackers when the transaction
commits, and the stages a customer is told about queue one text each.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from cloud_api.db.database import announcement
from cloud_api.errors import Conflict
from cloud_api.feed import service as feed
from cloud_api.models import Order
from cloud_api.notifications import emails
from cloud_api.notifications import service as notifications
from cloud_api.orders.state import OrderState, TrackedOrder
from cloud_api.payments import service as payments
from makeline.trade.errors import IllegalTransition
from makeline.trade.lifecycle import (
    CHECK_TRACKER_STATUS,
    FINAL,
    STAMP,
    STAMPS_IN_ORDER,
    TRACKER_STATUS,
    VOIDABLE,
    CheckResult,
    Service,
    Stage,
    check_transition,
    is_behind,
    latest_stamp,
    on_path,
    stamp_order_ok,
)
from sync.contract.entries import OrderRefunded

# What the tracker shows, in order, for each kind of order.
TRACKER_STEPS = {
    Service.DELIVERY: ["placed", "prep", "bake", "quality_check", "out_for_delivery", "delivered"],
    Service.CARRYOUT: ["placed", "prep", "bake", "quality_check", "picked_up"],
}


def tracked_status(order: OrderState) -> str:
    stage = Stage(order.stage)
    if stage is Stage.PLACED:
        # An order for later is placed until the store fires it to its kitchen.
        held = order.scheduled_for is not None and order.fired_at is None
        return "prep" if order.in_store_at is not None and not held else "placed"
    return TRACKER_STATUS[stage]


def tracker_update(order: OrderState | TrackedOrder) -> dict[str, Any]:
    done = order.delivered_at or order.picked_up_at
    return {
        "order_id": order.id,
        "status": order.tracked_status,
        "stage": order.stage,
        "number": order.number,
        "driver": order.driver_name,
        "promise_at": order.promise_at.isoformat() if order.promise_at else None,
        "done_at": done.isoformat() if done else None,
        "eta_at": order.eta_at.isoformat() if order.eta_at else None,
        "at": order.updated_at.isoformat(),
    }


def _changed(session: Session, order: OrderState, at: datetime) -> None:
    order.tracked_status = tracked_status(order)
    order.updated_at = at
    announcement(session).tracker.append(tracker_update(order))


def _latest(order: OrderState) -> datetime | None:
    return latest_stamp(getattr(order, name) for name in (*STAMPS_IN_ORDER, "in_store_at"))


def fired(session: Session, order: OrderState, at: datetime) -> bool:
    """The store sent an order for later to its kitchen. False when told before."""
    if order.fired_at is not None:
        return False
    order.fired_at = at
    _changed(session, order, at)
    return True


def taken_in_store(
    session: Session,
    order: OrderState,
    *,
    store_order_id: str,
    number: int | None,
    business_date: date | None,
    promise_at: datetime | None,
    at: datetime,
) -> bool:
    """The store has the order on its make line (its `order.placed` event)."""
    if order.in_store_at is not None:
        return False
    order.store_order_id = store_order_id
    order.number = number if number is not None else order.number
    order.business_date = business_date or order.business_date
    order.promise_at = promise_at or order.promise_at
    order.in_store_at = max(at, order.placed_at)
    _changed(session, order, at)
    if order.channel == "online" and order.stage == Stage.PLACED.value:
        notifications.queue_status_text(session, order, Stage.PLACED, at)
    if order.channel == "online":
        emails.queue_order_email(session, order, emails.CONFIRMATION, at)
    return True


def advance(session: Session, order: OrderState, target: Stage, at: datetime, *, strict: bool) -> bool:
    """Move the order to `target`. False when it is already there or past (nothing changes).

    `strict` (a person's REST call) refuses a skipped or impossible stage with 409;
    store events are the store's own record and only need to move forward.
    """
    if target is Stage.VOIDED:
        return void(session, order, "", at, strict=strict)
    current, service = Stage(order.stage), Service(order.service)
    if is_behind(current, target) or current in FINAL:
        if strict and current in FINAL and not is_behind(current, target):
            raise Conflict(f"This order is already {current.value.replace('_', ' ')}.", "status")
        return False
    if strict:
        try:
            check_transition(service, current, target, "This order")
        except IllegalTransition as exc:
            raise Conflict(str(exc), "status") from exc
    elif not on_path(service, target):
        return False
    setattr(order, STAMP[target], stamp_order_ok(_latest(order), at))
    order.stage = target.value
    if order.in_store_at is None:
        order.in_store_at = order.placed_at
    _changed(session, order, at)
    if target is Stage.OUT_THE_DOOR or (target is Stage.READY and service is Service.CARRYOUT):
        notifications.queue_status_text(session, order, target, at)
    if target is Stage.DELIVERED and order.channel == "online":
        emails.queue_order_email(session, order, emails.DELIVERED, at)
    return True


def void(session: Session, order: OrderState, reason: str, at: datetime, *, strict: bool) -> bool:
    """The store voided the order (a customer's cancel request it accepted, or its own reason)."""
    current = Stage(order.stage)
    if current is Stage.VOIDED:
        return False
    if current not in VOIDABLE:
        if strict:
            raise Conflict(
                f"This order is {current.value.replace('_', ' ')} and can no longer be "
                "voided; refund it instead.",
                "status",
            )
        return False
    order.stage, order.voided_at = Stage.VOIDED.value, stamp_order_ok(_latest(order), at)
    order.void_reason = reason or order.cancel_reason or ""
    if order.cancel_state == "requested":
        order.cancel_state = "accepted"
    if payments.request_refunds(session, order, at) and order.in_store_at is not None:
        # The store shows the money as given back (nobody collects for a voided order anyway).
        refunded = OrderRefunded(cloud_order_id=order.id, amount=order.total, reason=order.void_reason[:2000])
        feed.append(session, order.store_id, refunded, at)
    _changed(session, order, at)
    notifications.queue_status_text(session, order, Stage.VOIDED, at)
    return True


def cancel_refused(session: Session, order: OrderState, reason: str, at: datetime) -> bool:
    if order.cancel_state != "requested":
        return False
    order.cancel_state, order.cancel_reason = "refused", reason or order.cancel_reason
    _changed(session, order, at)
    return True


def cancel_accepted(session: Session, order: OrderState, at: datetime) -> bool:
    """The store accepted the customer's cancel; its void (and the refund) came with it."""
    if order.cancel_state != "requested":
        return False
    order.cancel_state = "accepted"
    _changed(session, order, at)
    return True


def set_driver(session: Session, order: Order, driver_name: str, run_id: str, at: datetime) -> None:
    if order.driver_name == driver_name and order.run_id == run_id:
        return
    order.driver_name, order.run_id = driver_name, run_id
    _changed(session, order, at)


def set_eta(session: Session, order: Order, eta_at: datetime, at: datetime) -> None:
    """The store's dispatch plan has the driver at this door at `eta_at`."""
    if order.eta_at == eta_at or Stage(order.stage) in FINAL:
        return
    order.eta_at = eta_at
    _changed(session, order, at)


def checked(session: Session, order: OrderState, result: CheckResult, at: datetime) -> bool:
    """The store's quality check at the cut table: the tracker shows it (and a pizza sent back
    to be made again as prep). Only between the make line and the rack; False when it changed
    nothing."""
    if Stage(order.stage) not in (Stage.MADE, Stage.BAKED):
        return False
    status = CHECK_TRACKER_STATUS[result]
    if order.tracked_status == status:
        return False
    order.tracked_status = status
    order.updated_at = at
    announcement(session).tracker.append(tracker_update(order))
    return True
