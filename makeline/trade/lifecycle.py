"""The order lifecycle of a pizza store, as one state machine.

    placed ──► made ──► baked ──► ready ─┬─ carryout: ──► picked_up
                                        └─ delivery:  ──► out_the_door ──► delivered
    any stage before out_the_door ──► voided (reason, approving manager)

Stages only move forward: a late or repeated event can never move an order
back. Each stage has its own timestamp; `check_transition` is the one judge.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from makeline.trade.errors import BadInput, IllegalTransition


class Stage(StrEnum):
    PLACED = "placed"
    MADE = "made"
    BAKED = "baked"
    READY = "ready"
    PICKED_UP = "picked_up"
    OUT_THE_DOOR = "out_the_door"
    DELIVERED = "delivered"
    VOIDED = "voided"


class Service(StrEnum):
    CARRYOUT = "carryout"
    DELIVERY = "delivery"


class CheckResult(StrEnum):
    """The cut table's quality check of an order, in stores that check (`Store.quality_check`):
    boxed and waiting for it, passed (the order may go on the rack), or sent back to the make
    line to be made again."""

    WAITING = "waiting"
    PASSED = "passed"
    SENT_BACK = "sent_back"


# What a customer's tracker says while the store checks an order, or remakes it.
CHECK_TRACKER_STATUS: dict[CheckResult, str] = {
    CheckResult.WAITING: "quality_check",
    CheckResult.PASSED: "quality_check",
    CheckResult.SENT_BACK: "prep",
}


MAX_REMAKE_REASON = 120


def remake_reason(text: str) -> str:
    """Why a checked pizza goes back to the make line, checked: one line, 1–120 characters."""
    reason = " ".join(text.split())
    if not reason or len(reason) > MAX_REMAKE_REASON or any(ord(c) < 32 for c in text if c not in " \t"):
        raise BadInput(
            f"Say in a few words why it must be made again (up to {MAX_REMAKE_REASON} characters), "
            "e.g. 'cheese burnt' or 'wrong half'."
        )
    return reason


class Channel(StrEnum):
    WALK_IN = "walk_in"
    PHONE = "phone"
    ONLINE = "online"


_NEXT: dict[Service, dict[Stage, Stage]] = {
    Service.CARRYOUT: {
        Stage.PLACED: Stage.MADE,
        Stage.MADE: Stage.BAKED,
        Stage.BAKED: Stage.READY,
        Stage.READY: Stage.PICKED_UP,
    },
    Service.DELIVERY: {
        Stage.PLACED: Stage.MADE,
        Stage.MADE: Stage.BAKED,
        Stage.BAKED: Stage.READY,
        Stage.READY: Stage.OUT_THE_DOOR,
        Stage.OUT_THE_DOOR: Stage.DELIVERED,
    },
}
VOIDABLE = frozenset({Stage.PLACED, Stage.MADE, Stage.BAKED, Stage.READY})
FINAL = frozenset({Stage.PICKED_UP, Stage.DELIVERED, Stage.VOIDED})
OPEN = frozenset({Stage.PLACED, Stage.MADE, Stage.BAKED, Stage.READY, Stage.OUT_THE_DOOR})

# Position of each stage on its path, to tell "already there" from "not allowed".
_RANK: dict[Stage, int] = {
    Stage.PLACED: 0,
    Stage.MADE: 1,
    Stage.BAKED: 2,
    Stage.READY: 3,
    Stage.PICKED_UP: 4,
    Stage.OUT_THE_DOOR: 4,
    Stage.DELIVERED: 5,
    Stage.VOIDED: 9,
}

# What a customer's tracker says for each store stage.
TRACKER_STATUS: dict[Stage, str] = {
    Stage.PLACED: "placed",
    Stage.MADE: "bake",
    Stage.BAKED: "quality_check",
    Stage.READY: "quality_check",
    Stage.PICKED_UP: "picked_up",
    Stage.OUT_THE_DOOR: "out_for_delivery",
    Stage.DELIVERED: "delivered",
    Stage.VOIDED: "cancelled",
}


def next_stage(service: Service, current: Stage) -> Stage | None:
    """The one stage that may follow `current`, or None when the order is finished."""
    return _NEXT[service].get(current)


def path(service: Service) -> list[Stage]:
    stages = [Stage.PLACED]
    while (following := _NEXT[service].get(stages[-1])) is not None:
        stages.append(following)
    return stages


_ON_PATH = {service: frozenset(path(service)) for service in Service}


def on_path(service: Service, stage: Stage) -> bool:
    """Whether an order of `service` passes through `stage` (every store event asks)."""
    return stage in _ON_PATH[service]


def check_transition(
    service: Service, current: Stage, target: Stage, order_label: str = "This order"
) -> None:
    """Raise `IllegalTransition` unless `target` may follow `current` directly."""
    if target is Stage.VOIDED:
        if current not in VOIDABLE:
            raise IllegalTransition(
                f"{order_label} is {current.value.replace('_', ' ')} and can no longer be voided; "
                "refund it instead."
            )
        return
    if not on_path(service, target):
        raise IllegalTransition(
            f"{order_label} is a {service.value} order; it cannot be {target.value.replace('_', ' ')}."
        )
    if current in FINAL:
        raise IllegalTransition(
            f"{order_label} is already {current.value.replace('_', ' ')}; nothing more can happen to it."
        )
    expected = next_stage(service, current)
    if expected is not target:
        raise IllegalTransition(
            f"{order_label} is {current.value.replace('_', ' ')}; the next stage is "
            f"{expected.value.replace('_', ' ') if expected else 'none'}, "
            f"not {target.value.replace('_', ' ')}."
        )


def is_behind(current: Stage, target: Stage) -> bool:
    """True when `target` is already reached or passed (a repeated or late event)."""
    return current is not Stage.VOIDED and _RANK[target] <= _RANK[current]


def stamp_order_ok(previous: datetime | None, at: datetime) -> datetime:
    """Stage timestamps never go backwards: a clock that stepped back is clamped."""
    return at if previous is None or at >= previous else previous


# The timestamp each stage stamps on an order, and every stage stamp in the order they
# happen (both the store's and the cloud's order rows carry these columns).
STAMP: dict[Stage, str] = {
    Stage.MADE: "made_at",
    Stage.BAKED: "baked_at",
    Stage.READY: "ready_at",
    Stage.PICKED_UP: "picked_up_at",
    Stage.OUT_THE_DOOR: "out_the_door_at",
    Stage.DELIVERED: "delivered_at",
    Stage.VOIDED: "voided_at",
}
STAMPS_IN_ORDER = (
    "placed_at",
    "made_at",
    "baked_at",
    "ready_at",
    "picked_up_at",
    "out_the_door_at",
    "delivered_at",
)


def latest_stamp(stamps: Iterable[datetime | None]) -> datetime | None:
    """The newest of an order's stage stamps (None when it has none)."""
    present = [s for s in stamps if s is not None]
    return max(present) if present else None
