"""A printer device file (`/dev/usb/lp0`) or a plain file: each job's bytes are appended."""

from __future__ import annotations

import contextlib
from typing import BinaryIO

from printers.errors import PrinterDisconnected, PrinterUnreachable
from printers.transports.base import DEFAULT_TIMEOUTS, Timeouts
from printers.transports.status import PrinterStatus
from printers.transports.urls import FileUrl


class FileConnection:
    def __init__(self, url: FileUrl, *, printer: str = "", timeouts: Timeouts = DEFAULT_TIMEOUTS) -> None:
        self.url = url
        self.address = url.address
        self.printer = printer
        self.timeouts = timeouts
        self._file: BinaryIO | None = None

    def open(self, timeout: float | None = None) -> None:
        try:
            self._file = open(self.url.path, "ab", buffering=0)  # noqa: SIM115 - closed in close()
        except OSError as exc:
            detail = exc.strerror or str(exc)
            raise PrinterUnreachable(self.address, detail, printer=self.printer) from exc

    def send(self, data: bytes, timeout: float | None = None) -> None:
        if self._file is None:
            self.open()
        assert self._file is not None
        try:
            self._file.write(data)
            self._file.flush()
        except OSError as exc:
            detail = exc.strerror or str(exc)
            raise PrinterDisconnected(self.address, detail, printer=self.printer, partial=True) from exc

    def status(self, timeout: float | None = None) -> PrinterStatus | None:
        return None

    def close(self) -> None:
        if self._file is not None:
            # The bytes were written; a device that vanished since is a later job's problem.
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None
