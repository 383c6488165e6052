"""Writing print jobs in the transaction of the event that causes them, and reprints.

A job names its printer, the kind of document and its subject (the order or run id); the
print queue builds the document from the subject's records when it prints it, unless the
job carries the document itself in `payload`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from store_db.errors import BadInput, NotFound
from store_db.models import Order, Printer, PrintJob

REPRINTABLE = ("kitchen", "receipt")


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


# A document that goes wherever another one went: the kitchen that has a ticket gets its void slip.
FOLLOWS = {"void": "kitchen"}


def prints(printer: Printer) -> set[str]:
    listed = {d.strip() for d in printer.prints.split(",")}
    return listed | {doc for doc, follows in FOLLOWS.items() if follows in listed}


def kitchen_has_ticket(session: Session, order_id: str) -> bool:
    """A kitchen ticket for the order was queued for some printer."""
    return (
        session.scalar(
            select(PrintJob.id).where(PrintJob.subject == order_id, PrintJob.document == "kitchen").limit(1)
        )
        is not None
    )


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
        if document in prints(p)
    ]


def reprint(session: Session, order_id: str, document: str, at: datetime) -> list[PrintJob]:
    """New jobs, marked REPRINT, for `order_id`'s kitchen ticket or receipt on every printer
    that prints it. Refuses an unknown order or document; none when no printer prints it."""
    if document not in REPRINTABLE:
        raise BadInput(f"Only a {' or a '.join(REPRINTABLE)} can be reprinted, not '{document}'.")
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound(f"There is no order {order_id} in this store; it cannot be reprinted.")
    return enqueue(session, document, order.id, at, reprint=True)
