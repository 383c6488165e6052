"""Kitchen tickets and receipts built from orders placed through the store's service."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from makeline.trade.lifecycle import Stage
from makeline.trade.pricing import ItemRequest
from makeline.trade.tracking import is_receipt_code, receipt_code
from printers.builders import document_for, kitchen_ticket, receipt, split_changes
from printers.decode import decode
from printers.documents import CashOutSlip, KitchenTicket, Receipt, RunSheet
from printers.errors import BadDocument
from printers.layout import render
from store_db.db import StoreDB
from store_db.models import Order, Staff, SyncState
from store_db.services import cash_out, drivers, lifecycle, runs
from store_db.services.orders import TenderRequest, place_order
from tests.printers.store_orders import HALF_AND_HALF, online, place, walk_in
from tests.store.helpers import T0, delivery


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
        session.merge(
            SyncState(
                id=1,
                cloud_url="https://cloud.example.com/",
                enrolled_at=datetime.now(UTC),
                device_token="mld_0193f0aa-1111-7000-8000-000000000001.s3cret",
            )
        )
    with db.read() as session:
        doc = receipt(session, order_id)
    # The code is the order's id signed with the hash of the store's credential, which the cloud keeps.
    code = receipt_code(hashlib.sha256(b"s3cret").hexdigest(), order_id)
    assert doc.tracking_url == f"https://cloud.example.com/track/{order_id}?code={code}"
    assert is_receipt_code(hashlib.sha256(b"s3cret").hexdigest(), order_id, code)
    assert not is_receipt_code(hashlib.sha256(b"other").hexdigest(), order_id, code)
    assert not is_receipt_code(hashlib.sha256(b"s3cret").hexdigest(), order_id + "0", code)


def test_document_for_reads_a_payload_or_builds_from_the_order(db: StoreDB) -> None:
    order_id, _ = place(db, online())
    with db.read() as session:
        assert isinstance(document_for(session, "kitchen", order_id, {}), KitchenTicket)
        assert isinstance(document_for(session, "receipt", order_id, {}), Receipt)
        with pytest.raises(BadDocument, match="a day-summary cannot be built from 'day-7'"):
            document_for(session, "day-summary", "day-7", {})
        with pytest.raises(BadDocument, match="is not in this store's database"):
            document_for(session, "kitchen", "gone", {})
        with pytest.raises(BadDocument, match="There is no delivery run run-7"):
            document_for(session, "run-sheet", "run-7", {})
        with pytest.raises(BadDocument, match="Cash-out gone is not in this store's database"):
            document_for(session, "cash-out", "gone", {})


def ready_delivery(db: StoreDB, line1: str, **extra: object) -> str:
    with db.write() as session:
        order = place_order(session, delivery(line1, **extra), T0)
        for stage in (Stage.MADE, Stage.BAKED, Stage.READY):
            lifecycle.advance(session, order.id, stage, T0 + timedelta(minutes=9))
        return order.id


def test_run_sheet_and_cash_out_slip_built_from_a_drivers_night(db: StoreDB) -> None:
    cash_id = ready_delivery(db, "500 N Oak Park Ave", notes="Side door")
    paid_id = ready_delivery(db, "900 N Oak Park Ave", tenders=[TenderRequest(kind="card")], tip=300)
    out = T0 + timedelta(minutes=10)
    with db.write() as session:
        sam = session.scalars(select(Staff).where(Staff.name == "Sam")).one()
        dana = session.scalars(select(Staff).where(Staff.name == "Dana")).one()
        drivers.clock_in(session, sam, T0, starting_bank=2000)
        run_id = runs.dispatch(
            session, sam, [runs.PlannedStop(cash_id), runs.PlannedStop(paid_id)], out, distance_m=6000
        ).id
    with db.read() as session:
        sheet = document_for(session, "run-sheet", run_id, {})
        orders = {o.id: o for o in session.scalars(select(Order))}
    assert isinstance(sheet, RunSheet)
    assert (sheet.driver, sheet.run_id, sheet.dispatched_at, sheet.zone) == (
        "Sam",
        "1",
        out,
        "America/Chicago",
    )
    first, second = sheet.stops
    assert (first.label, first.collect, first.amount) == (
        orders[cash_id].label,
        "cash",
        orders[cash_id].total,
    )
    assert first.address == ("500 N Oak Park Ave", "Oak Park") and first.phone == "(708) 555-0199"
    assert first.notes == "Side door"
    assert (second.label, second.collect) == (orders[paid_id].label, "paid")
    assert sheet.cash_to_collect == orders[cash_id].total
    texts = decode(render(sheet)).texts
    assert texts.index(f"1. {first.label} Pat Doe") < texts.index(f"2. {second.label} Pat Doe")
    assert "PAID - COLLECT NOTHING" in texts and "NOTE: Side door" in texts

    cash = orders[cash_id].total + 500
    with db.write() as session:
        back = out + timedelta(minutes=25)
        runs.mark_stop(session, run_id, cash_id, True, back, collected=cash)
        runs.mark_stop(session, run_id, paid_id, True, back)
        runs.checkout(session, run_id, cash, back)
        record_id = cash_out.cash_out(session, sam, dana, T0 + timedelta(hours=5)).id
    with db.read() as session:
        slip = document_for(session, "cash-out", record_id, {})
    assert isinstance(slip, CashOutSlip)
    assert (slip.driver, slip.store, slip.shift_start, slip.shift_end) == (
        "Sam", "makeline Oak Park", T0, T0 + timedelta(hours=5),
    )  # fmt: skip
    # 6 km at 25 cents; tips: 5.00 cash over the amount due and the 3.00 paid with the order
    assert (slip.starting_bank, slip.cash_collected, slip.tips, slip.mileage) == (2000, cash, 800, 150)
    assert slip.deliveries == 2
    assert slip.owed == slip.starting_bank + slip.cash_collected - slip.tips - slip.mileage
    texts = decode(render(slip)).texts
    assert "Driver signature" in texts and "Manager signature" in texts
    assert any(t.startswith("OWED TO STORE") for t in texts)
