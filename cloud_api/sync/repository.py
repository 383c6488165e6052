"""Queries the sync endpoints need beyond the feed's and the store events' own."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, text
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


# A heartbeat from the computer that speaks for the store, in one statement: the agent and
# the store seen (with its live load when sent), its report kept (as `save_report`), and
# where both ledgers stand. No row:
# not that computer (or no such store); nothing changed. Its commit does not wait for the
# disk (`synchronous_commit` off for this transaction): a crash may forget the last
# fraction of a second of "seen", which the next beat says again; many beats share a flush.
_BEAT = text(
    """
    WITH lazy AS (
        SELECT set_config('synchronous_commit', 'off', true)
    ), agent AS (
        UPDATE store_agent SET last_seen_at = greatest(last_seen_at, :now)
        WHERE store_id = :store AND instance = :instance
        RETURNING store_id
    ), seen AS (
        UPDATE store SET last_seen_at = :now,
            live_load = CASE WHEN :has_load THEN CAST(:load AS jsonb) ELSE live_load END,
            live_load_at = CASE WHEN :has_load THEN :now ELSE live_load_at END
        WHERE id = :store AND (:instance = '' OR EXISTS (SELECT 1 FROM agent))
        RETURNING code
    ), report AS (
        INSERT INTO store_heartbeat (store_id, received_at, sent_at, outbox_backlog, acked_seq, last_seq,
            feed_cursor, quarantined, printers, agent_version, menu_version, unseen_orders)
        SELECT :store, :now, :sent_at, :outbox_backlog, :acked_seq, :last_seq, :feed_cursor, :quarantined,
            CAST(:printers AS jsonb), :agent_version, :menu_version, :unseen_orders
        FROM seen
        ON CONFLICT (store_id) DO UPDATE SET received_at = excluded.received_at, sent_at = excluded.sent_at,
            outbox_backlog = excluded.outbox_backlog, acked_seq = excluded.acked_seq,
            last_seq = excluded.last_seq, feed_cursor = excluded.feed_cursor,
            quarantined = excluded.quarantined, printers = excluded.printers,
            agent_version = excluded.agent_version, menu_version = excluded.menu_version,
            unseen_orders = excluded.unseen_orders
    )
    SELECT seen.code,
        coalesce((SELECT contiguous_seq FROM inbound_head WHERE store_id = :store), 0),
        coalesce((SELECT last_cursor FROM store_feed_head WHERE store_id = :store), 0)
    FROM seen, lazy
    """
)


def beat(
    session: Session, store_id: str, instance: str, report: contract.Heartbeat, now: datetime
) -> tuple[str, int, int] | None:
    """(store code, events held up to, feed up to) after a heartbeat of the store's own
    computer; None when `instance` does not speak for the store yet (the full path decides)."""
    params = {
        "store": store_id,
        "instance": instance,
        "now": now,
        "sent_at": report.sent_at,
        "outbox_backlog": report.outbox_backlog,
        "acked_seq": report.acked_seq,
        "last_seq": report.last_seq,
        "feed_cursor": report.feed_cursor,
        "quarantined": report.quarantined,
        "printers": json.dumps([p.model_dump(mode="json") for p in report.printers]),
        "agent_version": report.agent_version,
        "menu_version": report.menu_version or None,
        "unseen_orders": report.unseen_orders,
        "has_load": report.load is not None,
        "load": None if report.load is None else json.dumps(report.load.model_dump(mode="json")),
    }
    row = session.execute(_BEAT, params).first()
    return None if row is None else (str(row[0]), int(row[1]), int(row[2]))
