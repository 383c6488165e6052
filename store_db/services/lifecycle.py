"""Moving an order along its lifecycle, and voiding it, each with its outbox event."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from makeline.trade.integrity import IntegrityFlag
from makeline.trade.lifecycle import (
    STAMP,
    STAMPS_IN_ORDER,
    Service,
    Stage,
    check_transition,
    is_behind,
    latest_stamp,
    path,
    stamp_order_ok,
)
from store_db.errors import BadInput, IllegalTransition, NotFound
from store_db.models import KitchenTicket, Order, Staff, Tender
from store_db.services import integrity, outbox, printing, usage
from store_db.services import staff as staff_service
from sync.contract.events import CareAck, OrderStaged, OrderStageUndone, OrderVoided


def get_order(session: Session, order_id: str) -> Order:
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound(f"There is no order with id {order_id}.")
    return order


def _latest_stamp(order: Order) -> datetime | None:
    return latest_stamp([*(getattr(order, name) for name in STAMPS_IN_ORDER), order.boxed_at])


def stamp_after(order: Order, at: datetime) -> datetime:
    """`at`, or the order's latest stamp if the clock stepped back."""
    return stamp_order_ok(_latest_stamp(order), at)


def advance(
    session: Session,
    order_id: str,
    target: Stage,
    at: datetime,
    staff_id: str | None = None,
    already_ok: bool = False,
    care_ack: CareAck | None = None,
    flags: Sequence[IntegrityFlag] = (),
) -> Order:
    """Move the order to `target`, the one stage that may follow its current one.

    `care_ack` (a flagged ticket's acknowledgement) and `flags` (the store's honest-timer
    flags on this move) travel with the stage's event.

    With `already_ok`, an order already at or past `target` is left as it is (a
    second terminal bumping the same ticket); otherwise that is refused too.
    """
    order = get_order(session, order_id)
    current = Stage(order.stage)
    if already_ok and target is not Stage.VOIDED and is_behind(current, target):
        return order
    check_transition(Service(order.service), current, target, f"Order #{order.number}")
    stamp = stamp_order_ok(_latest_stamp(order), at)
    setattr(order, STAMP[target], stamp)
    order.stage = target.value
    if target is Stage.MADE:
        usage.record_made(session, order, stamp)
    event = OrderStaged(
        order_id=order.id,
        number=order.number,
        stage=target,
        at=stamp,
        staff_id=staff_id or None,
        care_ack=care_ack,
        flags=list(flags),
    )
    outbox.emit(session, event, order.id, stamp)
    return order


RECALL_WINDOW_S = 60  # a bump can be taken back for a minute, like the make line's recall
_UNDOABLE = frozenset({Stage.BAKED, Stage.READY, Stage.PICKED_UP})


def undo(
    session: Session,
    order_id: str,
    back_to: Stage,
    at: datetime,
    staff_id: str | None = None,
    window_s: int = RECALL_WINDOW_S,
) -> Order:
    """Take back the last bump(s) made a moment ago: the order returns to `back_to`.

    Only within `window_s` of the latest stamp, only on the kitchen side (made
    stays made: its stock is used) and never once the order left the store. The
    cloud is told with an `order.stage_undone` event; its stages only move
    forward, so the next bump is news to it again only for the store's own reports. The undo
    counts as a recall of the order toward the repeated-recall flag.
    """
    order = get_order(session, order_id)
    current = Stage(order.stage)
    service = Service(order.service)
    steps = path(service)
    boxed_only = current is Stage.BAKED and back_to is Stage.BAKED and order.boxed_at is not None
    if (
        current not in _UNDOABLE
        or back_to not in steps
        or back_to in (Stage.PLACED,)
        or (steps.index(back_to) >= steps.index(current) and not boxed_only)
    ):
        raise IllegalTransition(
            f"Order #{order.number} is {current.value.replace('_', ' ')}; "
            f"it cannot go back to {back_to.value.replace('_', ' ')}."
        )
    latest = _latest_stamp(order)
    if latest is not None and (at - latest).total_seconds() > window_s:
        raise IllegalTransition(
            f"Order #{order.number} was {current.value.replace('_', ' ')} more than "
            f"{window_s} s ago; it can no longer be undone here."
        )
    order.boxed_at = None
    for stage in steps[steps.index(back_to) + 1 :]:
        setattr(order, STAMP[stage], None)
    order.stage = back_to.value
    undone = OrderStageUndone(
        order_id=order.id,
        number=order.number,
        stage=current,
        back_to=back_to,
        at=at,
        staff_id=staff_id or None,
    )
    staff_service.audit(session, at, "undo", f"#{order.number}: {current.value} → {back_to.value}", staff_id)
    outbox.emit(session, undone, order.id, at)
    integrity.count_recall(session, order, at)
    return order


