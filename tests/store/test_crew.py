"""The demo's simulated crew: it moves along an order nobody touched, one stage per step,
through the store's services, and leaves alone one a person is working."""

from __future__ import annotations

from datetime import timedelta

from makeline.demo.crew import Gaps, Move, Standing, crew_step, next_moves
from makeline.trade.lifecycle import Service, Stage
from store_db.db import StoreDB
from store_db.models import Order
from store_db.services import kitchen
from store_db.services.orders import place_order
from tests.store.helpers import T0, carryout, delivery

GAPS = Gaps(grace_s=120, oven_s=360, wait_s=300, drive_s=600)


def test_the_rule_waits_the_grace_plus_what_the_step_takes() -> None:
    made = Standing("b", 2, Service.DELIVERY, Stage.MADE, T0)
    placed = Standing("a", 1, Service.CARRYOUT, Stage.PLACED, T0)
    done = Standing("c", 3, Service.CARRYOUT, Stage.PICKED_UP, T0)
    at_2min = next_moves([made, placed, done], T0 + timedelta(seconds=120), GAPS)
    assert at_2min == [Move("a", 1, Stage.MADE)]  # the oven's belt still has the other
    at_8min = next_moves([made], T0 + timedelta(seconds=480), GAPS)
    assert at_8min == [Move("b", 2, Stage.BAKED)]


def test_a_crew_step_moves_an_untouched_order_and_leaves_a_worked_one(db: StoreDB) -> None:
    untouched = db.run(place_order, carryout(), T0)
    worked = db.run(place_order, delivery(), T0)
    held = db.run(place_order, carryout(scheduled_for=T0 + timedelta(hours=3)), T0)  # for later
    db.run(kitchen.bump_order, worked.id, T0 + timedelta(seconds=100))  # a person made it

    taken = crew_step(db, T0 + timedelta(seconds=125), GAPS)
    assert taken == [Move(untouched.id, untouched.number, Stage.MADE)]
    with db.read() as session:
        assert session.get(Order, untouched.id).stage == Stage.MADE  # type: ignore[union-attr]
        kept = session.get(Order, worked.id)
        assert kept is not None and (kept.stage, kept.baked_at) == (Stage.MADE, None)
        assert session.get(Order, held.id).stage == Stage.PLACED  # type: ignore[union-attr]

    # Left to itself, the crew carries both to the end, one stage per step.
    later = T0 + timedelta(seconds=125)
    for _ in range(8):
        later += timedelta(minutes=20)
        crew_step(db, later, GAPS)
    with db.read() as session:
        ends = {o.id: o.stage for o in (session.get(Order, untouched.id), session.get(Order, worked.id)) if o}
    assert ends == {untouched.id: Stage.PICKED_UP, worked.id: Stage.DELIVERED}
    assert crew_step(db, later + timedelta(hours=1), GAPS) == []
