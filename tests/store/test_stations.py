"""A pizza's path (make → oven → cut) never waits for another station; the order is ready
when every station is done; undo within a minute, refused after."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from makeline.trade.lifecycle import Stage
from makeline.trade.pricing import ItemRequest
from store_db.db import StoreDB
from store_db.errors import IllegalTransition
from store_db.models import KitchenTicket, Order, OutboxEvent
from store_db.queries.cut_table import cut_table
from store_db.services import cut_table as cut_service
from store_db.services import kitchen, lifecycle
from store_db.services.orders import place_order
from tests.store.helpers import T0, carryout, fingerprint

PIZZA = ItemRequest(product="pepperoni", size="lg")
WINGS = ItemRequest(product="wings", size="8pc")
COLA = ItemRequest(product="cola", size="2l")


def sides_screen(db: StoreDB, on: bool) -> None:
    with db.write() as session:
        kitchen.set_sides_station(session, on, T0)


def place(db: StoreDB, *items: ItemRequest, at: datetime = T0) -> str:
    with db.write() as session:
        return place_order(session, carryout(*items), at).id


def order(db: StoreDB, order_id: str) -> Order:
    with db.read() as session:
        found = session.get(Order, order_id)
        assert found is not None
        return found


def bump(db: StoreDB, order_id: str, station: str, at: datetime) -> None:
    with db.write() as session:
        ticket = session.scalars(
            select(KitchenTicket).where(KitchenTicket.order_id == order_id, KitchenTicket.station == station)
        ).one()
        kitchen.bump(session, ticket.id, at)


def stations(db: StoreDB, order_id: str) -> list[str]:
    with db.read() as session:
        return sorted(
            session.scalars(select(KitchenTicket.station).where(KitchenTicket.order_id == order_id))
        )


def test_with_a_sides_screen_the_pizza_goes_in_the_oven_without_waiting_for_the_wings(db: StoreDB) -> None:
    sides_screen(db, True)
    first = place(db, PIZZA, WINGS)
    second = place(db, PIZZA, at=T0 + timedelta(seconds=10))
    assert stations(db, first) == ["makeline", "sides"]
    # The make line bumps the second order first: the belt follows the make line.
    bump(db, second, "makeline", T0 + timedelta(seconds=50))
    bump(db, first, "makeline", T0 + timedelta(seconds=70))
    assert order(db, first).stage == "made"  # in the oven, the wings still on the sides screen
    with db.read() as session:
        assert [o.order_id for o in cut_table(session)] == [second, first]
    with db.write() as session:
        boxed = cut_service.box(session, first, T0 + timedelta(seconds=500))
    assert not boxed.ready
    found = order(db, first)
    assert (found.stage, found.boxed_at) == ("baked", T0 + timedelta(seconds=500))
    assert found.baked_at == found.made_at + timedelta(seconds=360)  # type: ignore[operator]
    with db.read() as session:
        waiting = next(o for o in cut_table(session) if o.order_id == first)
    assert waiting.boxed and waiting.waiting_for == ("sides",)
    assert [o.order_id for o in cut_table(session)][-1] == first  # boxed ones go last
    bump(db, first, "sides", T0 + timedelta(seconds=520))
    found = order(db, first)
    assert (found.stage, found.ready_at) == ("ready", T0 + timedelta(seconds=520))


def test_sides_done_first_the_box_puts_the_order_on_the_rack(db: StoreDB) -> None:
    sides_screen(db, True)
    first = place(db, PIZZA, WINGS)
    bump(db, first, "sides", T0 + timedelta(seconds=30))
    assert order(db, first).stage == "placed"  # the pizza is not made yet
    bump(db, first, "makeline", T0 + timedelta(seconds=60))
    with db.write() as session:
        assert cut_service.box(session, first, T0 + timedelta(seconds=430)).ready
    assert order(db, first).stage == "ready"


def test_sides_alone_are_ready_when_the_sides_screen_bumps_them(db: StoreDB) -> None:
    sides_screen(db, True)
    wings = place(db, WINGS, COLA)
    assert stations(db, wings) == ["sides"]
    bump(db, wings, "sides", T0 + timedelta(seconds=200))
    found = order(db, wings)
    assert found.stage == "ready" and found.made_at == found.ready_at == T0 + timedelta(seconds=200)


def test_without_a_sides_screen_sides_are_bagged_at_the_cut_table(db: StoreDB) -> None:
    sides_screen(db, False)
    both = place(db, PIZZA, WINGS)
    alone = place(db, WINGS)
    assert stations(db, both) == ["makeline"] and stations(db, alone) == []
    assert order(db, alone).stage == "baked"  # at the cut table to be bagged, nothing to wait for
    bump(db, both, "makeline", T0 + timedelta(seconds=60))
    with db.read() as session:
        table = {o.order_id: o for o in cut_table(session)}
    assert [line.text() for line in table[both].lines] == ["1 LG Pepperoni Pizza", "1 8 piece Buffalo Wings"]
    assert table[alone].seconds_left(T0) == 0
    with db.write() as session:
        assert cut_service.box(session, both, T0 + timedelta(seconds=420)).ready
        assert cut_service.box(session, alone, T0 + timedelta(seconds=420)).ready
    assert order(db, both).stage == order(db, alone).stage == "ready"


def test_drinks_alone_are_on_the_rack_at_once(db: StoreDB) -> None:
    assert order(db, place(db, COLA)).stage == "ready"


def test_a_box_is_undone_within_a_minute_back_onto_the_belt(db: StoreDB) -> None:
    first = place(db, PIZZA)
    bump(db, first, "makeline", T0 + timedelta(seconds=60))
    boxed_at = T0 + timedelta(seconds=100)  # 5:20 left on the belt: the wrong key
    with db.write() as session:
        cut_service.box(session, first, boxed_at)
    with db.write() as session:
        cut_service.unbox(session, first, Stage.MADE, boxed_at + timedelta(seconds=59))
    found = order(db, first)
    assert (found.stage, found.baked_at, found.ready_at, found.boxed_at) == ("made", None, None, None)
    with db.read() as session:
        event = session.scalars(select(OutboxEvent).order_by(OutboxEvent.seq.desc())).first()
    assert event is not None and event.kind == "order.stage_undone"
    assert event.payload["stage"] == "ready" and event.payload["back_to"] == "made"
    # Boxed again later, at the right time: the stamps are the true ones.
    with db.write() as session:
        cut_service.box(session, first, T0 + timedelta(seconds=430))
    found = order(db, first)
    assert found.stage == "ready" and found.baked_at == T0 + timedelta(seconds=420)


def test_an_undo_after_the_minute_or_past_the_door_is_refused_and_changes_nothing(db: StoreDB) -> None:
    first = place(db, PIZZA)
    bump(db, first, "makeline", T0 + timedelta(seconds=60))
    with db.write() as session:
        cut_service.box(session, first, T0 + timedelta(seconds=430))
        lifecycle.advance(session, first, Stage.PICKED_UP, T0 + timedelta(seconds=500))
    before = fingerprint(db)
    for back_to, at, message in (
        (Stage.READY, T0 + timedelta(seconds=561), "more than 60 s ago"),
        (Stage.PLACED, T0 + timedelta(seconds=510), "cannot go back to placed"),
        (Stage.OUT_THE_DOOR, T0 + timedelta(seconds=510), "cannot go back"),
    ):
        with pytest.raises(IllegalTransition, match=message), db.write() as session:
            lifecycle.undo(session, first, back_to, at)
    assert fingerprint(db) == before
    with db.write() as session:
        lifecycle.undo(session, first, Stage.READY, T0 + timedelta(seconds=560))
    assert order(db, first).stage == "ready" and order(db, first).picked_up_at is None


def test_a_made_order_cannot_be_undone_to_placed_through_the_box(db: StoreDB) -> None:
    first = place(db, PIZZA)
    bump(db, first, "makeline", T0 + timedelta(seconds=60))
    with pytest.raises(IllegalTransition), db.write() as session:
        cut_service.unbox(session, first, Stage.MADE, T0 + timedelta(seconds=61))


def test_a_recalled_make_line_ticket_holds_a_boxed_order_until_it_is_bumped_again(db: StoreDB) -> None:
    first = place(db, PIZZA)
    bump(db, first, "makeline", T0 + timedelta(seconds=60))
    with db.write() as session:
        ticket = session.scalars(select(KitchenTicket).where(KitchenTicket.order_id == first)).one()
        kitchen.recall(session, ticket.id)
        boxed = cut_service.box(session, first, T0 + timedelta(seconds=430))
    assert not boxed.ready and order(db, first).stage == "baked"
    with db.read() as session:
        (waiting,) = [o for o in cut_table(session) if o.order_id == first]
    assert waiting.waiting_for == ("makeline",)
    bump(db, first, "makeline", T0 + timedelta(seconds=440))
    assert order(db, first).stage == "ready"
