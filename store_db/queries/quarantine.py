"""Feed entries set aside at this store: what the manager sees and can retry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from store_db.models import FeedQuarantine


@dataclass(frozen=True)
class SetAside:
    cursor: int
    kind: str
    reason: str
    state: str  # held (waiting for a fix), refused (the cloud refunded it), applied
    tries: int
    quarantined_at: datetime
    resolved_at: datetime | None


def set_aside(session: Session, include_resolved: bool = False) -> list[SetAside]:
    """Entries set aside, oldest first; only the ones still held unless `include_resolved`."""
    query = select(FeedQuarantine).order_by(FeedQuarantine.cursor)
    if not include_resolved:
        query = query.where(FeedQuarantine.state == "held")
    return [
        SetAside(r.cursor, r.kind, r.reason, r.state, r.tries, r.quarantined_at, r.resolved_at)
        for r in session.scalars(query)
    ]
