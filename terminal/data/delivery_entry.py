"""What the delivery screens read from what people type: amounts of money and order lists.

Whether an amount is right (the cash covers what is due, the bank is under the store's
limit, the run fits the hot bag) is the store's rule, checked when it is saved.
"""

from __future__ import annotations

import re

from terminal.errors import DeliveryEntryError

_MONEY = re.compile(r"^\$?(\d{1,6})(?:\.(\d{0,2}))?$")


def read_cents(text: str, what: str, blank: int | None = None) -> int:
    """'20', '$20.5', '1,020.00' → cents. A blank entry is `blank` when given, else refused."""
    typed = text.strip().replace(",", "")
    if not typed and blank is not None:
        return blank
    match = _MONEY.match(typed)
    if match is None:
        shown = f"'{text.strip()}' is not an amount of money" if typed else "nothing was typed"
        raise DeliveryEntryError(f"{what}: {shown}; type it like 20 or 20.50.")
    whole, part = match.groups()
    return int(whole) * 100 + int((part or "").ljust(2, "0"))


def read_orders(text: str) -> list[str]:
    """'#1042 1045, #1047' → ['#1042', '#1045', '#1047'] (today's order numbers)."""
    refs = [ref.removeprefix("#") for ref in re.split(r"[\s,]+", text.strip()) if ref]
    if not refs:
        raise DeliveryEntryError("Type the orders for the run in stop order, e.g. #1042 1045.")
    for ref in refs:
        if not ref.isdigit():
            raise DeliveryEntryError(
                f"'{ref}' is not an order number; type today's numbers, e.g. #1042 1045."
            )
    return [f"#{ref}" for ref in refs]
