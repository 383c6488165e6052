"""Printer errors read as one sentence a store manager can act on."""

from __future__ import annotations

from printers.errors import (
    PrinterError,
    PrinterFault,
    PrinterNotReady,
    PrinterTimeout,
    PrinterUnreachable,
)


def test_unreachable_printer_with_tickets_waiting() -> None:
    fault = PrinterUnreachable("10.0.0.7:9100", "connection refused")
    named = fault.for_queue("kitchen", waiting=3)
    assert str(named) == (
        "Printer 'kitchen' at 10.0.0.7:9100 is not answering (connection refused); "
        "3 tickets are waiting and will print when it is back"
    )
    assert named.args == (str(named),)
    assert str(fault).startswith("Printer at 10.0.0.7:9100 is not answering")  # unchanged
    assert "check that it is switched on" in str(fault)


def test_not_ready_says_what_to_do_even_with_a_queue() -> None:
    fault = PrinterNotReady("10.0.0.7:9100", "is out of paper", "load a new roll", printer="kitchen")
    assert str(fault) == "Printer 'kitchen' at 10.0.0.7:9100 is out of paper; load a new roll"
    assert str(fault.for_queue("kitchen", 1)) == (
        "Printer 'kitchen' at 10.0.0.7:9100 is out of paper; load a new roll; "
        "1 ticket is waiting and will print when it is ready"
    )


def test_faults_are_printer_errors_and_carry_partial() -> None:
    fault = PrinterTimeout("/dev/ttyUSB0 (9600 baud)", partial=True)
    assert isinstance(fault, PrinterFault) and isinstance(fault, PrinterError)
    assert fault.partial and fault.for_queue("bar").partial
