"""A sheet of receipt paper: styled lines, amounts in a right column, QR codes and the cut.

Layouts write through a `Sheet` onto any python-escpos printer object passed in (a
`Dummy` to collect bytes, or a real one); the sheet knows the paper's width in columns
and wraps, so no line ever runs past the edge. Text and native QR only: no images.
"""

from __future__ import annotations

import textwrap
from datetime import datetime
from functools import cache
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo

Align = Literal["left", "center", "right"]


class EscposPrinter(Protocol):
    """The part of python-escpos's `Escpos` that layouts use."""

    def set(self, **kwargs: Any) -> None: ...

    def text(self, txt: str) -> None: ...

    def qr(self, content: str, **kwargs: Any) -> None: ...

    def cut(self, mode: str = "FULL", feed: bool = True) -> None: ...

    def hw(self, hw: str) -> None: ...


# Code pages every Epson-class printer has: Latin (US, Western, Central European) and Cyrillic.
_CODE_PAGES = ("cp437", "cp1252", "cp852", "cp866")


@cache
def _fits_paper(ch: str) -> bool:
    if ord(ch) < 128:
        return True
    for page in _CODE_PAGES:
        try:
            ch.encode(page)
        except UnicodeEncodeError:
            continue
        return True
    return False


def printable(text: str) -> str:
    """`text` as the printer can show it: control bytes never reach the printer (a name or a
    note must not turn into a command: ESC, GS, DLE, FS and the C1 controls are dropped, as are
    invisible direction overrides), and characters no code page has print as `?`. Every text
    of every document reaches the paper through this function (`Sheet.exact` and `wrap`)."""
    out = []
    for ch in text:
        if ch in "\t\n\r":
            out.append(" ")
        elif ch.isprintable():
            out.append(ch if _fits_paper(ch) else "?")
    return "".join(out)


def money(cents: int) -> str:
    """`$12.34`, `-$5.00`, `$1,234.50`."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}${whole:,}.{part:02d}"


def clock(at: datetime, zone: str) -> str:
    """`6:42 PM` in the store's zone."""
    local = at.astimezone(ZoneInfo(zone))
    hour = local.hour % 12 or 12
    return f"{hour}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"


def day(at: datetime, zone: str) -> str:
    """`Fri 24 Nov 2023` in the store's zone."""
    local = at.astimezone(ZoneInfo(zone))
    return f"{local:%a} {local.day} {local:%b %Y}"


def wrap(text: str, width: int, indent: int = 0) -> list[str]:
    """`text` in lines of at most `width` characters; continuation lines indented."""
    width = max(width, indent + 8)
    pad = " " * indent
    lines = textwrap.wrap(
        " ".join(printable(text).split()),
        width,
        initial_indent=pad,
        subsequent_indent=pad + "  " if indent else "",
        break_long_words=True,
        break_on_hyphens=False,
    )
    return lines or [""]


class Sheet:
    def __init__(self, printer: EscposPrinter, columns: int, qr_size: int = 6) -> None:
        self.p = printer
        self.columns = columns
        self.qr_size = qr_size

    def line(
        self,
        text: str = "",
        *,
        align: Align = "left",
        bold: bool = False,
        invert: bool = False,
        wide: bool = False,
        tall: bool = False,
        indent: int = 0,
    ) -> None:
        """`text` wrapped to the paper; `wide` doubles width (half the columns), `tall` height."""
        width = self.columns // 2 if wide else self.columns
        for part in wrap(text, width, indent):
            self.exact(part, align=align, bold=bold, invert=invert, wide=wide, tall=tall)

    def exact(
        self,
        text: str,
        *,
        align: Align = "left",
        bold: bool = False,
        invert: bool = False,
        wide: bool = False,
        tall: bool = False,
    ) -> None:
        """One line as given (spaces kept); the caller made it fit."""
        self.p.set(
            align=align,
            bold=bold,
            invert=invert,
            normal_textsize=True,
            double_width=wide,
            double_height=tall,
        )
        shown = printable(text)
        self.p.text(shown.rstrip() if not invert else shown)
        self.p.text("\n")
        if bold or invert or wide or tall or align != "left":
            self.p.set(bold=False, invert=False, normal_textsize=True, align="left")

    def heading(self, text: str, *, wide: bool = True) -> None:
        """A big, bold, centred line; falls back to tall only when too long to be wide."""
        fits = len(text) <= self.columns // 2
        self.line(text, align="center", bold=True, wide=wide and fits, tall=True)

    def banner(self, text: str) -> None:
        """White on black, bold and tall: impossible to miss (REPRINT, BACKUP, LEFT HALF)."""
        for part in wrap(text, self.columns - 2):
            self.exact(f" {part} ", align="center", bold=True, invert=True, tall=True)

    def pair(self, left: str, right: str, *, bold: bool = False, tall: bool = False) -> None:
        """`left` and `right` on one line, `right` flush with the edge; `left` wraps if long."""
        room = self.columns - len(right) - 1
        parts = wrap(left, room) if room >= 8 else [left]
        if room < 8 or len(parts[-1]) > room:
            for part in parts:
                self.line(part, bold=bold, tall=tall)
            self.line(right, align="right", bold=bold, tall=tall)
            return
        for part in parts[:-1]:
            self.line(part, bold=bold, tall=tall)
        last = parts[-1]
        self.exact(last + " " * (self.columns - len(last) - len(right)) + right, bold=bold, tall=tall)

    def rule(self, char: str = "-") -> None:
        self.line(char * self.columns)

    def blank(self) -> None:
        self.p.text("\n")

    def qr(self, payload: str) -> None:
        """A native QR code, centred (the printer draws it: no image is sent). The payload is
        cleaned like any text: a URL never carries a byte the printer could take as a command."""
        self.p.set(align="center")
        self.p.qr(printable(payload), native=True, size=self.qr_size)
        self.p.set(align="left")

    def cut(self) -> None:
        self.p.cut()


def marks(sheet: Sheet, reprint: bool, banner: str) -> None:
    """The queue's marks at the top of any document."""
    if banner:
        sheet.banner(banner)
    if reprint:
        sheet.banner("REPRINT")
    if banner or reprint:
        sheet.blank()
