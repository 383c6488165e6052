"""A driver's shift so far, as the driver screen shows it and the cash-out will count it.

`owed_to_store` follows `store_db.services.cash_out` exactly (starting bank + cash
collected − cash tips kept − tips paid with orders − mileage), so the manager sees
the figure before confirming; the cash-out records the same number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from store_db.models import DeliveryRun, Order, RunStop, Shift


@dataclass(frozen=True)
class DriverShift:
    shift_id: str
    clock_in_at: datetime
    starting_bank: int
    runs: int
    runs_out: int  # still out: a cash-out waits for their checkout
    deliveries: int
    not_delivered: int
    distance_m: int
    cash_collected: int
    cash_tips: int  # tips kept from cash taken at the door
    card_tips: int  # tips paid with the order, paid out in cash at the cash-out
    mileage_cents: int

    @property
    def owed_to_store(self) -> int:
        """Negative: the store owes the driver."""
        return self.starting_bank + self.cash_collected - self.cash_tips - self.card_tips - self.mileage_cents


def driver_shift(session: Session, driver_id: str) -> DriverShift | None:
    """The driver's open shift, or None when not clocked in."""
    shift = session.scalars(
        select(Shift).where(Shift.staff_id == driver_id, Shift.clock_out_at.is_(None))
    ).first()
    if shift is None:
        return None
    runs = list(session.scalars(select(DeliveryRun).where(DeliveryRun.shift_id == shift.id)))
    stops = (
        list(session.scalars(select(RunStop).where(RunStop.run_id.in_([r.id for r in runs])))) if runs else []
    )
    delivered = [s for s in stops if s.outcome == "delivered"]
    paid = [s.order_id for s in delivered if s.amount_due == 0]
    card_tips = sum(session.scalars(select(Order.tip).where(Order.id.in_(paid))).all()) if paid else 0
    return DriverShift(
        shift_id=shift.id,
        clock_in_at=shift.clock_in_at,
        starting_bank=shift.starting_bank,
        runs=len(runs),
        runs_out=sum(1 for r in runs if r.status == "out"),
        deliveries=len(delivered),
        not_delivered=sum(1 for s in stops if s.outcome == "not_delivered"),
        distance_m=sum(r.distance_m for r in runs),
        cash_collected=sum(s.collected for s in stops),
        cash_tips=sum(s.tip for s in stops if s.amount_due > 0),
        card_tips=card_tips,
        mileage_cents=sum(r.mileage_cents for r in runs),
    )
