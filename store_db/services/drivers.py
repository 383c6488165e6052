"""Clocking in and out: who is on the clock, and which drivers are in the store."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from store_db.errors import BadInput
from store_db.models import CashOut, Shift, Staff


def open_shift(session: Session, staff_id: str) -> Shift | None:
    return session.scalars(
        select(Shift).where(Shift.staff_id == staff_id, Shift.clock_out_at.is_(None))
    ).first()


def clock_in(session: Session, staff: Staff, at: datetime, starting_bank: int = 0) -> Shift:
    if open_shift(session, staff.id) is not None:
        raise BadInput(f"{staff.name} is already clocked in.")
    if starting_bank < 0 or starting_bank > 20_000:
        raise BadInput("A driver's starting bank is between $0 and $200.")
    if starting_bank and staff.role != "driver":
        raise BadInput(f"{staff.name} is not a driver; only drivers take a starting bank.")
    shift = Shift(staff_id=staff.id, clock_in_at=at, out_on_run=False, starting_bank=starting_bank)
    session.add(shift)
    session.flush()
    return shift


def clock_out(session: Session, staff: Staff, at: datetime) -> Shift:
    """Drivers clock out through their cash-out; everyone else here."""
    shift = open_shift(session, staff.id)
    if shift is None:
        raise BadInput(f"{staff.name} is not clocked in.")
    if staff.role == "driver":
        cashed = session.scalars(select(CashOut).where(CashOut.shift_id == shift.id)).first()
        if cashed is None:
            raise BadInput(f"{staff.name} has not cashed out yet; a manager cashes drivers out first.")
    shift.clock_out_at = max(at, shift.clock_in_at)
    return shift


def drivers_on_clock(session: Session) -> list[tuple[Staff, Shift]]:
    rows = session.execute(
        select(Staff, Shift)
        .join(Shift, Shift.staff_id == Staff.id)
        .where(Staff.role == "driver", Shift.clock_out_at.is_(None))
        .order_by(Shift.clock_in_at)
    ).all()
    return [(staff, shift) for staff, shift in rows]
