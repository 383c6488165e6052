"""Honest timers: the store's own flags on times that cannot be true.

Crews game timers: a pizza bumped before it was made, a delivery marked done from the
parking lot, a ticket bumped and recalled over and over to restart its clock. The store
flags each as it happens (it knows the ticket and the drive), the flags travel with the
bump or delivery event, and head office counts them beside the speed-of-service times.
Pure rules, no I/O.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

EARLY_BUMP_S = 5  # nobody makes a pizza in five seconds
QUICK_SHARE = 0.5  # delivered in under half the drive the address takes, straight from the store
QUICKEST_DRIVE_S = 60  # and never under a minute from the door
REPEATED_RECALLS = 2  # a ticket recalled twice or more was played with


class IntegrityFlag(StrEnum):
    EARLY_BUMP = "early_bump"
    QUICK_DELIVERY = "quick_delivery"
    REPEATED_RECALL = "repeated_recall"


def early_bump(arrived_at: datetime, bumped_at: datetime) -> bool:
    """Bumped within seconds of reaching the screen: before it could have been made."""
    return (bumped_at - arrived_at).total_seconds() < EARLY_BUMP_S


def quick_delivery(out_the_door_at: datetime | None, delivered_at: datetime, drive_s: int | None) -> bool:
    """Marked delivered sooner than the drive could take: under half the direct drive from the
    store to the address (the store's travel estimate), or under a minute when there is none."""
    if out_the_door_at is None:
        return False
    took = (delivered_at - out_the_door_at).total_seconds()
    least = max(QUICKEST_DRIVE_S, QUICK_SHARE * drive_s) if drive_s else QUICKEST_DRIVE_S
    return took < least


def repeated_recall(recalls: int) -> bool:
    """Recalled back onto the screen again and again (each recall restarts nothing honest)."""
    return recalls >= REPEATED_RECALLS


def recall_flags_order(before: int, after: int) -> bool:
    """The recall that makes an order's recalls repeated, counted over every screen (make line,
    sides, oven / cut table, rack): the order is flagged once, at that recall."""
    return before < REPEATED_RECALLS <= after


def bump_flags(arrived_at: datetime, bumped_at: datetime, recalls: int) -> list[IntegrityFlag]:
    """The flags a make-line bump carries."""
    flags = []
    if early_bump(arrived_at, bumped_at):
        flags.append(IntegrityFlag.EARLY_BUMP)
    if repeated_recall(recalls):
        flags.append(IntegrityFlag.REPEATED_RECALL)
    return flags
