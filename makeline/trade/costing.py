"""What stock is worth: cost per base unit, and the weighted-average rule for receipts. Pure.

Rule (documented in docs/inventory.md): a delivery received at a different
price moves the item's cost to the weighted average of what is on hand by
the books at its old cost and what was received at the invoice's cost. When
the books show nothing on hand (or less than nothing), the invoice's cost is
the new cost. Costs are kept per purchase unit, rounded half up to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


def round_cents(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def cost_per_base(cost_cents_per_purchase: int, purchase_size: Decimal) -> Decimal:
    """Cents per base unit (per oz, per dough ball)."""
    return Decimal(cost_cents_per_purchase) / purchase_size


@dataclass(frozen=True)
class Price:
    """An item's cost: cents per purchase unit of `purchase_size` base units."""

    cents_per_purchase: int
    purchase_size: Decimal

    def value(self, qty: Decimal) -> int:
        """What `qty` base units are worth, rounded half up to the cent (divided last, so exact)."""
        return round_cents(qty * self.cents_per_purchase / self.purchase_size)


def weighted_cost(
    on_hand: Decimal,
    cost_cents_per_purchase: int,
    purchase_size: Decimal,
    received: Decimal,
    received_cents: int,
) -> int:
    """The new cost per purchase unit after receiving `received` base units for `received_cents`."""
    if received <= 0:
        return cost_cents_per_purchase
    held = max(on_hand, Decimal(0))
    total = held * cost_per_base(cost_cents_per_purchase, purchase_size) + Decimal(received_cents)
    return round_cents(total / (held + received) * purchase_size)
