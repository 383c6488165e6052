"""Staff, PINs (argon2) with lock-out, and the audit log."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store_db.errors import AccessDenied, BadInput, NotFound
from store_db.models import AuditEntry, Staff

MAX_FAILED_PINS = 5
LOCKOUT = timedelta(minutes=5)
# Cheap enough for a PIN pad, still a memory-hard hash; PINs are short, the lock-out is the guard.
_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)


class Role(StrEnum):
    CREW = "crew"
    SHIFT_LEAD = "shift_lead"
    MANAGER = "manager"
    DRIVER = "driver"


APPROVERS = frozenset({Role.SHIFT_LEAD, Role.MANAGER})


def hash_pin(pin: str) -> str:
    if not (pin.isdigit() and 4 <= len(pin) <= 8):
        raise BadInput("A PIN is 4 to 8 digits.")
    return _hasher.hash(pin)


def add_staff(session: Session, name: str, role: str, pin: str, phone: str = "") -> Staff:
    if role not in {r.value for r in Role}:
        raise BadInput(f"'{role}' is not a role; use one of: {', '.join(r.value for r in Role)}.")
    if not name.strip():
        raise BadInput("A staff member needs a name.")
    taken = session.scalar(select(func.count()).select_from(Staff).where(Staff.name == name.strip()))
    if taken:
        raise BadInput(f"There is already a staff member called {name.strip()}.")
    staff = Staff(name=name.strip(), role=role, pin_hash=hash_pin(pin), phone=phone)
    session.add(staff)
    session.flush()
    return staff


def set_pin(session: Session, who: str, pin: str, at: datetime, how: str = "from the command line") -> Staff:
    """Give a staff member a new PIN (after a restore, PINs do not come from the cloud; or a
    forgotten one): any lock-out is lifted, and the audit log says so."""
    staff = find_staff(session, who)
    staff.pin_hash = hash_pin(pin)
    staff.failed_pins, staff.locked_until = 0, None
    audit(session, at, "pin_set", f"new PIN for {staff.name} {how}", staff.id)
    return staff


def audit(session: Session, at: datetime, action: str, detail: str, staff_id: str | None = None) -> None:
    session.add(AuditEntry(at=at, staff_id=staff_id, action=action, detail=detail))


def find_staff(session: Session, who: str) -> Staff:
    """By id or by name (case-insensitive)."""
    staff = (
        session.get(Staff, who)
        or session.scalars(select(Staff).where(func.lower(Staff.name) == who.strip().lower())).one_or_none()
    )
    if staff is None or not staff.active:
        raise NotFound(f"There is no active staff member '{who}'.")
    return staff


def check_pin(session: Session, who: str, pin: str, at: datetime) -> tuple[Staff, bool]:
    """Check a PIN, counting failures. Returns (staff, ok); a locked member is refused outright.

    The caller commits even on a wrong PIN so the failure counts; `login` raises after.
    """
    staff = find_staff(session, who)
    if staff.locked_until is not None and staff.locked_until > at:
        minutes = max(1, math.ceil((staff.locked_until - at).total_seconds() / 60))
        raise AccessDenied(
            f"{staff.name} is locked out after {MAX_FAILED_PINS} wrong PINs; "
            f"try again in {minutes} min or ask a manager."
        )
    try:
        _hasher.verify(staff.pin_hash, pin)
    except VerificationError:
        staff.failed_pins += 1
        if staff.failed_pins >= MAX_FAILED_PINS:
            staff.locked_until = at + LOCKOUT
            staff.failed_pins = 0
            audit(session, at, "pin_locked", f"{staff.name} locked for 5 min", staff.id)
        else:
            audit(session, at, "pin_failed", f"wrong PIN for {staff.name}", staff.id)
        return staff, False
    staff.failed_pins = 0
    staff.locked_until = None
    return staff, True


def require_approver(staff: Staff) -> None:
    if staff.role not in APPROVERS:
        raise AccessDenied(
            f"{staff.name} is {staff.role.replace('_', ' ')}; a manager or shift lead must approve."
        )
