"""Allergy and special-care flags: a flagged ticket's bump is refused until someone says they
read it, and the acknowledgement is kept on the ticket and travels up with the bump event."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from makeline.trade.care import CareFlag, CareKind
from makeline.trade.pricing import ItemRequest
from store_db.db import StoreDB
from store_db.errors import BadInput, CareNotAcknowledged
from store_db.models import KitchenTicket, OutboxEvent
from store_db.queries.kitchen import open_tickets
from store_db.services import kitchen
from store_db.services.orders import place_order
from sync.contract.events import OrderPlaced, OrderStaged, parse_event
from tests.store.helpers import T0, carryout, fingerprint

FLAGGED = ItemRequest(
    product="pepperoni",
    size="lg",
    care=[CareFlag(kind=CareKind.ALLERGY, text="milk"), CareFlag(kind=CareKind.WELL_DONE)],
)


def _place(db: StoreDB, *items: ItemRequest) -> str:
    with db.write() as session:
        return place_order(session, carryout(*items), T0).id


def _ticket(db: StoreDB, order_id: str) -> KitchenTicket:
    with db.read() as session:
        return session.scalars(select(KitchenTicket).where(KitchenTicket.order_id == order_id)).one()


def _events(db: StoreDB, kind: str) -> list[dict[str, object]]:
    with db.read() as session:
        rows = session.scalars(select(OutboxEvent).where(OutboxEvent.kind == kind).order_by(OutboxEvent.seq))
        return [dict(row.payload) for row in rows]


def test_a_flagged_ticket_shows_its_flags_and_what_the_pizza_contains(db: StoreDB) -> None:
    order_id = _place(db, FLAGGED)
    with db.read() as session:
        (ticket,) = [t for t in open_tickets(session, "makeline") if t.order_id == order_id]
    assert ticket.care == ("ALLERGY: MILK", "WELL DONE", "CONTAINS MILK")
    placed = [OrderPlaced.model_validate(p) for p in _events(db, "order.placed")][-1]
    assert placed.v == 3
    assert placed.items[0].care == FLAGGED.care
    assert "milk" in placed.items[0].allergens and "gluten" in placed.items[0].allergens


def test_a_flagged_bump_is_refused_without_an_acknowledgement_and_changes_nothing(db: StoreDB) -> None:
    ticket_id = _ticket(db, _place(db, FLAGGED)).id
    before = fingerprint(db)
    with pytest.raises(CareNotAcknowledged, match=r"ALLERGY: MILK.*confirm who checked"):
        db.run(kitchen.bump, ticket_id, T0 + timedelta(minutes=2))
    for hostile in ("", "   ", "x" * 41, "Al\x1b[2Jex"):
        with pytest.raises(BadInput, match="who checked"):
            db.run(kitchen.bump, ticket_id, T0 + timedelta(minutes=2), ack_by=hostile)
    assert fingerprint(db) == before


def test_a_flagged_bump_records_who_and_when_and_sends_it_with_the_bump(db: StoreDB) -> None:
    order_id = _place(db, FLAGGED)
    ticket_id = _ticket(db, order_id).id
    at = T0 + timedelta(minutes=2)
    db.run(kitchen.bump, ticket_id, at, ack_by=" Ana R. ")
    ticket = _ticket(db, order_id)
    assert (ticket.care_ack_by, ticket.care_ack_at) == ("Ana R.", at)
    payload = [p for p in _events(db, "order.stage") if p["order_id"] == order_id][-1]
    staged = parse_event("order.stage", payload)
    assert isinstance(staged, OrderStaged) and staged.v == 2 and staged.care_ack is not None
    assert (staged.care_ack.by, staged.care_ack.at) == ("Ana R.", at)
    assert staged.care_ack.flags == ["ALLERGY: MILK", "WELL DONE", "CONTAINS MILK"]


def test_an_unflagged_order_needs_no_acknowledgement_and_stays_version_1(db: StoreDB) -> None:
    order_id = _place(db, ItemRequest(product="cheese", size="md"))
    db.run(kitchen.bump, _ticket(db, order_id).id, T0 + timedelta(minutes=2))
    assert _ticket(db, order_id).care_ack_by is None
    staged = [p for p in _events(db, "order.stage") if p["order_id"] == order_id][-1]
    assert staged["v"] == 1 and "care_ack" not in staged
