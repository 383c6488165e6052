"""The cut table's quality check (a store setting, off by default): a boxed pizza cannot be
ready before it is passed; a send-back puts the ticket back on the make line, marked REMAKE,
and the remade pizza goes through the oven and the check again; each can be taken back for a
minute. Recalls on the oven and rack screens count toward the repeated-recall flag."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from makeline.trade.errors import BadInput
from makeline.trade.lifecycle import Stage
from makeline.trade.pricing import ItemRequest
from store_db.db import StoreDB
from store_db.errors import IllegalTransition
from store_db.models import KitchenTicket, Order, OutboxEvent
from store_db.queries.cut_table import cut_table
from store_db.queries.kitchen import load_tickets
from store_db.services import cut_table as cut_service
from store_db.services import kitchen, lifecycle, quality_check
from store_db.services.orders import place_order
from sync.contract.events import OrderChecked, OrderFlagged, parse_event
from tests.store.helpers import T0, carryout, fingerprint

PIZZA = ItemRequest(product="pepperoni", size="lg")


def checks(db: StoreDB, on: bool = True) -> None:
    with db.write() as session:
        quality_check.set_quality_check(session, on, T0)


def made_order(db: StoreDB) -> str:
    """A carryout pepperoni bumped off the make line at T0 + 60 s (out of the oven at 420 s)."""
    with db.write() as session:
        order_id = place_order(session, carryout(PIZZA), T0).id
    bump(db, order_id, T0 + timedelta(seconds=60))
    return order_id


def bump(db: StoreDB, order_id: str, at: datetime) -> None:
    with db.write() as session:
        kitchen.bump(session, ticket(session, order_id).id, at)


def ticket(session: Session, order_id: str) -> KitchenTicket:
    return session.scalars(select(KitchenTicket).where(KitchenTicket.order_id == order_id)).one()


def order(db: StoreDB, order_id: str) -> Order:
    with db.read() as session:
        found = session.get(Order, order_id)
        assert found is not None
        return found


def events(db: StoreDB, kind: str) -> list[OrderChecked | OrderFlagged]:
    with db.read() as session:
        rows = session.scalars(select(OutboxEvent).where(OutboxEvent.kind == kind).order_by(OutboxEvent.seq))
        parsed = [parse_event(row.kind, row.payload) for row in rows]
    return [e for e in parsed if isinstance(e, OrderChecked | OrderFlagged)]


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_off_by_default_boxing_puts_the_order_on_the_rack_as_before(db: StoreDB) -> None:
    order_id = made_order(db)
    with db.write() as session:
        boxed = cut_service.box(session, order_id, at(430))
    assert boxed.ready and not boxed.checking
    assert order(db, order_id).stage == "ready"
    assert events(db, "order.checked") == []


def test_with_the_check_on_a_boxed_pizza_cannot_be_ready_until_it_is_passed(db: StoreDB) -> None:
    checks(db)
    order_id = made_order(db)
    with db.write() as session:
        boxed = cut_service.box(session, order_id, at(430))
    assert boxed.checking and not boxed.ready
    assert order(db, order_id).stage == "baked"
    on_belt = made_order(db)
    with db.read() as session:
        waiting, belt = cut_table(session)
    # Waiting for the check comes first: a busy belt never pushes it off the screen.
    assert (waiting.order_id, waiting.checking, waiting.boxed) == (order_id, True, True)
    assert belt.order_id == on_belt and not belt.checking
    # Nothing moves it on: not a second box, not a lifecycle step from elsewhere.
    with db.write() as session:
        assert not cut_service.box(session, order_id, at(435)).ready
        assert not kitchen.finish_if_done(session, session.get(Order, order_id), at(435))  # type: ignore[arg-type]
    with db.write() as session:
        passed = quality_check.pass_check(session, order_id, at(440), "Kim")
    assert (passed.stage, passed.checked_at, passed.checked_by) == ("ready", at(440), "Kim")
    told = events(db, "order.checked")
    assert [(e.result, e.by) for e in told if isinstance(e, OrderChecked)] == [
        ("waiting", None),
        ("passed", "Kim"),
    ]
    with db.write() as session, pytest.raises(IllegalTransition, match="passed its check already"):
        quality_check.pass_check(session, order_id, at(445))


def test_a_send_back_remakes_the_pizza_through_the_make_line_oven_and_check(db: StoreDB) -> None:
    checks(db)
    order_id = made_order(db)
    with db.write() as session:
        cut_service.box(session, order_id, at(430))
    before = fingerprint(db)
    for reason in ("", "   ", "x" * 121, "burnt\x1b[31m"):
        with db.write() as session, pytest.raises(BadInput, match="why it must be made again"):
            quality_check.send_back(session, order_id, reason, at(440))
    assert fingerprint(db) == before
    with db.write() as session:
        quality_check.send_back(session, order_id, "  cheese   burnt ", at(440), "Kim")
    with db.read() as session:
        back = ticket(session, order_id)
        assert back.bumped_at is None and back.remake_reason == "cheese burnt"
        assert load_tickets(session, [back.id])[0].remake == "cheese burnt"
        (remaking,) = cut_table(session)
        assert remaking.remake == "cheese burnt" and not remaking.checking
    with db.write() as session, pytest.raises(IllegalTransition, match="made again"):
        cut_service.box(session, order_id, at(445))
    bump(db, order_id, at(500))  # the new pizza goes in the oven
    with db.read() as session:
        (on_belt,) = cut_table(session)
    assert on_belt.remade and on_belt.seconds_left(at(560)) == 300 and not on_belt.checking
    with db.write() as session:
        assert cut_service.box(session, order_id, at(860)).checking
        quality_check.pass_check(session, order_id, at(870))
    done = order(db, order_id)
    assert (done.stage, done.remakes, done.remade_at) == ("ready", 1, at(500))
    results = [e.result for e in events(db, "order.checked") if isinstance(e, OrderChecked)]
    assert results == ["waiting", "sent_back", "waiting", "passed"]


def test_a_pass_and_a_send_back_are_taken_back_for_a_minute_and_count_as_recalls(db: StoreDB) -> None:
    checks(db)
    order_id = made_order(db)
    with db.write() as session:
        cut_service.box(session, order_id, at(430))
        quality_check.pass_check(session, order_id, at(440))
    with db.write() as session:
        quality_check.undo_pass(session, order_id, at(450))
    back = order(db, order_id)
    assert (back.stage, back.checked_at, back.boxed_at) == ("baked", None, at(430))
    with db.write() as session:
        quality_check.send_back(session, order_id, "wrong half", at(460))
    with db.write() as session:
        quality_check.undo_send_back(session, order_id, at(470))
    with db.read() as session:
        assert ticket(session, order_id).bumped_at == at(60)
        (waiting,) = cut_table(session)
    assert waiting.checking
    flags = [e for e in events(db, "order.flagged") if isinstance(e, OrderFlagged)]
    assert [(f.flag, f.at) for f in flags] == [("repeated_recall", at(470))]
    with db.write() as session:
        quality_check.pass_check(session, order_id, at(480))
    with db.write() as session, pytest.raises(IllegalTransition, match="no longer be"):
        quality_check.undo_pass(session, order_id, at(480 + 61))


def test_recalls_on_the_oven_and_rack_screens_count_toward_the_repeated_recall_flag(db: StoreDB) -> None:
    order_id = made_order(db)
    with db.write() as session:
        cut_service.box(session, order_id, at(430))
        cut_service.unbox(session, order_id, Stage.BAKED, at(440))  # the cut table's undo
    assert events(db, "order.flagged") == []
    with db.write() as session:
        cut_service.box(session, order_id, at(450))
        lifecycle.advance(session, order_id, Stage.PICKED_UP, at(460))
        lifecycle.undo(session, order_id, Stage.READY, at(470))  # the rack's undo
    flags = [e for e in events(db, "order.flagged") if isinstance(e, OrderFlagged)]
    assert [(f.flag, f.at) for f in flags] == [("repeated_recall", at(470))]
    with db.write() as session:  # flagged once, not again
        lifecycle.advance(session, order_id, Stage.PICKED_UP, at(480))
        lifecycle.undo(session, order_id, Stage.READY, at(490))
    assert len(events(db, "order.flagged")) == 1
    assert order(db, order_id).recalls == 3


def test_a_make_line_recall_and_a_rack_recall_together_are_repeated(db: StoreDB) -> None:
    order_id = made_order(db)
    with db.write() as session:
        kitchen.recall(session, ticket(session, order_id).id, at(70))
    bump(db, order_id, at(80))
    with db.write() as session:
        cut_service.box(session, order_id, at(450))
        lifecycle.advance(session, order_id, Stage.PICKED_UP, at(460))
        lifecycle.undo(session, order_id, Stage.READY, at(470))
    assert len(events(db, "order.flagged")) == 1
