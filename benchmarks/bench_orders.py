"""Orders committed per second through the real service, beside raw SQLite commits.

Both sides use the same file settings (WAL, synchronous=FULL) on the same disk,
in the same run, so the ratio shows what our layers cost.

The kitchen moves along as a store's would: once more than `--kitchen` orders wait on
the make line, the oldest is made, baked and racked; a carryout is picked up, a delivery
goes out with a driver, is delivered and the run checked in. None of that is in the
orders' figures, so the kitchen-load query `place_order` runs reads a realistic store, not
every order of the run; the make line's bump (`kitchen.bump_order`: every ticket of the
order bumped, the order made, its recipe usage and stock event written) is timed on a line
of its own.

Beside the figures: the disk's own fsync (4 KiB written and `os.fsync`ed, the floor of
any durable commit), the CPU each order costs, the WAL checkpoints the store's
checkpointer ran beside the orders (`store_db.checkpoint`), the process's peak RSS, and
the machine's load average (the machine is shared: figures move with it).

`--instructions` counts instead what no load moves: the instructions an order's
transaction runs (begin, `place_order`, commit), under valgrind's callgrind collecting only
inside it (the call goes through `operator.call`, a C function nothing else here calls),
the kitchen at 30 and moving along, the checkpointer held off so that no thread's work
depends on the clock; 100 orders after 40 of warm-up.

    .venv/bin/python benchmarks/bench_orders.py [--orders 2000]
    .venv/bin/python benchmarks/bench_orders.py --instructions
"""

from __future__ import annotations

import argparse
import json
import operator
import os
import resource
import sqlite3
import statistics
import tempfile
import time
from collections import deque
from datetime import UTC, datetime
from pathlib import Path

import measure
from sqlalchemy import select

from makeline.demo.seed import init_demo_store
from makeline.trade.lifecycle import Channel, Service, Stage
from makeline.trade.menu import Placement, ToppingChoice
from makeline.trade.pricing import ItemRequest
from store_db.db import StoreDB
from store_db.models import Shift, Staff
from store_db.services import drivers, kitchen, lifecycle, runs
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


def disk_fsync(path: Path, count: int) -> list[float]:
    """4 KiB appended and fsynced, `count` times: what the disk itself takes to make bytes durable."""
    block = b"x" * 4096
    times = []
    with path.open("ab") as f:
        for _ in range(count):
            start = time.perf_counter()
            f.write(block)
            f.flush()
            os.fsync(f.fileno())
            times.append(time.perf_counter() - start)
    return times