def cash_paid(session: Session, order_id: str) -> int:
    """Cash taken for the order at the counter (cents), change excluded."""
    return int(
        session.scalar(
            select(func.coalesce(func.sum(Tender.amount), 0)).where(
                Tender.order_id == order_id, Tender.kind == "cash"
            )
        )
        or 0
    )


def void(
    session: Session,
    order_id: str,
    reason: str,
    approver: Staff | None,
    at: datetime,
    refund_cash: bool = False,
) -> Order:
    """Void before the order leaves the store; a manager or shift lead approves.

    `approver` is None only for a customer's own cancel request from the cloud,
    which the store accepts by its rules (see `store_db.services.feed`). With
    `refund_cash`, the cash the customer paid is recorded as handed back. A kitchen
    that already has the order's ticket gets a void slip on the same printers.
    """
    if not reason.strip():
        raise BadInput("A void needs a reason (e.g. customer cancelled, wrong order).")
    if approver is not None:
        staff_service.require_approver(approver)
    order = get_order(session, order_id)
    check_transition(Service(order.service), Stage(order.stage), Stage.VOIDED, f"Order #{order.number}")
    refunded = cash_paid(session, order.id) if refund_cash else 0
    if refund_cash and (order.payment != "paid" or refunded <= 0):
        raise BadInput(f"Order #{order.number} was not paid in cash; there is no cash to hand back.")
    made = order.made_at is not None
    stamp = stamp_order_ok(_latest_stamp(order), at)
    if made:
        usage.record_void_after_made(session, order, stamp, reason.strip(), approver.id if approver else None)
    order.stage, order.voided_at = Stage.VOIDED.value, stamp
    order.void_reason = reason.strip()
    order.void_approved_by = approver.id if approver else None
    session.execute(
        update(KitchenTicket)
        .where(KitchenTicket.order_id == order.id, KitchenTicket.bumped_at.is_(None))
        .values(bumped_at=stamp, note="voided")
    )
    staff_service.audit(
        session, stamp, "void", f"#{order.number}: {reason.strip()}", approver.id if approver else None
    )
    if refunded:
        order.payment = "refunded"
        staff_service.audit(
            session,
            stamp,
            "refund",
            f"#{order.number}: ${refunded / 100:,.2f} cash handed back",
            approver.id if approver else None,
        )
    if printing.kitchen_has_ticket(session, order.id):
        session.add_all(printing.jobs_for(session, ["void"], order.id, stamp))
    outbox.emit(
        session,
        OrderVoided(
            order_id=order.id,
            number=order.number,
            reason=reason.strip(),
            approved_by=approver.name if approver else "customer",
            after_made=made,
            refunded_cash=refunded,
            at=stamp,
        ),
        order.id,
        stamp,
    )
    return order


def open_tickets(session: Session, station: str) -> list[KitchenTicket]:
    return list(
        session.scalars(
            select(KitchenTicket)
            .where(KitchenTicket.station == station, KitchenTicket.bumped_at.is_(None))
            .order_by(KitchenTicket.created_at, KitchenTicket.id)
        )
    )
