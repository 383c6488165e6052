"""Forgetting what no longer matters: answers kept for idempotency keys older than a day
(clients retry within minutes), and refresh tokens past their expiry."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete

from cloud_api.db.database import Database
from cloud_api.models import IdempotencyRecord, RefreshToken

KEEP_KEYS = timedelta(hours=24)


def purge(db: Database, now: datetime) -> int:
    """Delete what expired; returns how many rows went. Safe in every worker at once."""
    with db.transaction() as session:
        keys = session.execute(
            delete(IdempotencyRecord).where(IdempotencyRecord.created_at < now - KEEP_KEYS)
        )
        tokens = session.execute(delete(RefreshToken).where(RefreshToken.expires_at < now))
    return int(keys.rowcount or 0) + int(tokens.rowcount or 0)  # type: ignore[attr-defined]


def step(db: Database, now: datetime) -> int:
    """One round for the background loop; 0 so the loop waits its whole interval."""
    purge(db, now)
    return 0
