"""Real-time printer status (ESC/POS DLE EOT n) and what it means for a manager.

Epson-class printers answer DLE EOT 1 (printer), 2 (offline cause) and 4 (paper sensor)
with one byte each, at once, even while they are busy printing. Each answer byte has bits
1 and 4 set and bits 0 and 7 clear, which is how a real answer is told from noise.
"""

from __future__ import annotations

from dataclasses import dataclass

DLE_EOT = b"\x10\x04"
# Asked one at a time, each after the previous answer: three answers asked at once can sit
# behind the printer's Nagle delay and our delayed ACK (40 ms on Linux) on a network printer.
STATUS_QUERIES = (DLE_EOT + b"\x01", DLE_EOT + b"\x02", DLE_EOT + b"\x04")
STATUS_QUERY = b"".join(STATUS_QUERIES)
ANSWER_LENGTH = len(STATUS_QUERIES)

_OFFLINE = 0x08  # DLE EOT 1
_COVER_OPEN = 0x04  # DLE EOT 2
_PAPER_STOP = 0x20  # DLE EOT 2: printing stopped at paper end
_ERROR = 0x40  # DLE EOT 2
_PAPER_NEAR_END = 0x0C  # DLE EOT 4
_PAPER_END = 0x60  # DLE EOT 4


def is_status_byte(value: int) -> bool:
    return value & 0x93 == 0x12


@dataclass(frozen=True)
class PrinterStatus:
    online: bool = True
    cover_open: bool = False
    paper_out: bool = False
    paper_low: bool = False
    error: bool = False

    @property
    def ready(self) -> bool:
        return self.problem() is None

    def problem(self) -> tuple[str, str] | None:
        """What is wrong and what to do about it, or None when the printer can print."""
        if self.cover_open:
            return "has its cover open", "close the cover"
        if self.paper_out:
            return "is out of paper", "load a new roll"
        if self.error:
            return "reports an error", "clear any paper jam, then switch it off and on"
        if not self.online:
            return "is offline", "press its feed button or switch it off and on"
        return None

    def answer(self) -> bytes:
        """The three bytes a printer in this state answers to `STATUS_QUERY`."""
        first = 0x12 | (0 if self.online else _OFFLINE)
        second = 0x12 | (_COVER_OPEN if self.cover_open else 0)
        second |= (_PAPER_STOP if self.paper_out else 0) | (_ERROR if self.error else 0)
        fourth = 0x12 | (_PAPER_END if self.paper_out else 0)
        fourth |= _PAPER_NEAR_END if self.paper_low or self.paper_out else 0
        return bytes([first, second, fourth])


def parse_status(answer: bytes) -> PrinterStatus:
    """The status in the printer's answer to `STATUS_QUERY`; ValueError if it is not one."""
    if len(answer) != ANSWER_LENGTH or not all(is_status_byte(b) for b in answer):
        raise ValueError(f"not a status answer: {answer.hex(' ')}")
    first, second, fourth = answer
    return PrinterStatus(
        online=not first & _OFFLINE,
        cover_open=bool(second & _COVER_OPEN),
        paper_out=bool(second & _PAPER_STOP) or fourth & _PAPER_END == _PAPER_END,
        paper_low=bool(fourth & _PAPER_NEAR_END),
        error=bool(second & _ERROR),
    )
