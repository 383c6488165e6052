"""The print queue as the store reads it: whether there are printers, a printer's next
job and how many wait."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store_db.models import Printer, PrintJob

WAITING = ("queued", "sending")  # not printed yet: in the queue, or being sent


def has_printers(session: Session) -> bool:
    return session.scalar(select(Printer.name).limit(1)) is not None


def next_waiting(session: Session, printer: str) -> PrintJob | None:
    """The oldest job waiting for `printer` (queued, or left sending), or None."""
    return session.scalars(
        select(PrintJob)
        .where(PrintJob.printer == printer, PrintJob.status.in_(WAITING))
        .order_by(PrintJob.id)
        .limit(1)
    ).first()


def waiting_count(session: Session, printer: str) -> int:
    """How many jobs wait for `printer`, the one being sent included."""
    query = select(func.count()).where(PrintJob.printer == printer, PrintJob.status.in_(WAITING))
    return int(session.scalar(query) or 0)
