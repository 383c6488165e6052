"""The order that nobody saw: an online order that reached the store but is neither on a
make-line screen nor printed by the kitchen printer.

After `ALARM_AFTER` every screen in the store raises an alarm and the store's heartbeat
tells the cloud; after `CUSTOMER_AFTER` the customer is told (once) that the store has
the order and has been alerted. Pure: the store's queries and the cloud both call it;
time is passed in, never read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

ALARM_AFTER = timedelta(seconds=60)
CUSTOMER_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class Arrival:
    """An online order as the store received it."""

    order_id: str
    number: int
    cloud_order_id: str | None
    arrived_at: datetime  # when it reached the store (applied from the cloud's feed)
    seen: bool  # drawn on a make-line screen or printed by the kitchen printer
    open: bool = True  # not voided and not yet made


@dataclass(frozen=True)
class Unseen:
    """An order nobody saw, and for how long."""

    order_id: str
    number: int
    cloud_order_id: str | None
    waiting_s: int
    tell_customer: bool  # unseen for `CUSTOMER_AFTER` or longer


def unseen(arrivals: list[Arrival], now: datetime) -> list[Unseen]:
    """The orders that raise the alarm at `now`, longest waiting first."""
    found = [
        Unseen(
            order_id=a.order_id,
            number=a.number,
            cloud_order_id=a.cloud_order_id,
            waiting_s=int((now - a.arrived_at).total_seconds()),
            tell_customer=now - a.arrived_at >= CUSTOMER_AFTER,
        )
        for a in arrivals
        if a.open and not a.seen and now - a.arrived_at >= ALARM_AFTER
    ]
    return sorted(found, key=lambda u: (-u.waiting_s, u.number))


def alarm_text(found: list[Unseen]) -> str:
    """The sentence every screen shows while an alarm stands ("" when none)."""
    if not found:
        return ""
    numbers = ", ".join(f"#{u.number}" for u in found[:6])
    more = f" and {len(found) - 6} more" if len(found) > 6 else ""
    longest = found[0].waiting_s
    wait = f"{longest} s" if longest < 120 else f"{longest // 60} min"
    noun = "order" if len(found) == 1 else "orders"
    return (
        f"UNSEEN ONLINE {noun.upper()} {numbers}{more}: not on a make-line screen and not printed "
        f"(waiting {wait}). Open the make line or reprint the kitchen ticket now."
    )
