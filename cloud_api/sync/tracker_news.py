"""The trackers' news of the plans the stores' beats bring, read in rounds.

A beat whose plan moves a minute a customer's tracker shows (`orders.plan_news.moved`) leaves
the orders it moved here and is answered at once. One statement then reads the tracked
orders of every store whose news is waiting (`plan_news.ON_PLANS`), however many beats
brought them: a storm's thousand first beats, each with a plan that moved while its store
was away, are a handful of statements on the worker's loop, not a thousand.

One round at a time, so the news never holds more than one of the beats' connections, and
each round gathers for a moment first (`gather_s`, or until `most` stores' news waits): a
storm's first beats are answered a few at a time, and rounds taken at once read the news of
six or seven stores each, a ninth of the worker's loop spent on them. A tracker hears of a
move a few hundredths of a second later; it shows minutes. A store's news told again before
its round (a second beat) joins the first: the orders either beat moved, told with the newer
plan's times, which are the ones to show.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection, Mapping
from itertools import islice
from typing import Any

from cloud_api.errors import CloudError
from cloud_api.orders.plan_news import plan_updates
from cloud_api.orders.state import TrackedOrder
from cloud_api.sync.rounds import Gathering
from sync.contract.quote import PlannedDoor

log = logging.getLogger(__name__)

# The tracked orders among each store's ids, by store (`plan_news.ON_PLANS`).
ReadPlans = Callable[[Mapping[str, Collection[str]]], Awaitable[dict[str, list[TrackedOrder]]]]


class TrackerNews:
    """The stores' plan news waiting on one event loop, and the rounds reading it."""

    def __init__(
        self,
        read: ReadPlans,
        announce: Callable[[list[dict[str, Any]]], None],
        most: int = 200,
        gather_s: float = 0.05,
    ) -> None:
        self.read, self.announce, self.most, self.gather_s = read, announce, max(1, most), gather_s
        self._gathering = Gathering()
        self._waiting: dict[str, tuple[set[str], list[PlannedDoor]]] = {}
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.rounds = self.told = 0  # how many statements, for how many stores' news

    def tell(self, store_id: str, ids: Collection[str], after: list[PlannedDoor]) -> None:
        """The orders `ids` of the store moved on its new plan `after`: told in the next round."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a test client may start another loop: start afresh
            self._loop, self._waiting, self._task = loop, {}, None
        earlier, _ = self._waiting.get(store_id, (set(), after))
        self._waiting[store_id] = (earlier | set(ids), after)
        if len(self._waiting) >= self.most:
            self._gathering.end()
        if self._task is None:
            self._task = loop.create_task(self._rounds())

    async def _rounds(self) -> None:
        """Rounds until no news waits."""
        try:
            while self._waiting:
                if len(self._waiting) < self.most:
                    await self._gathering.wait(self.gather_s)
                taken = dict(islice(self._waiting.items(), self.most))
                for store_id in taken:
                    del self._waiting[store_id]
                self.rounds, self.told = self.rounds + 1, self.told + len(taken)
                try:
                    found = await self.read({store_id: ids for store_id, (ids, _) in taken.items()})
                except CloudError:
                    log.warning(
                        "%d stores' plan news could not be read; their next moves tell it", len(taken)
                    )
                    continue
                updates = [
                    update
                    for store_id, (_, after) in taken.items()
                    for update in plan_updates(found.get(store_id, ()), after)
                ]
                if updates:
                    self.announce(updates)
        finally:
            if self._task is asyncio.current_task():
                self._task = None
