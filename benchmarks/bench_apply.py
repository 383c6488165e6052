"""Backlog drain with full apply, in the cloud's own process: a store's evening (orders
through their whole lives: placed, made, baked, racked, out, delivered, runs, stock) read
from its outbox and stored and applied by `store_events.apply_store_events` in push-sized
batches, each batch its own transaction (as a push and the applier do, in one here; no HTTP).

Beside it, bare PostgreSQL writing the same rows in the same run: the `inbound_event` rows,
the new orders and their lines, and one UPDATE per stage change, through psycopg's
`executemany` in pipeline mode, one transaction per batch.

Embedded PostgreSQL with its default durability (fsync on) unless DATABASE_URL is set.

    .venv/bin/python benchmarks/bench_apply.py [--orders 1000] [--batch 500]
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cloud_api.db.base import utcnow  # noqa: E402
from cloud_api.db.database import Database  # noqa: E402
from cloud_api.demo.seed import seed_database  # noqa: E402
from cloud_api.embedded import EmbeddedPostgres  # noqa: E402
from cloud_api.settings import libpq_url  # noqa: E402
from cloud_api.store_events.service import apply_store_events  # noqa: E402
from cloud_api.stores.schemas import StoreDetails  # noqa: E402
from cloud_api.stores.service import save_store  # noqa: E402
from makeline.demo.seed import init_demo_store  # noqa: E402
from makeline.demo.simulate import simulate  # noqa: E402
from store_db.db import StoreDB  # noqa: E402
from sync import contract  # noqa: E402


def evening(folder: Path, orders: int) -> list[contract.OutboxEvent]:
    path = folder / "store.db"
    init_demo_store(path)
    with StoreDB(path) as db:
        simulate(db, orders, io.StringIO(), through="delivered", seed=8)
    conn = sqlite3.connect(path)
    rows = conn.execute(
        "SELECT seq, event_id, txn, kind, subject, payload, created_at FROM outbox ORDER BY seq"
    ).fetchall()
    conn.close()
    return [
        contract.OutboxEvent(
            seq=seq,
            event_id=event_id,
            txn=txn,
            kind=kind,
            subject=subject,
            payload=json.loads(payload),
            created_at=datetime.fromisoformat(created).replace(tzinfo=None).isoformat() + "+00:00",
        )
        for seq, event_id, txn, kind, subject, payload, created in rows
    ]


APPLY_CPU = 0.0  # this process's CPU seconds in the last `full_apply`


def new_store(url: str, code: str) -> str:
    db = Database(url, pool_size=1, max_overflow=0)
    with db.transaction() as session:
        store = save_store(
            session,
            StoreDetails(
                code=code, name=code, timezone="America/Chicago", tax_rate_bp=1025, lat=41.9, lon=-87.8
            ),
            utcnow(),
        )
        store_id = store.id
    db.dispose()
    return store_id


def full_apply(url: str, store_id: str, events: list[contract.OutboxEvent], batch: int) -> float:
    db = Database(url, pool_size=1, max_overflow=0)
    global APPLY_CPU
    cpu = time.process_time()
    started = time.perf_counter()
    for start in range(0, len(events), batch):
        with db.transaction() as session:
            outcomes, mark = apply_store_events(session, store_id, events[start : start + batch])
        assert mark == events[min(len(events), start + batch) - 1].seq, (mark, outcomes[:3])
    took = time.perf_counter() - started
    APPLY_CPU = time.process_time() - cpu
    db.dispose()
    return took


def bare_rows(url: str, store_id: str, events: list[contract.OutboxEvent], batch: int) -> float:
    """The same rows by hand: fresh ids, so nothing collides with the applied copy."""
    renamed: dict[str, str] = {}
    started = time.perf_counter()
    with psycopg.connect(libpq_url(url)) as conn:
        for start in range(0, len(events), batch):
            chunk = events[start : start + batch]
            events_rows, orders, lines, stages = [], [], [], []
            for e in chunk:
                payload: dict[str, Any] = e.payload
                events_rows.append(
                    (store_id, e.seq, str(uuid.uuid4()), e.kind, json.dumps(payload), e.created_at)
                )
                if e.kind == "order.placed":
                    renamed[payload["id"]] = order_id = str(uuid.uuid4())
                    orders.append((order_id, store_id, payload.get("number"), payload["total"], e.created_at))
                    lines += [
                        (store_id, order_id, n, json.dumps(item))
                        for n, item in enumerate(payload["items"], 1)
                    ]
                elif e.kind == "order.stage" and payload["order_id"] in renamed:
                    stages.append((payload["stage"], e.created_at, store_id, renamed[payload["order_id"]]))
            with conn.transaction(), conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO inbound_event (store_id, seq, event_id, kind, payload, created_at, "
                    "received_at) VALUES (%s, %s, %s, %s, %s, %s, now()) ON CONFLICT DO NOTHING",
                    events_rows,
                )
                cur.executemany(
                    "INSERT INTO orders (id, store_id, store_order_id, number, business_date, channel, "
                    "service, stage, tracked_status, customer_name, phone, address, notes, menu_version, "
                    "subtotal, discount, tax, tip, total, payment, placed_at, in_store_at, updated_at) "
                    "VALUES (%s, %s, %s, %s, current_date, 'phone', 'delivery', 'placed', 'prep', '', '', '',"
                    " '', 1, 0, 0, 0, 0, %s, 'cash', %s, now(), now()) ON CONFLICT DO NOTHING",
                    [(o[0], o[1], o[0], o[2], o[3], o[4]) for o in orders],
                )
                cur.executemany(
                    "INSERT INTO order_line (store_id, order_id, line_no, product, name, size, quantity, "
                    "unit_price, line_total, item) VALUES (%s, %s, %s, 'pepperoni', 'Pepperoni', 'lg', 1, 0, 0, %s)",
                    lines,
                )
                cur.executemany(
                    "UPDATE orders SET stage = %s, tracked_status = 'prep', updated_at = %s "
                    "WHERE store_id = %s AND id = %s",
                    stages,
                )
            conn.execute(
                "UPDATE inbound_head SET contiguous_seq = %s WHERE store_id = %s", (chunk[-1].seq, store_id)
            )
            conn.commit()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--orders", type=int, default=1000, help="orders in the drained evening")
    parser.add_argument("--batch", type=int, default=500, help="events per push")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="makeline-bench-apply-"))
    server: EmbeddedPostgres | None = None
    url = os.environ.get("DATABASE_URL")
    if not url:
        server = EmbeddedPostgres(home / "pg", cleanup="delete")
        url = server.ensure_database()
    try:
        seed_database(url)
        events = evening(home, args.orders)
        kinds: dict[str, int] = {}
        for e in events:
            kinds[e.kind] = kinds.get(e.kind, 0) + 1
        mix = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1]))
        print(f"an evening of {args.orders} orders: {len(events)} events ({mix})")
        # The evening and the simulated store stay in this process (a cloud applier holds
        # neither): kept out of the collector's full passes, as the applier keeps what it
        # holds from its start (`cloud_api.sync.applier.serve`).
        gc.freeze()
        applied = full_apply(url, new_store(url, "BENCH-APPLY"), events, args.batch)
        bare_store = new_store(url, "BENCH-BARE")
        with psycopg.connect(libpq_url(url), autocommit=True) as conn:
            conn.execute("INSERT INTO inbound_head VALUES (%s, 0, 0) ON CONFLICT DO NOTHING", (bare_store,))
        bare = bare_rows(url, bare_store, events, args.batch)
        print(
            f"full apply, batches of {args.batch}:       {len(events) / applied:8.0f} events/s ({applied:.1f} s)"
        )
        print(f"bare PostgreSQL, the same rows:     {len(events) / bare:8.0f} events/s ({bare:.1f} s)")
        print(f"ratio apply / bare: {bare / applied:.2f}")
        print(
            f"the apply's own CPU (Python): {1000 * APPLY_CPU / len(events):.3f} ms per event "
            f"({len(events) / APPLY_CPU:.0f} events per CPU-second); "
            "load average {:.2f} {:.2f} {:.2f} (a shared machine)".format(*os.getloadavg())
        )
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
