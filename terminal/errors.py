"""The terminal's error tree. Messages say what the person at the screen should do.

TerminalError
├── ItemLineError      the counter could not read a typed item line
│   └── ItemLineQuestion  it could, but it probably means something else: asks, with the line retyped
├── CountEntryError    the count screen could not read a typed count
├── DeliveryEntryError an amount of money or a list of orders the delivery screens cannot read
├── NotAllowed         the logged-in role may not open that screen
└── BadTerminalOption  a command-line option the terminal cannot use
"""

from __future__ import annotations


class TerminalError(Exception):
    """Base of every error `terminal` raises on purpose."""


class ItemLineError(TerminalError):
    """A typed item line names no product, an unknown size or topping, or is ambiguous."""


class ItemLineQuestion(ItemLineError):
    """A line that probably means something else (a topping named twice); `retyped` is that line."""

    def __init__(self, message: str, retyped: str) -> None:
        super().__init__(message)
        self.retyped = retyped


class CountEntryError(TerminalError):
    """A typed count line is empty, or names an item with no quantity."""


class DeliveryEntryError(TerminalError):
    """A typed amount of cash, tip or starting bank, or a list of order numbers, that makes no sense."""


class NotAllowed(TerminalError):
    """A screen the logged-in staff member's role does not open."""


class BadTerminalOption(TerminalError):
    """A screen name, port or poll interval the terminal cannot use."""
