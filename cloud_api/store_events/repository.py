"""Storing store events once, and the per-store high-water mark."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from cloud_api.models import InboundEvent, InboundHead, InboundQuarantine


def store_once(
    session: Session,
    store_id: str,
    seq: int,
    event_id: str,
    kind: str,
    payload: dict[str, Any],
    created_at: datetime,
    now: datetime,
) -> bool:
    """True when this `(store_id, seq)` is new and now stored."""
    row = session.execute(
        insert(InboundEvent)
        .values(
            store_id=store_id,
            seq=seq,
            event_id=event_id,
            kind=kind,
            payload=payload,
            created_at=created_at,
            received_at=now,
        )
        .on_conflict_do_nothing()
        .returning(InboundEvent.seq)
    ).first()
    return row is not None


def event_id_at(session: Session, store_id: str, seq: int) -> str | None:
    return session.scalar(
        select(InboundEvent.event_id).where(InboundEvent.store_id == store_id, InboundEvent.seq == seq)
    )


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


def quarantine(
    session: Session, store_id: str, seq: int, event_id: str, kind: str, reason: str, now: datetime
) -> None:
    session.execute(
        insert(InboundQuarantine)
        .values(
            store_id=store_id, seq=seq, event_id=event_id, kind=kind[:40], reason=reason, quarantined_at=now
        )
        .on_conflict_do_nothing()
    )


def quarantined(session: Session, store_id: str | None, limit: int) -> Sequence[InboundQuarantine]:
    query = select(InboundQuarantine).order_by(InboundQuarantine.quarantined_at.desc()).limit(limit)
    if store_id is not None:
        query = query.where(InboundQuarantine.store_id == store_id)
    return session.scalars(query).all()
