"""Forgetting what no longer matters: answers kept for idempotency keys older than a day
(clients retry within minutes), refresh tokens past their expiry, and sign-in throttle
counts quiet for a day (a spray of made-up emails leaves no lasting rows)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete

from cloud_api.db.database import Database
from cloud_api.models import IdempotencyRecord, RefreshToken, SignInThrottle

KEEP_KEYS = timedelta(hours=24)
KEEP_THROTTLE = timedelta(hours=24)  # longer than any lock or window


def purge(db: Database, now: datetime) -> int:
    """Delete what expired; returns how many rows went. Safe in every worker at once."""
    with db.transaction() as session:
        keys = session.execute(
            delete(IdempotencyRecord).where(IdempotencyRecord.created_at < now - KEEP_KEYS)
        )
        tokens = session.execute(delete(RefreshToken).where(RefreshToken.expires_at < now))
        throttle = session.execute(
            delete(SignInThrottle).where(SignInThrottle.updated_at < now - KEEP_THROTTLE)
        )
    rows: int = keys.rowcount + tokens.rowcount + throttle.rowcount  # type: ignore[attr-defined]
    return rows


def step(db: Database, now: datetime) -> int:
    """One round for the background loop; 0 so the loop waits its whole interval."""
    purge(db, now)
    return 0
