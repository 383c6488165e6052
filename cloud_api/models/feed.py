"""What flows between stores and the cloud: each store's feed (cloud → store, by
cursor) and the events stores pushed (store → cloud, once per `(store_id, seq)`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSON, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from cloud_api.db.base import Base


class StoreFeedHead(Base):
    """The last cursor handed out in a store's feed; its row lock orders the feed's writers."""

    __tablename__ = "store_feed_head"

    store_id: Mapped[str] = mapped_column(ForeignKey("store.id"), primary_key=True)
    last_cursor: Mapped[int] = mapped_column(BigInteger, default=0)


class StoreFeedEntry(Base):
    __tablename__ = "store_feed"
    __table_args__ = (PrimaryKeyConstraint("store_id", "cursor"),)

    store_id: Mapped[str] = mapped_column(ForeignKey("store.id"))
    cursor: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class InboundEvent(Base):
    """An event a store sent, stored once under its sequence number. No foreign key to the
    store (0025): a push's events are stored under the device's own store and its feed
    head's lock, not checked by a trigger a row."""

    __tablename__ = "inbound_event"
    __table_args__ = (
        PrimaryKeyConstraint("store_id", "seq"),
        UniqueConstraint("store_id", "event_id"),  # sharded by store: unique within the store
    )

    store_id: Mapped[str] = mapped_column(String(36))
    seq: Mapped[int] = mapped_column(BigInteger)
    event_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)  # the text stored, read back whole (0021)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class InboundPending(Base):
    """A run of a store's events stored and acknowledged, `seq` to `last_seq`, waiting to be
    applied (the appliers' queue: a push's new events are one run; taken off in the
    transaction that applies them, the rest of a run left as a row of its own)."""

    __tablename__ = "inbound_pending"
    __table_args__ = (
        PrimaryKeyConstraint("store_id", "seq"),
        ForeignKeyConstraint(["store_id", "seq"], ["inbound_event.store_id", "inbound_event.seq"]),
        CheckConstraint("last_seq >= seq", name="run"),
    )

    store_id: Mapped[str] = mapped_column(String(36))
    seq: Mapped[int] = mapped_column(BigInteger)
    last_seq: Mapped[int] = mapped_column(BigInteger)


class InboundHead(Base):
    """The highest sequence number up to which a store's events arrived with no gap."""

    __tablename__ = "inbound_head"

    store_id: Mapped[str] = mapped_column(ForeignKey("store.id"), primary_key=True)
    contiguous_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    max_seq: Mapped[int] = mapped_column(BigInteger, default=0)


class ApplierPace(Base):
    """How fast an applier applies stores' events while it has them to apply: events a
    second, told at most once a second (`sync.pace`); the backlog's brake counts the paces
    told in the last seconds (`sync.brake`)."""

    __tablename__ = "applier_pace"

    applier: Mapped[str] = mapped_column(String(200), primary_key=True)  # host:pid:meter
    events_per_s: Mapped[float] = mapped_column(Float)
    told_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class InboundQuarantine(Base):
    """A store event the cloud stored but could not read or apply, with the reason: head
    office sees it (`GET /sync/quarantine`); the store's outbox flows on past it."""

    __tablename__ = "inbound_quarantine"
    __table_args__ = (PrimaryKeyConstraint("store_id", "seq"),)

    store_id: Mapped[str] = mapped_column(ForeignKey("store.id"))
    seq: Mapped[int] = mapped_column(BigInteger)
    event_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    quarantined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StoreAgent(Base):
    """Which computer speaks for a store: the agent instance heard last, and the last other
    one refused while it did (two copies of one store database: the fleet flag)."""

    __tablename__ = "store_agent"

    store_id: Mapped[str] = mapped_column(ForeignKey("store.id"), primary_key=True)
    instance: Mapped[str] = mapped_column(String(64))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    refused_instance: Mapped[str] = mapped_column(String(64), default="")
    refused_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    refused_count: Mapped[int] = mapped_column(BigInteger, default=0)
