"""ESC/POS bytes back into lines of text: what a ticket would show on paper.

Commands are skipped with their parameters, styles (bold, white on black, double width
and height, alignment) are kept on each line, code pages selected with ESC t are honoured,
QR payloads are read from GS ( k store-data commands and cuts are kept as markers. Used by
tests to check every layout, by `preview` to show a document on a screen, and by the
benchmark to check what a printer received. Unknown commands raise `UndecodableBytes`
rather than being guessed at.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, replace
from functools import cache
from typing import Literal

from printers.errors import PrinterError

ESC, GS, DLE, FS = 0x1B, 0x1D, 0x10, 0x1C

# ESC x: the number of parameter bytes that follow (fixed-length commands only).
_ESC_FIXED = {
    b"@": 0, b"!": 1, b"E": 1, b"-": 1, b"a": 1, b"t": 1, b"M": 1, b"G": 1, b"V": 1,
    b"{": 1, b"2": 0, b"3": 1, b"J": 1, b"d": 1, b"e": 1, b"R": 1, b" ": 1, b"U": 1,
    b"r": 1, b"p": 3, b"i": 0, b"m": 0, b"$": 2, b"\\": 2, b"c": 2, b"L": 0, b"S": 0,
    b"T": 1, b"W": 8, b"=": 1, b"%": 1, b"?": 1, b"B": 2,
}  # fmt: skip
_GS_FIXED = {
    b"!": 1, b"B": 1, b"L": 2, b"W": 2, b"H": 1, b"h": 1, b"w": 1, b"f": 1, b"b": 1,
    b"a": 1, b"r": 1, b"I": 1, b"P": 2, b"$": 2, b"\\": 2, b"E": 1,
}  # fmt: skip
_FS_FIXED = {b".": 0, b"&": 0, b"!": 1, b"-": 1, b"C": 1, b"p": 2}
_CUT_WITH_FEED = {65, 66, 97, 98, 103, 104}  # GS V m n
_ALIGN = {0: "left", 48: "left", 1: "center", 49: "center", 2: "right", 50: "right"}


class UndecodableBytes(PrinterError):
    pass


class _CutShort(UndecodableBytes):
    """The data ends inside a command."""


@dataclass(frozen=True)
class Line:
    """One printed line, a QR code or a cut, with the styles used on it."""

    text: str
    kind: Literal["text", "qr", "cut"] = "text"
    align: str = "left"
    bold: bool = False
    inverse: bool = False
    width_scale: int = 1
    height_scale: int = 1

    @property
    def width(self) -> int:
        """Columns taken on paper: double-width characters take two."""
        return len(self.text) * self.width_scale

    @property
    def wide(self) -> bool:
        return self.width_scale > 1

    @property
    def tall(self) -> bool:
        return self.height_scale > 1


@dataclass(frozen=True)
class Decoded:
    lines: tuple[Line, ...]

    @property
    def texts(self) -> list[str]:
        """The text lines, stripped: what a person reads."""
        return [line.text.strip() for line in self.lines if line.kind == "text"]

    @property
    def qr_codes(self) -> list[str]:
        return [line.text for line in self.lines if line.kind == "qr"]

    @property
    def cuts(self) -> int:
        return sum(1 for line in self.lines if line.kind == "cut")

    @property
    def ends_with_cut(self) -> bool:
        return bool(self.lines) and self.lines[-1].kind == "cut"

    def line(self, text: str) -> Line:
        """The first text line containing `text`; `LookupError` if none does."""
        for line in self.lines:
            if line.kind == "text" and text in line.text:
                return line
        raise LookupError(f"no line contains {text!r}")

    def index(self, text: str) -> int:
        """The position among `texts` of the first line containing `text`."""
        for i, line in enumerate(self.texts):
            if text in line:
                return i
        raise LookupError(f"no line contains {text!r}")

    def as_text(self, columns: int) -> str:
        """Plain text `columns` wide: white-on-black shown as [ … ], QR codes as [QR …]."""
        out: list[str] = []
        for line in self.lines:
            if line.kind == "cut":
                while out and not out[-1]:
                    out.pop()
                continue
            if line.kind == "qr":
                content = f"[QR {line.text}]"
            elif line.inverse:
                content = f"[{line.text}]"
            else:
                content = line.text.rstrip()
            if line.align == "center":
                content = content.strip().center(columns).rstrip()
            elif line.align == "right":
                content = content.strip().rjust(columns)
            out.append(content)
        return "\n".join(out) + "\n"


@cache
def _codecs() -> dict[int, str]:
    from escpos.capabilities import get_profile

    table: dict[int, str] = {}
    for number, name in get_profile("TM-T88V").codePages.items():
        try:
            table[int(number)] = codecs.lookup(name).name
        except LookupError:
            continue
    return table


@dataclass
class _Style:
    bold: bool = False
    inverse: bool = False
    width_scale: int = 1
    height_scale: int = 1
    align: str = "left"
    codepage: int = 0


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def take(self, count: int) -> bytes:
        if self.at + count > len(self.data):
            raise _CutShort(f"Command cut short at byte {self.at} of {len(self.data)}.")
        chunk = self.data[self.at : self.at + count]
        self.at += count
        return chunk

    def until_nul(self) -> bytes:
        end = self.data.find(b"\x00", self.at)
        if end < 0:
            raise _CutShort(f"Unterminated command at byte {self.at}.")
        chunk = self.data[self.at : end]
        self.at = end + 1
        return chunk


class _Decoder:
    def __init__(self) -> None:
        self.style = _Style()
        self.lines: list[Line] = []
        self.chars: list[str] = []
        self.line_style: Line | None = None  # styles seen on the line being built
        self.pending_qr = ""

    def char(self, ch: str) -> None:
        s = self.style
        seen = self.line_style or Line("", align=s.align)
        self.line_style = replace(
            seen,
            bold=seen.bold or s.bold,
            inverse=seen.inverse or s.inverse,
            width_scale=max(seen.width_scale, s.width_scale),
            height_scale=max(seen.height_scale, s.height_scale),
        )
        self.chars.append(ch)

    def newline(self) -> None:
        seen = self.line_style or Line("", align=self.style.align)
        self.lines.append(replace(seen, text="".join(self.chars)))
        self.chars, self.line_style = [], None

    def flush(self) -> None:
        if self.chars:
            self.newline()

    def marker(self, kind: Literal["qr", "cut"], text: str = "") -> None:
        self.flush()
        self.lines.append(Line(text, kind=kind, align=self.style.align))


def decode(data: bytes, *, partial: bool = False) -> Decoded:
    """The lines `data` would print. Raises `UndecodableBytes` on an unknown command.

    `partial`: `data` is the start of a job that was cut off (a printer that hung or
    dropped the connection), so a command cut short at the end is dropped, not an error.
    """
    d = _Decoder()
    r = _Reader(data)
    try:
        _read(d, r)
    except _CutShort:
        if not partial:
            raise
    d.flush()
    return Decoded(tuple(d.lines))


def _read(d: _Decoder, r: _Reader) -> None:
    pages = _codecs()
    while r.at < len(r.data):
        byte = r.take(1)[0]
        if byte == ESC:
            _esc(d, r)
        elif byte == GS:
            _gs(d, r)
        elif byte == DLE:
            _dle(r)
        elif byte == FS:
            _fs(r)
        elif byte == 0x0A:
            d.newline()
        elif byte == 0x09:
            d.char(" ")
            while len(d.chars) % 8:
                d.char(" ")
        elif byte in (0x00, 0x0D, 0x0C):
            continue
        elif byte < 0x20:
            raise UndecodableBytes(f"Unknown control byte 0x{byte:02x} at byte {r.at - 1}.")
        elif byte < 0x80:
            d.char(chr(byte))
        else:
            codec = pages.get(d.style.codepage, "cp437")
            d.char(bytes([byte]).decode(codec, errors="replace"))


def _esc(d: _Decoder, r: _Reader) -> None:
    op = r.take(1)
    if op == b"*":  # bit image: m nL nH, then columns of 1 or 3 bytes
        m, low, high = r.take(3)
        r.take((low + 256 * high) * (1 if m in (0, 1) else 3))
        return
    if op == b"D":  # tab stops, NUL terminated
        r.until_nul()
        return
    if op not in _ESC_FIXED:
        raise UndecodableBytes(f"Unknown command ESC {op!r} at byte {r.at - 2}.")
    args = r.take(_ESC_FIXED[op])
    s = d.style
    if op == b"@":
        d.style = _Style()
    elif op == b"!":
        s.bold = bool(args[0] & 0x08)
        s.height_scale = 2 if args[0] & 0x10 else 1
        s.width_scale = 2 if args[0] & 0x20 else 1
    elif op == b"E":
        s.bold = bool(args[0] & 1)
    elif op == b"a":
        s.align = _ALIGN.get(args[0], "left")
    elif op == b"t":
        s.codepage = args[0]
    elif op == b"d":
        for _ in range(args[0]):
            d.newline()
    elif op == b"J":
        d.flush()
    elif op in (b"i", b"m"):
        d.marker("cut")


def _gs(d: _Decoder, r: _Reader) -> None:
    op = r.take(1)
    if op == b"(":  # GS ( fn pL pH data
        fn, low, high = r.take(3)
        body = r.take(low + 256 * high)
        if fn == ord("k") and body[:1] == b"1":
            _qr(d, body[1:])
        return
    if op == b"V":
        m = r.take(1)[0]
        if m in _CUT_WITH_FEED:
            r.take(1)
        d.marker("cut")
        return
    if op == b"k":  # barcode: m, then NUL-terminated data (m <= 6) or n + data
        m = r.take(1)[0]
        if m <= 6:
            r.until_nul()
        else:
            r.take(r.take(1)[0])
        return
    if op == b"v":  # raster image: GS v 0 m xL xH yL yH data
        _zero, _m, xl, xh, yl, yh = r.take(6)
        r.take((xl + 256 * xh) * (yl + 256 * yh))
        return
    if op == b"8":  # GS 8 L p1 p2 p3 p4 data
        r.take(1)
        size = int.from_bytes(r.take(4), "little")
        r.take(size)
        return
    if op not in _GS_FIXED:
        raise UndecodableBytes(f"Unknown command GS {op!r} at byte {r.at - 2}.")
    args = r.take(_GS_FIXED[op])
    if op == b"!":
        d.style.width_scale = (args[0] >> 4) + 1
        d.style.height_scale = (args[0] & 0x0F) + 1
    elif op == b"B":
        d.style.inverse = bool(args[0] & 1)


def _qr(d: _Decoder, body: bytes) -> None:
    fn = body[:1]
    if fn == b"P":  # store data: m (always 0x30), then the payload
        d.pending_qr = body[2:].decode("utf-8", errors="replace")
    elif fn == b"Q":  # print what was stored
        d.marker("qr", d.pending_qr)


def _dle(r: _Reader) -> None:
    op = r.take(1)
    if op == b"\x04":  # real-time status: DLE EOT n [a]
        if r.take(1)[0] in (7, 8):
            r.take(1)
    elif op == b"\x05":
        r.take(1)
    elif op == b"\x14":
        fn = r.take(1)[0]
        r.take({1: 2, 2: 2, 7: 1, 8: 7}.get(fn, 0))
    else:
        raise UndecodableBytes(f"Unknown command DLE {op!r} at byte {r.at - 2}.")


def _fs(r: _Reader) -> None:
    op = r.take(1)
    if op == b"(":
        _fn, low, high = r.take(3)
        r.take(low + 256 * high)
        return
    if op not in _FS_FIXED:
        raise UndecodableBytes(f"Unknown command FS {op!r} at byte {r.at - 2}.")
    r.take(_FS_FIXED[op])
