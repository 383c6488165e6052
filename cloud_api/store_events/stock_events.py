"""A store's stock events recorded as the cloud's stock movements: `stock.count`,
`stock.receipt`, `stock.waste` and `stock.usage` (`store_db.services`).

A batch's stock events share one look at the catalog and one locked read of the store's
stock rows, held as plain rows (no ORM bookkeeping per line); their movements go out in one
statement and the orders' usage in another, a row an order (before a count, which reads what
was recorded after its moment), and what they changed in the stock rows in one more."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import cast

from sqlalchemy import Table, TextClause
from sqlalchemy.orm import Session

from cloud_api.db.records import Written, document
from cloud_api.inventory import repository as stock
from cloud_api.inventory import usage
from cloud_api.inventory.repository import StockRow
from cloud_api.inventory.terms import Line, Terms
from cloud_api.models import StoreStock
from cloud_api.store_events.ahead import Ahead
from sync.contract.events import ItemTerms, StockCounted, StockLine, StockReceived, StockUsage, StockWaste

StockEvent = StockCounted | StockReceived | StockWaste | StockUsage


# An item's terms as the store told them, by what it told (the same in every event of a batch),
# keyed by the values the terms are made of: each event's told terms are objects of their own,
# and hashing and comparing the model whole was 6 % of applying an evening.
Told = dict[tuple[str, str, Decimal, Decimal, int], Terms]


def _terms(line: StockLine, told: ItemTerms | None, known: Told) -> Terms:
    if told is None:  # the store did not say: units by name only
        return Terms(line.unit, line.count_unit, None, None, None)
    key = (told.base_unit, told.count_unit, told.count_size, told.purchase_size, told.cost_cents_per_purchase)
    terms = known.get(key)
    if terms is None:
        terms = known[key] = Terms(*key)  # the key is the terms' values, in their order
    return terms


def lines(found: Sequence[StockLine], stock_items: Mapping[str, ItemTerms], known: Told) -> list[Line]:
    """The event's lines with their items' terms (`known`: the terms met before, kept by the batch)."""
    result = []
    for line in found:
        terms = _terms(line, stock_items.get(line.code), known)
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


_FIELDS = tuple(StockRow.__annotations__)


class StockBatch:
    """The stock events of one batch of a store's events."""

    def __init__(self, session: Session, store_id: str, events: Sequence[StockEvent], at: datetime) -> None:
        self.session, self.store_id = session, store_id
        codes = {line.code for event in events for line in event.lines}
        self.known = stock.known_codes(session, codes)
        self.written = Written(cast(Table, StoreStock.__table__), ("store_id", "code"), _FIELDS)
        self.rows: dict[str, StockRow] = {}
        for values in stock.stock_values(session, store_id, self.known, at, _FIELDS):
            row = StockRow()
            row.__dict__.update(zip(_FIELDS, values, strict=True))
            self.rows[row.code] = row
            self.written.seen(row)
        self.movements: list[dict[str, object]] = []
        self.usages: list[dict[str, object]] = []
        self.told: Told = {}

    def record(self, event: StockEvent, seq: int) -> bool:
        """Record one stock movement from its lines. Only head office adds items to the
        chain's catalog: lines of items it does not have are set aside
        (`unknown_stock_item`) for head office to decide on; the rest is recorded as usual."""
        movement, reference = _movement(event)
        reference = reference[:60]
        found = lines(event.lines, event.stock_items, self.told)
        unknown = [line for line in found if line.code not in self.known]
        if unknown:
            stock.quarantine(self.session, self.store_id, event.kind, reference, unknown, event.at)
        known = [line for line in found if line.code in self.known]
        if not known:
            return True
        if movement == "usage":
            self.usages.append(usage.row(self.store_id, known, reference, event.at))
        else:
            self.movements += stock.movement_rows(self.store_id, movement, known, reference, event.at)
        if movement == "count":
            self.finish()
        stock.apply_lines(self.session, self.store_id, self.rows, movement, known, event.at, seq)
        return True

    def finish(self, ahead: Ahead | None = None) -> None:
        """Write the movements recorded so far, in one statement, and what they changed in the
        store's stock rows in one more (sent `ahead`, when given, without waiting)."""
        sent: list[tuple[TextClause, dict[str, str]]] = []
        if self.movements:
            sent.append((stock.INSERT_MOVEMENTS, {"rows": document(self.movements)}))
        if self.usages:
            sent.append((usage.INSERT, {"rows": document(self.usages)}))
        self.movements, self.usages = [], []
        found = self.written.changes(self.rows.values())
        if found is not None:
            statement, rows = found
            sent.append((statement, {"rows": rows}))
        for statement, params in sent:
            if ahead is not None:
                ahead.send(statement, params)
            else:
                self.session.connection().execute(statement, params)
        if found is not None:
            for mapped in [o for o in self.session.identity_map.values() if isinstance(o, StoreStock)]:
                self.session.expire(mapped)  # a mapped copy the caller holds reads them again
