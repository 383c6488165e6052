"""Queries the sync endpoints need beyond the feed's and the store events' own."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud_api.models import StoreFeedHead


def feed_head(session: Session, store_id: str) -> int:
    """The newest cursor of the store's feed (0 when it has none yet)."""
    found = session.scalar(select(StoreFeedHead.last_cursor).where(StoreFeedHead.store_id == store_id))
    return int(found or 0)
