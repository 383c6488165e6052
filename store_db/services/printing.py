"""Print jobs: writing them in the transaction of the event that causes them, reprints,
and every change of a job's state as the print queue moves it.

A job names its printer, the kind of document and its subject (the order or run id); the
print queue builds the document from the subject's records when it prints it, unless the
job carries the document itself in `payload`.

A job's life: `queued` → `sending` (claimed by a printer's worker) → `printed`; back to
`queued` when its printer fails (`reprint` when bytes may have reached paper), moved to
a backup printer while its own is down, or `unprintable` when it cannot be laid out.
Each state change is one short transaction of its own (`StoreDB.run`), so a printer's
thread never holds the store's write lock while a printer is slow.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from store_db.errors import BadInput, NotFound
from store_db.kept import PRINTERS, kept
from store_db.models import Order, Printer, PrintJob, utcnow
from store_db.queries.printing import next_waiting
from store_db.services import rows

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
    return _with_followers(printer.prints)


def _with_followers(prints: str) -> set[str]:
    listed = {d.strip() for d in prints.split(",")}
    return listed | {doc for doc, follows in FOLLOWS.items() if follows in listed}


def kitchen_has_ticket(session: Session, order_id: str) -> bool:
    """A kitchen ticket for the order was queued for some printer."""
    return (
        session.scalar(
            select(PrintJob.id).where(PrintJob.subject == order_id, PrintJob.document == "kitchen").limit(1)
        )
        is not None
    )


_ENABLED = "SELECT name, prints FROM printer WHERE enabled = 1 ORDER BY name"


def job_rows(session: Session, documents: list[str], subject: str, at: datetime) -> list[dict[str, Any]]:
    """The rows of the jobs that print `documents` on every printer that prints them."""
    return [
        {
            "printer": name,
            "document": document,
            "subject": subject,
            "payload": {},
            "reprint": False,
            "status": "queued",
            "attempts": 0,
            "last_error": "",
            "created_at": at,
        }
        for name, prints in _enabled(session)
        for document in documents
        if document in prints
    ]


def _enabled(session: Session) -> list[tuple[str, set[str]]]:
    """The enabled printers and what each prints; in a write transaction of a `StoreDB`, as
    its connection keeps them until a printer is written (`store_db.kept`)."""
    keeping = kept(session)
    held = None if keeping is None else keeping.values.get(PRINTERS)
    if isinstance(held, list):
        return held
    found = [(name, _with_followers(listed)) for name, listed in rows.fetch_all(session, _ENABLED)]
    if keeping is not None:
        keeping.values[PRINTERS] = found
    return found


def jobs_for(session: Session, documents: list[str], subject: str, at: datetime) -> list[PrintJob]:
    """The jobs (not yet added) that print `documents` on every printer that prints them."""
    return [PrintJob(**row) for row in job_rows(session, documents, subject, at)]


def reprint(session: Session, order_id: str, document: str, at: datetime) -> list[PrintJob]:
    """New jobs, marked REPRINT, for `order_id`'s kitchen ticket or receipt on every printer
    that prints it. Refuses an unknown order or document; none when no printer prints it."""
    if document not in REPRINTABLE:
        raise BadInput(f"Only a {' or a '.join(REPRINTABLE)} can be reprinted, not '{document}'.")
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound(f"There is no order {order_id} in this store; it cannot be reprinted.")
    return enqueue(session, document, order.id, at, reprint=True)


# ---- the print queue moving a job ----------------------------------------------------------
def claim(session: Session, printer: str) -> PrintJob | None:
    """Mark `printer`'s oldest waiting job sending, one attempt more, and return it; None
    when nothing waits. A job found already sending was in flight when the worker before
    died: it comes back marked `reprint`, since part of it may have printed."""
    row = next_waiting(session, printer)
    if row is None:
        return None
    if row.status == "sending":
        row.reprint = True
    row.status, row.attempts, row.started_at = "sending", row.attempts + 1, utcnow()
    return row


def printed(session: Session, job_id: int, then_claim: str | None = None) -> PrintJob | None:
    """The printer took every byte of job `job_id`. With `then_claim`, also `claim` that
    printer's next job in the same transaction: one commit less per ticket while a queue drains."""
    session.execute(
        update(PrintJob).where(PrintJob.id == job_id).values(status="printed", printed_at=utcnow())
    )
    return claim(session, then_claim) if then_claim is not None else None


def failed(session: Session, job_id: int, error: str, partial: bool) -> None:
    """Back to queued at the head of its printer's queue, `error` kept for the screens;
    `partial` (bytes may have reached paper) marks it `reprint`."""
    values: dict[str, object] = {"status": "queued", "last_error": error}
    if partial:
        values["reprint"] = True
    session.execute(update(PrintJob).where(PrintJob.id == job_id).values(**values))


def unprintable(session: Session, job_id: int, error: str) -> None:
    """The job's document cannot be laid out: set it aside so the queue moves on."""
    session.execute(
        update(PrintJob).where(PrintJob.id == job_id).values(status="unprintable", last_error=error)
    )


def move_to_backup(session: Session, job_id: int, backup: str) -> None:
    """Queue job `job_id` on printer `backup`, remembering the printer it was meant for."""
    row = session.get(PrintJob, job_id)
    if row is not None:
        # Its error was the other printer's; the backup starts it afresh.
        row.backup_of, row.printer, row.status = row.printer, backup, "queued"
        row.last_error = ""
