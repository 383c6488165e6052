"""Food-cost variance, free of I/O, by the store's own rule (`makeline.trade.variance`): per item,
opening count + received − closing count − waste = actual usage; actual − ideal (recipes) =
variance. Sums are exact in base units; counting units and money come last, at the item's
latest cost in that store, so each figure is the store's own to the cent."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from cloud_api.inventory.terms import Price

ZERO = Decimal(0)


@dataclass(frozen=True)
class Move:
    code: str
    kind: str  # count, received, waste, usage
    quantity: Decimal  # base units
    at: datetime


@dataclass(frozen=True)
class Item:
    """What an item is called and what it costs in one store."""

    name: str
    unit: str  # counting unit
    base_unit: str
    price: Price


@dataclass(frozen=True)
class ItemVariance:
    code: str
    item: Item
    opened_at: datetime
    closed_at: datetime
    opening: Decimal  # base units, like every quantity here
    received: Decimal
    waste: Decimal
    closing: Decimal
    ideal: Decimal
    actual: Decimal
    variance: Decimal

    def cents(self, base: Decimal) -> int:
        return self.item.price.value(base)

    @property
    def variance_cents(self) -> int:
        return self.cents(self.variance)

    def row(self) -> dict[str, object]:
        """The store's `makeline report variance --json` row: counting units as text, cents."""
        counted = self.item.price.counted
        return {
            "code": self.code,
            "name": self.item.name,
            "unit": self.item.unit,
            "ideal": str(counted(self.ideal)),
            "actual": str(counted(self.actual)),
            "variance": str(counted(self.variance)),
            "variance_cents": self.variance_cents,
            "opening": str(counted(self.opening)),
            "received": str(counted(self.received)),
            "waste": str(counted(self.waste)),
            "closing": str(counted(self.closing)),
            "ideal_cents": self.cents(self.ideal),
            "actual_cents": self.cents(self.actual),
            "waste_cents": self.cents(self.waste),
            "cost_cents": self.cents(self.item.price.count_size),
            "base_unit": self.item.base_unit,
            "variance_base": str(self.variance),
        }


@dataclass(frozen=True)
class FoodCostTotals:
    """One store's food cost in a period: its priced items between counts, each item's money
    rounded to the cent and then summed, and the net sales they are set against."""

    net_sales_cents: int
    items: int = 0
    ideal_cents: int = 0
    actual_cents: int = 0
    waste_cents: int = 0
    variance_cents: int = 0

    @classmethod
    def of(cls, rows: list[ItemVariance], net: int) -> FoodCostTotals:
        return cls(
            net_sales_cents=net,
            items=len(rows),
            ideal_cents=sum(r.cents(r.ideal) for r in rows),
            actual_cents=sum(r.cents(r.actual) for r in rows),
            waste_cents=sum(r.cents(r.waste) for r in rows),
            variance_cents=sum(r.variance_cents for r in rows),
        )


def variance(
    moves: list[Move],
    opened_at: dict[str, datetime],
    start: datetime,
    end: datetime,
    items: dict[str, Item],
) -> list[ItemVariance]:
    """Items with an opening and a closing count in the period, most money lost first.

    The period opens at each item's last count at or before `start` (else its first
    count after it) and closes at its last count before `end`. What happened after
    the opening count's moment and up to the closing count's (inclusive) is in between.
    Items whose cost the store has not told are left out.
    """
    by_code: dict[str, list[Move]] = defaultdict(list)
    for move in moves:
        by_code[move.code].append(move)
    found: list[ItemVariance] = []
    for code, item_moves in by_code.items():
        item = items.get(code)
        counts = [m for m in item_moves if m.kind == "count"]
        open_at = opened_at.get(code) or next((m.at for m in counts if m.at >= start), None)
        opening = next((m for m in reversed(counts) if m.at == open_at), None)
        closing = next((m for m in reversed(counts) if open_at is not None and open_at < m.at < end), None)
        if item is None or opening is None or closing is None:
            continue
        between = [m for m in item_moves if opening.at < m.at <= closing.at]
        total = {
            k: sum((m.quantity for m in between if m.kind == k), ZERO) for k in ("received", "waste", "usage")
        }
        actual = opening.quantity + total["received"] - closing.quantity - total["waste"]
        found.append(
            ItemVariance(
                code=code,
                item=item,
                opened_at=opening.at,
                closed_at=closing.at,
                opening=opening.quantity,
                received=total["received"],
                waste=total["waste"],
                closing=closing.quantity,
                ideal=total["usage"],
                actual=actual,
                variance=actual - total["usage"],
            )
        )
    # The store's order: most money lost, then most units, then by code.
    return sorted(found, key=lambda v: (-v.variance_cents, -abs(v.variance), v.code))
