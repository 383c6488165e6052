"""Customers' online orders at a steady rate from a process of their own, open loop.

Each order is due at its time (exponential gaps, `rate` a second on average) whether or not
earlier ones were answered, and its latency counts from when it was due. The generator has
its own process and event loop: timed beside a storm driven from another process (hundreds
of simulated agents sending 470 KB pushes on one event loop), an order's time is the
cloud's, not the wait for the storm's client to get round to sending it.

    load = OrderLoad(base, stores, rate=10); load.start(); ...; load.stop()
    placed = load.join()   # latencies (s), errors, what each error was
"""

from __future__ import annotations

import asyncio
import collections
import gc
import multiprocessing
import os
import random
import time
import uuid
from dataclasses import dataclass, field
from multiprocessing.synchronize import Event
from typing import Any

import httpx

from cloud_api.demo import DEMO_PASSWORD
from cloud_api.demo.seed import demo_customer_email


@dataclass
class Placed:
    latencies: list[float] = field(default_factory=list)
    due: list[float] = field(default_factory=list)  # when each was due (perf_counter, system-wide)
    errors: int = 0
    error_kinds: collections.Counter[str] = field(default_factory=collections.Counter)


async def online_orders(
    base: str, stores: list[str], rate: float, stop: asyncio.Event, ready: Event | None = None
) -> Placed:
    """Orders for `stores` at `rate` a second until `stop`, each timed from when it was due;
    `ready` is set once the customer is signed in."""
    done = Placed()
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        login = {"email": demo_customer_email(1), "password": DEMO_PASSWORD}
        shopper = (await http.post("/api/v1/login", json=login)).json()["access_token"]
        body = {
            "store_id": stores[0],
            "service": "carryout",
            "items": [{"product": "pepperoni", "size": "lg"}, {"product": "cola", "size": "2l"}],
            "payment": {"method": "card", "token": "tok_visa"},
        }
        headers = {"Authorization": f"Bearer {shopper}"}
        if ready is not None:
            ready.set()

        async def one(store_id: str, due: float) -> None:
            try:
                answer = await http.post(
                    "/api/v1/orders",
                    json=body | {"store_id": store_id},
                    headers=headers | {"Idempotency-Key": str(uuid.uuid4())},
                )
                if answer.status_code != 201:
                    done.errors += 1
                    done.error_kinds[f"order: {answer.status_code} {answer.text[:80]}"] += 1
            except httpx.HTTPError as exc:
                done.errors += 1
                done.error_kinds[f"order: {type(exc).__name__}"] += 1
            done.latencies.append(time.perf_counter() - due)
            done.due.append(due)

        pending: set[asyncio.Task[None]] = set()
        due = time.perf_counter()
        while not stop.is_set():
            task = asyncio.create_task(one(random.choice(stores), due))
            pending.add(task)
            task.add_done_callback(pending.discard)
            due += random.expovariate(rate)
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
        if pending:
            await asyncio.gather(*pending)
    return done


def _process(base: str, stores: list[str], rate: float, ready: Event, stop: Event, results: Any) -> None:
    async def until_stopped() -> Placed:
        told = asyncio.Event()
        orders = asyncio.create_task(online_orders(base, stores, rate, told, ready))
        await asyncio.to_thread(stop.wait)
        told.set()
        return await orders

    # What the process holds from its start (httpx, the demo's modules) is never garbage: out of
    # the collector's full passes, each of which held this process 80-170 ms a minute into a
    # run, timing the orders due meanwhile as slow (the cloud's figure, not this process's).
    gc.freeze()
    # Customers' phones are not the storming stores' computers: a session of its own, which
    # Linux's scheduler (autogroup) gives its own share of the CPU, as another machine's.
    os.setsid()
    results.put(asyncio.run(until_stopped()))


class OrderLoad:
    def __init__(self, base: str, stores: list[str], rate: float) -> None:
        context = multiprocessing.get_context("spawn")
        self._ready, self._stop = context.Event(), context.Event()
        self._results = context.Queue()
        args = (base, stores, rate, self._ready, self._stop, self._results)
        self._process = context.Process(target=_process, args=args)

    def start(self, ready_timeout_s: float = 120.0) -> None:
        """Started, and returns once the customer is signed in and the first order is due."""
        self._process.start()
        if not self._ready.wait(ready_timeout_s):
            raise RuntimeError("the order generator did not start")

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout_s: float = 600.0) -> Placed:
        self._stop.set()
        placed: Placed = self._results.get(timeout=timeout_s)
        self._process.join(timeout=timeout_s)
        return placed
