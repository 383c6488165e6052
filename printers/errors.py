"""The printing error tree. Every message names the printer and says what to do.

    PrinterError
    ├── BadPrinterConfig          refused before anything was sent; retrying will not help
    │   ├── BadPrinterUrl         an unknown scheme, a bad host, port, baud rate or USB id
    │   ├── UnknownProfile        a paper profile other than 80mm / 58mm
    │   ├── PrinterSupportMissing a driver this machine lacks (pyusb for usb://)
    │   └── BadDocument           a print job whose saved document cannot be read back
    ├── QueueAlreadyRunning       another agent already prints for this store
    └── PrinterFault              the printer itself is not taking tickets; retry later
        ├── PrinterUnreachable    no connection (switched off, unplugged, wrong address)
        ├── PrinterNotReady       connected, but its status says paper out / cover open / error
        ├── PrinterTimeout        connected, then stopped answering
        └── PrinterDisconnected   the printer closed the connection during a ticket

A `PrinterFault` carries the printer's name and address, whether bytes of the ticket may
already have reached paper (`partial`), and, once the queue knows it, how many tickets wait.
"""

from __future__ import annotations

from typing import Self, TypeVar


class PrinterError(Exception):
    """Base of every error `printers` raises on purpose."""


class BadPrinterConfig(PrinterError):
    """The printer's configuration is wrong; nothing was sent."""


class BadPrinterUrl(BadPrinterConfig):
    pass


class UnknownProfile(BadPrinterConfig):
    pass


class PrinterSupportMissing(BadPrinterConfig):
    pass


class BadDocument(BadPrinterConfig):
    pass


class QueueAlreadyRunning(PrinterError):
    """A second print queue on one store would print what the first is sending."""


def _tickets(waiting: int) -> str:
    return "1 ticket is waiting" if waiting == 1 else f"{waiting} tickets are waiting"


class PrinterFault(PrinterError):
    """A printer that cannot take a ticket right now. Safe to retry.

    `partial` is True when some bytes of the ticket were already sent, so part of it may
    have printed: a retry should say REPRINT on the ticket.
    """

    problem = "is not taking tickets"
    remedy = "check the printer"
    back = "when it is back"
    remedy_with_queue = False  # a manager must act (paper, cover) even when tickets wait

    def __init__(
        self,
        address: str,
        detail: str = "",
        *,
        printer: str = "",
        partial: bool = False,
        waiting: int | None = None,
    ) -> None:
        self.address = address
        self.detail = detail
        self.printer = printer
        self.partial = partial
        self.waiting = waiting
        super().__init__(str(self))

    def __str__(self) -> str:
        who = f"'{self.printer}' at {self.address}" if self.printer else f"at {self.address}"
        text = f"Printer {who} {self.problem}"
        if self.detail:
            text += f" ({self.detail})"
        if self.waiting:
            if self.remedy_with_queue:
                text += f"; {self.remedy}"
            return f"{text}; {_tickets(self.waiting)} and will print {self.back}"
        return f"{text}; {self.remedy}"

    def for_queue(self, printer: str, waiting: int | None = None) -> Self:
        """The same fault, named for printer `printer` with `waiting` tickets behind it."""
        return _restore(type(self), {**vars(self), "printer": printer or self.printer, "waiting": waiting})

    def __reduce__(self) -> tuple[object, tuple[type[Self], dict[str, object]]]:
        return (_restore, (type(self), dict(vars(self))))


F = TypeVar("F", bound=PrinterFault)


def _restore(cls: type[F], state: dict[str, object]) -> F:
    fault = cls.__new__(cls)
    vars(fault).update(state)
    Exception.__init__(fault, str(fault))
    return fault


class PrinterUnreachable(PrinterFault):
    problem = "is not answering"
    remedy = "check that it is switched on and connected, and that its address is right"


class PrinterNotReady(PrinterFault):
    """The printer answered, and its real-time status says it cannot print."""

    problem = "is not ready"
    remedy = "check the printer"
    back = "when it is ready"
    remedy_with_queue = True

    def __init__(
        self,
        address: str,
        problem: str,
        remedy: str,
        *,
        printer: str = "",
        partial: bool = False,
        waiting: int | None = None,
    ) -> None:
        self.problem = problem
        self.remedy = remedy
        super().__init__(address, printer=printer, partial=partial, waiting=waiting)


class PrinterTimeout(PrinterFault):
    problem = "stopped answering"
    remedy = "switch it off and on again; the ticket will be sent again"


class PrinterDisconnected(PrinterFault):
    problem = "dropped the connection during a ticket"
    remedy = "check its cable or network; the ticket will be sent again"
