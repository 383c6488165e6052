"""This store's link to the cloud: enrollment, credential and both cursors (one row)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
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
