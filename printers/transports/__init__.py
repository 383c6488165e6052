"""Connections to printers, chosen by URL, and `deliver` to send one job safely.

`connection_for("tcp://10.0.0.7:9100", printer="kitchen")` makes a connection (nothing is
opened yet); `deliver(connection, data, timeout)` sends one job's bytes and returns only
once the printer took them, raising a `PrinterFault` otherwise.
"""

from __future__ import annotations

from printers.transports.base import DEFAULT_TIMEOUTS, Connection, Timeouts, deliver
from printers.transports.dummy import DummyConnection, dummy_printer, forget_dummy_printers
from printers.transports.file import FileConnection
from printers.transports.preview import PreviewConnection
from printers.transports.serial_port import SerialConnection
from printers.transports.status import PrinterStatus
from printers.transports.tcp import TcpConnection
from printers.transports.urls import (
    SCHEMES,
    DummyUrl,
    FileUrl,
    PreviewUrl,
    PrinterUrl,
    SerialUrl,
    TcpUrl,
    UsbUrl,
    absolute_url,
    parse_printer_url,
)
from printers.transports.usb import UsbConnection

__all__ = [
    "SCHEMES",
    "Connection",
    "PrinterStatus",
    "PrinterUrl",
    "Timeouts",
    "absolute_url",
    "connection_for",
    "deliver",
    "dummy_printer",
    "forget_dummy_printers",
    "parse_printer_url",
]


def connection_for(
    url: str | PrinterUrl, *, printer: str = "", timeouts: Timeouts = DEFAULT_TIMEOUTS
) -> Connection:
    """A closed connection to the printer at `url`; `BadPrinterUrl` if it cannot be one."""
    where = parse_printer_url(url) if isinstance(url, str) else url
    if isinstance(where, TcpUrl):
        return TcpConnection(where, printer=printer, timeouts=timeouts)
    if isinstance(where, SerialUrl):
        return SerialConnection(where, printer=printer, timeouts=timeouts)
    if isinstance(where, UsbUrl):
        return UsbConnection(where, printer=printer, timeouts=timeouts)
    if isinstance(where, FileUrl):
        return FileConnection(where, printer=printer, timeouts=timeouts)
    if isinstance(where, PreviewUrl):
        return PreviewConnection(where, printer=printer, timeouts=timeouts)
    assert isinstance(where, DummyUrl)
    return DummyConnection(where, printer=printer, timeouts=timeouts)
