"""Food-cost variance, food cost % of sales, the count's moment and suggested orders. Pure.

Per item, over the period between two counts:

    actual usage = opening count + received − closing count − recorded waste
    variance     = actual usage − ideal usage      (positive: more used than sold: money lost)

A count stands for the shelves at its moment (when it started). A line counted
later, while sales went on, is rolled back to that moment:

    on hand at the moment = counted + ideal usage + waste − received, each
                            between the moment and when the line was counted

so what was used after the count started belongs to the next period only.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from makeline.trade.costing import Price

ZERO = Decimal(0)


def on_hand_at_moment(counted: Decimal, used: Decimal, wasted: Decimal, received: Decimal) -> Decimal:
    """A line counted after the count's moment, rolled back to the moment."""
    return counted + used + wasted - received


def expected_on_hand(opening: Decimal, received: Decimal, wasted: Decimal, used: Decimal) -> Decimal:
    """On hand by the books: the last count, plus deliveries, minus waste and ideal usage."""
    return opening + received - wasted - used


def actual_usage(opening: Decimal, received: Decimal, closing: Decimal, wasted: Decimal) -> Decimal:
    return opening + received - closing - wasted


def suggested_order(on_hand: Decimal, par: Decimal, count_size: Decimal, purchase_size: Decimal) -> int:
    """Whole purchase units that bring `on_hand` (base) back up to `par` (counting units)."""
    short = par * count_size - on_hand
    if short <= 0:
        return 0
    return math.ceil(short / purchase_size)


@dataclass(frozen=True)
class ItemPeriod:
    """One item's movements over a period, in base units, and what it takes to value them."""

    code: str
    name: str
    count_unit: str
    count_size: Decimal  # base units in one counting unit
    price: Price
    opening: Decimal
    received: Decimal
    wasted: Decimal
    ideal: Decimal
    closing: Decimal


@dataclass(frozen=True)
class VarianceLine:
    period: ItemPeriod
    actual: Decimal
    variance: Decimal
    ideal_cents: int
    actual_cents: int
    waste_cents: int
    variance_cents: int

    @property
    def code(self) -> str:
        return self.period.code

    def in_count_units(self, base: Decimal) -> Decimal:
        return base / self.period.count_size


def variance_line(period: ItemPeriod) -> VarianceLine:
    actual = actual_usage(period.opening, period.received, period.closing, period.wasted)
    variance = actual - period.ideal
    value = period.price.value
    return VarianceLine(
        period=period,
        actual=actual,
        variance=variance,
        ideal_cents=value(period.ideal),
        actual_cents=value(actual),
        waste_cents=value(period.wasted),
        variance_cents=value(variance),
    )


def by_money_lost(lines: Iterable[VarianceLine]) -> list[VarianceLine]:
    """Largest loss first; then the largest in units, then by code, so the order is stable."""
    return sorted(lines, key=lambda v: (-v.variance_cents, -abs(v.variance), v.code))


@dataclass(frozen=True)
class FoodCost:
    net_sales_cents: int
    ideal_cents: int
    actual_cents: int
    waste_cents: int
    variance_cents: int
    ideal_pct: Decimal | None  # of net sales; None without sales
    actual_pct: Decimal | None
    variance_pct: Decimal | None  # points of sales the variance costs


def _pct(cents: int, sales: int) -> Decimal | None:
    if sales <= 0:
        return None
    return (Decimal(cents) * 100 / Decimal(sales)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def food_cost(lines: Iterable[VarianceLine], net_sales_cents: int) -> FoodCost:
    rows = list(lines)
    ideal = sum(v.ideal_cents for v in rows)
    actual = sum(v.actual_cents for v in rows)
    variance = sum(v.variance_cents for v in rows)
    return FoodCost(
        net_sales_cents=net_sales_cents,
        ideal_cents=ideal,
        actual_cents=actual,
        waste_cents=sum(v.waste_cents for v in rows),
        variance_cents=variance,
        ideal_pct=_pct(ideal, net_sales_cents),
        actual_pct=_pct(actual, net_sales_cents),
        variance_pct=_pct(variance, net_sales_cents),
    )
