"""Raw TCP (port 9100): how Ethernet receipt and kitchen printers take jobs."""

from __future__ import annotations

import socket
import time

from printers.errors import PrinterDisconnected, PrinterTimeout, PrinterUnreachable
from printers.transports.base import DEFAULT_TIMEOUTS, Timeouts
from printers.transports.status import STATUS_QUERIES, PrinterStatus, parse_status
from printers.transports.urls import TcpUrl


class TcpConnection:
    def __init__(self, url: TcpUrl, *, printer: str = "", timeouts: Timeouts = DEFAULT_TIMEOUTS) -> None:
        self.url = url
        self.address = url.address
        self.printer = printer
        self.timeouts = timeouts
        self._sock: socket.socket | None = None

    def open(self, timeout: float | None = None) -> None:
        wait = min(timeout or self.timeouts.connect, self.timeouts.connect)
        try:
            sock = socket.create_connection((self.url.host, self.url.port), timeout=wait)
        except socket.gaierror as exc:
            raise self._unreachable("no such host name") from exc
        except TimeoutError as exc:
            raise self._unreachable(f"no answer within {wait:g} s") from exc
        except ConnectionRefusedError as exc:
            raise self._unreachable("connection refused") from exc
        except OSError as exc:
            raise self._unreachable(exc.strerror or str(exc)) from exc
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock = sock

    def send(self, data: bytes, timeout: float | None = None) -> None:
        sock = self._open_socket()
        deadline = time.monotonic() + (timeout or self.timeouts.send)
        view = memoryview(data)
        sent = 0
        try:
            while sent < len(data):
                sock.settimeout(max(deadline - time.monotonic(), 0.001))
                sent += sock.send(view[sent:])
        except TimeoutError as exc:
            detail = f"it took {sent:,} of {len(data):,} bytes, then stopped reading"
            raise PrinterTimeout(self.address, detail, printer=self.printer, partial=True) from exc
        except OSError as exc:
            detail = f"after {sent:,} of {len(data):,} bytes"
            raise PrinterDisconnected(self.address, detail, printer=self.printer, partial=True) from exc

    def status(self, timeout: float | None = None) -> PrinterStatus | None:
        if not self.url.status:
            return None
        sock = self._open_socket()
        wait = min(timeout or self.timeouts.status, self.timeouts.status)
        deadline = time.monotonic() + wait
        try:
            _drain(sock)
            answer = b""
            for query in STATUS_QUERIES:
                sock.settimeout(max(deadline - time.monotonic(), 0.001))
                sock.sendall(query)
                chunk = sock.recv(1)
                if not chunk:
                    raise PrinterDisconnected(self.address, printer=self.printer)
                answer += chunk
        except TimeoutError as exc:
            raise self._silent(f"no status answer within {wait:g} s") from exc
        except OSError as exc:
            raise PrinterDisconnected(self.address, printer=self.printer) from exc
        try:
            return parse_status(answer)
        except ValueError as exc:
            raise self._silent(f"it answered {answer.hex(' ')} to a status request") from exc

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def _open_socket(self) -> socket.socket:
        if self._sock is None:
            self.open()
        assert self._sock is not None
        return self._sock

    def _unreachable(self, detail: str) -> PrinterUnreachable:
        return PrinterUnreachable(self.address, detail, printer=self.printer)

    def _silent(self, detail: str) -> PrinterTimeout:
        hint = "" if "answered" in detail else "; if this model reports no status, add ?status=off"
        return PrinterTimeout(self.address, detail + hint, printer=self.printer)


def _drain(sock: socket.socket) -> None:
    """Drop bytes the printer sent unasked (a late answer, automatic status back)."""
    sock.setblocking(False)
    try:
        while sock.recv(256):
            pass
    except (BlockingIOError, InterruptedError):
        pass
    finally:
        sock.setblocking(True)
