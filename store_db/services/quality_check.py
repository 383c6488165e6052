"""The cut table's quality check, in stores that turn it on (`Store.quality_check`, off by
default; head office sets it with the store's settings).

A boxed order with pizzas waits for the check before the rack: someone passes it (the order
goes on the rack once its other stations are done) or sends it back to the make line to be made
again, with the reason (its make-line ticket comes back, marked REMAKE; when the new pizza is
bumped it goes through the oven and is boxed and checked again). A pass or a send-back can be
taken back for a minute, like every bump. Each step tells the cloud with an `order.checked`
event, and the customer's tracker shows it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from makeline.trade.care import ack_name
from makeline.trade.lifecycle import CheckResult, Stage, remake_reason
from makeline.trade.menu import Station
from store_db.errors import IllegalTransition
from store_db.models import KitchenTicket, Order, Store
from store_db.services import integrity, kitchen, lifecycle, outbox
from store_db.services import staff as staff_service
from sync.contract.events import OrderChecked

UNDO_WINDOW_S = lifecycle.RECALL_WINDOW_S


def store_checks(session: Session) -> bool:
    return bool(session.scalars(select(Store.quality_check)).one())


def set_quality_check(session: Session, on: bool, at: datetime) -> Store:
    """Turn the check on or off for orders boxed from now on (head office's store setting)."""
    store = session.scalars(select(Store)).one()
    store.quality_check = on
    staff_service.audit(
        session, at, "setting", f"quality check at the cut table {'on' if on else 'off'}", None
    )
    return store


def _pizza_ticket(session: Session, order: Order) -> KitchenTicket | None:
    return session.scalars(
        select(KitchenTicket).where(
            KitchenTicket.order_id == order.id, KitchenTicket.station == Station.MAKELINE.value
        )
    ).first()


def awaiting(session: Session, order: Order) -> bool:
    """Boxed and waiting for the check."""
    return (
        order.stage == Stage.BAKED.value
        and order.boxed_at is not None
        and order.checked_at is None
        and _pizza_ticket(session, order) is not None
        and not remaking(session, order)
        and store_checks(session)
    )


def remaking(session: Session, order: Order) -> bool:
    """Sent back: its make-line ticket is back on the make line."""
    ticket = _pizza_ticket(session, order)
    return ticket is not None and ticket.bumped_at is None and ticket.remake_reason is not None


def _told(
    session: Session, order: Order, result: CheckResult, at: datetime, by: str | None, reason: str = ""
) -> None:
    event = OrderChecked(order_id=order.id, number=order.number, result=result, reason=reason, by=by, at=at)
    outbox.emit(session, event, order.id, at)


def entered(session: Session, order: Order, at: datetime) -> bool:
    """Called when an order is boxed: True (and the cloud is told) if it now waits for the check."""
    if not awaiting(session, order):
        return False
    _told(session, order, CheckResult.WAITING, at, None)
    return True


def _waiting_order(session: Session, order_id: str) -> Order:
    order = lifecycle.get_order(session, order_id)
    if not awaiting(session, order):
        if order.checked_at is not None:
            raise IllegalTransition(f"Order #{order.number} passed its check already.")
        raise IllegalTransition(
            f"Order #{order.number} is not waiting for a quality check; box it at the cut table first."
        )
    return order


def pass_check(session: Session, order_id: str, at: datetime, by: str | None = None) -> Order:
    """Passed: the order goes on the rack once its other stations are done."""
    order = _waiting_order(session, order_id)
    name = ack_name(by) if by is not None else None
    order.checked_at = lifecycle.stamp_after(order, at)
    order.checked_by = name
    _told(session, order, CheckResult.PASSED, order.checked_at, name)
    kitchen.finish_if_done(session, order, order.checked_at)
    return order


def send_back(session: Session, order_id: str, reason: str, at: datetime, by: str | None = None) -> Order:
    """Not good enough: its make-line ticket goes back on the make line to be made again."""
    why = remake_reason(reason)
    order = _waiting_order(session, order_id)
    name = ack_name(by) if by is not None else None
    ticket = _pizza_ticket(session, order)
    assert ticket is not None
    stamp = lifecycle.stamp_after(order, at)
    ticket.bumped_at = None
    ticket.remake_reason = why
    order.remakes += 1
    order.remade_at = stamp
    staff_service.audit(session, stamp, "remake", f"#{order.number}: {why}", None)
    _told(session, order, CheckResult.SENT_BACK, stamp, name, why)
    return order


def _within_window(order: Order, since: datetime | None, at: datetime) -> None:
    if since is not None and (at - since).total_seconds() > UNDO_WINDOW_S:
        raise IllegalTransition(
            f"Order #{order.number}'s check was more than {UNDO_WINDOW_S} s ago; it can no longer be taken back here."
        )


def undo_pass(session: Session, order_id: str, at: datetime) -> Order:
    """Take a pass back for a minute: the order waits for its check again (off the rack)."""
    order = lifecycle.get_order(session, order_id)
    if order.checked_at is None:
        raise IllegalTransition(f"Order #{order.number} was not passed; there is no check to take back.")
    _within_window(order, order.checked_at, at)
    boxed_at = order.boxed_at
    if order.stage == Stage.READY.value:
        lifecycle.undo(session, order.id, Stage.BAKED, at)  # counts as a recall
    elif order.stage == Stage.BAKED.value:
        integrity.count_recall(session, order, at)
    else:
        raise IllegalTransition(
            f"Order #{order.number} is {order.stage.replace('_', ' ')}; its check can no longer be taken back."
        )
    order.boxed_at = boxed_at
    order.checked_at = order.checked_by = None
    _told(session, order, CheckResult.WAITING, at, None)
    return order


def undo_send_back(session: Session, order_id: str, at: datetime) -> Order:
    """Take a send-back back for a minute, before the make line made it again: the pizza waits
    for its check at the cut table again."""
    order = lifecycle.get_order(session, order_id)
    ticket = _pizza_ticket(session, order)
    if ticket is None or not remaking(session, order):
        raise IllegalTransition(
            f"Order #{order.number} is not waiting on the make line to be made again; nothing to take back."
        )
    _within_window(order, order.remade_at, at)
    ticket.bumped_at = order.made_at or at
    ticket.remake_reason = None
    order.remakes -= 1
    integrity.count_recall(session, order, at)
    _told(session, order, CheckResult.WAITING, at, None)
    return order
