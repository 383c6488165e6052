"""Whether the store has printers at all: a screen looks before it loads the print queue."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from store_db.models import Printer


def has_printers(session: Session) -> bool:
    return session.scalar(select(Printer.name).limit(1)) is not None
