"""Connections by URL deliver exact bytes, and every way a printer fails is a clear error."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from printers.decode import decode
from printers.errors import (
    BadPrinterUrl,
    PrinterDisconnected,
    PrinterFault,
    PrinterNotReady,
    PrinterSupportMissing,
    PrinterTimeout,
    PrinterUnreachable,
    UnknownProfile,
)
from printers.layout import render
from printers.send import print_now
from printers.transports import Timeouts, connection_for, deliver, dummy_printer
from printers.transports.serial_port import SerialConnection
from printers.transports.status import PrinterStatus
from tests.printers import samples
from tests.printers.conftest import FAST, PATIENT
from tests.printers.fake_printer import FakePrinter

TICKET = render(samples.ticket())


def send(url: str, data: bytes = TICKET, timeouts: Timeouts = PATIENT) -> None:
    """Deliver `data`; a printer that answers is given all the time it needs (`PATIENT`), and
    the tests of a hung one pass `FAST`."""
    deliver(connection_for(url, printer="kitchen", timeouts=timeouts), data, timeout=30)


def test_tcp_delivers_the_exact_bytes_one_connection_per_job(fake: FakePrinter) -> None:
    receipt = render(samples.receipt())
    send(fake.url)
    send(fake.url, receipt)
    assert fake.jobs() == [TICKET, receipt]
    # asked before sending (is there paper?) and after (did it read everything?)
    assert [s.status_requests for s in fake.sessions] == [6, 6]
    assert decode(fake.jobs()[0]).line("#1042").wide


def test_tcp_large_job_arrives_whole(fake: FakePrinter) -> None:
    many = samples.ticket(items=samples.ticket().items * 400)
    data = render(many)
    assert len(data) > 200_000  # many reads on the printer side
    send(fake.url, data)
    assert fake.jobs() == [data]


def test_status_off_sends_no_status_requests(fake: FakePrinter) -> None:
    send(fake.url + "?status=off")
    # nothing confirms the read: deliver returned when the bytes left this computer
    fake.wait_for(lambda: fake.jobs() == [TICKET])
    assert fake.sessions[0].status_requests == 0


def test_status_reads_the_paper_sensor(fake: FakePrinter) -> None:
    connection = connection_for(fake.url, timeouts=PATIENT)
    connection.open()
    try:
        assert connection.status() == PrinterStatus()
        fake.paper_out()
        out = connection.status()
        assert out is not None and out.paper_out and not out.online and not out.ready
        fake.paper_in()
        assert connection.status() == PrinterStatus()
    finally:
        connection.close()


def test_switched_off_printer_is_unreachable(fake: FakePrinter) -> None:
    fake.refuse()
    with pytest.raises(PrinterUnreachable) as caught:
        send(fake.url)
    assert not caught.value.partial
    assert str(caught.value).startswith(f"Printer 'kitchen' at 127.0.0.1:{fake.port} is not answering")
    assert "connection refused" in str(caught.value)
    fake.listen()
    send(fake.url)
    assert fake.jobs() == [TICKET]


def test_paper_out_refuses_before_sending_a_byte(fake: FakePrinter) -> None:
    fake.paper_out()
    with pytest.raises(PrinterNotReady, match="is out of paper; load a new roll") as caught:
        send(fake.url)
    assert not caught.value.partial
    assert fake.jobs() == []


def test_printer_that_accepts_and_never_reads_times_out_with_nothing_sent(fake: FakePrinter) -> None:
    fake.hang()
    with pytest.raises(PrinterTimeout, match=r"no status answer within 0\.5 s") as caught:
        send(fake.url, timeouts=FAST)
    assert not caught.value.partial, "nothing was sent: a retry is not a reprint"
    assert "status=off" in str(caught.value)
    assert fake.jobs() == []


def test_printer_that_hangs_mid_job_times_out_as_partial(fake: FakePrinter) -> None:
    fake.hang(after=200)
    with pytest.raises(PrinterTimeout) as caught:
        send(fake.url, timeouts=FAST)
    assert caught.value.partial
    assert fake.jobs() == [TICKET[:200]]


def test_printer_that_drops_the_connection_mid_job(fake: FakePrinter) -> None:
    fake.close_after(300)
    with pytest.raises(PrinterFault) as caught:
        send(fake.url)
    assert isinstance(caught.value, PrinterDisconnected)
    assert caught.value.partial
    assert fake.sessions[0].dropped and fake.jobs() == [TICKET[:300]]


def test_nothing_listening_on_the_port_is_unreachable() -> None:
    with FakePrinter() as gone:
        url = gone.url
    with pytest.raises(PrinterUnreachable, match="connection refused"):
        send(url)


def test_serial_through_pyserial_loop() -> None:
    connection = connection_for("serial://loop://?baud=115200", printer="bar", timeouts=FAST)
    assert isinstance(connection, SerialConnection)
    connection.open()
    try:
        connection.send(TICKET)
        assert connection.port.baudrate == 115200
        assert connection.port.read(len(TICKET)) == TICKET  # loop:// echoes what was written
        assert connection.status() is None  # an echo is not a status answer
    finally:
        connection.close()
    send("serial://loop://?baud=9600", timeouts=FAST)  # its echo is never a status answer


def test_serial_over_pyserial_socket_reaches_the_fake_printer(fake: FakePrinter) -> None:
    url = f"serial://socket://127.0.0.1:{fake.port}?baud=38400"
    send(url)
    assert fake.jobs() == [TICKET]
    fake.paper_out()
    with pytest.raises(PrinterNotReady, match="out of paper"):
        send(url)


def test_bad_baud_rate_is_refused_before_opening_anything() -> None:
    with pytest.raises(BadPrinterUrl, match="Baud rate '12345'"):
        connection_for("serial://loop://?baud=12345")


def test_missing_serial_device_is_unreachable() -> None:
    with pytest.raises(PrinterUnreachable, match="/dev/ttyNOPE0"):
        send("serial:///dev/ttyNOPE0?baud=9600")


def test_file_appends_each_job(tmp_path: Path) -> None:
    target = tmp_path / "lp0"
    send(f"file://{target}")
    send(f"file://{target}")
    assert target.read_bytes() == TICKET * 2
    assert decode(target.read_bytes()).cuts == 2
    with pytest.raises(PrinterUnreachable, match="No such file or directory"):
        send(f"file://{tmp_path}/missing/lp0")


def test_dummy_keeps_jobs_by_name() -> None:
    send("dummy://kitchen")
    assert dummy_printer("kitchen").jobs == [TICKET]
    assert dummy_printer("bar").jobs == []
    dummy_printer("kitchen").status = PrinterStatus(online=False, cover_open=True)
    with pytest.raises(PrinterNotReady, match="has its cover open; close the cover"):
        send("dummy://kitchen")
    dummy_printer("kitchen").switched_off = True
    with pytest.raises(PrinterUnreachable):
        send("dummy://kitchen")
    assert dummy_printer("kitchen").jobs == [TICKET]


def test_usb_without_a_device_or_driver_is_a_clear_error() -> None:
    expected = PrinterUnreachable if importlib.util.find_spec("usb") else PrinterSupportMissing
    with pytest.raises(expected, match=r"pyusb|not plugged in"):
        send("usb://04b8:0202")


def test_print_now_sends_a_test_page_or_says_why_not(fake: FakePrinter) -> None:
    page = samples.page()
    assert print_now(page, fake.url, profile="58mm", printer="kitchen", timeouts=PATIENT) == len(
        fake.jobs()[0]
    )
    assert decode(fake.jobs()[0]).qr_codes == ["makeline test kitchen"]
    with pytest.raises(BadPrinterUrl, match="start it with one of"):
        print_now(page, "lpt1", printer="kitchen")
    with pytest.raises(UnknownProfile, match="use one of: 80mm, 58mm"):
        print_now(page, fake.url, profile="76mm")
    fake.refuse()
    with pytest.raises(PrinterUnreachable, match=r"Printer 'kitchen' at 127\.0\.0\.1"):
        print_now(page, fake.url, printer="kitchen", timeouts=FAST)
    assert len(fake.jobs()) == 1
