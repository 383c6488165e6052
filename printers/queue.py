"""The print queue worker: every job printed, in order per printer, once.

The queue itself lives in the store (`JobStore`, bound to the `print_job` table by
`printers.store_jobs`); this module only moves jobs through it:

* One thread per printer (`printers.worker`) takes that printer's oldest job, gets its
  document from the store, lays it out for the printer's paper, and `deliver`s it. Only
  when `deliver` returned is the job marked printed.
* A printer that fails (unreachable, paper out, hung, dropped) keeps its job at the head
  of its queue and is retried with backoff, so later tickets never jump ahead.
* After `failures_before_backup` failures in a row a printer is down: its jobs move to its
  backup printer, which prints them under a "BACKUP — kitchen printer down" banner. A down
  printer is probed (status only, no paper used) and takes its own jobs again once back.
* A job whose bytes may have partly reached paper (a printer that hung or dropped mid-job,
  or an agent that died mid-send) is printed again under a REPRINT banner.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from printers.documents import Document
from printers.layout import render
from printers.profiles import paper_profile
from printers.transports import Connection, Timeouts, connection_for
from printers.transports.base import DEFAULT_TIMEOUTS
from printers.worker import PrinterWorker


@dataclass(frozen=True)
class PrinterConfig:
    name: str
    url: str
    profile: str = "80mm"
    backup: str | None = None


@dataclass(frozen=True)
class Job:
    id: int  # jobs of one printer print in `id` order
    printer: str
    document: str  # a `Document.kind`
    payload: dict[str, Any]  # the document itself, or {} when it is built from `subject`
    subject: str = ""  # the order (or run) the document is about
    reprint: bool = False
    backup_of: str | None = None  # the printer it was meant for, when moved to a backup
    attempts: int = 0


class JobStore(Protocol):
    """The durable queue. Each method is its own transaction; any of them may be called
    from a printer's thread, so an implementation opens a session per call."""

    def printers(self) -> list[PrinterConfig]:
        """The enabled printers."""

    def document(self, job: Job) -> Document:
        """The job's document: read from its payload, or built from its subject's records.

        Raises `BadDocument` when it cannot be (an unknown kind, an order that is gone).
        """

    def next_job(self, printer: str) -> Job | None:
        """Claim `printer`'s oldest unprinted job (mark it sending) and return it, or None.

        A job found already sending was in flight when a previous worker died: it comes
        back with `reprint=True`, since part of it may have printed.
        """

    def mark_printed(self, job_id: int, then_claim: str | None = None) -> Job | None:
        """The printer took every byte of the job. With `then_claim`, also claim that
        printer's next job in the same transaction and return it (as `next_job` would):
        one commit less per ticket while a queue drains."""

    def mark_failed(self, job_id: int, error: str, partial: bool) -> None:
        """Back to queued at the head of its printer's queue; one more attempt, `error`
        kept for screens; `partial` (bytes may have reached paper) sets `reprint`."""

    def mark_unprintable(self, job_id: int, error: str) -> None:
        """The job's document cannot be laid out: set it aside so the queue moves on."""

    def move_to_backup(self, job_id: int, backup: str) -> None:
        """Queue the job on `backup`, remembering the printer it was meant for."""

    def waiting(self, printer: str) -> int:
        """How many jobs wait for `printer`, the one being sent included."""


@dataclass(frozen=True)
class Backoff:
    first: float = 0.1  # seconds before the first retry
    most: float = 0.5  # short: a printer back on must not wait long for its tickets

    def delay(self, failures: int) -> float:
        return min(self.first * 2.0 ** max(failures - 1, 0), self.most)


@dataclass(frozen=True)
class QueueSettings:
    failures_before_backup: int = 3
    backoff: Backoff = Backoff()
    timeouts: Timeouts = DEFAULT_TIMEOUTS
    job_timeout: float = 30.0
    poll: float = 0.05  # seconds between looks at an idle queue
    refresh: float = 2.0  # seconds between reloads of the printers' configuration


