"""Printing figures: job → last byte at a fake network printer, queue drain, ticket sizes.

Run from the repository root: `.venv/bin/python benchmarks/bench_printing.py`.
The printer is the tests' fake network printer on loopback; the queue is the real
`PrintQueue` with its default settings, over the tests' in-memory `JobStore`.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from printers.decode import decode
from printers.layout import render
from printers.queue import PrinterConfig, PrintQueue, QueueSettings
from tests.printers import samples
from tests.printers.fake_printer import FakePrinter
from tests.printers.memory_store import MemoryJobStore

ORDERS = 200
BACKLOG = 50
BAUD = 115_200


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def has_printed(fake: FakePrinter, count: int) -> Callable[[], bool]:
    return lambda: len(fake.jobs()) == count and fake.sessions[-1].ended


def latency() -> None:
    settings = QueueSettings()
    with FakePrinter() as fake:
        store = MemoryJobStore([PrinterConfig("kitchen", fake.url)])
        waits: list[float] = []
        arrivals = random.Random(4)
        with PrintQueue(store, settings):
            for n in range(ORDERS):
                ticket = samples.ticket(f"#{1000 + n}")
                start = time.monotonic()
                store.add("kitchen", ticket)
                fake.wait_for(has_printed(fake, n + 1))
                waits.append(fake.sessions[-1].last_byte_at - start)
                time.sleep(arrivals.uniform(0, 0.1))  # orders arrive at random moments
    ms = [w * 1000 for w in waits]
    print(
        f"job queued -> last byte at the printer, {ORDERS} tickets one by one "
        f"(poll every {settings.poll * 1000:.0f} ms):"
    )
    print(
        f"  p50 {statistics.median(ms):6.1f} ms   p99 {percentile(ms, 0.99):6.1f} ms   "
        f"max {max(ms):6.1f} ms   (target p99 <= 300 ms)"
    )


def drain() -> None:
    settings = QueueSettings()
    with FakePrinter() as fake:
        store = MemoryJobStore([PrinterConfig("kitchen", fake.url)])
        fake.refuse()
        for n in range(BACKLOG):
            store.add("kitchen", samples.ticket(f"#{2000 + n}"))
        with PrintQueue(store, settings):
            time.sleep(3.0)  # down long enough for the backoff to reach its longest
            back = time.monotonic()
            fake.listen()
            fake.wait_for(lambda: len(fake.jobs()) == BACKLOG, timeout=30)
            first = min(s.last_byte_at for s in fake.sessions if s.printed)
            last = max(s.last_byte_at for s in fake.sessions)
        labels = [next(t for t in decode(j).texts if t.startswith("#")) for j in fake.jobs()]
        in_order = labels == [f"#{2000 + n}" for n in range(BACKLOG)]
    print(
        f"queue drain: {BACKLOG} tickets waiting, printer back on "
        f"(longest backoff {settings.backoff.most:g} s):"
    )
    print(
        f"  first ticket {1000 * (first - back):6.0f} ms, last ticket {1000 * (last - back):6.0f} ms "
        f"after reconnect (target <= 2000 ms); in order, once each: {in_order}"
    )


def sizes() -> None:
    print(f"ticket sizes and their time on a serial line at {BAUD:,} baud (8N1, 10 bits a byte):")
    for name, document in (
        ("kitchen ticket", samples.ticket()),
        ("receipt", samples.receipt()),
        ("run sheet", samples.run_sheet()),
    ):
        for profile in ("80mm", "58mm"):
            data = render(document, profile)
            start = time.perf_counter()
            for _ in range(50):
                render(document, profile)
            per = (time.perf_counter() - start) / 50
            print(
                f"  {name:15} {profile}: {len(data):5,} bytes, {len(data) * 10 / BAUD * 1000:5.0f} ms "
                f"on the wire, laid out in {per * 1000:4.1f} ms"
            )


if __name__ == "__main__":
    sizes()
    latency()
    drain()
