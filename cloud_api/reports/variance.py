"""Food-cost variance, free of I/O: per item, opening count + received − closing count −
waste = actual usage; actual − ideal (recipes) = variance, in units and in money."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Move:
    code: str
    kind: str  # count, received, waste, usage
    quantity: Decimal
    cost_cents: int | None
    at: datetime


@dataclass(frozen=True)
class ItemVariance:
    code: str
    name: str
    unit: str
    opening: Decimal
    received: Decimal
    waste: Decimal
    closing: Decimal
    ideal: Decimal
    actual: Decimal
    variance: Decimal
    cost_cents: int
    variance_cents: int
    ideal_cents: int
    actual_cents: int


def _cents(quantity: Decimal, cost: int) -> int:
    return int((quantity * cost).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def variance(
    moves: list[Move],
    opened_at: dict[str, datetime],
    start: datetime,
    end: datetime,
    catalog: dict[str, tuple[str, str, int]],
) -> list[ItemVariance]:
    """Items with an opening and a closing count in the period, most money lost first.

    The period opens at each item's last count at or before `start` (else its first
    count after it) and closes at its last count before `end`; what happened after
    the opening count and up to the closing count is in between.
    """
    by_code: dict[str, list[Move]] = defaultdict(list)
    for move in moves:
        by_code[move.code].append(move)
    found: list[ItemVariance] = []
    for code, item_moves in by_code.items():
        counts = [m for m in item_moves if m.kind == "count"]
        open_at = opened_at.get(code) or next((m.at for m in counts if m.at >= start), None)
        opening = next((m for m in reversed(counts) if m.at == open_at), None)
        closing = next((m for m in reversed(counts) if open_at is not None and open_at < m.at < end), None)
        if opening is None or closing is None:
            continue
        between = [m for m in item_moves if opening.at < m.at <= closing.at]
        total = {
            k: sum((m.quantity for m in between if m.kind == k), Decimal(0))
            for k in ("received", "waste", "usage")
        }
        actual = opening.quantity + total["received"] - closing.quantity - total["waste"]
        drift = actual - total["usage"]
        name, unit, catalog_cost = catalog.get(code, (code, "each", 0))
        costs = [m.cost_cents for m in item_moves if m.cost_cents is not None and m.at <= closing.at]
        cost = costs[-1] if costs else catalog_cost
        found.append(
            ItemVariance(
                code=code,
                name=name,
                unit=unit,
                opening=opening.quantity,
                received=total["received"],
                waste=total["waste"],
                closing=closing.quantity,
                ideal=total["usage"],
                actual=actual,
                variance=drift,
                cost_cents=cost,
                variance_cents=_cents(drift, cost),
                ideal_cents=_cents(total["usage"], cost),
                actual_cents=_cents(actual, cost),
            )
        )
    return sorted(found, key=lambda v: (-v.variance_cents, v.code))
