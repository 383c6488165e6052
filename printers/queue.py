"""The print queue worker: every job printed, in order per printer, once.

The queue itself lives in the store (`JobStore`, bound to the `print_job` table by the
store side); this module only moves jobs through it:

* One thread per printer takes that printer's oldest job, lays it out for the printer's
  paper, and `deliver`s it. Only when `deliver` returned is the job marked printed.
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
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from printers.errors import BadDocument, PrinterError, PrinterFault, UnknownProfile
from printers.layout import render
from printers.payload import from_payload
from printers.profiles import paper_profile
from printers.transports import Connection, Timeouts, connection_for, deliver
from printers.transports.base import DEFAULT_TIMEOUTS


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
    payload: dict[str, Any]
    reprint: bool = False
    backup_of: str | None = None  # the printer it was meant for, when moved to a backup
    attempts: int = 0


class JobStore(Protocol):
    """The durable queue. Each method is its own transaction; any of them may be called
    from a printer's thread, so an implementation opens a session per call."""

    def printers(self) -> list[PrinterConfig]:
        """The enabled printers."""

    def next_job(self, printer: str) -> Job | None:
        """Claim `printer`'s oldest unprinted job (mark it sending) and return it, or None.

        A job found already sending was in flight when a previous worker died: it comes
        back with `reprint=True`, since part of it may have printed.
        """

    def mark_printed(self, job_id: int) -> None:
        """The printer took every byte of the job."""

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
    most: float = 1.0  # short: a printer back on must not wait long for its tickets

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


class PrinterWorker:
    """Prints one printer's jobs; `step` does one unit of work."""

    def __init__(self, queue: PrintQueue, config: PrinterConfig) -> None:
        self.queue = queue
        self.config = config
        self.failures = 0
        self.down = False
        self.next_try = 0.0
        self.last_error = ""

    def step(self) -> bool:
        """Handle at most one job; True when there may be more to do at once."""
        store, name, now = self.queue.store, self.config.name, time.monotonic()
        backup = self.queue.usable_backup(self.config)
        if self.down and backup is not None:
            probe_due = now >= self.next_try
            if not probe_due or not self._probe():
                if probe_due:
                    self.next_try = now + self.queue.settings.backoff.most
                job = store.next_job(name)
                if job is None:
                    return False
                if job.backup_of is None:
                    store.move_to_backup(job.id, backup)
                    return True
                # A job that already is a backup's stays here: no ping-pong between printers.
            else:
                self._up()
                job = store.next_job(name)
        elif now < self.next_try:
            return False
        else:
            job = store.next_job(name)
        if job is None:
            return False
        return self._print(job)

    def _print(self, job: Job) -> bool:
        store, name = self.queue.store, self.config.name
        try:
            data = self.queue.render(job, self.config)
        except (BadDocument, UnknownProfile) as exc:
            store.mark_unprintable(job.id, str(exc))
            return True
        try:
            connection = self.queue.connect(
                self.config.url, printer=name, timeouts=self.queue.settings.timeouts
            )
            deliver(connection, data, timeout=self.queue.settings.job_timeout)
        except PrinterError as exc:
            partial = isinstance(exc, PrinterFault) and exc.partial
            message = (
                str(exc.for_queue(name, store.waiting(name))) if isinstance(exc, PrinterFault) else str(exc)
            )
            store.mark_failed(job.id, message, partial)
            self._failed(message)
            return True
        store.mark_printed(job.id)
        self._up()
        return True

    def _failed(self, message: str) -> None:
        self.failures += 1
        self.last_error = message
        self.next_try = time.monotonic() + self.queue.settings.backoff.delay(self.failures)
        if self.failures >= self.queue.settings.failures_before_backup:
            self.down = True

    def _up(self) -> None:
        self.failures, self.down, self.last_error, self.next_try = 0, False, "", 0.0

    def _probe(self) -> bool:
        """Is the printer back? Asks its status; prints nothing."""
        try:
            connection = self.queue.connect(
                self.config.url, printer=self.config.name, timeouts=self.queue.settings.timeouts
            )
            connection.open()
            try:
                status = connection.status()
            finally:
                connection.close()
        except PrinterError:
            return False
        return status is None or status.ready


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

    # ---- shared by workers -----------------------------------------------------------
    def usable_backup(self, config: PrinterConfig) -> str | None:
        backup = self.workers.get(config.backup) if config.backup else None
        if backup is None or backup.down or backup.config.name == config.name:
            return None
        return backup.config.name

    def render(self, job: Job, config: PrinterConfig) -> bytes:
        """The job's document laid out for `config`'s paper, with REPRINT / BACKUP marks."""
        document = from_payload(job.document, job.payload)
        banner = backup_banner(job.backup_of) if job.backup_of else document.banner
        marked = dataclasses.replace(document, reprint=document.reprint or job.reprint, banner=banner)
        return render(marked, paper_profile(config.profile))
