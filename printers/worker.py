"""One printer's worker: its thread, and its line to the printer.

The worker decides nothing: its thread asks the queue (`PrintQueue.step`) for one
unit of work at a time and waits for a wake-up or the next poll when there was none;
the queue sends each job's bytes, or probes a printer that is down, through it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from printers.documents import CashOutSlip, DaySummary, Document, RunSheet
from printers.errors import PrinterError
from printers.transports import Connection, deliver

if TYPE_CHECKING:
    from printers.queue import Job, PrinterConfig, QueueSettings

log = logging.getLogger("printers.queue")


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
    """One printer's thread and its line to the printer."""

    def __init__(
        self, config: PrinterConfig, connect: Callable[..., Connection], settings: QueueSettings
    ) -> None:
        self.config = config
        self.connect = connect
        self.settings = settings
        self.retired = False  # the printer was removed: the thread ends
        self._thread: threading.Thread | None = None

    # ---- the line to the printer -----------------------------------------------------
    def _open(self) -> Connection:
        return self.connect(self.config.url, printer=self.config.name, timeouts=self.settings.timeouts)

    def send(self, job: Job, document: Document, data: bytes) -> None:
        """Deliver `data` (the job laid out); raises `PrinterError` when the printer did not take it all."""
        connection = self._open()
        if isinstance(connection, NamesJobs):
            connection.name_job(job.id, job.document, label_of(document))
        deliver(connection, data, timeout=self.settings.job_timeout)

    def probe(self) -> bool:
        """Is the printer back? Asks its status; prints nothing."""
        try:
            connection = self._open()
            connection.open()
            try:
                status = connection.status()
            finally:
                connection.close()
        except PrinterError:
            return False
        return status is None or status.ready

    # ---- the thread --------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self.retired

    def start(
        self, step: Callable[[PrinterConfig], bool], stop: threading.Event, wake: threading.Event
    ) -> None:
        """Run `step(config)` over and over until `stop` is set or the worker is retired,
        waiting for `wake` (or the poll) whenever a step found nothing to do."""

        def loop() -> None:
            while not stop.is_set() and not self.retired:
                try:
                    busy = step(self.config)
                except Exception:  # the store was busy or the disk full: try again shortly
                    log.exception("printer %s: could not read or update its queue", self.config.name)
                    busy = False
                if not busy:
                    wake.wait(self.settings.poll)
                    wake.clear()

        self._thread = threading.Thread(target=loop, name=f"printer-{self.config.name}", daemon=True)
        self._thread.start()

    def retire(self) -> None:
        self.retired = True

    def join(self, timeout: float) -> None:
        if self._thread is not None:
            self._thread.join(timeout)
