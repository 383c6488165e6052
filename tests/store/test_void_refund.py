"""Voiding an order paid in cash hands the cash back on request; a kitchen that has the ticket
gets a void slip; a refund of cash that was never taken is refused and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from printers.configure import add_printer
from store_db.db import StoreDB
from store_db.errors import BadInput
from store_db.models import Order, OutboxEvent, PrintJob, Staff
from store_db.services import lifecycle
from store_db.services.orders import TenderRequest, place_order
from tests.store.helpers import T0, carryout, fingerprint


def place(db: StoreDB, kind: str) -> str:
    with db.write() as session:
        return place_order(session, carryout(tenders=[TenderRequest(kind=kind)]), T0).id


def manager(db: StoreDB) -> Staff:
    with db.read() as session:
        return session.scalars(select(Staff).where(Staff.role == "manager")).first()  # type: ignore[return-value]


def test_a_cash_refund_is_recorded_with_the_void_and_the_kitchen_gets_a_slip(db: StoreDB) -> None:
    add_printer(db, "kitchen", "dummy://kitchen", ["kitchen"])
    add_printer(db, "front", "dummy://front", ["receipt"])
    order_id = place(db, "cash")
    with db.write() as session:
        lifecycle.void(session, order_id, "wrong order", session.merge(manager(db)), T0, refund_cash=True)
    with db.read() as session:
        order = session.get(Order, order_id)
        assert order is not None and (order.stage, order.payment) == ("voided", "refunded")
        slips = session.scalars(select(PrintJob).where(PrintJob.document == "void")).all()
        assert [j.printer for j in slips] == ["kitchen"]  # where the kitchen ticket went, only
        event = session.scalars(select(OutboxEvent).where(OutboxEvent.kind == "order.voided")).one()
    assert event.payload["refunded_cash"] == order.total


def test_no_kitchen_ticket_printed_no_void_slip(db: StoreDB) -> None:
    order_id = place(db, "cash")  # no printer: nothing went to the kitchen on paper
    with db.write() as session:
        lifecycle.void(session, order_id, "wrong order", session.merge(manager(db)), T0)
    with db.read() as session:
        assert session.scalars(select(PrintJob).where(PrintJob.document == "void")).all() == []
        order = session.get(Order, order_id)
        assert order is not None and order.payment == "paid"  # not handed back unless asked


def test_refunding_cash_on_a_card_order_is_refused_and_changes_nothing(db: StoreDB) -> None:
    order_id = place(db, "card")
    before = fingerprint(db)
    with pytest.raises(BadInput, match="was not paid in cash"), db.write() as session:
        lifecycle.void(session, order_id, "wrong order", session.merge(manager(db)), T0, refund_cash=True)
    assert fingerprint(db) == before
