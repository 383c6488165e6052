"""Online ordering's throttle (`makeline.trade.throttle`): reviewed against the live load,
held by a manager.

`review` is called when an order is placed and by the agent before each heartbeat (which
carries the level to the cloud): it works out the usual delivery quote from the live
load, moves the level with the trade's hysteresis, and writes a line to the audit log
when the level changes. `hold` records a manager's override, or hands the level back to
the load; both are in the audit log with who did it.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from makeline.trade.quote import Load
from makeline.trade.throttle import Level, Thresholds, Throttle, next_level, quote_minutes, usual_quote
from store_db.errors import AccessDenied, BadInput
from store_db.kept import kept
from store_db.models import Staff, Store
from store_db.queries.online import online_ordering
from store_db.services import promise, rows
from store_db.services.staff import audit
from store_db.services.store_settings import AnyStore, StoreSettings, with_throttle_minutes

HOLDERS = ("manager", "shift_lead")
_MINUTES = "UPDATE store SET throttle_minutes = ? WHERE id = ?"


def current(session: Session, store: AnyStore | None = None) -> Throttle:
    """The throttle as last reviewed (no write)."""
    return online_ordering(session, store)


def review(
    session: Session, at: datetime, load: Load | None = None, store: AnyStore | None = None
) -> Throttle:
    """Move the load's level with the live load at `at` (`load` and `store`: already read in
    this transaction); returns the throttle as it now stands."""
    seen = store or session.scalars(select(Store)).one()
    load = load or promise.live_load(session, at, seen)
    moved = _moved(session, at, load, seen)
    return current(session, seen if moved is None else moved)


def review_for_order(session: Session, at: datetime, load: Load, store: AnyStore) -> None:
    """`review` as an order is placed, against the load it came in on: the same moves and
    writes, no throttle built for it (the order does not show it)."""
    _moved(session, at, load, store)


@lru_cache(maxsize=256)
def usual_minutes(load: Load, radius_km: float) -> int:
    """The usual delivery quote's minutes for `load`: worked out once per load (an order
    placed on a load equal to the last one's quotes what that one did)."""
    return quote_minutes(usual_quote(load, radius_km))


@lru_cache(maxsize=64)
def _thresholds(busy_min: int, pause_min: int) -> Thresholds:
    return Thresholds(busy_min, pause_min)


def _moved(session: Session, at: datetime, load: Load, seen: AnyStore) -> AnyStore | None:
    """The store as the review left it; None when nothing moved."""
    minutes = usual_minutes(load, seen.delivery_radius_km)
    before = Level(seen.throttle_level)
    level = next_level(before, minutes, _thresholds(seen.throttle_busy_min, seen.throttle_pause_min))
    if seen.throttle_minutes == minutes and level is before:
        return None
    if (
        level is before
        and isinstance(seen, StoreSettings)
        and (not session.identity_map or identity_key(Store, seen.id) not in session.identity_map)
    ):
        # Only the quote moved (nearly every order): one pre-written statement, no ORM row;
        # the settings the connection keeps moved with it (`store_db.kept`).
        keeping = kept(session)  # the notes of every write before this one taken
        rows.connection(session).execute(_MINUTES, (minutes, seen.id))
        after = with_throttle_minutes(seen, minutes)
        if keeping is not None and keeping.settings is seen:
            keeping.wrote_store(after)
        return after
    row = seen if isinstance(seen, Store) else session.scalars(select(Store)).one()
    if row.throttle_minutes != minutes:
        row.throttle_minutes = minutes
    if level is not before:
        row.throttle_level = level.value
        row.throttle_since = at
        found = current(session, row)
        audit(session, at, "throttle", f"{before.value} → {level.value}: {found.reason}")
    return row


def reviewed_load(session: Session, at: datetime) -> tuple[Load, Throttle]:
    """The live load at `at` and the throttle reviewed against it: what the heartbeat carries."""
    load = promise.live_load(session, at)
    return load, review(session, at, load)


def hold(session: Session, staff_id: str, level: Level | None, at: datetime) -> Throttle:
    """A manager or shift lead holds online delivery at `level`, or (None) hands it back to
    the load. Refused to anyone else; recorded either way it goes."""
    staff = session.get(Staff, staff_id)
    if staff is None or not staff.active:
        raise BadInput("Sign in again: that staff member is not on this store's list.")
    if staff.role not in HOLDERS:
        raise AccessDenied(
            f"{staff.name} is {staff.role.replace('_', ' ')}; only a manager or shift lead can "
            "change online ordering."
        )
    store = session.scalars(select(Store)).one()
    store.throttle_override = level.value if level is not None else None
    store.throttle_override_by = staff.id if level is not None else None
    found = current(session, store)
    what = f"held at {level.value}" if level is not None else "handed back to the load"
    audit(session, at, "throttle_hold", f"Online delivery {what}: {found.reason}", staff.id)
    return found
