"""What a person types on the count screen: a quantity for the selected line, or an item code
and a quantity for any line of the count ("pepperoni 3 bag + 12 oz").

A quantity always starts with a digit, a point or a sign, so a first word that starts
with a letter names the item. Whether the quantity is right for that item (its units,
not negative) is the store's rule (`makeline.trade.units`), checked when it is saved.
"""

from __future__ import annotations

from dataclasses import dataclass

from terminal.errors import CountEntryError


@dataclass(frozen=True)
class CountEntry:
    code: str | None  # None: the selected line
    quantity: str


def read_entry(text: str) -> CountEntry:
    typed = " ".join(text.split())
    if not typed:
        raise CountEntryError("Type what is on the shelf, e.g. 2 case + 3 bag (0 when there is none).")
    if not typed[0].isalpha():
        return CountEntry(None, typed)
    code, _, quantity = typed.partition(" ")
    if not quantity:
        raise CountEntryError(
            f"'{code}' needs a quantity after it, e.g. {code.lower()} 2 case + 3 bag; "
            "or type just the quantity for the selected line."
        )
    return CountEntry(code.lower(), quantity)
