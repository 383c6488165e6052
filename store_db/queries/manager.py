"""The manager's lists: today's orders, the staff and their lock-outs, the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from makeline.trade.business_day import business_date
from makeline.trade.lifecycle import VOIDABLE, Stage
from store_db.models import AuditEntry, Order, Staff, Store, Tender


@dataclass(frozen=True)
class OrderRow:
    id: str
    number: int
    stage: str
    service: str
    channel: str
    customer_name: str
    total: int
    placed_at: datetime
    promise_at: datetime
    void_reason: str | None
    cash_paid: int = 0  # cash taken at the counter: a void can hand it back
    scheduled_for: datetime | None = None  # an order for later
    held: bool = False  # for later and not yet sent to the kitchen

    @property
    def label(self) -> str:
        return f"#{self.number}"

    @property
    def voidable(self) -> bool:
        return Stage(self.stage) in VOIDABLE


def todays_orders(session: Session, at: datetime, limit: int = 300) -> list[OrderRow]:
    """Today's orders, newest first, after the orders for later still held (any day), soonest first."""
    store = session.scalars(select(Store)).one()
    day = business_date(at, store.timezone, store.day_starts_hour)
    held = (Order.scheduled_for.is_not(None)) & Order.fired_at.is_(None) & (Order.stage == Stage.PLACED.value)
    orders = list(
        session.scalars(select(Order).where(held).order_by(Order.scheduled_for, Order.number).limit(limit))
    )
    orders += session.scalars(
        select(Order).where(Order.business_date == day, ~held).order_by(Order.number.desc()).limit(limit)
    )
    paid = [o.id for o in orders if o.payment == "paid"]
    cash: dict[str, int] = {}
    if paid:
        for order_id, amount in session.execute(
            select(Tender.order_id, func.sum(Tender.amount))
            .where(Tender.order_id.in_(paid), Tender.kind == "cash")
            .group_by(Tender.order_id)
        ):
            cash[str(order_id)] = int(amount or 0)
    return [
        OrderRow(
            id=o.id,
            number=o.number,
            stage=o.stage,
            service=o.service,
            channel=o.channel,
            customer_name=o.customer_name,
            total=o.total,
            placed_at=o.placed_at,
            promise_at=o.promise_at,
            void_reason=o.void_reason,
            cash_paid=int(cash.get(o.id) or 0),
            scheduled_for=o.scheduled_for,
            held=o.scheduled_for is not None and o.fired_at is None and o.stage == Stage.PLACED.value,
        )
        for o in orders
    ]


@dataclass(frozen=True)
class StaffRow:
    id: str
    name: str
    role: str
    active: bool
    locked_until: datetime | None

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


def staff_list(session: Session) -> list[StaffRow]:
    rows = session.scalars(select(Staff).order_by(Staff.role, Staff.name))
    return [StaffRow(s.id, s.name, s.role, s.active, s.locked_until) for s in rows]


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    staff_name: str
    action: str
    detail: str


def recent_audit(session: Session, limit: int = 100) -> list[AuditRow]:
    rows = session.execute(
        select(AuditEntry, Staff.name)
        .outerjoin(Staff, Staff.id == AuditEntry.staff_id)
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    ).all()
    return [AuditRow(e.at, name or "", e.action, e.detail) for e, name in rows]
