"""The order lifecycle: random sequences of transitions never reach an illegal state."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from makeline.trade.lifecycle import FINAL, Service, Stage, check_transition, next_stage, path
from store_db.db import StoreDB
from store_db.errors import IllegalTransition
from store_db.models import Order, OutboxEvent, Staff
from store_db.services import lifecycle
from store_db.services.orders import place_order
from tests.store.helpers import T0, carryout, delivery, fingerprint

STAMPS = [
    "placed_at",
    "made_at",
    "baked_at",
    "ready_at",
    "picked_up_at",
    "out_the_door_at",
    "delivered_at",
    "voided_at",
]


@given(st.sampled_from(list(Service)), st.lists(st.sampled_from(list(Stage)), max_size=12))
def test_pure_rules_only_follow_the_path(service: Service, attempts: list[Stage]) -> None:
    current = Stage.PLACED
    for target in attempts:
        try:
            check_transition(service, current, target)
        except IllegalTransition:
            continue
        if target is Stage.VOIDED:
            assert current not in FINAL and current is not Stage.OUT_THE_DOOR
        else:
            assert next_stage(service, current) is target
        current = target
    assert current in path(service) or current is Stage.VOIDED


def test_delivering_a_carryout_order_is_refused_by_name() -> None:
    with pytest.raises(IllegalTransition, match="carryout order; it cannot be delivered"):
        check_transition(Service.CARRYOUT, Stage.READY, Stage.DELIVERED, "Order #1001")


@settings(max_examples=25)
@given(
    service=st.sampled_from(["carryout", "delivery"]),
    steps=st.lists(
        st.tuples(st.sampled_from(list(Stage)), st.integers(min_value=-120, max_value=600)),
        min_size=1,
        max_size=10,
    ),
)
def test_random_transitions_on_a_real_database(
    db: StoreDB, service: str, steps: list[tuple[Stage, int]]
) -> None:
    with db.write() as session:
        request = carryout() if service == "carryout" else delivery()
        order_id = place_order(session, request, T0).id
        manager = session.scalars(select(Staff).where(Staff.role == "manager")).first()
        assert manager is not None
    at = T0
    for target, offset in steps:
        at = at + timedelta(seconds=offset)  # clocks may step back; stamps must not
        before = fingerprint(db)
        try:
            with db.write() as session:
                if target is Stage.VOIDED:
                    approver = session.get(Staff, manager.id)
                    assert approver is not None
                    lifecycle.void(session, order_id, "customer cancelled", approver, at)
                else:
                    lifecycle.advance(session, order_id, target, at)
        except IllegalTransition:
            assert fingerprint(db) == before, "a refused transition changed the database"
    with db.read() as session:
        order = session.get(Order, order_id)
        assert order is not None
        stamps = [getattr(order, s) for s in STAMPS if getattr(order, s) is not None]
        assert stamps == sorted(stamps), "stage timestamps went backwards"
        reached = [s for s in path(Service(order.service)) if getattr(order, f"{s.value}_at") is not None]
        assert reached == path(Service(order.service))[: len(reached)], "a stage was skipped"
        events = session.scalars(select(OutboxEvent).where(OutboxEvent.subject == order_id)).all()
        assert len(events) == len(reached) + (order.stage == "voided")  # placed + one per move


def test_repeated_bump_is_harmless_when_asked(db: StoreDB) -> None:
    with db.write() as session:
        order_id = place_order(session, carryout(), T0).id
        lifecycle.advance(session, order_id, Stage.MADE, T0 + timedelta(minutes=1))
    before = fingerprint(db)
    with db.write() as session:
        lifecycle.advance(session, order_id, Stage.MADE, T0 + timedelta(minutes=2), already_ok=True)
    assert fingerprint(db) == before


def test_a_drinks_only_order_goes_straight_to_the_rack(db: StoreDB) -> None:
    from makeline.trade.pricing import ItemRequest

    with db.write() as session:
        order = place_order(session, carryout(ItemRequest(product="cola", size="2l")), T0)
        assert order.stage == "ready"
        assert order.made_at == order.baked_at == order.ready_at == T0
