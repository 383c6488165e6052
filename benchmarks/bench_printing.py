"""Printing figures: order committed → last byte of its kitchen ticket at the printer, the
queue drain after a printer comes back, and ticket sizes on the wire.

Run from the repository root: `.venv/bin/python benchmarks/bench_printing.py`.
A demo store file in a temporary folder; orders placed through the store's real
`place_order` (WAL, synchronous=FULL); the print queue is a real `makeline agent`
process with its default settings; the printer is the tests' fake network printer on
loopback, in this process, so both ends read one clock.
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from makeline.demo.seed import init_demo_store
from makeline.trade.pricing import ItemRequest
from printers.builders import kitchen_ticket, receipt
from printers.configure import add_printer
from printers.decode import decode
from printers.layout import render
from printers.queue import QueueSettings
from store_db.db import StoreDB
from store_db.models import utcnow
from store_db.services.orders import place_order

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the fake printer and the sample orders live with the tests
from tests.printers import samples  # noqa: E402
from tests.printers.fake_printer import FakePrinter  # noqa: E402
from tests.printers.store_orders import HALF_AND_HALF, online, walk_in  # noqa: E402

ORDERS = 200
BACKLOG = 50
BAUD = 115_200


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def printed(fake: FakePrinter, count: int) -> Callable[[], bool]:
    return lambda: len(fake.jobs()) >= count and fake.sessions[-1].ended


def place(db: StoreDB, number: int) -> float:
    """Place a typical online order; the moment its transaction committed."""
    items = [HALF_AND_HALF] if number % 3 == 0 else [ItemRequest(product="supreme", size="lg")]
    with db.write() as session:
        place_order(session, online(*items, ItemRequest(product="wings", size="8pc")), utcnow())
    return time.monotonic()


@contextmanager
def agent(path: Path) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "makeline", "agent", "--db", str(path)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)


def latency(db: StoreDB, fake: FakePrinter) -> None:
    waits: list[float] = []
    arrivals = random.Random(4)
    place(db, 0)  # the agent's first ticket pays for its imports
    fake.wait_for(printed(fake, 1), timeout=30)
    for n in range(ORDERS):
        committed = place(db, n)
        fake.wait_for(printed(fake, n + 2))
        waits.append(fake.sessions[-1].last_byte_at - committed)
        time.sleep(arrivals.uniform(0, 0.1))  # orders arrive at random moments
    ms = [w * 1000 for w in waits]
    poll = QueueSettings().poll * 1000
    print(
        f"order committed -> last byte of its kitchen ticket, {ORDERS} orders (agent polls every {poll:.0f} ms):"
    )
    print(
        f"  p50 {statistics.median(ms):6.1f} ms   p99 {percentile(ms, 0.99):6.1f} ms   "
        f"max {max(ms):6.1f} ms   (target p99 <= 300 ms)"
    )


def drain(db: StoreDB, fake: FakePrinter) -> None:
    before = len(fake.jobs())
    fake.refuse()
    for n in range(BACKLOG):
        place(db, n)
    time.sleep(3.0)  # down long enough for the retries to reach their longest backoff
    back = time.monotonic()
    fake.listen()
    fake.wait_for(printed(fake, before + BACKLOG), timeout=60)
    sessions = [s for s in fake.sessions if s.printed][before:]
    first = min(s.last_byte_at for s in sessions)
    last = max(s.last_byte_at for s in sessions)
    labels = [next(t for t in decode(j).texts if t.startswith("#")) for j in fake.jobs()[before:]]
    in_order = labels == sorted(labels, key=lambda label: int(label[1:])) and len(set(labels)) == BACKLOG
    print(
        f"queue drain: {BACKLOG} tickets waiting, printer back on "
        f"(longest backoff {QueueSettings().backoff.most:g} s):"
    )
    print(
        f"  first ticket {1000 * (first - back):6.0f} ms, last ticket {1000 * (last - back):6.0f} ms "
        f"after reconnect (target <= 2000 ms); in order, once each: {in_order}"
    )


def sizes(db: StoreDB) -> None:
    with db.write() as session:
        order = place_order(
            session, walk_in(HALF_AND_HALF, ItemRequest(product="wings", size="8pc")), utcnow()
        )
    with db.read() as session:
        documents = [
            ("kitchen ticket", kitchen_ticket(session, order.id)),
            ("receipt", receipt(session, order.id)),
            ("run sheet", samples.run_sheet()),
        ]
    print(f"sizes and time on a serial line at {BAUD:,} baud (8N1, 10 bits a byte), a half-and-half order:")
    for name, document in documents:
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


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "store.db"
        init_demo_store(path)
        with StoreDB(path) as db, FakePrinter() as fake:
            sizes(db)
            add_printer(db, "kitchen", fake.url, ["kitchen"])
            with agent(path):
                latency(db, fake)
                drain(db, fake)


if __name__ == "__main__":
    main()
