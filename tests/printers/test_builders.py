"""Kitchen tickets and receipts built from orders placed through the store's service."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from printers.builders import document_for, kitchen_ticket, receipt, split_changes
from printers.decode import decode
from printers.documents import KitchenTicket, Receipt
from printers.errors import BadDocument
from printers.layout import render
from store_db.db import StoreDB
from store_db.models import Order, SyncState
from store_db.rules.pricing import ItemRequest
from tests.printers.store_orders import HALF_AND_HALF, online, place, walk_in


@pytest.mark.parametrize(
    ("changes", "whole", "left", "right"),
    [
        (["NO ONIONS", "EXTRA CHEESE"], ["NO ONIONS", "EXTRA CHEESE"], [], []),
        (["ADD HAM (LEFT)", "ADD EXTRA OLIVES (RIGHT)"], [], ["ADD HAM"], ["ADD EXTRA OLIVES"]),
        # A recipe topping kept on one half only: the other half must say it goes without.
        (["NORMAL PEPPERONI (LEFT)"], [], ["PEPPERONI"], ["NO PEPPERONI"]),
        (["EXTRA PEPPERONI (RIGHT)"], [], ["NO PEPPERONI"], ["EXTRA PEPPERONI"]),
        (["THIN CRUST", "LIGHT SAUCE"], ["LIGHT SAUCE"], [], []),
    ],
)
def test_split_changes(changes: list[str], whole: list[str], left: list[str], right: list[str]) -> None:
    assert split_changes(changes) == (whole, left, right)


def test_kitchen_ticket_of_a_half_and_half_order(db: StoreDB) -> None:
    wings = ItemRequest(product="wings", size="8pc", notes="ranch")
    order_id, label = place(db, online(wings, HALF_AND_HALF, notes="Ring twice"))
    with db.read() as session:
        ticket = kitchen_ticket(session, order_id)
    assert ticket.order_label == label and ticket.zone == "America/Chicago"
    pizza, side = ticket.items
    assert (pizza.size, pizza.crust, pizza.product) == ('Large 14"', "Thin", "Pepperoni Pizza")
    assert (pizza.whole, pizza.left, pizza.right) == (
        ("EXTRA CHEESE",), ("PEPPERONI",), ("NO PEPPERONI", "ADD EXTRA MUSHROOMS"),
    )  # fmt: skip
    assert (side.product, side.notes) == ("Buffalo Wings 8 piece", "ranch")
    out = decode(render(ticket))
    texts = out.texts
    left, right = texts.index("LEFT HALF"), texts.index("RIGHT HALF")
    assert texts[left + 1] == "PEPPERONI"
    assert texts[right + 1 : right + 3] == ["NO PEPPERONI", "ADD EXTRA MUSHROOMS"]
    assert out.line("LEFT HALF").inverse and out.line(label).wide
    assert texts[0] == label and texts[1] == "CARRYOUT"
    printed = [t for t in texts if t]
    assert printed[-1] == "ORDER NOTE: Ring twice" and "NOTE: well done" in texts


def test_receipt_with_cash_and_change(db: StoreDB) -> None:
    order_id, label = place(db, walk_in(HALF_AND_HALF, cash=10_000))
    with db.read() as session:
        doc = receipt(session, order_id)
        order = session.get(Order, order_id)
    assert order is not None
    assert doc.store.name == "makeline Oak Park"
    assert doc.store.address == ("1040 W Lake St", "Oak Park, IL 60301")
    assert (doc.subtotal, doc.tax, doc.total) == (order.subtotal, order.tax, order.total)
    assert [(t.kind, t.amount) for t in doc.tenders] == [("Cash", 10_000)]
    assert doc.change == 10_000 - order.total
    assert doc.tracking_url == f"makeline://order/{order_id}"
    (line,) = doc.lines
    assert line.description == 'Large 14" Pepperoni Pizza'
    assert "LEFT: PEPPERONI" in line.details and "RIGHT: ADD EXTRA MUSHROOMS" in line.details
    out = decode(render(doc))
    assert out.qr_codes == [doc.tracking_url] and label in out.texts


def test_receipt_qr_points_at_the_cloud_tracker_once_enrolled(db: StoreDB) -> None:
    order_id, _ = place(db, walk_in())
    with db.write() as session:
        session.merge(SyncState(id=1, cloud_url="https://cloud.example.com/", enrolled_at=datetime.now(UTC)))
    with db.read() as session:
        doc = receipt(session, order_id)
    assert doc.tracking_url == f"https://cloud.example.com/track/{order_id}"


def test_document_for_reads_a_payload_or_builds_from_the_order(db: StoreDB) -> None:
    order_id, _ = place(db, online())
    with db.read() as session:
        assert isinstance(document_for(session, "kitchen", order_id, {}), KitchenTicket)
        assert isinstance(document_for(session, "receipt", order_id, {}), Receipt)
        with pytest.raises(BadDocument, match="a run-sheet cannot be built from 'run-7'"):
            document_for(session, "run-sheet", "run-7", {})
        with pytest.raises(BadDocument, match="is not in this store's database"):
            document_for(session, "kitchen", "gone", {})
