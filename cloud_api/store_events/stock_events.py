"""A store's stock events recorded as the cloud's stock movements: `stock.count`,
`stock.receipt`, `stock.waste` and `stock.usage` (`store_db.services`).

A batch's stock events share one look at the catalog and one locked read of the store's
stock rows, and their movements go out in one statement (before a count, which reads the
movements recorded after its moment)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from cloud_api.inventory import repository as stock
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


def _movement(event: StockEvent) -> tuple[str, str]:
    if isinstance(event, StockCounted):
        return "count", event.count_id
    if isinstance(event, StockReceived):
        return "received", event.receipt_id
    if isinstance(event, StockWaste):
        return "waste", event.waste_id
    return "usage", event.usage_id


class StockBatch:
    """The stock events of one batch of a store's events."""

    def __init__(self, session: Session, store_id: str, events: Sequence[StockEvent], at: datetime) -> None:
        self.session, self.store_id = session, store_id
        codes = {line.code for event in events for line in event.lines}
        self.known = stock.known_codes(session, codes)
        self.rows = stock.stock_rows(session, store_id, self.known, at)
        self.movements: list[dict[str, object]] = []

    def record(self, event: StockEvent, seq: int) -> bool:
        """Record one stock movement from its lines. Only head office adds items to the
        chain's catalog: lines of items it does not have are set aside
        (`unknown_stock_item`) for head office to decide on; the rest is recorded as usual."""
        movement, reference = _movement(event)
        reference = reference[:60]
        found = lines(event.lines, event.stock_items)
        unknown = [line for line in found if line.code not in self.known]
        if unknown:
            stock.quarantine(self.session, self.store_id, event.kind, reference, unknown, event.at)
        known = [line for line in found if line.code in self.known]
        if not known:
            return True
        self.movements += stock.movement_rows(self.store_id, movement, known, reference, event.at)
        if movement == "count":
            self.finish()
        stock.apply_lines(self.session, self.store_id, self.rows, movement, known, event.at, seq)
        return True

    def finish(self) -> None:
        """Write the movements recorded so far, in one statement."""
        stock.insert_movements(self.session, self.movements)
        self.movements = []
