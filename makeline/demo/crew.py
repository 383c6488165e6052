"""The demo's simulated crew: kitchen hands and drivers for the orders nobody at the keyboard
touches, so the demo store keeps moving instead of piling up to an 80-minute promise.

An order is left alone while a person is working it: the crew moves an order one stage on
only when its current stage has stood for that stage's gap (`Gaps`, the grace period plus
what the step takes). A person who bumps, bakes, boxes or dispatches an order restarts its
clock, so the crew never races them. Every move goes through the store's own services
(`kitchen.bump_order`, `lifecycle.advance`), stamped with the `now` it is given; a move a
person made a moment earlier is skipped without a word.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, select

from makeline.trade.lifecycle import Service, Stage, path
from store_db.db import StoreDB
from store_db.errors import StoreError
from store_db.models import Order, Store, utcnow
from store_db.services import kitchen, lifecycle

GRACE_S = 120.0  # what a person at the keyboard gets before the crew takes an order on
EVERY_S = 5.0  # how often the crew looks
_DONE = (Stage.PICKED_UP.value, Stage.DELIVERED.value, Stage.VOIDED.value)


@dataclass(frozen=True)
class Gaps:
    """Seconds an order's current stage stands before the crew takes the next step."""

    grace_s: float = GRACE_S
    oven_s: float = 360.0  # the belt: nobody takes a pizza out sooner
    wait_s: float = 300.0  # a carryout customer walks in; a driver comes back for a run
    drive_s: float = 600.0  # a delivery on the road

    def before(self, target: Stage) -> timedelta:
        """How long the stage before `target` stands untouched before the crew moves it."""
        extra = {
            Stage.BAKED: self.oven_s,
            Stage.PICKED_UP: self.wait_s,
            Stage.OUT_THE_DOOR: self.wait_s,
            Stage.DELIVERED: self.drive_s,
        }.get(target, 0.0)
        return timedelta(seconds=self.grace_s + extra)


@dataclass(frozen=True)
class Standing:
    """An open order as the crew sees it: where it is and since when."""

    order_id: str
    number: int
    service: Service
    stage: Stage
    since: datetime  # the stamp of its current stage (a person's last step on it)


@dataclass(frozen=True)
class Move:
    order_id: str
    number: int
    target: Stage


def next_moves(orders: list[Standing], now: datetime, gaps: Gaps) -> list[Move]:
    """The steps the crew takes at `now`: each order untouched for its gap moves one stage."""
    moves = []
    for o in orders:
        stages = path(o.service)
        if o.stage not in stages or o.stage is stages[-1]:
            continue
        target = stages[stages.index(o.stage) + 1]
        if now - o.since >= gaps.before(target):
            moves.append(Move(o.order_id, o.number, target))
    return moves


def _since(order: Order) -> datetime:
    stamps = {
        Stage.PLACED.value: order.fired_at or order.placed_at,  # an order for later: since it fired
        Stage.MADE.value: order.made_at,
        Stage.BAKED.value: order.baked_at,
        Stage.READY.value: order.ready_at,
        Stage.OUT_THE_DOOR.value: order.out_the_door_at,
    }
    return stamps.get(order.stage) or order.placed_at


def standing(db: StoreDB) -> list[Standing]:
    with db.read() as session:
        held = and_(Order.scheduled_for.is_not(None), Order.fired_at.is_(None))  # not in the kitchen yet
        orders = session.scalars(select(Order).where(Order.stage.not_in(_DONE), ~held)).all()
        return [Standing(o.id, o.number, Service(o.service), Stage(o.stage), _since(o)) for o in orders]


def crew_step(db: StoreDB, now: datetime, gaps: Gaps) -> list[Move]:
    """Take the crew's steps at `now` through the store's services; returns those taken."""
    taken = []
    for move in next_moves(standing(db), now, gaps):
        try:
            if move.target is Stage.MADE:
                db.run(kitchen.bump_order, move.order_id, now)
            else:
                db.run(lifecycle.advance, move.order_id, move.target, now, already_ok=True)
        except StoreError:
            continue  # a person moved it (or voided it) a moment ago: theirs
        taken.append(move)
    return taken


def oven_gap(db: StoreDB, grace_s: float) -> Gaps:
    """The crew's gaps for this store (its oven's belt time)."""
    with db.read() as session:
        oven = session.scalars(select(Store.oven_s)).one()
    return Gaps(grace_s=grace_s, oven_s=float(oven))


def run_crew(
    db: StoreDB,
    grace_s: float = GRACE_S,
    every_s: float = EVERY_S,
    clock: Callable[[], datetime] = utcnow,
    sleep: Callable[[float], None] = time.sleep,
    say: Callable[[str], None] = print,
) -> None:
    """Keep the demo store moving until the process is stopped."""
    gaps = oven_gap(db, grace_s)
    say(f"The simulated crew takes on orders nobody touched for {grace_s:.0f} s.")
    while True:
        for move in crew_step(db, clock(), gaps):
            say(f"crew: #{move.number} {move.target.value.replace('_', ' ')}")
        sleep(every_s)
