"""Printers kept in memory, by name, for the whole process: demos, previews and tests.

`dummy_printer("kitchen")` is what `dummy://kitchen` prints to: its `jobs` are the bytes
of each job, and setting its `status` or `switched_off` makes it behave like a printer
that is out of paper or off.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from printers.errors import PrinterUnreachable
from printers.transports.base import DEFAULT_TIMEOUTS, Timeouts
from printers.transports.status import PrinterStatus
from printers.transports.urls import DummyUrl

_lock = threading.Lock()
_printers: dict[str, DummyPrinter] = {}


@dataclass
class DummyPrinter:
    name: str
    jobs: list[bytes] = field(default_factory=list)
    status: PrinterStatus = field(default_factory=PrinterStatus)
    switched_off: bool = False

    @property
    def output(self) -> bytes:
        with _lock:
            return b"".join(self.jobs)


def dummy_printer(name: str = "default") -> DummyPrinter:
    """The in-memory printer `name`, made on first use."""
    with _lock:
        return _printers.setdefault(name, DummyPrinter(name))


def forget_dummy_printers() -> None:
    with _lock:
        _printers.clear()


class DummyConnection:
    def __init__(self, url: DummyUrl, *, printer: str = "", timeouts: Timeouts = DEFAULT_TIMEOUTS) -> None:
        self.url = url
        self.address = url.address
        self.printer = printer
        self.timeouts = timeouts
        self.device = dummy_printer(url.name)

    def open(self, timeout: float | None = None) -> None:
        if self.device.switched_off:
            raise PrinterUnreachable(self.address, "switched off", printer=self.printer)

    def send(self, data: bytes, timeout: float | None = None) -> None:
        self.open()
        with _lock:
            self.device.jobs.append(bytes(data))

    def status(self, timeout: float | None = None) -> PrinterStatus | None:
        self.open()
        return self.device.status

    def close(self) -> None:
        pass
