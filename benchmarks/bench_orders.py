"""Orders committed per second through the real service, beside raw SQLite commits.

Both sides use the same file settings (WAL, synchronous=FULL) on the same disk,
in the same run, so the ratio shows what our layers cost.

The kitchen moves along as a store's would: once more than `--kitchen` orders wait on
the make line, the oldest is made, baked and racked (carryouts are picked up), untimed,
so the kitchen-load query `place_order` runs reads a realistic make line, not every
order of the run.

    .venv/bin/python benchmarks/bench_orders.py [--orders 2000]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import tempfile
import time
from collections import deque
from datetime import UTC, datetime
from pathlib import Path

from makeline.demo.seed import init_demo_store
from makeline.trade.lifecycle import Channel, Service, Stage
from makeline.trade.menu import Placement, ToppingChoice
from makeline.trade.pricing import ItemRequest
from store_db.db import StoreDB
from store_db.services import kitchen, lifecycle
from store_db.services.orders import AddressRequest, OrderRequest, TenderRequest, place_order


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def raw_sqlite(path: Path, count: int) -> list[float]:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
    body = json.dumps({"items": ["x" * 40] * 20})  # about one order's worth of bytes
    times = []
    for _ in range(count):
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (body) VALUES (?)", (body,))
        conn.execute("COMMIT")
        times.append(time.perf_counter() - start)
    conn.close()
    return times


def move_along(db: StoreDB, order_id: str, carryout: bool) -> None:
    """The oldest order on the make line is made, baked and racked; a carryout is picked up."""
    db.run(kitchen.bump_order, order_id, datetime.now(UTC))
    for stage in (Stage.BAKED, Stage.READY) + ((Stage.PICKED_UP,) if carryout else ()):
        db.run(lifecycle.advance, order_id, stage, datetime.now(UTC), None, True)


def service_orders(path: Path, count: int, kitchen_size: int) -> list[float]:
    init_demo_store(path)
    requests = [
        OrderRequest(
            channel=Channel.WALK_IN,
            service=Service.CARRYOUT,
            items=[
                ItemRequest(product="pepperoni", size="lg"),
                ItemRequest(
                    product="cheese",
                    size="md",
                    toppings=[ToppingChoice(code="ham", placement=Placement.LEFT)],
                ),
                ItemRequest(product="cola", size="2l"),
            ],
            tenders=[TenderRequest(kind="cash", tendered=6000)],
            best_deal=True,
        ),
        OrderRequest(
            channel=Channel.PHONE,
            service=Service.DELIVERY,
            items=[ItemRequest(product="supreme", size="lg"), ItemRequest(product="wings", size="8pc")],
            phone="7085550123",
            customer_name="Bench Mark",
            address=AddressRequest(line1="800 N Oak Park Ave"),
            tenders=[TenderRequest(kind="pay_at_door")],
        ),
    ]
    times = []
    on_the_line: deque[tuple[str, bool]] = deque()
    with StoreDB(path) as db:
        for n in range(count):
            request = requests[n % 2]
            start = time.perf_counter()
            with db.write() as session:
                order = place_order(session, request, datetime.now(UTC))
                placed = (order.id, request.service is Service.CARRYOUT)
            times.append(time.perf_counter() - start)
            on_the_line.append(placed)
            while len(on_the_line) > kitchen_size:
                move_along(db, *on_the_line.popleft())
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--kitchen", type=int, default=30, help="orders on the make line at once")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        raw = raw_sqlite(Path(tmp) / "raw.db", args.orders)
        ours = service_orders(Path(tmp) / "store.db", args.orders, args.kitchen)
    for name, samples in (
        ("raw SQLite commit (WAL, synchronous=FULL)", raw),
        (f"place_order, {args.kitchen} on the make line", ours),
    ):
        rate = len(samples) / sum(samples)
        print(
            f"{name:<44} {rate:>8.0f} commits/s   p50 {statistics.median(samples) * 1000:6.3f} ms"
            f"   p99 {percentile(samples, 0.99) * 1000:6.3f} ms"
        )
    print(f"ratio ours/raw throughput: {(len(ours) / sum(ours)) / (len(raw) / sum(raw)):.2f}")


if __name__ == "__main__":
    main()
