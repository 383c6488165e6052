"""The print queue in the store database: `StoreJobStore` over the `print_job` table.

Every change of a job's state is a `store_db.services.printing` service, each one short
transaction of its own (`StoreDB.run`), so a printer thread never holds the store's
write lock while a printer is slow. A claim first looks with a read, so an idle queue
never takes the lock.

Health, for the terminal's banner and the agent's heartbeat, is read from the same table
by `health(db)` and `waiting_jobs(db)`, from any process.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from printers.builders import document_for
from printers.documents import DOCUMENT_NAMES, Document
from printers.queue import Job, PrinterConfig
from store_db.db import StoreDB
from store_db.models import Order, Printer, PrintJob, utcnow
from store_db.queries.printing import WAITING, next_waiting, waiting_count
from store_db.services import printing

STUCK_AFTER_S = 60.0  # a job waiting this long with no error: is the agent running?
RECENT_JOBS = 200  # how far back `health` looks for tickets sent to a backup


def _job(row: PrintJob | None) -> Job | None:
    if row is None:
        return None
    return Job(
        id=row.id,
        printer=row.printer,
        document=row.document,
        payload=dict(row.payload or {}),
        subject=row.subject,
        reprint=row.reprint,
        backup_of=row.backup_of,
        attempts=row.attempts,
    )


class StoreJobStore:
    """The `JobStore` of `printers.queue` on a store's SQLite file."""

    def __init__(self, db: StoreDB) -> None:
        self.db = db

    def printers(self) -> list[PrinterConfig]:
        with self.db.read() as session:
            rows = session.scalars(select(Printer).where(Printer.enabled.is_(True)).order_by(Printer.name))
            return [PrinterConfig(p.name, p.url, p.profile, p.backup) for p in rows]

    def document(self, job: Job) -> Document:
        with self.db.read() as session:
            return document_for(session, job.document, job.subject, job.payload)

    def next_job(self, printer: str) -> Job | None:
        with self.db.read() as session:
            if next_waiting(session, printer) is None:
                return None
        return _job(self.db.run(printing.claim, printer))

    def mark_printed(self, job_id: int, then_claim: str | None = None) -> Job | None:
        return _job(self.db.run(printing.printed, job_id, then_claim))

    def mark_failed(self, job_id: int, error: str, partial: bool) -> None:
        self.db.run(printing.failed, job_id, error, partial)

    def mark_unprintable(self, job_id: int, error: str) -> None:
        self.db.run(printing.unprintable, job_id, error)

    def move_to_backup(self, job_id: int, backup: str) -> None:
        self.db.run(printing.move_to_backup, job_id, backup)

    def waiting(self, printer: str) -> int:
        with self.db.read() as session:
            return waiting_count(session, printer)


def _tickets(count: int) -> str:
    return "1 ticket is waiting" if count == 1 else f"{count} tickets are waiting"


@dataclass(frozen=True)
class PrinterHealth:
    """One printer as the store's screens and the cloud's heartbeat see it."""

    name: str
    url: str
    prints: tuple[str, ...]
    backup: str | None
    online: bool  # False while it fails, or while its tickets go to its backup
    waiting: int  # its jobs queued or being sent
    oldest_waiting_s: float | None  # how long its oldest waiting job has waited
    last_error: str  # what is wrong, as a manager can act on it; "" when fine
    on_backup: int  # its tickets waiting on its backup printer
    set_aside: int  # jobs that could not be laid out (`unprintable`), never printed

    @property
    def stuck(self) -> bool:
        """Jobs wait with no printer error: nothing is printing them."""
        return bool(self.waiting and self.online and (self.oldest_waiting_s or 0) >= STUCK_AFTER_S)

    def banner(self) -> str | None:
        """The one sentence a screen shows for this printer, or None when all is well."""
        if not self.online and self.waiting and self.last_error:
            return self.last_error
        if not self.online:
            where = f"'{self.backup}', marked BACKUP" if self.backup else "no backup printer"
            return f"Printer '{self.name}' is down; its tickets are printing on {where}."
        if self.stuck:
            minutes = int((self.oldest_waiting_s or 0) // 60)
            return (
                f"{_tickets(self.waiting)} for printer '{self.name}' for {minutes} min and nothing "
                "is printing them; start the print queue with: makeline agent"
            )
        return None


def health(db: StoreDB, now: datetime | None = None) -> list[PrinterHealth]:
    """Every configured printer's health, from the print queue in `db`. A few indexed
    queries; cheap enough for a screen to call on every change of the database."""
    now = now or utcnow()
    with db.read() as session:
        printers = list(session.scalars(select(Printer).order_by(Printer.name)))
        recent = [
            (str(p), b, str(s))
            for p, b, s in session.execute(
                select(PrintJob.printer, PrintJob.backup_of, PrintJob.status)
                .order_by(PrintJob.id.desc())
                .limit(RECENT_JOBS)
            )
        ]
        return [_health(session, p, recent, now) for p in printers]


def _health(
    session: Session, printer: Printer, recent: list[tuple[str, str | None, str]], now: datetime
) -> PrinterHealth:
    head = next_waiting(session, printer.name)
    waiting = waiting_count(session, printer.name)
    oldest = session.scalar(
        select(func.min(PrintJob.created_at)).where(
            PrintJob.printer == printer.name, PrintJob.status.in_(WAITING)
        )
    )
    failing = head is not None and bool(head.last_error)
    # Its newest ticket went to the backup: down, until one prints on it again.
    newest = next(((p, b) for p, b, _ in recent if printer.name in (p, b)), None)
    on_backup_now = newest is not None and newest[1] == printer.name
    on_backup = sum(1 for p, b, s in recent if b == printer.name and s in WAITING)
    set_aside = session.scalar(
        select(func.count()).where(PrintJob.printer == printer.name, PrintJob.status == "unprintable")
    )
    error = head.last_error if failing and head is not None else ""
    return PrinterHealth(
        name=printer.name,
        url=printer.url,
        prints=tuple(p for p in printer.prints.split(",") if p),
        backup=printer.backup,
        online=not failing and not on_backup_now,
        waiting=waiting,
        oldest_waiting_s=(now - oldest).total_seconds() if oldest is not None else None,
        last_error=error,
        on_backup=on_backup,
        set_aside=int(set_aside or 0),
    )


@dataclass(frozen=True)
class WaitingJob:
    """A job not yet printed, for a manager's list of stuck tickets."""

    id: int
    printer: str
    document: str  # "kitchen ticket", "receipt", …
    order_id: str | None
    order_label: str  # "#1042", or "" for a job about no order
    created_at: datetime
    attempts: int
    last_error: str
    reprint: bool
    backup_of: str | None


def waiting_jobs(db: StoreDB, printer: str | None = None, limit: int = 50) -> list[WaitingJob]:
    """The jobs waiting to print (on `printer`, or on any), oldest first."""
    query = (
        select(PrintJob, Order.id, Order.number)
        .outerjoin(Order, Order.id == PrintJob.subject)
        .where(PrintJob.status.in_(WAITING))
        .order_by(PrintJob.id)
        .limit(limit)
    )
    if printer is not None:
        query = query.where(PrintJob.printer == printer)
    with db.read() as session:
        return [
            WaitingJob(
                id=job.id,
                printer=job.printer,
                document=DOCUMENT_NAMES.get(job.document, job.document),
                order_id=order_id,
                order_label=f"#{number}" if number is not None else "",
                created_at=job.created_at,
                attempts=job.attempts,
                last_error=job.last_error,
                reprint=job.reprint,
                backup_of=job.backup_of,
            )
            for job, order_id, number in session.execute(query).all()
        ]
