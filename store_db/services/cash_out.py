"""A driver's cash-out at the end of the shift, confirmed by a manager.

    owed to the store = starting bank + cash collected − cash tips kept
                        − tips paid with orders (paid out now) − mileage
A negative amount is what the store pays the driver. Mileage is per km of the
planned routes at the store's rate.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from store_db.errors import BadInput
from store_db.models import CashOut, DeliveryRun, Order, RunStop, Staff
from store_db.services import drivers, outbox, printing
from store_db.services.staff import audit, require_approver
from sync.contract.events import DriverCashOut


def cash_out(session: Session, driver: Staff, approver: Staff, at: datetime) -> CashOut:
    require_approver(approver)
    shift = drivers.open_shift(session, driver.id)
    if shift is None:
        raise BadInput(f"{driver.name} is not clocked in; there is nothing to cash out.")
    runs = list(session.scalars(select(DeliveryRun).where(DeliveryRun.shift_id == shift.id)))
    if any(r.status == "out" for r in runs):
        raise BadInput(f"{driver.name} is still out on a run; check the run in first.")
    if session.scalars(select(CashOut).where(CashOut.shift_id == shift.id)).first():
        raise BadInput(f"{driver.name} is already cashed out for this shift.")
    run_ids = [r.id for r in runs]
    stops = list(session.scalars(select(RunStop).where(RunStop.run_id.in_(run_ids)))) if run_ids else []
    delivered = [s for s in stops if s.outcome == "delivered"]
    paid_ids = [s.order_id for s in delivered if s.amount_due == 0]
    card_tips = sum(session.scalars(select(Order.tip).where(Order.id.in_(paid_ids))).all()) if paid_ids else 0
    cash_collected = sum(s.collected for s in stops)
    cash_tips = sum(s.tip for s in stops if s.amount_due > 0)
    mileage = sum(r.mileage_cents for r in runs)
    owed = shift.starting_bank + cash_collected - cash_tips - card_tips - mileage
    record = CashOut(
        shift_id=shift.id,
        driver_id=driver.id,
        at=at,
        runs=len(runs),
        deliveries=len(delivered),
        distance_m=sum(r.distance_m for r in runs),
        starting_bank=shift.starting_bank,
        cash_collected=cash_collected,
        cash_tips=cash_tips,
        card_tips=card_tips,
        mileage_cents=mileage,
        owed_to_store=owed,
        approved_by=approver.id,
    )
    session.add(record)
    shift.clock_out_at = max(at, shift.clock_in_at)
    session.flush()
    audit(session, at, "cash_out", f"{driver.name} owes ${owed / 100:.2f}", approver.id)
    printing.enqueue(session, "cash-out", record.id, at)
    outbox.emit(
        session,
        DriverCashOut(
            id=record.id,
            driver_id=driver.id,
            driver=driver.name,
            shift_start=shift.clock_in_at,
            at=at,
            runs=record.runs,
            deliveries=record.deliveries,
            distance_m=record.distance_m,
            starting_bank=record.starting_bank,
            cash_collected=cash_collected,
            cash_tips=cash_tips,
            card_tips=card_tips,
            mileage_cents=mileage,
            owed_to_store=owed,
            approved_by=approver.name,
        ),
        record.id,
        at,
    )
    return record