class Timed:
    """Each call's wall-clock time, and the CPU all of them took."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.cpu = 0.0

    def add(self, wall: float, cpu: float) -> None:
        self.times.append(wall)
        self.cpu += cpu


def move_along(db: StoreDB, driver: Staff, order_id: str, carryout: bool, bumps: Timed) -> None:
    """The oldest order on the make line is bumped (made, its time in `bumps`), baked and
    racked; a carryout is picked up, a delivery goes out with the driver, is delivered, and
    the driver checks in."""
    start, used = time.perf_counter(), time.process_time()
    db.run(kitchen.bump_order, order_id, datetime.now(UTC))
    bumps.add(time.perf_counter() - start, time.process_time() - used)
    for stage in (Stage.BAKED, Stage.READY) + ((Stage.PICKED_UP,) if carryout else ()):
        db.run(lifecycle.advance, order_id, stage, datetime.now(UTC), None, True)
    if not carryout:
        run = db.run(runs.dispatch, driver, [runs.PlannedStop(order_id)], datetime.now(UTC))
        db.run(runs.deliver_in_full, run.id, order_id, datetime.now(UTC))
        db.run(runs.checkout_as_collected, run.id, datetime.now(UTC))


def service_orders(
    path: Path, count: int, kitchen_size: int, *, counted: bool = False
) -> tuple[list[float], float, int, Timed]:
    """Each order's time through `StoreDB.run(place_order, …)`, the CPU all of them took, the
    checkpoints run beside them, and the make line's bumps. `counted`: each order called
    through `operator.call` (what `--instructions` collects), the checkpointer held off."""
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
    cpu = 0.0
    bumps = Timed()
    on_the_line: deque[tuple[str, bool]] = deque()
    with StoreDB(path) as db:
        if counted:
            db.checkpointer.quiet_s, db.checkpointer.every = 1e6, 10**9
        db.run(drivers.clock_in_drivers, 1, datetime.now(UTC))
        with db.read() as session:
            driver = session.scalars(select(Staff).join(Shift, Shift.staff_id == Staff.id)).one()
        for n in range(count):
            request = requests[n % 2]
            start, used = time.perf_counter(), time.process_time()
            if counted:
                order = operator.call(db.run, place_order, request, datetime.now(UTC))
            else:
                order = db.run(place_order, request, datetime.now(UTC))
            times.append(time.perf_counter() - start)
            cpu += time.process_time() - used
            on_the_line.append((order.id, request.service is Service.CARRYOUT))
            while len(on_the_line) > kitchen_size:
                move_along(db, driver, *on_the_line.popleft(), bumps)
        checkpoints = db.checkpointer.checkpoints
    return times, cpu, checkpoints, bumps


def collected(orders: int) -> int:
    """Instructions callgrind collected inside `operator.call` over `orders` counted orders."""
    return measure.collected(__file__, "--counted", str(orders))


def instructions() -> None:
    warm, more = 40, 100
    per_order = (collected(warm + more) - collected(warm)) / more
    print(f"place_order's transaction, 30 on the make line: {per_order / 1e6:.3f} M instructions an order")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--kitchen", type=int, default=30, help="orders on the make line at once")
    parser.add_argument("--instructions", action="store_true", help="count instructions under callgrind")
    parser.add_argument("--counted", type=int, help=argparse.SUPPRESS)  # the run callgrind counts
    args = parser.parse_args()
    if args.counted is not None:
        with tempfile.TemporaryDirectory() as tmp:
            service_orders(Path(tmp) / "store.db", args.counted, args.kitchen, counted=True)
        return
    if args.instructions:
        instructions()
        return
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        fsync = disk_fsync(Path(tmp) / "fsync.bin", args.orders)
        raw = raw_sqlite(Path(tmp) / "raw.db", args.orders)
        ours, cpu, checkpoints, bumps = service_orders(Path(tmp) / "store.db", args.orders, args.kitchen)
    for name, samples in (
        ("disk: 4 KiB write + fsync", fsync),
        ("raw SQLite commit (WAL, synchronous=FULL)", raw),
        (f"place_order, {args.kitchen} on the make line", ours),
    ):
        rate = len(samples) / sum(samples)
        print(
            f"{name:<44} {rate:>8.0f} commits/s   p50 {statistics.median(samples) * 1000:6.3f} ms"
            f"   p99 {percentile(samples, 0.99) * 1000:6.3f} ms"
        )
    print(f"ratio ours/raw throughput: {(len(ours) / sum(ours)) / (len(raw) / sum(raw)):.2f}")
    print(
        f"place_order p99 {percentile(ours, 0.99) * 1000:.3f} ms beside disk fsync p99 "
        f"{percentile(fsync, 0.99) * 1000:.3f} ms: {percentile(ours, 0.99) / percentile(fsync, 0.99):.2f}x"
        f"   CPU per order {cpu / len(ours) * 1000:.3f} ms"
    )
    print(
        f"bump_order, the make line's bump ({len(bumps.times)} orders made):"
        f"   p50 {statistics.median(bumps.times) * 1000:.3f} ms   p99 {percentile(bumps.times, 0.99) * 1000:.3f} ms"
        f"   CPU per bump {bumps.cpu / len(bumps.times) * 1000:.3f} ms"
    )
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"WAL checkpoints beside the orders: {checkpoints}   peak RSS {peak_mib:.0f} MiB")
    print(
        f"load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after, "
        f"on {os.cpu_count()} cores (a shared machine: figures move with it); "
        f"a bare loop of ten million additions: {measure.machine_pace():.2f} s"
    )


if __name__ == "__main__":
    main()
