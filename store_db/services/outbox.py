"""Writing outbox events: the store's gapless sequence, grouped by local transaction."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from store_db.models import OutboxEvent, new_id
from sync.contract import StoreEvent

_TXN_KEY = "makeline.outbox.txn"


def emit(session: Session, event: StoreEvent, subject: str, at: datetime) -> int:
    """Add one event (a model of the wire contract) in the caller's transaction and return
    its sequence number. `subject` is the id of what the event is about.

    Safe across processes because every write transaction begins IMMEDIATE:
    no other writer can take the same `seq` before this one commits.
    """
    current = session.get_transaction()
    known = session.info.get(_TXN_KEY)
    if known is None or known[0] is not current:
        known = session.info[_TXN_KEY] = (current, new_id())
    txn = known[1]
    # One statement: the next number is read and taken under the write lock we hold.
    next_seq = select(func.coalesce(func.max(OutboxEvent.seq), 0) + 1).scalar_subquery()
    table = cast(Table, OutboxEvent.__table__)
    seq = (
        session.connection()
        .execute(
            insert(table)
            .values(
                seq=next_seq,
                event_id=new_id(),
                txn=txn,
                kind=event.kind,
                subject=subject,
                payload=event.payload(),
                created_at=at,
            )
            .returning(table.c.seq)
        )
        .scalar_one()
    )
    return int(seq)
