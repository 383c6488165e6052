"""In-process subscriptions: who in this worker waits to hear about which order or store."""

from __future__ import annotations

import asyncio
import threading
from collections import defaultdict
from typing import Any


class Hub:
    """Fan-out of announcements to this worker's websockets and background senders.

    Subscriptions live on the event loop; the SMS and refund senders each wait on a
    thread event (`waker()`), set whenever something was queued anywhere.
    """

    def __init__(self) -> None:
        self._orders: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)
        self._stores: dict[str, set[asyncio.Queue[int]]] = defaultdict(set)
        self._wakers: list[threading.Event] = []
        self.received = 0

    def waker(self) -> threading.Event:
        event = threading.Event()
        self._wakers.append(event)
        return event

    def wake_all(self) -> None:
        for event in self._wakers:
            event.set()

    def watch_order(self, order_id: str) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=100)
        self._orders[order_id].add(queue)
        return queue

    def unwatch_order(self, order_id: str, queue: asyncio.Queue[dict[str, Any]]) -> None:
        watchers = self._orders.get(order_id)
        if watchers is not None:
            watchers.discard(queue)
            if not watchers:
                del self._orders[order_id]

    def watch_feed(self, store_id: str) -> asyncio.Queue[int]:
        """A queue that gets an item whenever the store's feed has new entries."""
        queue: asyncio.Queue[int] = asyncio.Queue(maxsize=1)
        self._stores[store_id].add(queue)
        return queue

    def unwatch_feed(self, store_id: str, queue: asyncio.Queue[int]) -> None:
        watchers = self._stores.get(store_id)
        if watchers is not None:
            watchers.discard(queue)
            if not watchers:
                del self._stores[store_id]

    def publish(self, message: dict[str, Any]) -> None:
        """Deliver one decoded NOTIFY payload; called on the event loop."""
        self.received += 1
        for update in message.get("t", []):
            for queue in list(self._orders.get(update.get("order_id", ""), ())):
                if queue.full():  # a stalled client keeps only the newest news
                    queue.get_nowait()
                queue.put_nowait(update)
        for store_id in message.get("f", []):
            for nudge in list(self._stores.get(store_id, ())):
                if not nudge.full():
                    nudge.put_nowait(1)
        if message.get("n"):
            self.wake_all()
