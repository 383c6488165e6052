"""This store's link to the cloud: enrollment, credential and both cursors (one row)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store_db.models.base import Base, UTCDateTime


class SyncState(Base):
    __tablename__ = "sync_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    cloud_url: Mapped[str | None] = mapped_column(String(200), nullable=True)
    device_token: Mapped[str | None] = mapped_column(Text, nullable=True)
    enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    feed_cursor: Mapped[int] = mapped_column(Integer, default=0)  # last feed entry applied
    acked_seq: Mapped[int] = mapped_column(Integer, default=0)  # last outbox seq the cloud stored
    last_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="not_enrolled")  # online, offline, revoked


class FeedQuarantine(Base):
    """A feed entry the store could not read or apply, set aside with its reason so the
    entries behind it flow on. `held`: waiting for a fix, then retried; `refused`: the
    store's own rules refused it and the cloud was told (an online order is refunded);
    `applied`: retried and applied, once."""

    __tablename__ = "feed_quarantine"

    cursor: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, object]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default="held", index=True)
    tries: Mapped[int] = mapped_column(Integer, default=1)
    quarantined_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
