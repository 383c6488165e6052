"""A chain's synthetic history for the report benchmarks: N stores × D business days of orders
(lean rows: what the reports read), their lines, runs, drivers' shifts and daily stock counts,
usage, receipts and waste, written with COPY; then the reports' aggregates built by the same
set-based SQL that keeps them as events arrive (`cloud_api.reports.refresh.rebuild_all`).

Into DATABASE_URL, or an embedded PostgreSQL in --folder (kept for `bench_reports.py`). The
database is emptied of earlier history first.

    .venv/bin/python benchmarks/gen_history.py [--stores 2000] [--days 365] [--orders 12]
"""

from __future__ import annotations

import argparse
import io
import random
import time
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
from history_db import DEFAULT_FOLDER, history_url

from cloud_api.db.database import Database
from cloud_api.db.migrate import upgrade
from cloud_api.reports.refresh import rebuild_all
from cloud_api.settings import libpq_url

ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"]
PRODUCTS = [
    ("pepperoni", "Pepperoni", "lg", 1708),
    ("cheese", "Cheese", "md", 1299),
    ("supreme", "Supreme", "xl", 2299),
    ("meat_lovers", "Meat Lovers", "lg", 1999),
    ("wings", "Buffalo Wings", "16pc", 1599),
    ("breadsticks", "Breadsticks", "each", 599),
]
ITEMS = [("mozzarella", "Mozzarella", 350), ("pepperoni", "Pepperoni", 500), ("dough", "Dough ball", 90)]
DRIVERS = ["Ana", "Bo", "Cy"]
FIRST = date(2026, 1, 1)
NULL = "\\N"


def ts(at: datetime) -> str:
    return at.isoformat()


class Copy:
    """Rows as COPY text, sent when flushed (orders before their lines)."""

    def __init__(self, conn: psycopg.Connection[tuple[object, ...]], table: str, columns: str) -> None:
        self.conn, self.statement = conn, f"COPY {table} ({columns}) FROM STDIN"
        self.buffer, self.rows = io.StringIO(), 0

    def add(self, values: Iterable[object]) -> None:
        self.buffer.write("\t".join(NULL if v is None else str(v) for v in values))
        self.buffer.write("\n")
        self.rows += 1

    def flush(self) -> None:
        data = self.buffer.getvalue()
        if data:
            with self.conn.cursor() as cur, cur.copy(self.statement) as copy:
                copy.write(data)
        self.buffer = io.StringIO()


def _stores(conn: psycopg.Connection[tuple[object, ...]], count: int) -> list[tuple[str, str]]:
    now = ts(datetime.now(UTC))
    out = Copy(
        conn,
        "store",
        "id, code, name, address, phone, timezone, tax_rate_bp, lat, lon, delivery_radius_km,"
        " day_starts_hour, daytime_from_hour, daytime_to_hour, created_at, updated_at",
    )
    stores = []
    for n in range(count):
        store_id, zone = str(uuid.uuid4()), ZONES[n % len(ZONES)]
        out.add(
            (store_id, f"H-{n:05d}", f"Store {n}", "", "", zone, 1025, 41.9, -87.8, 6.0, 4, 9, 21, now, now)
        )
        stores.append((store_id, zone))
    out.flush()
    items = Copy(conn, "inventory_item", "code, name, unit, cost_cents, par, discontinued, updated_at")
    for code, name, cost in ITEMS:
        items.add((code, name, "lb", cost, 0, "f", now))
    items.flush()
    stock = Copy(
        conn,
        "store_stock",
        "store_id, code, on_hand, cost_cents, updated_at, base_unit, count_unit, count_size, purchase_size,"
        " cost_cents_per_purchase, priced_seq",
    )
    for store_id, _ in stores:
        for code, _, cost in ITEMS:
            stock.add((store_id, code, 100, cost, now, "lb", "lb", 1, 1, cost, 1))
    stock.flush()
    return stores