Connect = Callable[..., Connection]
log = logging.getLogger(__name__)


def backup_banner(printer: str) -> str:
    return f"BACKUP — {printer} printer down"


class PrintQueue:
    """Runs a `PrinterWorker` thread per configured printer until stopped."""

    def __init__(
        self, store: JobStore, settings: QueueSettings | None = None, connect: Connect = connection_for
    ) -> None:
        self.store = store
        self.settings = settings or QueueSettings()
        self.connect = connect
        self.workers: dict[str, PrinterWorker] = {}
        self._threads: dict[str, threading.Thread] = {}
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._supervisor: threading.Thread | None = None
        self._lock = threading.Lock()  # guards workers and threads across the queue's threads

    # ---- running ---------------------------------------------------------------------
    def start(self) -> None:
        self._stop.clear()
        self.refresh()
        self._supervisor = threading.Thread(target=self._supervise, name="print-queue", daemon=True)
        self._supervisor.start()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop taking jobs; a job being sent finishes (or times out) first."""
        self._stop.set()
        self._wake.set()
        with self._lock:
            threads = [*self._threads.values(), *([self._supervisor] if self._supervisor else [])]
        for thread in threads:
            thread.join(timeout)
        with self._lock:
            self._threads.clear()
        self._supervisor = None

    def __enter__(self) -> PrintQueue:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wake(self) -> None:
        """New jobs were written: look now rather than at the next poll."""
        self._wake.set()

    def refresh(self) -> None:
        """Pick up added, changed and removed printers."""
        configs = {c.name: c for c in self.store.printers()}
        with self._lock:
            for name, config in configs.items():
                worker = self.workers.get(name)
                if worker is None:
                    self.workers[name] = worker = PrinterWorker(self, config)
                worker.config = config
                if name not in self._threads and not self._stop.is_set():
                    thread = threading.Thread(
                        target=self._work, args=(name,), name=f"printer-{name}", daemon=True
                    )
                    self._threads[name] = thread
                    thread.start()
            for name in set(self.workers) - set(configs):
                del self.workers[name]  # its thread sees this and ends

    def _supervise(self) -> None:
        while not self._stop.wait(self.settings.refresh):
            try:
                self.refresh()
            except Exception:  # a store hiccup must not stop printing
                log.exception("could not reload the printers; keeping the ones known")

    def _work(self, name: str) -> None:
        while not self._stop.is_set():
            worker = self.workers.get(name)
            if worker is None:
                break
            try:
                busy = worker.step()
            except Exception:  # the store was busy or the disk full: try again shortly
                log.exception("printer %s: could not read or update its queue", name)
                busy = False
            if not busy:
                self._wake.wait(self.settings.poll)
                self._wake.clear()
        with self._lock:
            self._threads.pop(name, None)

    def settled(self) -> bool:
        """Nothing left to print now: every printer's queue is empty, or its printer is
        down with no backup to take its jobs."""
        with self._lock:
            workers = list(self.workers.values())
        return not any(
            self.store.waiting(w.config.name) and not (w.down and self.usable_backup(w.config) is None)
            for w in workers
        )

    # ---- shared by workers -----------------------------------------------------------
    def usable_backup(self, config: PrinterConfig) -> str | None:
        backup = self.workers.get(config.backup) if config.backup else None
        if backup is None or backup.down or backup.config.name == config.name:
            return None
        return backup.config.name

    def prepare(self, job: Job, config: PrinterConfig) -> tuple[Document, bytes]:
        """The job's document, and its bytes on `config`'s paper with REPRINT / BACKUP marks."""
        document = self.store.document(job)
        banner = backup_banner(job.backup_of) if job.backup_of else document.banner
        marked = dataclasses.replace(document, reprint=document.reprint or job.reprint, banner=banner)
        return marked, render(marked, paper_profile(config.profile))

    def render(self, job: Job, config: PrinterConfig) -> bytes:
        return self.prepare(job, config)[1]
