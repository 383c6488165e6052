"""A chunk's stock events applied on plain rows of the store's stock (one read, one write)
give what one event at a time on mapped rows gives: the same chain of counts, receipts,
waste and usage (late ones among them, a price change, an item the catalog does not have)
applied to two stores, once as a set and once one by one (forced by an order at the end of
the chunk that cannot be stored), leaves the same stock rows and movements."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from fastapi import FastAPI
from sqlalchemy import text

from cloud_api.db.base import utcnow
from cloud_api.store_events.schemas import Outcome
from cloud_api.store_events.service import apply_store_events
from sync.contract.events import (
    CountedLine,
    ItemTerms,
    ReceivedLine,
    StockCounted,
    StockLine,
    StockReceived,
    StockUsage,
    StockWaste,
)

from .helpers import ctx, demo_store_id, evanston, event, store_order_payload


def _terms(cost: int) -> dict[str, ItemTerms]:
    return {
        code: ItemTerms(
            base_unit="oz",
            count_unit="lb",
            count_size=Decimal(16),
            purchase_unit="case",
            purchase_size=Decimal(160),
            cost_cents_per_purchase=cost,
        )
        for code in ("mozzarella", "pepperoni")
    }


def _line(code: str, quantity: str) -> dict[str, Any]:
    amount = Decimal(quantity)
    return {
        "code": code,
        "name": code.title(),
        "quantity": amount,
        "unit": "oz",
        "count_quantity": amount / 16,
        "count_unit": "lb",
        "cost_cents": 1,
        "cost_cents_per_count_unit": 350,
    }


def _chain(start: datetime) -> list[Any]:
    def at(minutes: float) -> datetime:
        return start + timedelta(minutes=minutes)

    def usage(minutes: float, *lines: dict[str, Any]) -> StockUsage:
        return StockUsage(
            usage_id=str(uuid.uuid4()),
            order_id=str(uuid.uuid4()),
            number=7,
            business_date=start.date(),
            movement="made",
            at=at(minutes),
            lines=[StockLine(**line) for line in lines],
            cost_cents=1,
            stock_items=_terms(5600),
        )

    def count(minutes: float, mozzarella: str, finalised: float) -> StockCounted:
        return StockCounted(
            count_id=str(uuid.uuid4()),
            count_kind="daily",
            at=at(minutes),
            finalised_at=at(finalised),
            lines=[CountedLine(**_line("mozzarella", mozzarella), counted=Decimal(mozzarella))],
            value_cents=1,
            stock_items=_terms(5600),
        )

    received = StockReceived(
        receipt_id=str(uuid.uuid4()),
        supplier="Sysco",
        at=at(20),
        lines=[
            ReceivedLine(
                **_line("mozzarella", "160"),
                line_no=1,
                invoiced=Decimal(1),
                invoiced_unit="case",
                purchase_unit="case",
                cost_cents_per_purchase=6100,
            )
        ],
        total_cents=6100,
        stock_items=_terms(6100),  # a price change
    )
    waste = StockWaste(
        waste_id=str(uuid.uuid4()),
        at=at(25),
        reason="dropped",
        lines=[StockLine(**_line("pepperoni", "3.5"))],
        cost_cents=1,
        stock_items=_terms(6100),
    )
    return [
        count(0, "640", 0),
        usage(5, _line("mozzarella", "12.5"), _line("pepperoni", "4")),
        usage(-5, _line("mozzarella", "6")),  # before the count: already in it
        received,
        usage(22, _line("mozzarella", "7.25"), _line("anchovy-paste", "1")),  # not in the catalog
        waste,
        count(10, "600", 30),  # a count of an earlier moment, finalised after the receipt
        usage(31, _line("mozzarella", "9")),
    ]


_STOCK = (
    "SELECT code, on_hand, cost_cents, last_count, last_count_at, updated_at, base_unit, count_unit, "
    "count_size, purchase_size, cost_cents_per_purchase, priced_seq - :first AS priced FROM store_stock "
    "WHERE store_id = :store ORDER BY code"
)
_MOVEMENTS = (
    "SELECT code, kind, quantity, cost_cents, at FROM stock_movement WHERE store_id = :store "
    "UNION ALL SELECT u.code, 'usage', u.quantity, u.cost_cents, s.at FROM stock_usage s "
    "CROSS JOIN LATERAL unnest(s.codes, s.quantities, s.costs) AS u (code, quantity, cost_cents) "
    "WHERE s.store_id = :store ORDER BY at, code, kind, quantity"
)


def test_stock_events_apply_the_same_on_plain_rows_as_on_mapped_ones(app: FastAPI) -> None:
    start = utcnow().replace(microsecond=0) - timedelta(hours=2)
    as_set, one_by_one = demo_store_id(app), evanston(app)
    chain = _chain(start)
    events = [event(body.kind, body.payload(), seq=n, at=start) for n, body in enumerate(chain, start=1)]
    poison = event(
        "order.placed",
        store_order_payload(placed_at=start) | {"customer_name": "N" * 81},
        seq=len(events) + 1,
    )
    with ctx(app).db.transaction() as session:
        outcomes, _ = apply_store_events(session, as_set, events)
        reference, _ = apply_store_events(session, one_by_one, [*events, poison])
    assert reference[-1] is Outcome.QUARANTINED, "the reference went one event at a time"
    assert outcomes == reference[:-1] == [Outcome.APPLIED] * len(chain)
    with ctx(app).db.transaction() as session:

        def read(sql: str, store: str) -> list[tuple[Any, ...]]:
            return [tuple(r) for r in session.execute(text(sql), {"store": store, "first": 1})]

        assert read(_STOCK, as_set) == read(_STOCK, one_by_one)
        assert read(_MOVEMENTS, as_set) == read(_MOVEMENTS, one_by_one)
        used = [r[2] for r in read(_MOVEMENTS, as_set) if r[1] == "usage"]
        assert sorted(used) == sorted(Decimal(q) for q in ("6", "12.5", "4", "7.25", "9")), "a line each"
        usage_rows = "SELECT count(*) FROM stock_usage WHERE store_id = :store"
        assert read(usage_rows, as_set) == read(usage_rows, one_by_one) == [(4,)], "a row an event"
        cheese = next(r for r in read(_STOCK, as_set) if r[0] == "mozzarella")
        # 600 at minute 10, then the receipt (+160) and the usage after it (-7.25, -9).
        assert cheese[1] == Decimal("743.75") and cheese[3] == Decimal(600)
        assert cheese[10] == 5600, "the price the last event in sequence told (the usage after the receipt)"
