"""Writing print jobs in the transaction of the event that causes them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from store_db.models import Printer, PrintJob


def printers_for(session: Session, document: str) -> list[Printer]:
    rows = session.scalars(select(Printer).where(Printer.enabled.is_(True)).order_by(Printer.name))
    return [p for p in rows if document in {d.strip() for d in p.prints.split(",")}]


def enqueue(
    session: Session,
    document: str,
    subject: str,
    at: datetime,
    payload: dict[str, Any] | None = None,
    reprint: bool = False,
) -> list[PrintJob]:
    """One job per printer that prints `document`; none when no printer does."""
    jobs = [
        PrintJob(
            printer=p.name,
            document=document,
            subject=subject,
            payload=payload or {},
            reprint=reprint,
            created_at=at,
        )
        for p in printers_for(session, document)
    ]
    session.add_all(jobs)
    return jobs


def jobs_for(session: Session, documents: list[str], subject: str, at: datetime) -> list[PrintJob]:
    """The jobs (not yet added) that print `documents` on every printer that prints them."""
    printers = session.scalars(select(Printer).where(Printer.enabled.is_(True)).order_by(Printer.name))
    return [
        PrintJob(
            printer=p.name,
            document=document,
            subject=subject,
            payload={},
            reprint=False,
            status="queued",
            attempts=0,
            last_error="",
            created_at=at,
        )
        for p in printers
        for document in documents
        if document in {d.strip() for d in p.prints.split(",")}
    ]
