"""Writing outbox events: the store's gapless sequence, grouped by local transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from store_db.models import OutboxEvent, new_id
from store_db.services.rows import Encoded, Insert, transaction_of
from sync.contract import StoreEvent

_TXN_KEY = "makeline.outbox.txn"
# The next number is read and taken in the INSERT itself, under the write lock we hold.
# `seq` is the table's INTEGER PRIMARY KEY: the rowid the INSERT hands back.
_EVENT = Insert(OutboxEvent, computed={"seq": "(SELECT coalesce(max(seq), 0) + 1 FROM outbox)"})


def emit(session: Session, event: StoreEvent, subject: str, at: datetime) -> int:
    """Add one event (a model of the wire contract) in the caller's transaction and return
    its sequence number. `subject` is the id of what the event is about.

    Safe across processes because every write transaction begins IMMEDIATE:
    no other writer can take the same `seq` before this one commits.
    """
    return emit_json(session, event.kind, event.payload_json(), subject, at)  # dumped once, by pydantic


def emit_json(session: Session, kind: str, payload: str, subject: str, at: datetime) -> int:
    """`emit` for an event whose payload the contract wrote as text already (`payload`: the
    model's own `payload_json()`, as `sync.contract.placed` writes an order's)."""
    current = transaction_of(session)
    known = session.info.get(_TXN_KEY)
    if known is None or known[0] is not current:
        known = session.info[_TXN_KEY] = (current, new_id())
    row = {
        "event_id": new_id(),
        "txn": known[1],
        "kind": kind,
        "subject": subject,
        "payload": Encoded(payload),
        "created_at": at,
    }
    return _EVENT.one(session, row)
