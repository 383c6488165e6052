"""Queries the sync endpoints need beyond the feed's and the store events' own."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from cloud_api.models import StoreAgent, StoreFeedHead


def feed_head(session: Session, store_id: str) -> int:
    """The newest cursor of the store's feed (0 when it has none yet)."""
    found = session.scalar(select(StoreFeedHead.last_cursor).where(StoreFeedHead.store_id == store_id))
    return int(found or 0)


def agent_of(session: Session, store_id: str) -> StoreAgent | None:
    return session.get(StoreAgent, store_id, with_for_update=True)


def add_agent(session: Session, store_id: str, instance: str, now: datetime) -> None:
    session.execute(
        insert(StoreAgent)
        .values(store_id=store_id, instance=instance, last_seen_at=now, refused_instance="", refused_count=0)
        .on_conflict_do_nothing()
    )


def agents_flagged(session: Session) -> Sequence[StoreAgent]:
    """Stores a second computer tried to sync as, newest first."""
    return session.scalars(
        select(StoreAgent).where(StoreAgent.refused_at.is_not(None)).order_by(StoreAgent.refused_at.desc())
    ).all()
