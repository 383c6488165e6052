"""A store's stock events recorded as the cloud's stock movements: `stock.count`,
`stock.receipt`, `stock.waste` and `stock.usage` (`store_db.services`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.orm import Session

from cloud_api.inventory.service import record_movement
from cloud_api.inventory.terms import Line, Terms
from sync.contract.events import ItemTerms, StockCounted, StockLine, StockReceived, StockUsage, StockWaste

StockEvent = StockCounted | StockReceived | StockWaste | StockUsage


def _terms(line: StockLine, told: ItemTerms | None) -> Terms:
    if told is None:  # the store did not say: units by name only
        return Terms(line.unit, line.count_unit, None, None, None)
    return Terms(
        told.base_unit, told.count_unit, told.count_size, told.purchase_size, told.cost_cents_per_purchase
    )


def lines(found: Sequence[StockLine], stock_items: Mapping[str, ItemTerms]) -> list[Line]:
    result = []
    for line in found:
        terms = _terms(line, stock_items.get(line.code))
        result.append(
            Line(
                line.code,
                line.name or line.code,
                line.quantity,
                terms.count_unit,
                line.cost_cents,
                line.cost_cents_per_count_unit or terms.cost_per_count_unit(),
                terms,
            )
        )
    return result


def record(session: Session, store_id: str, event: StockEvent, seq: int) -> bool:
    if isinstance(event, StockCounted):
        movement, reference = "count", event.count_id
    elif isinstance(event, StockReceived):
        movement, reference = "received", event.receipt_id
    elif isinstance(event, StockWaste):
        movement, reference = "waste", event.waste_id
    else:
        movement, reference = "usage", event.usage_id
    found = lines(event.lines, event.stock_items)
    record_movement(session, store_id, event.kind, movement, found, reference, event.at, seq)
    return True
