"""Printers configured in this store and the durable queue of print jobs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store_db.models.base import Base, UTCDateTime


class Printer(Base):
    __tablename__ = "printer"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    url: Mapped[str] = mapped_column(String(200))
    prints: Mapped[str] = mapped_column(String(100))  # comma list: kitchen,receipt,run-sheet,…
    backup: Mapped[str | None] = mapped_column(String(40), nullable=True)
    profile: Mapped[str] = mapped_column(String(10), default="80mm")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PrintJob(Base):
    """One document for one printer. `id` orders jobs; printed only after the bytes went out."""

    __tablename__ = "print_job"
    __table_args__ = (Index("ix_print_job_queue", "printer", "status", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    printer: Mapped[str] = mapped_column(String(40))  # may name no configured printer: preview
    document: Mapped[str] = mapped_column(String(20))  # kitchen, receipt, run-sheet, cash-out, …
    subject: Mapped[str] = mapped_column(String(36), default="")  # the order or run id
    payload: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    reprint: Mapped[bool] = mapped_column(Boolean, default=False)
    backup_of: Mapped[str | None] = mapped_column(String(40), nullable=True)
    status: Mapped[str] = mapped_column(String(12), default="queued")  # queued, sending, printed, unprintable
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
