"""Serial printers through pyserial: device paths and pyserial URLs (loop://, socket://)."""

from __future__ import annotations

import contextlib
import time
from typing import Any

import serial

from printers.errors import PrinterDisconnected, PrinterTimeout, PrinterUnreachable
from printers.transports.base import DEFAULT_TIMEOUTS, Timeouts
from printers.transports.status import STATUS_QUERIES, PrinterStatus, parse_status
from printers.transports.urls import SerialUrl


class SerialConnection:
    def __init__(self, url: SerialUrl, *, printer: str = "", timeouts: Timeouts = DEFAULT_TIMEOUTS) -> None:
        self.url = url
        self.address = url.address
        self.printer = printer
        self.timeouts = timeouts
        self.port: Any = None  # the open pyserial port

    def open(self, timeout: float | None = None) -> None:
        try:
            self.port = serial.serial_for_url(
                self.url.port,
                baudrate=self.url.baud,
                timeout=self.timeouts.status,
                write_timeout=self.timeouts.send,
                rtscts=self.url.flow == "rtscts",
                dsrdtr=self.url.flow == "dsrdtr",
                xonxoff=self.url.flow == "xonxoff",
            )
        except (serial.SerialException, ValueError, OSError) as exc:
            raise PrinterUnreachable(self.address, str(exc), printer=self.printer) from exc

    def send(self, data: bytes, timeout: float | None = None) -> None:
        port = self._port()
        port.write_timeout = timeout or self.timeouts.send
        try:
            port.write(data)
            port.flush()  # wait until the bytes left this computer
        except serial.SerialTimeoutException as exc:
            detail = "it stopped taking data (flow control held)"
            raise PrinterTimeout(self.address, detail, printer=self.printer, partial=True) from exc
        except (serial.SerialException, OSError) as exc:
            raise PrinterDisconnected(self.address, str(exc), printer=self.printer, partial=True) from exc

    def status(self, timeout: float | None = None) -> PrinterStatus | None:
        if not self.url.status:
            return None
        port = self._port()
        wait = min(timeout or self.timeouts.status, self.timeouts.status)
        deadline = time.monotonic() + wait
        try:
            port.reset_input_buffer()
            answer = b""
            for query in STATUS_QUERIES:
                port.write(query)
                port.timeout = max(deadline - time.monotonic(), 0.001)
                byte = port.read(1)
                if not byte:
                    break
                answer += byte
        except (serial.SerialException, OSError) as exc:
            raise PrinterDisconnected(self.address, str(exc), printer=self.printer) from exc
        try:
            return parse_status(answer)
        except ValueError as exc:
            detail = f"no status answer within {wait:g} s" if not answer else f"answered {answer.hex(' ')}"
            hint = "; if this model reports no status, add status=off to its URL"
            raise PrinterTimeout(self.address, detail + hint, printer=self.printer) from exc

    def close(self) -> None:
        if self.port is not None:
            # Closing a port that vanished (USB adapter pulled) is not a new problem.
            with contextlib.suppress(serial.SerialException, OSError):
                self.port.close()
            self.port = None

    def _port(self) -> Any:
        if self.port is None:
            self.open()
        return self.port
