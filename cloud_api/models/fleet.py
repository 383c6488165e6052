"""What the fleet page reads beyond the store itself: the last heartbeat each store's agent
sent (where its ledgers stand, its printers, the menu it sells from) and which stores each
menu version was published to."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, PrimaryKeyConstraint, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from cloud_api.db.base import Base


class StoreHeartbeat(Base):
    """The store's last heartbeat report, whole (one row per store, replaced on every beat)."""

    __tablename__ = "store_heartbeat"

    store_id: Mapped[str] = mapped_column(ForeignKey("store.id"), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    outbox_backlog: Mapped[int] = mapped_column(BigInteger)
    acked_seq: Mapped[int] = mapped_column(BigInteger)
    last_seq: Mapped[int] = mapped_column(BigInteger)
    feed_cursor: Mapped[int] = mapped_column(BigInteger)
    quarantined: Mapped[int] = mapped_column(BigInteger)  # feed entries set aside at the store
    printers: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)  # `PrinterHealth`, as sent
    agent_version: Mapped[str] = mapped_column(String(40))
    menu_version: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: no menu yet
    # Online orders nobody in the kitchen saw (None: an agent too old to report them).
    unseen_orders: Mapped[int | None] = mapped_column(Integer, nullable=True)


class MenuRelease(Base):
    """A menu version was published to this store (its feed carries it)."""

    __tablename__ = "menu_release"
    __table_args__ = (PrimaryKeyConstraint("version", "store_id"),)

    version: Mapped[int] = mapped_column(ForeignKey("menu_version.version"))
    store_id: Mapped[str] = mapped_column(ForeignKey("store.id"), index=True)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
