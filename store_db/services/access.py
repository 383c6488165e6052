"""Logging in at a terminal, approvals by PIN (voids, orders over the store's limits,
finalising a stock count), manager overrides and reprints, each audited.

A wrong PIN must count even though it is refused, so these functions return an
outcome instead of raising for a wrong PIN: the caller's transaction commits the
failure (and the lock-out after five). A locked-out member raises `AccessDenied`
before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from makeline.trade.limits import describe
from store_db.errors import BadInput
from store_db.models import Order, Staff, Store
from store_db.services import cash_out, drivers, lifecycle, orders, printing
from store_db.services import staff as staff_service
from store_db.services import stock_counts as counts
from store_db.services.staff import MAX_FAILED_PINS


@dataclass(frozen=True)
class PinOutcome:
    """Who tried, and whether the PIN was right; `message` says what happens next."""

    ok: bool
    staff_id: str
    name: str
    role: str
    message: str


def _outcome(staff: Staff, ok: bool, what: str) -> PinOutcome:
    if ok:
        return PinOutcome(True, staff.id, staff.name, staff.role, f"{staff.name}: {what}.")
    if staff.locked_until is not None:
        message = (
            f"Wrong PIN for {staff.name}. {staff.name} is now locked out for 5 minutes; "
            "a manager can unlock from the manager screen."
        )
    else:
        left = MAX_FAILED_PINS - staff.failed_pins
        message = f"Wrong PIN for {staff.name}; {left} more wrong PIN(s) lock {staff.name} out for 5 minutes."
    return PinOutcome(False, staff.id, staff.name, staff.role, message)


def login(session: Session, who: str, pin: str, at: datetime, screen: str) -> PinOutcome:
    """Check `who`'s PIN for a terminal screen; a good one is audited as a log-in."""
    staff, ok = staff_service.check_pin(session, who, pin, at)
    if ok:
        staff_service.audit(session, at, "login", f"{staff.name} logged in at the {screen} screen", staff.id)
    return _outcome(staff, ok, "logged in")


def logout(session: Session, staff_id: str, name: str, at: datetime, screen: str) -> None:
    staff_service.audit(session, at, "logout", f"{name} logged out at the {screen} screen", staff_id)


def void_with_approval(
    session: Session,
    order_id: str,
    reason: str,
    approver: str,
    pin: str,
    at: datetime,
    asked_by: str | None = None,
    refund_cash: bool = False,
) -> PinOutcome:
    """Void an order when a manager or shift lead approves with their PIN (and, with
    `refund_cash`, record the cash it was paid as handed back).

    The approver's role is checked only after the PIN, so a wrong PIN counts
    whoever typed it; a crew member's correct PIN is refused with `AccessDenied`.
    """
    if not reason.strip():
        raise BadInput("A void needs a reason (e.g. customer cancelled, wrong order).")
    staff, ok = staff_service.check_pin(session, approver, pin, at)
    if not ok:
        return _outcome(staff, ok, "")
    staff_service.require_approver(staff)
    order = lifecycle.void(session, order_id, reason, staff, at, refund_cash=refund_cash)
    if asked_by and asked_by != staff.id:
        staff_service.audit(
            session, at, "override", f"void of {order.label} approved by {staff.name}", asked_by
        )
    return _outcome(staff, True, f"approved the void of {order.label}")


def place_with_approval(
    session: Session,
    request: orders.OrderRequest,
    approver: str,
    pin: str,
    at: datetime,
    asked_by: str | None = None,
) -> tuple[PinOutcome, Order | None]:
    """Place an order above the store's limits when a manager or shift lead approves with their PIN.

    The approver is recorded on the order and the override audited with the limits
    it went over. A wrong PIN is an outcome (no order), counted like any other; a
    crew member's right PIN raises `AccessDenied` before anything is written.
    """
    staff, ok = staff_service.check_pin(session, approver, pin, at)
    if not ok:
        return _outcome(staff, ok, ""), None
    staff_service.require_approver(staff)
    store = session.scalars(select(Store)).one()
    breaches = orders.limit_breaches(store, request, orders.quote(session, request))
    order = orders.place_order(session, request, at, approved_by=staff)
    if breaches:
        staff_service.audit(
            session,
            at,
            "override",
            f"{order.label} over the store's limits approved by {staff.name}: {describe(breaches)}",
            asked_by or staff.id,
        )
    return _outcome(staff, True, f"approved {order.label}"), order


