"""Printer URLs: where a printer is and how to talk to it.

    tcp://10.0.0.7:9100                 raw TCP (port 9100 when left out)
    serial:///dev/ttyUSB0?baud=115200   a serial port; `flow=rtscts|dsrdtr|xonxoff`
    serial://COM3?baud=38400            the same on Windows
    serial://loop://?baud=9600          any pyserial URL (loop://, socket://host:port, …)
    usb://04b8:0202                     vendor:product in hex, as `lsusb` prints them
    file:///dev/usb/lp0                 bytes appended to a device or file
    preview:///srv/makeline/printouts   each job's text preview as a .txt file in that folder
    dummy://kitchen                     kept in memory under that name (demos, tests)

`status=on|off` says whether the printer answers real-time status (DLE EOT): on by
default for tcp and serial (off for pyserial's loop://, which echoes), off for usb and file.
A preview folder may be given relative (`preview://.makeline/printouts`); `absolute_url`
pins it to the folder it means from here, before it is saved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from printers.errors import BadPrinterUrl

SCHEMES = ("tcp", "serial", "usb", "file", "preview", "dummy")
BAUD_RATES = (50, 75, 110, 134, 150, 200, 300, 600, 1200, 1800, 2400, 4800, 9600, 19200,
              38400, 57600, 115200, 230400, 460800, 500000, 576000, 921600, 1000000)  # fmt: skip
COMMON_BAUD = "9600, 19200, 38400, 57600 or 115200"
FLOW = ("none", "rtscts", "dsrdtr", "xonxoff")


@dataclass(frozen=True)
class TcpUrl:
    host: str
    port: int = 9100
    status: bool = True

    @property
    def address(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


@dataclass(frozen=True)
class SerialUrl:
    port: str  # a device path or a pyserial URL
    baud: int = 9600
    flow: str = "none"
    status: bool = True

    @property
    def address(self) -> str:
        return f"{self.port} ({self.baud} baud)"


@dataclass(frozen=True)
class UsbUrl:
    vendor: int
    product: int
    status: bool = False

    @property
    def address(self) -> str:
        return f"USB {self.vendor:04x}:{self.product:04x}"


@dataclass(frozen=True)
class FileUrl:
    path: str

    @property
    def address(self) -> str:
        return self.path


@dataclass(frozen=True)
class PreviewUrl:
    folder: str

    @property
    def address(self) -> str:
        return f"preview folder {self.folder}"


@dataclass(frozen=True)
class DummyUrl:
    name: str

    @property
    def address(self) -> str:
        return f"dummy://{self.name}"


PrinterUrl = TcpUrl | SerialUrl | UsbUrl | FileUrl | PreviewUrl | DummyUrl


def parse_printer_url(url: str) -> PrinterUrl:
    """The printer at `url`; `BadPrinterUrl` says what is wrong and what is accepted."""
    text = url.strip()
    scheme, sep, rest = text.partition("://")
    scheme = scheme.lower()
    if not sep or scheme not in SCHEMES:
        accepted = ", ".join(f"{s}://" for s in SCHEMES)
        raise BadPrinterUrl(
            f"'{url}' is not a printer URL this store can use; start it with one of: {accepted} "
            "(for example tcp://10.0.0.7:9100)."
        )
    if scheme == "tcp":
        return _tcp(url)
    if scheme == "serial":
        return _serial(url, rest)
    if scheme == "usb":
        return _usb(url, rest)
    if scheme == "file":
        return _file(url)
    if scheme == "preview":
        return _preview(url, rest)
    return _dummy(url, rest)


def absolute_url(url: str) -> str:
    """`url` checked, with a relative preview folder made absolute from the working folder."""
    where = parse_printer_url(url)
    if isinstance(where, PreviewUrl):
        return f"preview://{Path(where.folder).expanduser().resolve()}"
    return url.strip()


def _options(url: str, query: str, allowed: tuple[str, ...]) -> dict[str, str]:
    options: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key not in allowed:
            known = ", ".join(allowed) if allowed else "none"
            raise BadPrinterUrl(f"'{url}' has an unknown option '{key}'; options: {known}.")
        options[key] = value
    return options


def _status(url: str, options: dict[str, str], default: bool) -> bool:
    value = options.get("status", "on" if default else "off").lower()
    if value not in ("on", "off"):
        raise BadPrinterUrl(f"'{url}': status must be on or off, not '{value}'.")
    return value == "on"


def _tcp(url: str) -> TcpUrl:
    parts = urlsplit(url)
    options = _options(url, parts.query, ("status",))
    try:
        port = parts.port or 9100
    except ValueError as exc:
        raise BadPrinterUrl(f"'{url}' has a bad port; printers listen on 9100.") from exc
    if not parts.hostname or parts.path not in ("", "/"):
        raise BadPrinterUrl(f"'{url}' needs a host and port only, like tcp://10.0.0.7:9100.")
    return TcpUrl(parts.hostname, port, _status(url, options, True))


def _serial(url: str, rest: str) -> SerialUrl:
    port, _, query = rest.partition("?")
    if not port:
        raise BadPrinterUrl(f"'{url}' names no serial port; use serial:///dev/ttyUSB0?baud=9600.")
    options = _options(url, query, ("baud", "flow", "status"))
    raw = options.get("baud", "9600")
    if not raw.isdigit() or int(raw) not in BAUD_RATES:
        raise BadPrinterUrl(
            f"Baud rate '{raw}' in '{url}' is not a standard rate; set the one the printer "
            f"uses (its self-test page shows it), usually {COMMON_BAUD}."
        )
    flow = options.get("flow", "none").lower()
    if flow not in FLOW:
        raise BadPrinterUrl(f"'{url}': flow must be one of {', '.join(FLOW)}, not '{flow}'.")
    echoes = port.startswith("loop://")
    return SerialUrl(port, int(raw), flow, _status(url, options, not echoes))


_USB_ID = re.compile(r"^(?:0x)?([0-9a-fA-F]{1,4}):(?:0x)?([0-9a-fA-F]{1,4})$")


def _usb(url: str, rest: str) -> UsbUrl:
    ids, _, query = rest.partition("?")
    found = _USB_ID.match(ids)
    if found is None:
        raise BadPrinterUrl(
            f"'{url}' needs the printer's USB vendor and product ids in hex, as lsusb shows "
            "them: usb://04b8:0202."
        )
    options = _options(url, query, ("status",))
    return UsbUrl(int(found[1], 16), int(found[2], 16), _status(url, options, False))


def _file(url: str) -> FileUrl:
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
        raise BadPrinterUrl(f"'{url}' needs an absolute path, like file:///dev/usb/lp0.")
    _options(url, parts.query, ())
    return FileUrl(parts.path)


def _preview(url: str, rest: str) -> PreviewUrl:
    folder, _, query = rest.partition("?")
    _options(url, query, ())
    if not folder.strip():
        raise BadPrinterUrl(f"'{url}' names no folder; use preview:///path/to/printouts.")
    return PreviewUrl(folder)


def _dummy(url: str, rest: str) -> DummyUrl:
    name, _, query = rest.partition("?")
    _options(url, query, ())
    return DummyUrl(name.strip("/") or "default")
