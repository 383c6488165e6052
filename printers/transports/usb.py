"""USB printers through python-escpos's `Usb` printer (needs pyusb and libusb)."""

from __future__ import annotations

from typing import Any

from printers.errors import (
    PrinterDisconnected,
    PrinterSupportMissing,
    PrinterTimeout,
    PrinterUnreachable,
)
from printers.transports.base import DEFAULT_TIMEOUTS, Timeouts
from printers.transports.status import STATUS_QUERY, PrinterStatus, parse_status
from printers.transports.urls import UsbUrl


def usb_support() -> Any:
    """python-escpos's `Usb` class, or `PrinterSupportMissing` saying what to install."""
    from escpos.printer import Usb

    if not Usb.is_usable():
        raise PrinterSupportMissing(
            "USB printers need the pyusb package and libusb on this computer "
            "(pip install pyusb; apt-get install libusb-1.0-0); "
            "or connect the printer by network (tcp://) or serial."
        )
    return Usb


class UsbConnection:
    def __init__(self, url: UsbUrl, *, printer: str = "", timeouts: Timeouts = DEFAULT_TIMEOUTS) -> None:
        self.url = url
        self.address = url.address
        self.printer = printer
        self.timeouts = timeouts
        self._device: Any = None

    def open(self, timeout: float | None = None) -> None:
        usb = usb_support()
        from escpos.exceptions import DeviceNotFoundError, USBNotFoundError

        device = usb(self.url.vendor, self.url.product, timeout=int(self.timeouts.send * 1000))
        try:
            device.open(raise_not_found=True)
        except (DeviceNotFoundError, USBNotFoundError) as exc:
            detail = "not plugged in, or this user may not use it"
            raise PrinterUnreachable(self.address, detail, printer=self.printer) from exc
        self._device = device

    def send(self, data: bytes, timeout: float | None = None) -> None:
        import usb.core

        try:
            self._device._raw(data)
        except usb.core.USBTimeoutError as exc:
            raise PrinterTimeout(self.address, printer=self.printer, partial=True) from exc
        except usb.core.USBError as exc:
            raise PrinterDisconnected(self.address, str(exc), printer=self.printer, partial=True) from exc

    def status(self, timeout: float | None = None) -> PrinterStatus | None:
        if not self.url.status:
            return None
        import usb.core

        try:
            self._device._raw(STATUS_QUERY)
            answer = bytes(self._device._read())[:3]
        except usb.core.USBError as exc:
            raise PrinterTimeout(self.address, "no status answer", printer=self.printer) from exc
        try:
            return parse_status(answer)
        except ValueError as exc:
            detail = "no status answer; if this model reports none, add ?status=off"
            raise PrinterTimeout(self.address, detail, printer=self.printer) from exc

    def close(self) -> None:
        if self._device is not None:
            self._device.close()
            self._device = None
