"""The printers as every screen's banner shows them: a line per printer that needs someone.

`printers.store_jobs` (and python-escpos behind it) costs ~0.3 s to import, so it is
imported on first use, in a worker, after the first screen is drawn, and not at all
by a store with no printers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from store_db.db import StoreDB
from store_db.queries.printing import has_printers

if TYPE_CHECKING:
    from printers.store_jobs import PrinterHealth, WaitingJob

_WAITING = re.compile(r"\b\d+ tickets? (?:is|are) waiting\b")


def tickets(count: int) -> str:
    return "1 ticket is waiting" if count == 1 else f"{count} tickets are waiting"


def banner_line(printer: PrinterHealth) -> str | None:
    """The printer's own sentence, with how many tickets wait now: a failing printer's
    sentence was written at its last failed try, when fewer (or more) may have waited."""
    sentence = printer.banner()
    if sentence is None or not printer.waiting:
        return sentence
    now = tickets(printer.waiting)
    if _WAITING.search(sentence):
        return _WAITING.sub(now, sentence, count=1)
    return f"{sentence.rstrip('.')}; {now}."


def banner_lines(printers: list[PrinterHealth]) -> tuple[str, ...]:
    return tuple(line for p in printers if (line := banner_line(p)) is not None)


@dataclass(frozen=True)
class PrintQueueView:
    """Every printer's health and the jobs waiting to print, for the manager."""

    printers: list[PrinterHealth]
    waiting: list[WaitingJob]


def printer_health(db: StoreDB, now: datetime) -> list[PrinterHealth]:
    with db.read() as session:
        if not has_printers(session):
            return []
    from printers.store_jobs import health

    return health(db, now)


def print_queue(db: StoreDB, now: datetime) -> PrintQueueView:
    from printers.store_jobs import health, waiting_jobs

    return PrintQueueView(health(db, now), waiting_jobs(db))
