"""The counter's list of orders for later still held off the make line, soonest first.

It loads itself (a store job in a thread) when mounted, every `REFRESH_S` seconds (an
order leaves the list when the agent fires it to the kitchen) and when told a new order
was placed; it is hidden while there is none.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.text import Text

from makeline.trade.hours import say_time
from makeline.trade.lifecycle import Service
from store_db.queries.scheduled import HeldOrder
from terminal.data import counter_jobs as jobs
from terminal.screens.base import StoreJobs
from terminal.widgets.literal import Static, literal

REFRESH_S = 15.0


def held_text(held: Sequence[HeldOrder], zone: str, now: datetime) -> Text:
    lines = Text("SCHEDULED (held for later)", style="bold magenta")
    for order in held:
        lines.append(f"\n#{order.number} {say_time(order.scheduled_for, zone, now)} ")
        lines.append("DELIV " if order.service == Service.DELIVERY.value else "CARRY ")
        lines.append_text(literal(order.customer_name))
    return lines


class HeldOrders(StoreJobs, Static):
    def __init__(self) -> None:
        super().__init__(id="held")
        self.display = False

    def on_mount(self) -> None:
        self.reload()
        self.set_interval(REFRESH_S, self.reload)

    def reload(self) -> None:
        zone, now = self.makeline.store.timezone, self.makeline.now()

        def show(held: list[HeldOrder]) -> None:
            self.update(held_text(held, zone, now))
            self.display = bool(held)

        self.run_job(jobs.load_held, show, name="held")