def finalise_count(session: Session, count_id: str, who: str, pin: str, at: datetime) -> PinOutcome:
    """Finalise a stock count with a manager's or shift lead's PIN (`counts.finalise`).

    A wrong PIN is an outcome, counted toward the lock-out like any other; a crew
    member's right PIN, a paused or unfinished count raise before anything is written.
    """
    done = counts.finalise(session, count_id, who, pin, at)
    staff = staff_service.find_staff(session, who)
    if not done.ok:
        return _outcome(staff, False, "")
    return PinOutcome(True, staff.id, staff.name, staff.role, done.message)


@dataclass(frozen=True)
class CashOutApproval:
    """A cash-out asked for with an approver's PIN: `ok` False for a wrong PIN (counted,
    nothing else written); else what the driver owes and where the slip prints."""

    ok: bool
    approver: str
    driver: str = ""
    owed_to_store: int = 0  # cents; negative when the store owes the driver
    slip_printers: tuple[str, ...] = ()


def cash_out_with_pin(session: Session, driver: str, who: str, pin: str, at: datetime) -> CashOutApproval:
    """Cash `driver` (id or name) out when `who` approves with their PIN (`cash_out.cash_out`):
    a wrong PIN is an outcome, committed so it counts toward the lock-out."""
    approver, ok = staff_service.check_pin(session, who, pin, at)
    if not ok:
        return CashOutApproval(False, approver.name)
    driver_row = session.get(Staff, driver)
    if driver_row is None:
        driver_row = staff_service.find_staff(session, driver)
    record = cash_out.cash_out(session, driver_row, approver, at)
    printers = tuple(p.name for p in printing.printers_for(session, "cash-out"))
    return CashOutApproval(True, approver.name, driver_row.name, record.owed_to_store, printers)


def clock_in_with_pin(
    session: Session, who: str, pin: str, at: datetime, starting_bank: int = 0
) -> PinOutcome:
    """A driver clocks in with their own PIN and a starting bank (`drivers.clock_in`); a
    wrong PIN is an outcome, committed so it counts. Anyone but a driver is refused."""
    outcome = login(session, who, pin, at, "driver")
    if outcome.ok:
        staff = staff_service.find_staff(session, outcome.staff_id)
        if staff.role != "driver":
            raise BadInput(f"{staff.name} is not a driver; drivers clock in here.")
        drivers.clock_in(session, staff, at, starting_bank=starting_bank)
    return outcome


def unlock(session: Session, manager_id: str, who: str, at: datetime) -> str:
    """A manager clears a lock-out early: an override, audited under the manager's name."""
    manager = staff_service.find_staff(session, manager_id)
    staff_service.require_approver(manager)
    staff = staff_service.find_staff(session, who)
    if staff.locked_until is None or staff.locked_until <= at:
        raise BadInput(f"{staff.name} is not locked out.")
    staff.locked_until, staff.failed_pins = None, 0
    staff_service.audit(session, at, "override", f"{manager.name} unlocked {staff.name}", manager.id)
    return f"{staff.name} is unlocked."


def reprint(session: Session, order_id: str, document: str, staff_id: str | None, at: datetime) -> int:
    """Queue a reprint (new jobs marked REPRINT) of an order's kitchen ticket or receipt, audited;
    returns how many printers get it (0: no printer prints that document)."""
    jobs = printing.reprint(session, order_id, document, at)
    order = session.get(Order, order_id)
    assert order is not None  # printing.reprint refused a missing order
    what = "kitchen ticket" if document == "kitchen" else document
    staff_service.audit(
        session, at, "reprint", f"{what} for {order.label} to {len(jobs)} printer(s)", staff_id
    )
    return len(jobs)
