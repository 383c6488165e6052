"""Printer URLs: every accepted form, and a clear refusal for anything else."""

from __future__ import annotations

from pathlib import Path

import pytest

from printers.errors import BadPrinterUrl
from printers.transports import absolute_url, parse_printer_url
from printers.transports.urls import DummyUrl, FileUrl, PreviewUrl, SerialUrl, TcpUrl, UsbUrl


@pytest.mark.parametrize(
    ("url", "parsed"),
    [
        ("tcp://10.0.0.7:9100", TcpUrl("10.0.0.7", 9100)),
        ("tcp://kitchen-printer.local", TcpUrl("kitchen-printer.local", 9100)),
        ("TCP://[::1]:9101?status=off", TcpUrl("::1", 9101, status=False)),
        ("serial:///dev/ttyUSB0?baud=115200", SerialUrl("/dev/ttyUSB0", 115200)),
        ("serial://COM3?baud=38400&flow=rtscts", SerialUrl("COM3", 38400, "rtscts")),
        ("serial://loop://?baud=9600", SerialUrl("loop://", 9600, status=False)),
        ("serial://socket://127.0.0.1:7000", SerialUrl("socket://127.0.0.1:7000", 9600)),
        ("usb://04b8:0202", UsbUrl(0x04B8, 0x0202)),
        ("usb://0x0416:0x5011?status=on", UsbUrl(0x0416, 0x5011, status=True)),
        ("file:///dev/usb/lp0", FileUrl("/dev/usb/lp0")),
        ("preview:///srv/printouts", PreviewUrl("/srv/printouts")),
        ("preview://.makeline/printouts", PreviewUrl(".makeline/printouts")),
        ("dummy://", DummyUrl("default")),
        ("dummy://kitchen", DummyUrl("kitchen")),
    ],
)
def test_accepted_urls(url: str, parsed: object) -> None:
    assert parse_printer_url(url) == parsed


def test_addresses_for_messages() -> None:
    assert parse_printer_url("tcp://10.0.0.7").address == "10.0.0.7:9100"
    assert parse_printer_url("tcp://[::1]:9100").address == "[::1]:9100"
    assert parse_printer_url("usb://4b8:202").address == "USB 04b8:0202"


def test_unknown_scheme_names_the_accepted_ones() -> None:
    with pytest.raises(BadPrinterUrl) as caught:
        parse_printer_url("ipp://10.0.0.7/printers/kitchen")
    message = str(caught.value)
    for scheme in ("tcp://", "serial://", "usb://", "file://", "dummy://"):
        assert scheme in message
    assert "'ipp://10.0.0.7/printers/kitchen'" in message


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("10.0.0.7:9100", "start it with one of"),
        ("tcp://", "needs a host"),
        ("tcp://10.0.0.7:99999", "bad port"),
        ("tcp://10.0.0.7:9100/queue", "needs a host and port only"),
        ("tcp://10.0.0.7?speed=fast", "unknown option 'speed'"),
        ("tcp://10.0.0.7?status=maybe", "status must be on or off"),
        ("serial:///dev/ttyUSB0?baud=12345", "Baud rate '12345'.*not a standard rate.*115200"),
        ("serial:///dev/ttyUSB0?baud=fast", "Baud rate 'fast'"),
        ("serial://?baud=9600", "names no serial port"),
        ("serial:///dev/ttyS0?flow=yes", "flow must be one of"),
        ("usb://epson", "vendor and product ids"),
        ("file://printers/lp0", "absolute path"),
    ],
)
def test_bad_urls_say_what_to_fix(url: str, says: str) -> None:
    with pytest.raises(BadPrinterUrl, match=says):
        parse_printer_url(url)


def test_a_relative_preview_folder_is_saved_as_an_absolute_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert absolute_url("preview://printouts/kitchen") == f"preview://{tmp_path}/printouts/kitchen"
    assert absolute_url(" tcp://10.0.0.7 ") == "tcp://10.0.0.7"
    with pytest.raises(BadPrinterUrl, match="names no folder"):
        absolute_url("preview://")
