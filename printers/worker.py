"""One printer's worker: takes that printer's jobs in order and gets each onto paper once.

It keeps the printer's state (fine, failing, down) in memory, logs one line per printed
job and per change of state, and moves jobs to the backup printer while this one is down.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from printers.documents import CashOutSlip, DaySummary, Document, RunSheet
from printers.errors import BadDocument, PrinterError, PrinterFault, UnknownProfile
from printers.transports import deliver

if TYPE_CHECKING:
    from printers.queue import Job, PrinterConfig, PrintQueue

log = logging.getLogger("printers.queue")

DOCUMENT_NAMES = {
    "kitchen": "kitchen ticket",
    "receipt": "receipt",
    "run-sheet": "run sheet",
    "cash-out": "cash-out slip",
    "day-summary": "day summary",
    "test": "test page",
    "void": "void slip",
}


@runtime_checkable
class NamesJobs(Protocol):
    """A connection that files each job under a name (the preview folder does)."""

    def name_job(self, job_id: int, document: str, label: str) -> None: ...


def label_of(document: Document) -> str:
    """How a person finds the document again: "#1042", "run 7", a driver, a day."""
    label = getattr(document, "order_label", "")
    if isinstance(label, str) and label:
        return label
    if isinstance(document, RunSheet):
        return f"run {document.run_id}"
    if isinstance(document, CashOutSlip):
        return document.driver
    if isinstance(document, DaySummary):
        return document.business_date.isoformat()
    return ""


class PrinterWorker:
    """Prints one printer's jobs; `step` does one unit of work."""

    def __init__(self, queue: PrintQueue, config: PrinterConfig) -> None:
        self.queue = queue
        self.config = config
        self.failures = 0
        self.down = False
        self.next_try = 0.0
        self.last_error = ""

    @property
    def state(self) -> str:
        return "down" if self.down else "failing" if self.failures else "ok"

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
                    log.info("%s: job %d moved to '%s' (BACKUP)", name, job.id, backup)
                    self.queue.wake()
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

    def _print(self, first: Job) -> bool:
        """Print `first`, then the jobs behind it while the printer takes them."""
        job: Job | None = first
        while job is not None:
            job = self._print_one(job)
        return True

    def _print_one(self, job: Job) -> Job | None:
        """Print `job`; the printer's next job, already claimed, when it printed."""
        store, name = self.queue.store, self.config.name
        try:
            document, data = self.queue.prepare(job, self.config)
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
            connection = self.queue.connect(
                self.config.url, printer=name, timeouts=self.queue.settings.timeouts
            )
            if isinstance(connection, NamesJobs):
                connection.name_job(job.id, job.document, label_of(document))
            deliver(connection, data, timeout=self.queue.settings.job_timeout)
        except PrinterError as exc:
            partial = isinstance(exc, PrinterFault) and exc.partial
            if isinstance(exc, PrinterFault):
                message = str(exc.for_queue(name, store.waiting(name)))
            else:
                message = str(exc)
            store.mark_failed(job.id, message, partial)
            self._failed(message)
            return None
        claim = None if self.queue.stopping or name not in self.queue.workers else name
        after = store.mark_printed(job.id, then_claim=claim)
        self._printed(job, document, len(data))
        return after

    def _printed(self, job: Job, document: Document, size: int) -> None:
        marks = [m for m, on in (("REPRINT", job.reprint), ("BACKUP", job.backup_of)) if on]
        what = DOCUMENT_NAMES.get(job.document, job.document)
        label = label_of(document)
        log.info(
            "%s: printed %s%s (job %d, %s bytes%s)",
            self.config.name,
            what,
            f" {label}" if label else "",
            job.id,
            f"{size:,}",
            "".join(f", {m}" for m in marks),
        )
        self._up()

    def _failed(self, message: str) -> None:
        before = self.state
        self.failures += 1
        self.last_error = message
        self.next_try = time.monotonic() + self.queue.settings.backoff.delay(self.failures)
        if self.failures >= self.queue.settings.failures_before_backup:
            self.down = True
        if self.state != before:
            backup = self.queue.usable_backup(self.config)
            where = f"; its jobs go to '{backup}'" if self.down and backup else ""
            log.warning("%s: %s — %s%s", self.config.name, self.state.upper(), message, where)

    def _up(self) -> None:
        if self.state != "ok":
            log.info("%s: back up, printing again", self.config.name)
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
