"""Online ordering as the store last reviewed it: the throttle's level, why, and who holds it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from makeline.trade.throttle import Level, Throttle
from store_db.models import Staff, Store
from store_db.services.store_settings import AnyStore


def online_ordering(session: Session, store: AnyStore | None = None) -> Throttle:
    """The throttle as last reviewed (`store_db.services.throttle.review`)."""
    store = store or session.scalars(select(Store)).one()
    by = session.get(Staff, store.throttle_override_by) if store.throttle_override_by else None
    return Throttle(
        auto=Level(store.throttle_level),
        since=store.throttle_since or store.created_at,
        minutes=store.throttle_minutes,
        override=Level(store.throttle_override) if store.throttle_override else None,
        override_by=by.name if by is not None else "",
    )
