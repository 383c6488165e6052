"""Clocking in and out: who is on the clock, and which drivers are in the store."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from store_db.errors import BadInput, NotFound
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


def clock_in_by_id(session: Session, staff_id: str, at: datetime, starting_bank: int = 0) -> Staff:
    """`clock_in` for the member with id `staff_id`, as their own screen asks; returns them."""
    staff = session.get(Staff, staff_id)
    if staff is None:
        raise NotFound("You are no longer in the store's database; ask a manager.")
    clock_in(session, staff, at, starting_bank=starting_bank)
    return staff


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


def clock_in_drivers(session: Session, count: int, at: datetime) -> list[str]:
    """Clock in drivers (by name) until `count` are on the clock; returns who was clocked in.
    Refuses more drivers than the store has."""
    on_clock = set(session.scalars(select(Shift.staff_id).where(Shift.clock_out_at.is_(None))))
    drivers = session.scalars(
        select(Staff).where(Staff.role == "driver", Staff.active.is_(True)).order_by(Staff.name)
    ).all()
    free = [d for d in drivers if d.id not in on_clock]
    already = len(on_clock & {d.id for d in drivers})
    if count > len(free) + already:
        raise BadInput(f"--drivers {count}: this store has only {len(drivers)} drivers.")
    chosen = free[: max(0, count - already)]
    for driver in chosen:
        clock_in(session, driver, at)
    return [d.name for d in chosen]
