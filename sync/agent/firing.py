"""Orders for later, fired to the kitchen by the store agent.

The agent is the one process that always runs with a store, one per store database (its
lock), enrolled or not, online or not: it already runs the print queue that prints the
kitchen ticket a fired order makes. Terminals come and go (none may be open on the make
line at 10 a.m. when a lunch order fires). So the agent looks every `every_s` seconds and
`store_db.services.scheduled.fire_due` fires what is due, each order once: the firing and
its stamp are one transaction, so a restart in between fires nothing twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.exc import SQLAlchemyError

from store_db.db import StoreDB
from store_db.errors import StoreError
from store_db.services import scheduled

log = logging.getLogger("sync.firing")
EVERY_S = 15.0


def _now() -> datetime:
    return datetime.now(UTC)


def fire_due(db: StoreDB, now: datetime) -> list[int]:
    """Fire every held order due at `now`; returns their numbers."""
    fired = db.run(scheduled.fire_due, now)
    for number in fired:
        log.info("sync: order #%d for later sent to the kitchen", number)
    return fired


def fire_until_stopped(
    db: StoreDB, stop: threading.Event, every_s: float = EVERY_S, clock: Callable[[], datetime] = _now
) -> None:
    """Fire due orders now and every `every_s` seconds until `stop` is set; a failed look
    (the disk full, the file locked too long) is logged and tried again at the next."""
    while True:
        try:
            fire_due(db, clock())
        except (StoreError, SQLAlchemyError, OSError) as exc:
            log.error("sync: could not fire orders for later (%s); trying again in %.0f s", exc, every_s)
        if stop.wait(every_s):
            return