def _day(
    rng: random.Random, store_id: str, zone: ZoneInfo, day: date, per_day: int, out: dict[str, Copy]
) -> None:
    opens = datetime(day.year, day.month, day.day, 4, tzinfo=zone)
    runs: dict[str, list[datetime]] = {}
    used = [0.0, 0.0, 0.0]
    for number in range(1, max(1, int(rng.gauss(per_day, per_day / 4))) + 1):
        order_id = str(uuid.uuid4())
        placed = opens + timedelta(hours=rng.choice([rng.uniform(7, 10), rng.uniform(13, 19)]))
        delivery = rng.random() < 0.6
        voided = rng.random() < 0.03
        lines = rng.sample(PRODUCTS, rng.choice([1, 1, 2]))
        subtotal = sum(p[3] for p in lines)
        discount = 500 if subtotal >= 3000 and rng.random() < 0.2 else 0
        tax = (subtotal - discount) * 1025 // 10000
        tip = rng.choice([0, 0, 200, 500]) if delivery else 0
        made = placed + timedelta(seconds=rng.randint(60, 300))
        baked, ready = made + timedelta(seconds=390), made + timedelta(seconds=rng.randint(420, 600))
        out_at = ready + timedelta(seconds=rng.randint(30, 600)) if delivery else None
        done = (out_at or ready) + timedelta(seconds=rng.randint(300, 1500))
        driver = rng.choice(DRIVERS) if delivery else None
        if driver is not None and out_at is not None:
            runs.setdefault(driver, []).append(out_at)
        out["orders"].add(
            (
                order_id,
                store_id,
                number,
                day,
                "phone" if delivery else rng.choice(["walk_in", "online"]),
                "delivery" if delivery else "carryout",
                "voided" if voided else ("delivered" if delivery else "picked_up"),
                "done",
                "",
                "",
                "",
                "",
                1,
                "5OFF30" if discount else None,
                subtotal,
                discount,
                tax,
                tip,
                subtotal - discount + tax + tip,
                "paid",
                ts(placed + timedelta(minutes=35)),
                ts(placed),
                ts(made),
                ts(baked),
                ts(ready),
                None if delivery else ts(done),
                ts(out_at) if out_at else None,
                ts(done) if delivery else None,
                ts(made) if voided else None,
                driver,
                ts(done),
            )
        )
        for line_no, (product, name, size, price) in enumerate(lines, start=1):
            out["order_line"].add((store_id, order_id, line_no, product, name, size, 1, price, price, "{}"))
        if not voided:
            used[0] += rng.uniform(0.5, 1.2)
            used[1] += 0.375 if any(p[0] == "pepperoni" for p in lines) else 0
            used[2] += 1
    for driver, leaving in runs.items():
        for at in leaving[::2]:  # about two orders a run
            out["delivery_run"].add((str(uuid.uuid4()), store_id, driver, driver, "closed", ts(at), ts(at)))
        start, end = min(leaving) - timedelta(minutes=30), max(leaving) + timedelta(minutes=45)
        out["driver_shift"].add((str(uuid.uuid4()), store_id, driver, driver, ts(start), ts(end), 0, 0, 0))
    counted = opens + timedelta(minutes=30)
    codes = ",".join(code for code, _, _ in ITEMS)
    quantities = ",".join(str(round(u, 3)) for u in used)
    nulls = ",".join("NULL" for _ in ITEMS)
    out["stock_usage"].add(
        (store_id, ts(opens + timedelta(hours=20)), "", f"{{{codes}}}", f"{{{quantities}}}", f"{{{nulls}}}")
    )
    for code, _, _ in ITEMS:
        move = out["stock_movement"]
        move.add((store_id, code, "count", round(rng.uniform(40, 120), 3), ts(counted), ""))
        if rng.random() < 0.3:
            move.add((store_id, code, "received", rng.randint(20, 80), ts(opens + timedelta(hours=5)), ""))
        if rng.random() < 0.2:
            move.add((store_id, code, "waste", rng.randint(1, 4), ts(opens + timedelta(hours=21)), ""))


def build_aggregates(url: str) -> None:
    started = time.perf_counter()
    db = Database(url, pool_size=1, max_overflow=0)
    with db.transaction() as session:
        rebuild_all(session)
    db.dispose()
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")  # the visibility map too: the pages read the covering indexes alone
        sizes = conn.execute(
            "SELECT relname, n_live_tup FROM pg_stat_user_tables WHERE relname LIKE 'report_%' ORDER BY relname"
        ).fetchall()
    print(
        f"aggregates built in {time.perf_counter() - started:.0f} s: {', '.join(f'{n:,} {t}' for t, n in sizes)}"
    )


def generate(url: str, stores: int, days: int, per_day: int, seed: int) -> None:
    upgrade(url)
    rng = random.Random(seed)
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute(
            "TRUNCATE report_sales_hour, report_product_day, report_coupon_day, report_driver_day,"
            " report_stock_segment, report_count_sales, stock_movement, stock_usage, store_stock, unknown_stock_item,"
            " inventory_item, driver_shift, delivery_run, order_line, orders, store CASCADE"
        )
        started = time.perf_counter()
        chain = _stores(conn, stores)
        out = {
            "orders": Copy(
                conn,
                "orders",
                "id, store_id, number, business_date, channel, service, stage, tracked_status, customer_name,"
                " phone, address, notes, menu_version, coupon, subtotal, discount, tax, tip, total, payment,"
                " promise_at, placed_at, made_at, baked_at, ready_at, picked_up_at, out_the_door_at,"
                " delivered_at, voided_at, driver_name, updated_at",
            ),
            "order_line": Copy(
                conn,
                "order_line",
                "store_id, order_id, line_no, product, name, size, quantity, unit_price, line_total, item",
            ),
            "delivery_run": Copy(
                conn,
                "delivery_run",
                "id, store_id, driver_id, driver_name, status, dispatched_at, updated_at",
            ),
            "driver_shift": Copy(
                conn,
                "driver_shift",
                "id, store_id, driver_id, driver_name, clock_in_at, clock_out_at, cash_owed, tips, mileage_cents",
            ),
            "stock_movement": Copy(conn, "stock_movement", "store_id, code, kind, quantity, at, reference"),
            "stock_usage": Copy(conn, "stock_usage", "store_id, at, reference, codes, quantities, costs"),
        }
        for n in range(days):
            day = FIRST + timedelta(days=n)
            for store_id, zone in chain:
                _day(rng, store_id, ZoneInfo(zone), day, per_day, out)
            for copy in out.values():
                copy.flush()
            if n % 30 == 29:
                print(
                    f"  {n + 1} days written, {out['orders'].rows:,} orders, {time.perf_counter() - started:.0f} s"
                )
        written = time.perf_counter() - started
        print(
            f"raw history: {', '.join(f'{c.rows:,} {t}' for t, c in out.items())} in {written:.0f} s (COPY)"
        )
        conn.execute("VACUUM ANALYZE")  # the visibility map too: the pages read the covering indexes alone
    build_aggregates(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--stores", type=int, default=2000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--orders", type=int, default=12, help="orders per store and day, on average")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument(
        "--folder", type=Path, default=DEFAULT_FOLDER, help="the embedded PostgreSQL's data folder"
    )
    parser.add_argument(
        "--aggregates-only", action="store_true", help="rebuild the aggregates of the history there"
    )
    args = parser.parse_args()
    with history_url(args.folder) as url:
        if args.aggregates_only:
            build_aggregates(url)
        else:
            generate(url, args.stores, args.days, args.orders, args.seed)


if __name__ == "__main__":
    main()
