"""Receiving against an invoice (weighted-average cost) and waste, each with its outbox event."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from makeline.trade.pricing import ItemRequest
from store_db.db import StoreDB
from store_db.errors import BadInput, DuplicateInvoice, InvalidQuantity, UnknownItem, UnknownUnit
from store_db.models import InventoryItem, OrderLine, OutboxEvent, WasteEntry, WasteLine
from store_db.queries import stock_ledger as ledger
from store_db.services import stock_counts as counts
from store_db.services import waste
from store_db.services.receiving import ReceiptLineIn, receive
from tests.stock.helpers import CREW, T0, make
from tests.store.helpers import fingerprint

D = Decimal


def cost(db: StoreDB, code: str) -> int:
    with db.read() as session:
        item = session.get(InventoryItem, code)
        assert item is not None
        return item.cost_cents_per_purchase


def test_receiving_adds_stock_and_moves_cost_to_the_weighted_average(db: StoreDB) -> None:
    with db.write() as session:  # 2 cases of mozzarella on the shelf at $84.00 a case
        counts.record_count(
            session,
            "full",
            [(c, "0", None) for c in ledger.catalog(session) if c != "mozzarella"]
            + [("mozzarella", "2 case", None)],
            T0,
        )
    assert cost(db, "mozzarella") == 8400
    with db.write() as session:  # 3 cases at $90.00, and 10 lb loose for $20.00
        receive(
            session,
            [
                ReceiptLineIn("mozzarella", "3", None, 27000),
                ReceiptLineIn("mozzarella", "10", "lb", 2000),
            ],
            T0 + timedelta(hours=1),
            "Sysco",
            "INV-1001",
            CREW,
        )
    # (2 × 8400 + 27000 + 2000) / (960 + 1440 + 160 oz) × 480 oz = 8587.5 → 8588 a case
    assert cost(db, "mozzarella") == 8588
    with db.read() as session:
        held = ledger.on_hand(session, T0 + timedelta(hours=2), ["mozzarella"])
        assert held["mozzarella"] == D(2560)
        event = session.scalars(select(OutboxEvent).where(OutboxEvent.kind == "stock.receipt")).one()
        payload = event.payload
        assert (payload["supplier"], payload["invoice"], payload["total_cents"]) == (
            "Sysco",
            "INV-1001",
            29000,
        )
        first = payload["lines"][0]  # type: ignore[index]
        assert first["quantity"] == "1440" and first["unit"] == "oz" and first["invoiced"] == "3"
        assert first["cost_cents"] == 27000 and first["cost_cents_per_purchase"] == 8588


def test_receiving_with_nothing_on_the_books_takes_the_invoice_cost(db: StoreDB) -> None:
    with db.write() as session:
        receive(session, [ReceiptLineIn("pepperoni", "2", "case", 20000)], T0)
    assert cost(db, "pepperoni") == 10000


@pytest.mark.parametrize(
    ("line", "error", "words"),
    [
        (ReceiptLineIn("pepperoni", "-1", None, 9800), InvalidQuantity, "negative"),
        (ReceiptLineIn("pepperoni", "0", None, 0), InvalidQuantity, "more than 0"),
        (ReceiptLineIn("pepperoni", "1", "pallet", 9800), UnknownUnit, "'pallet'"),
        (ReceiptLineIn("pepperonni", "1", None, 9800), UnknownItem, "'pepperonni'"),
        (ReceiptLineIn("pepperoni", "one", None, 9800), InvalidQuantity, "not a number"),
        (ReceiptLineIn("pepperoni", "1", None, -5), InvalidQuantity, "cost cannot be negative"),
    ],
)
def test_refused_receipts_save_nothing(
    db: StoreDB, line: ReceiptLineIn, error: type[Exception], words: str
) -> None:
    before = fingerprint(db)
    with pytest.raises(error, match=words), db.write() as session:
        receive(session, [ReceiptLineIn("mozzarella", "1", None, 8400), line], T0, "Sysco", "INV-9")
    assert fingerprint(db) == before


def test_an_invoice_is_received_once(db: StoreDB) -> None:
    with db.write() as session:
        receive(session, [ReceiptLineIn("mozzarella", "1", None, 8400)], T0, "Sysco", "INV-7")
    before = fingerprint(db)
    with pytest.raises(DuplicateInvoice, match="already received"), db.write() as session:
        receive(session, [ReceiptLineIn("mozzarella", "1", None, 8400)], T0, "Sysco", "INV-7")
    assert fingerprint(db) == before


def test_waste_of_an_item_with_reason_and_who(db: StoreDB) -> None:
    with db.write() as session:
        entry = waste.waste_item(
            session, "dough_lg", "1 tray + 3 each", "expired", CREW, T0, note="dated Mon"
        )
    with db.read() as session:
        row = session.get(WasteEntry, entry.id)
        assert row is not None and row.reason == "expired" and row.note == "dated Mon"
        assert [(w.item, w.qty) for w in session.scalars(select(WasteLine))] == [("dough_lg", D(21))]
        assert row.cost_cents == 963  # 21 balls of a $33.00 case of 72
        event = session.scalars(select(OutboxEvent).where(OutboxEvent.kind == "stock.waste")).one()
        assert event.payload["reason"] == "expired" and event.payload["cost_cents"] == 963


def test_a_remake_records_the_waste_of_the_first_pizza(db: StoreDB) -> None:
    order_id = make(db, T0, ItemRequest(product="pepperoni", size="lg", quantity=2))
    with db.write() as session:
        line = session.scalars(select(OrderLine).where(OrderLine.order_id == order_id)).one()
        waste.remake(session, line.id, CREW, T0 + timedelta(minutes=8))
    with db.read() as session:
        entry = session.scalars(select(WasteEntry)).one()
        assert entry.reason == "remake" and entry.order_line_id == line.id
        assert "1 × Pepperoni" in entry.description
        wasted = {w.item: w.qty for w in session.scalars(select(WasteLine))}
        assert wasted == {
            "dough_lg": D(1),
            "cornmeal": D("0.25"),
            "box_lg": D(1),
            "pizza_sauce": D(5),
            "mozzarella": D(8),
            "pepperoni": D(2),
        }


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"reason": "lost"}, BadInput, "not a waste reason"),
        ({"entry": "-2"}, InvalidQuantity, "negative"),
        ({"entry": "0"}, InvalidQuantity, "more than 0"),
        ({"entry": "2 sacks"}, UnknownUnit, "sacks"),
        ({"code": "dough_xxl"}, UnknownItem, "dough_xxl"),
    ],
)
def test_refused_waste_saves_nothing(
    db: StoreDB, kwargs: dict[str, str], error: type[Exception], words: str
) -> None:
    args = {"code": "dough_lg", "entry": "2", "reason": "dropped"} | kwargs
    before = fingerprint(db)
    with pytest.raises(error, match=words), db.write() as session:
        waste.waste_item(session, args["code"], args["entry"], args["reason"], CREW, T0)
    assert fingerprint(db) == before
