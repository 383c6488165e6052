"""The print queue as the store agent runs it: every configured printer, until told to stop.

`run_print_queue(db, stop)` blocks until `stop` is set; from asyncio, run it with
`await asyncio.to_thread(run_print_queue, db, stop)` and set `stop` to end it. Only one
print queue may run per store database: a second one would take jobs the first is still
sending and print them twice, so it is refused (`QueueAlreadyRunning`), through the
store's one OS file lock (`makeline.lock`).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from pathlib import Path

from makeline.lock import hold, lock_path
from printers.errors import QueueAlreadyRunning
from printers.queue import PrintQueue, QueueSettings
from printers.store_jobs import StoreJobStore, health
from store_db.db import StoreDB

log = logging.getLogger("printers.agent")


def queue_lock(db_path: Path) -> contextlib.AbstractContextManager[None]:
    """Hold the store's print-queue lock; `QueueAlreadyRunning` when another process has it."""

    def refuse(pid: int | None) -> QueueAlreadyRunning:
        return QueueAlreadyRunning(
            f"Another makeline agent (pid {pid or '?'}) is already printing for {db_path}; "
            "leave that one running, or stop it before starting this one."
        )

    return hold(lock_path(db_path, "print-queue"), refuse)


def run_print_queue(
    db: StoreDB,
    stop: threading.Event,
    settings: QueueSettings | None = None,
    *,
    once: bool = False,
) -> int:
    """Print every job of every configured printer until `stop` is set.

    With `once`, return as soon as nothing more can be printed now (every queue empty, or
    its printer down with no backup). Returns 0, or 1 when `once` leaves jobs waiting.
    """
    settings = settings or QueueSettings()
    store = StoreJobStore(db)
    with queue_lock(db.path):
        printers = store.printers()
        if not printers:
            log.info("no printers are set up yet; add one with: makeline printer add")
        for p in printers:
            backup = f", backup '{p.backup}'" if p.backup else ""
            log.info("printing to '%s' at %s (%s paper%s)", p.name, p.url, p.profile, backup)
        queue = PrintQueue(store, settings)
        queue.start()
        try:
            settled_checks = 0
            while not stop.wait(settings.poll * 4):
                if once:
                    settled_checks = settled_checks + 1 if queue.settled() else 0
                    if settled_checks >= 2:  # twice in a row: no job between two looks
                        break
        finally:
            queue.stop()
    if not once:
        return 0
    left = [h for h in health(db) if h.waiting]
    for printer in left:
        log.warning("%s", printer.banner() or f"{printer.waiting} job(s) wait for '{printer.name}'")
    return 1 if left else 0
