"""The seam between the print queue and a printer: a `Connection` and `deliver`.

A connection is made from a printer URL (see `printers.transports.urls`), opened for one
job, sent the job's bytes, asked for its real-time status where the printer reports one,
and closed. `deliver` does that in the order that keeps tickets from being lost or doubled.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

from printers.errors import PrinterFault, PrinterNotReady, PrinterTimeout
from printers.transports.status import PrinterStatus


@dataclass(frozen=True)
class Timeouts:
    connect: float = 3.0  # seconds to get a connection
    send: float = 10.0  # seconds for a whole ticket to be taken
    status: float = 1.0  # seconds for a status answer


DEFAULT_TIMEOUTS = Timeouts()


class Connection(Protocol):
    """One printer, reached one job at a time.

    `address` is how a manager knows the printer ("10.0.0.7:9100", "/dev/ttyUSB0") and
    `printer` its configured name; both appear in every error. Every method raises only
    `PrinterError`s: `PrinterUnreachable` from `open`, `PrinterTimeout` or
    `PrinterDisconnected` from `send` and `status`.
    """

    address: str
    printer: str

    def open(self, timeout: float | None = None) -> None:
        """Connect; `PrinterUnreachable` when the printer cannot be reached."""

    def send(self, data: bytes, timeout: float | None = None) -> None:
        """Return once every byte was handed to the printer's link, else raise."""

    def status(self, timeout: float | None = None) -> PrinterStatus | None:
        """The printer's real-time status, or None for a printer that reports none.

        A printer that reports status must answer: no answer is a `PrinterTimeout`.
        """

    def close(self) -> None:
        """Release the connection; never raises."""


def deliver(connection: Connection, data: bytes, timeout: float = 30.0) -> None:
    """Send one whole job, and return only when the printer has taken it.

    1. Open; ask the status: a printer out of paper, with its cover open or in error is
       refused before a byte is sent (`PrinterNotReady`, `partial=False`).
    2. Send every byte.
    3. Ask the status again. A printer answers real-time status as it reads its input,
       so an answer proves it read every byte before the question; a printer that hung
       half way does not answer (`PrinterTimeout`, `partial=True`).
    A printer that reports no status (`?status=off`, files, USB) counts as having taken
    the job when step 2 returns. A job counts printed only when this function returns.
    """
    deadline = time.monotonic() + timeout

    def left() -> float:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise PrinterTimeout(
                connection.address,
                f"the job took longer than {timeout:g} s",
                printer=connection.printer,
                partial=sent,
            )
        return remaining

    sent = False
    connection.open(timeout=left())
    try:
        before = connection.status(timeout=left())
        if before is not None:
            _check_ready(connection, before)
        sent = True
        connection.send(data, timeout=left())
        if before is not None:
            connection.status(timeout=left())
    except PrinterFault as fault:
        if sent and not fault.partial:
            fault.partial = True
        raise
    finally:
        connection.close()


def _check_ready(connection: Connection, status: PrinterStatus) -> None:
    problem = status.problem()
    if problem is not None:
        what, remedy = problem
        raise PrinterNotReady(connection.address, what, remedy, printer=connection.printer)
