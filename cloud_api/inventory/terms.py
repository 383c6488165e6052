"""A stock event's lines as the cloud reads them, and an item's terms in one store: the units
and cost that turn base units into counting units and money exactly as the store does. Pure.

The store sends quantities in base units (exact decimal text) and, in `stock_items`, each
item's counting and purchase sizes in base units and its cost per purchase unit. Money is
`quantity × cost per purchase ÷ purchase size`, rounded half up to the cent (divided last,
as the store does); counting units are `quantity ÷ count size`, four decimals, half up.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cached_property
from typing import Any, NamedTuple

PLACES = Decimal("0.0001")
ONE = Decimal(1)
# What each kind of movement does to stock on hand (a count sets it instead).
SIGN = {"received": ONE, "waste": -ONE, "usage": -ONE, "count": Decimal(0)}


def round_cents(value: Decimal) -> int:
    return int(value.quantize(ONE, rounding=ROUND_HALF_UP))


def quantity(value: Any) -> Decimal:
    try:
        found = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"'{value}' is not a quantity") from exc
    if not found.is_finite():
        raise ValueError(f"'{value}' is not a quantity")
    return found


def in_counting_units(base: Decimal, count_size: Decimal) -> Decimal:
    return (base / count_size).quantize(PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Price:
    """An item's cost in one store, and its counting unit, in base units."""

    count_size: Decimal
    purchase_size: Decimal
    cost_cents_per_purchase: int

    def value(self, base: Decimal) -> int:
        return round_cents(base * self.cost_cents_per_purchase / self.purchase_size)

    def counted(self, base: Decimal) -> Decimal:
        return in_counting_units(base, self.count_size)


@dataclass(frozen=True)
class Terms:
    """An item's units and cost as one event tells them; None where the event does not say."""

    base_unit: str
    count_unit: str
    count_size: Decimal | None
    purchase_size: Decimal | None
    cost_cents_per_purchase: int | None

    def price(self) -> Price | None:
        if self.count_size is None or self.purchase_size is None or self.cost_cents_per_purchase is None:
            return None
        return Price(self.count_size, self.purchase_size, self.cost_cents_per_purchase)

    def cost_per_count_unit(self) -> int | None:
        return self._cost_per_count_unit

    @cached_property
    def _cost_per_count_unit(self) -> int | None:
        # Worked out once: a batch's events hand the same terms to every line of the item.
        price = self.price()
        return None if price is None else price.value(price.count_size)


class Line(NamedTuple):
    """One line of a stock event as the cloud records it (a tuple: a batch builds thousands)."""

    code: str
    name: str
    quantity: Decimal  # base units
    count_unit: str
    cost_cents: int | None  # what the store says the line is worth
    cost_cents_per_count_unit: int | None
    terms: Terms
