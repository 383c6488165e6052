"""The store's live load and online ordering's throttle, as the heartbeat carries them.

The cloud quotes an online customer with the same model (`makeline.trade.quote`) on the
same snapshot the store's counter uses, so both give the same promise; a paused delivery
is refused in the cloud while carryout stays open.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from pydantic import Field

from makeline.trade.quote import Load, Waiting
from makeline.trade.throttle import Level, Throttle
from sync.contract.base import Text, UTCTime, Wire

Seconds = Annotated[int, Field(ge=0, le=7 * 86400)]
MAX_WAITING = 2000  # delivery orders not yet out: far past any store's rush
MAX_DRIVERS = 200
MAX_PLANNED = 300  # delivery orders on the dispatch plan's runs: drivers in the store times a bag


class PlannedDoor(Wire):
    """A delivery order on a run of the store's current dispatch plan, before its driver
    leaves: when the run is to leave the store and when it is to be at this door."""

    order_id: str = Field(min_length=1, max_length=36)  # the store's id, or an online order's cloud id
    leave_at: UTCTime
    eta_at: UTCTime


class WaitingDelivery(Wire):
    ready_in_s: Seconds  # 0: on the rack
    drive_s: Seconds


class LiveLoad(Wire):
    """A snapshot of `makeline.trade.quote.Load`, taken at `taken_at`, and the throttle."""

    taken_at: UTCTime
    make_ahead: int = Field(ge=0, le=1_000_000)
    in_oven: int = Field(default=0, ge=0, le=1_000_000)
    deliveries: list[WaitingDelivery] = Field(default_factory=list, max_length=MAX_WAITING)
    drivers: list[Seconds] = Field(default_factory=list, max_length=MAX_DRIVERS)
    make_target_s: int = Field(ge=1, le=3600)
    oven_s: int = Field(ge=0, le=7200)
    belt_pizzas: int = Field(ge=1, le=1000)
    bag: int = Field(ge=1, le=20)
    speed_kmh: float = Field(gt=0, le=200)
    road_factor: float = Field(ge=1, le=5)
    throttle: Level = Level.OPEN
    throttle_reason: Text = ""
    # the dispatch plan's runs at `taken_at`: the tracker's expected time before a driver leaves
    plan: list[PlannedDoor] = Field(default_factory=list, max_length=MAX_PLANNED)

    @classmethod
    def of(
        cls, load: Load, throttle: Throttle, taken_at: object, plan: Sequence[PlannedDoor] = ()
    ) -> LiveLoad:
        return cls.model_validate(
            {
                "taken_at": taken_at,
                "make_ahead": load.make_ahead,
                "in_oven": load.in_oven,
                "deliveries": [
                    {"ready_in_s": max(0, w.ready_in_s), "drive_s": max(0, w.drive_s)}
                    for w in load.deliveries[:MAX_WAITING]
                ],
                "drivers": [max(0, d) for d in load.drivers[:MAX_DRIVERS]],
                "make_target_s": load.make_target_s,
                "oven_s": load.oven_s,
                "belt_pizzas": load.belt_pizzas,
                "bag": load.bag,
                "speed_kmh": load.speed_kmh,
                "road_factor": load.road_factor,
                "throttle": throttle.level,
                "throttle_reason": throttle.reason,
                "plan": list(plan[:MAX_PLANNED]),
            }
        )

    def planned(self, *order_ids: str | None) -> PlannedDoor | None:
        """The plan's times for the order known by any of `order_ids`, if it is on a run."""
        wanted = {i for i in order_ids if i}
        return next((door for door in self.plan if door.order_id in wanted), None)

    def load(self) -> Load:
        return Load(
            make_ahead=self.make_ahead,
            in_oven=self.in_oven,
            deliveries=tuple(Waiting(w.ready_in_s, w.drive_s) for w in self.deliveries),
            drivers=tuple(self.drivers),
            make_target_s=self.make_target_s,
            oven_s=self.oven_s,
            belt_pizzas=self.belt_pizzas,
            bag=self.bag,
            speed_kmh=self.speed_kmh,
            road_factor=self.road_factor,
        )
