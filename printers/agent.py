"""The print queue as the store agent runs it: every configured printer, until told to stop.

`run_print_queue(db, stop)` blocks until `stop` is set; from asyncio, run it with
`await asyncio.to_thread(run_print_queue, db, stop)` and set `stop` to end it. Only one
print queue may run per store database: a second one would take jobs the first is still
sending and print them twice, so it is refused (`QueueAlreadyRunning`). The lock is an OS
file lock beside the database, released by the OS even when the agent is killed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from printers.errors import QueueAlreadyRunning
from printers.queue import PrintQueue, QueueSettings
from printers.store_jobs import StoreJobStore, health
from store_db.db import StoreDB

log = logging.getLogger("printers.agent")


@contextlib.contextmanager
def queue_lock(db_path: Path) -> Iterator[None]:
    """Hold the store's print-queue lock; `QueueAlreadyRunning` when another process has it."""
    path = db_path.with_name(db_path.name + ".print-queue.lock")
    handle: IO[str] = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - closed below
    try:
        if not _try_lock(handle):
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise QueueAlreadyRunning(
                f"Another makeline agent (pid {holder}) is already printing for {db_path}; "
                "leave that one running, or stop it before starting this one."
            )
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()  # closing the file releases the lock


def _try_lock(handle: IO[str]) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks here; one agent by convention
        return True
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


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
