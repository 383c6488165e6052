"""Storing store events once, and the per-store high-water mark."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from cloud_api.models import InboundEvent, InboundHead, InboundQuarantine

# A batch of a store's events in one statement whatever its length, sent as one JSON
# document (one parameter: nothing per row to compile, escape or send).
_STORE_BATCH = text(
    """
    INSERT INTO inbound_event (store_id, seq, event_id, kind, payload, created_at, received_at)
    SELECT :store, e.seq, e.event_id, e.kind, e.payload, e.created_at, :now
    FROM jsonb_to_recordset(CAST(:rows AS jsonb))
        AS e(seq bigint, event_id text, kind text, payload jsonb, created_at timestamptz)
    ON CONFLICT DO NOTHING
    RETURNING seq
    """
)


def store_batch(session: Session, store_id: str, rows: str, now: datetime) -> set[int]:
    """Store a store's events (`inbound_event` rows: a JSON array of objects with `seq`,
    `event_id`, `kind`, `payload` and `created_at`) in one statement; returns the sequence
    numbers that were new (a stored one, or an event id stored before, is not)."""
    return {
        int(seq)
        for seq in session.execute(_STORE_BATCH, {"store": store_id, "now": now, "rows": rows}).scalars()
    }


def event_ids_at(session: Session, store_id: str, seqs: Sequence[int]) -> dict[int, str]:
    """The event ids stored under these sequence numbers of the store."""
    if not seqs:
        return {}
    found = session.execute(
        select(InboundEvent.seq, InboundEvent.event_id).where(
            InboundEvent.store_id == store_id, InboundEvent.seq.in_(list(seqs))
        )
    )
    return {int(seq): event_id for seq, event_id in found}


def lock_head(session: Session, store_id: str) -> InboundHead:
    """The store's marks, locked: one store's events are stored by one writer at a time."""
    session.execute(
        insert(InboundHead).values(store_id=store_id, contiguous_seq=0, max_seq=0).on_conflict_do_nothing()
    )
    return session.execute(
        select(InboundHead).where(InboundHead.store_id == store_id).with_for_update()
    ).scalar_one()


def catch_up(session: Session, store_id: str, mark: int) -> int:
    """The contiguous mark after `mark`, over sequence numbers stored earlier out of order."""
    following = session.scalars(
        select(InboundEvent.seq)
        .where(InboundEvent.store_id == store_id, InboundEvent.seq > mark)
        .order_by(InboundEvent.seq)
        .limit(100_000)
    ).all()
    for seq in following:
        if seq != mark + 1:
            break
        mark = seq
    return mark


def head(session: Session, store_id: str) -> int:
    return session.scalar(select(InboundHead.contiguous_seq).where(InboundHead.store_id == store_id)) or 0


def quarantine(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Set events aside (`inbound_quarantine` rows), in one statement."""
    if rows:
        session.execute(insert(InboundQuarantine).values(list(rows)).on_conflict_do_nothing())


def quarantined(session: Session, store_id: str | None, limit: int) -> Sequence[InboundQuarantine]:
    query = select(InboundQuarantine).order_by(InboundQuarantine.quarantined_at.desc()).limit(limit)
    if store_id is not None:
        query = query.where(InboundQuarantine.store_id == store_id)
    return session.scalars(query).all()
