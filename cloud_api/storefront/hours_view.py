"""A store's hours as the storefront shows them: open now (and until when) or the next
opening, and the times a customer may order for (the store's zone, 7 days ahead)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cloud_api.models import Store
from cloud_api.orders.service import OFFLINE_LEAD
from cloud_api.stores import service as stores
from makeline.trade.hours import current_or_next, say_time, time_slots

LEAD = timedelta(minutes=30)  # the soonest time slot: later than "as soon as possible"


@dataclass(frozen=True)
class Availability:
    asap: bool  # open and heard from: orders for now are taken
    words: str  # "Open now until 23:00", "Closed now · opens tomorrow 11:00"
    slots: list[tuple[str, str]] = field(default_factory=list)  # (ISO UTC value, words)

    @property
    def can_order(self) -> bool:
        return self.asap or bool(self.slots)


def availability(store: Store, now: datetime, online: bool, with_slots: bool = False) -> Availability:
    hours = stores.store_hours(store)
    zone, turn = store.timezone, store.day_starts_hour
    found = current_or_next(hours, zone, turn, now)
    open_now = found is not None and found.holds(now)
    if found is None:
        words = "Closed for the next two weeks"
    elif open_now and hours.week is None:
        words = "Open now: taking orders"
    elif open_now:
        words = f"Open now until {say_time(found.end, zone, now).removeprefix('today ')}: taking orders"
    else:
        words = f"Closed now · opens {say_time(found.start, zone, now)}"
    if open_now and not online:
        words = f"Open, but not taking online orders right now; order for later or call {store.phone}"
    slots: list[tuple[str, str]] = []
    if with_slots or not (open_now and online):
        earliest = now + (LEAD if online else OFFLINE_LEAD)
        slots = [
            (slot.isoformat(), say_time(slot, zone, now))
            for slot in time_slots(hours, zone, turn, earliest, now)
        ]
    return Availability(asap=open_now and online, words=words, slots=slots)
