"""The outbox: what the cloud must learn, written in the same transaction as the change.

`seq` is the store's own gapless sequence; `txn` groups the events of one
local transaction so a batch never splits it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from store_db.models.base import Base, UTCDateTime


class OutboxEvent(Base):
    __tablename__ = "outbox"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    # No index: the agent looks a txn up only among the unsent events, by seq (migration 0018).
    txn: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(36))
    payload: Mapped[dict[str, object]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # No index: the unacknowledged events are those after `SyncState.acked_seq`, read by seq
    # (migration 0019).
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
