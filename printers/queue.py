"""The print queue: every job printed, in order per printer, once.

The jobs themselves live in the store (`JobStore`, bound to the `print_job` table by
`printers.store_jobs`); `PrintQueue` moves them through it and keeps each printer's
state (fine, failing, down). Its workers (`printers.worker`) are narrow: a thread per
printer that asks the queue for one step at a time, and the line to that printer.

* A printer's step takes its oldest job, gets its document from the store, lays it out
  for the printer's paper, and its worker `send`s it. Only when the bytes were delivered
  is the job marked printed.
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

from printers.documents import DOCUMENT_NAMES, Document
from printers.errors import BadDocument, PrinterError, PrinterFault, UnknownProfile
from printers.layout import render
from printers.profiles import paper_profile
from printers.transports import Connection, Timeouts, connection_for
from printers.transports.base import DEFAULT_TIMEOUTS
from printers.worker import PrinterWorker, label_of


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


@dataclass
class PrinterState:
    """What the queue knows of one printer, in memory: fine, failing or down."""

    failures: int = 0  # failed sends in a row
    down: bool = False  # its jobs go to its backup, while it is probed now and then
    next_try: float = 0.0  # monotonic time before which it is left alone
    last_error: str = ""

    @property
    def status(self) -> str:
        return "down" if self.down else "failing" if self.failures else "ok"


class PrintQueue:
    """Every configured printer's jobs, each printer run by a `PrinterWorker` thread."""

    def __init__(
        self, store: JobStore, settings: QueueSettings | None = None, connect: Connect = connection_for
    ) -> None:
        self.store = store
        self.settings = settings or QueueSettings()
        self.connect = connect
        self.workers: dict[str, PrinterWorker] = {}
        self.states: dict[str, PrinterState] = {}
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._supervisor: threading.Thread | None = None
        self._lock = threading.Lock()  # guards `workers` across the queue's threads

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
            workers = list(self.workers.values())
        for worker in workers:
            worker.join(timeout)
        if self._supervisor is not None:
            self._supervisor.join(timeout)
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
                    self.workers[name] = worker = PrinterWorker(config, self.connect, self.settings)
                worker.config = config
                if not worker.running and not self._stop.is_set():
                    worker.start(self.step, self._stop, self._wake)
            for name in set(self.workers) - set(configs):
                self.workers.pop(name).retire()  # its thread sees this and ends

    def _supervise(self) -> None:
        while not self._stop.wait(self.settings.refresh):
            try:
                self.refresh()
            except Exception:  # a store hiccup must not stop printing
                log.exception("could not reload the printers; keeping the ones known")

    def settled(self) -> bool:
        """Nothing left to print now: every printer's queue is empty, or its printer is
        down with no backup to take its jobs."""
        with self._lock:
            configs = [w.config for w in self.workers.values()]
        return not any(
            self.store.waiting(c.name) and not (self.state(c.name).down and self.usable_backup(c) is None)
            for c in configs
        )

    def state(self, printer: str) -> PrinterState:
        return self.states.setdefault(printer, PrinterState())

    def usable_backup(self, config: PrinterConfig) -> str | None:
        backup = self.workers.get(config.backup) if config.backup else None
        if backup is None or backup.config.name == config.name or self.state(backup.config.name).down:
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

    # ---- one printer's step ------------------------------------------------------------
    def step(self, config: PrinterConfig) -> bool:
        """Handle at most one job of printer `config` (and the jobs right behind it while
        the printer takes them); True when there may be more to do at once."""
        store, name, now = self.store, config.name, time.monotonic()
        state, backup = self.state(name), self.usable_backup(config)
        worker = self.workers.get(name) or PrinterWorker(config, self.connect, self.settings)
        if state.down and backup is not None:
            probe_due = now >= state.next_try
            if not probe_due or not worker.probe():
                if probe_due:
                    state.next_try = now + self.settings.backoff.most
                job = store.next_job(name)
                if job is None:
                    return False
                if job.backup_of is None:
                    store.move_to_backup(job.id, backup)
                    log.info("%s: job %d moved to '%s' (BACKUP)", name, job.id, backup)
                    self.wake()
                    return True
                # A job that already is a backup's stays here: no ping-pong between printers.
            else:
                self._up(name)
                job = store.next_job(name)
        elif now < state.next_try:
            return False
        else:
            job = store.next_job(name)
        while job is not None:
            job = self._print_one(worker, job)
        return True

    def _print_one(self, worker: PrinterWorker, job: Job) -> Job | None:
        """Print `job`; the printer's next job, already claimed, when it printed."""
        store, name = self.store, worker.config.name
        try:
            document, data = self.prepare(job, worker.config)
        except (BadDocument, UnknownProfile) as exc:
            store.mark_unprintable(job.id, str(exc))
            log.warning("%s: job %d set aside, it cannot be printed: %s", name, job.id, exc)
            return None
        except Exception:
            # Nothing was sent: put the job back as it was, so it is not taken for a REPRINT.
            unread = "Could not read this job from the store database; trying again."
            store.mark_failed(job.id, unread, False)
            raise
        try:
            worker.send(job, document, data)
        except PrinterError as exc:
            partial = isinstance(exc, PrinterFault) and exc.partial
            if isinstance(exc, PrinterFault):
                message = str(exc.for_queue(name, store.waiting(name)))
            else:
                message = str(exc)
            store.mark_failed(job.id, message, partial)
            self._failed(worker.config, message)
            return None
        claim = None if self.stopping or name not in self.workers else name
        after = store.mark_printed(job.id, then_claim=claim)
        self._printed(name, job, document, len(data))
        return after

    def _printed(self, name: str, job: Job, document: Document, size: int) -> None:
        marks = [m for m, on in (("REPRINT", job.reprint), ("BACKUP", job.backup_of)) if on]
        what = DOCUMENT_NAMES.get(job.document, job.document)
        label = label_of(document)
        log.info(
            "%s: printed %s%s (job %d, %s bytes%s)",
            name,
            what,
            f" {label}" if label else "",
            job.id,
            f"{size:,}",
            "".join(f", {m}" for m in marks),
        )
        self._up(name)

    def _failed(self, config: PrinterConfig, message: str) -> None:
        state = self.state(config.name)
        before = state.status
        state.failures += 1
        state.last_error = message
        state.next_try = time.monotonic() + self.settings.backoff.delay(state.failures)
        if state.failures >= self.settings.failures_before_backup:
            state.down = True
        if state.status != before:
            backup = self.usable_backup(config)
            where = f"; its jobs go to '{backup}'" if state.down and backup else ""
            log.warning("%s: %s — %s%s", config.name, state.status.upper(), message, where)

    def _up(self, name: str) -> None:
        state = self.state(name)
        if state.status != "ok":
            log.info("%s: back up, printing again", name)
        state.failures, state.down, state.last_error, state.next_try = 0, False, "", 0.0
