"""Queries the sync endpoints need beyond the feed's and the store events' own."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from cloud_api.models import StoreAgent, StoreFeedHead, StoreHeartbeat
from sync import contract


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


def save_report(session: Session, store_id: str, beat: contract.Heartbeat, now: datetime) -> None:
    """Keep the heartbeat's report whole (the fleet page reads it), replacing the last one."""
    row = {
        "received_at": now,
        "sent_at": beat.sent_at,
        "outbox_backlog": beat.outbox_backlog,
        "acked_seq": beat.acked_seq,
        "last_seq": beat.last_seq,
        "feed_cursor": beat.feed_cursor,
        "quarantined": beat.quarantined,
        "printers": [p.model_dump(mode="json") for p in beat.printers],
        "agent_version": beat.agent_version,
        "menu_version": beat.menu_version or None,
        "unseen_orders": beat.unseen_orders,
    }
    session.execute(
        insert(StoreHeartbeat)
        .values(store_id=store_id, **row)
        .on_conflict_do_update(index_elements=[StoreHeartbeat.store_id], set_=row)
    )
