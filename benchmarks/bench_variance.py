"""Variance report for a store with 300 items and 50,000 orders in the period.

Builds the demo store in a temporary folder, adds items up to 300, then writes
two finalised full counts, deliveries, waste and 50,000 made orders with their
ideal usage straight into SQLite (fast, not through `simulate`). Prints the
time of `variance_report` beside the bare SQL aggregate over the same rows.

    .venv/bin/python benchmarks/bench_variance.py [--orders 50000] [--items 300] [--runs 5]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from makeline.demo.seed import init_demo_store
from store_db.db import StoreDB
from store_db.models import new_id
from store_db.queries.variance_report import variance_report

FMT = "%Y-%m-%d %H:%M:%S.%f"  # how the store's UTC timestamps are stored
OPEN = datetime(2024, 11, 4, 14, 0, tzinfo=UTC)
CLOSE = OPEN + timedelta(days=7)
PORTIONS = ["0.25", "0.5", "0.75", "1", "1.125", "1.5", "2", "2.75", "3", "4", "5", "6", "8", "10"]


def ts(at: datetime) -> str:
    return at.astimezone(UTC).strftime(FMT)


def build(path: Path, orders: int, items: int, seed: int) -> None:
    init_demo_store(path)
    rng = random.Random(seed)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    codes = [row[0] for row in conn.execute("SELECT code FROM inventory_item")]
    staff = conn.execute("SELECT id FROM staff WHERE role = 'manager'").fetchone()[0]
    extra = [f"item_{n:03d}" for n in range(items - len(codes))]
    conn.executemany(
        "INSERT INTO inventory_item (code, name, storage_area, shelf_order, base_unit, count_unit,"
        " purchase_unit, cost_cents_per_purchase, par, daily, active) VALUES (?,?,?,?,?,?,?,?,?,?,1)",
        [
            (
                c,
                f"Item {c}",
                rng.choice(["walk_in", "freezer", "dry"]),
                100 + n,
                "oz",
                "bag",
                "case",
                rng.randint(1500, 12000),
                "4",
                0,
            )
            for n, c in enumerate(extra)
        ],
    )
    conn.executemany(
        "INSERT INTO item_unit (item, unit, base_qty) VALUES (?,?,?)",
        [row for c in extra for row in ((c, "oz", "1"), (c, "bag", "80"), (c, "case", "480"))],
    )
    codes += extra
    for count_id, moment in ((new_id(), OPEN), (new_id(), CLOSE)):
        conn.execute(
            "INSERT INTO stock_count (id, kind, state, source, started_at, finalised_at, finalised_by)"
            " VALUES (?, 'full', 'finalised', 'csv', ?, ?, ?)",
            (count_id, ts(moment), ts(moment + timedelta(minutes=40)), staff),
        )
        conn.executemany(
            "INSERT INTO stock_count_line (count_id, item, storage_area, shelf_order, expected, counted,"
            " entry, counted_at, on_hand) VALUES (?, ?, 'dry', 0, '0', ?, '', ?, ?)",
            [(count_id, c, str(q), ts(moment), str(q)) for c in codes for q in [rng.randint(0, 4000)]],
        )
    for day in range(7):
        receipt = new_id()
        conn.execute(
            "INSERT INTO stock_receipt (id, supplier, invoice, received_at, total_cents)"
            " VALUES (?, 'Sysco', ?, ?, 0)",
            (receipt, f"B-{day}", ts(OPEN + timedelta(days=day, hours=2))),
        )
        conn.executemany(
            "INSERT INTO stock_receipt_line (receipt_id, line_no, item, quantity, unit, qty, cost_cents)"
            " VALUES (?, ?, ?, '2', 'case', '960', 16000)",
            [(receipt, n, c) for n, c in enumerate(codes, start=1)],
        )
        entry = new_id()
        conn.execute(
            "INSERT INTO waste_entry (id, at, reason, note, staff_id, description, cost_cents)"
            " VALUES (?, ?, 'expired', '', ?, 'expired', 0)",
            (entry, ts(OPEN + timedelta(days=day, hours=23)), staff),
        )
        conn.executemany(
            "INSERT INTO waste_line (entry_id, item, qty, cost_cents) VALUES (?, ?, '3.5', 100)",
            [(entry, c) for c in rng.sample(codes, 20)],
        )
    span = (CLOSE - OPEN).total_seconds() - 600
    order_rows, usage_rows = [], []
    for n in range(orders):
        placed = OPEN + timedelta(seconds=span * n / orders + 60)
        made = placed + timedelta(seconds=rng.randint(60, 240))
        oid = new_id()
        subtotal = rng.randint(899, 6000)
        order_rows.append(
            (
                oid,
                placed.date().isoformat(),
                n + 1,
                "phone",
                "carryout",
                "picked_up",
                "",
                "",
                "",
                "",
                1,
                subtotal,
                0,
                subtotal // 12,
                0,
                subtotal + subtotal // 12,
                "paid",
                ts(placed + timedelta(minutes=20)),
                ts(placed),
                ts(made),
            )
        )
        for code in rng.sample(codes, rng.randint(6, 14)):
            usage_rows.append((oid, code, rng.choice(PORTIONS), ts(made), "made"))
    conn.executemany(
        "INSERT INTO orders (id, business_date, number, channel, service, stage, customer_name, phone,"
        " address, notes, menu_version, subtotal, discount, tax, tip, total, payment, promise_at,"
        " placed_at, made_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        order_rows,
    )
    conn.executemany(
        "INSERT INTO usage_record (order_id, item, qty, at, kind) VALUES (?,?,?,?,?)", usage_rows
    )
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()


BARE_SQL = [
    "SELECT item, SUM(CAST(qty AS REAL)) FROM usage_record WHERE at > :a AND at <= :b GROUP BY item",
    "SELECT l.item, SUM(CAST(l.qty AS REAL)) FROM stock_receipt_line l JOIN stock_receipt r"
    " ON r.id = l.receipt_id WHERE r.received_at > :a AND r.received_at <= :b GROUP BY l.item",
    "SELECT l.item, SUM(CAST(l.qty AS REAL)) FROM waste_line l JOIN waste_entry w ON w.id = l.entry_id"
    " WHERE w.at > :a AND w.at <= :b GROUP BY l.item",
    "SELECT SUM(subtotal - discount) FROM orders WHERE made_at > :a AND made_at <= :b AND stage != 'voided'",
]


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=50_000)
    parser.add_argument("--items", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "store.db"
        start = time.perf_counter()
        build(path, args.orders, args.items, args.seed)
        print(f"built {args.items} items, {args.orders:,} orders in {time.perf_counter() - start:.1f} s")
        with StoreDB(path) as db:
            with db.read() as session:
                rows = session.connection().exec_driver_sql("SELECT COUNT(*) FROM usage_record").scalar()
            print(f"usage rows in the period: {rows:,}")
            now = CLOSE + timedelta(hours=1)

            def report() -> int:
                with db.read() as session:
                    return len(variance_report(session, now)["items"])

            def bare() -> None:
                with db.read_engine.connect() as conn:
                    for sql in BARE_SQL:
                        conn.exec_driver_sql(
                            sql.replace(":a", "?").replace(":b", "?"), (ts(OPEN), ts(CLOSE))
                        ).all()

            lines = report()
            median, best = timed(report, args.runs)
            bare_median, bare_best = timed(bare, args.runs)
        with sqlite3.connect(path) as conn:
            usage_only = timed(
                lambda: conn.execute(BARE_SQL[0], {"a": ts(OPEN), "b": ts(CLOSE)}).fetchall(), args.runs
            )
    print(
        f"variance_report ({lines} items): median {median * 1000:.0f} ms, best {best * 1000:.0f} ms"
        f"  (target ≤ 1000 ms)"
    )
    print(
        f"bare SQL aggregates, same rows:  median {bare_median * 1000:.0f} ms, best {bare_best * 1000:.0f} ms"
    )
    print(f"  of which the usage SUM alone:  median {usage_only[0] * 1000:.0f} ms")
    print(
        f"ratio report / bare SQL: {median / bare_median:.1f}× (the report sums exact decimals;"
        " the bare SQL sums floats)"
    )


if __name__ == "__main__":
    main()
