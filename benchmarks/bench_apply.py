"""Backlog drain with full apply: a store's evening (orders through their whole lives:
placed, made, baked, racked, out, delivered, runs, stock) read from its outbox, stored in
push-sized batches and applied to the cloud's orders, stock and reports, two ways (no HTTP):

- as the cloud drains it: this process stores each batch in a transaction of its own, as a
  worker stores a push (`store_events.intake.keep_store_events`), while the cloud's own
  applier process (`python -m cloud_api.sync.applier`, as `makeline cloud` starts it, at its
  lower priority) applies the queue beside it; timed until every event is applied (the last
  chunk's commit, the reports' days included);
- in one transaction per batch, storing then applying (`store_events.apply_store_events`,
  what a push does when its worker is quiet): the apply's own cost, its CPU per event.

Beside it, bare PostgreSQL writing the same rows in the same run: the `inbound_event` rows,
the new orders and their lines, and one UPDATE per stage change, through psycopg's
`executemany` in pipeline mode, one transaction per batch.

Each side's own CPU is printed beside its rate: this process's (the apply's Python) and
the PostgreSQL backend's that served it (from /proc, on this machine's server only), and the
WAL each run wrote an event (`pg_current_wal_insert_lsn` before and after: every write a
synced event costs, which a customer's commit flushes behind it in a storm).

Before the timed runs, the same evening is applied once for another store and the database's
statistics taken (`measure.analyze`): a server in service has a history and statistics to
plan by, and the runs measure the apply, not plans made on empty tables.

Embedded PostgreSQL with its default durability (fsync on) unless DATABASE_URL is set.

`--instructions` counts instead what no load moves: the instructions the apply's Python runs an
event (`store_events.apply_pending`, each chunk called through `operator.call`, a C function
nothing else here calls, under valgrind's callgrind collecting only inside it), the evening
stored in batches of `--batch` and each applied after it is stored, the first batch
uncounted (warm-up). PostgreSQL's own work is in its processes, not counted.

    .venv/bin/python benchmarks/bench_apply.py [--orders 1000] [--batch 500]
    .venv/bin/python benchmarks/bench_apply.py --instructions [--orders 1000] [--batch 2000]
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import operator
import os
import sqlite3
import subprocess
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

from measure import analyze, collected, cpu, database, machine_pace, put_away  # noqa: E402

from cloud_api.db.base import utcnow  # noqa: E402
from cloud_api.db.database import Database  # noqa: E402
from cloud_api.demo.seed import seed_database  # noqa: E402
from cloud_api.pubsub.announcer import Announcer  # noqa: E402
from cloud_api.settings import libpq_url  # noqa: E402
from cloud_api.store_events.intake import keep_store_events  # noqa: E402
from cloud_api.store_events.service import apply_pending, apply_store_events  # noqa: E402
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


def wal_at(url: str) -> int:
    """Where PostgreSQL's WAL is being written now, in bytes from its start."""
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        found = conn.execute("SELECT pg_current_wal_insert_lsn() - '0/0'::pg_lsn").fetchone()
    assert found is not None
    return int(found[0])


def wal_line(wal: int, events: int) -> str:
    return f"; WAL {wal / events / 1024:.2f} KB an event"


class Spent:
    """Wall-clock, this process's CPU and the PostgreSQL backend's CPU of one run (seconds),
    and the WAL it wrote (bytes)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.wall = self.python = self.backend = 0.0
        self.wal = 0
        self._backend_pid: int | None = None
        self._started = (0.0, 0.0, 0.0)
        self._wal = 0

    def start(self, backend_pid: int) -> None:
        command = Path(f"/proc/{backend_pid}/cmdline")
        self._backend_pid = backend_pid if command.exists() and b"postgres" in command.read_bytes() else None
        backend = cpu(self._backend_pid)  # read before the clocks start: it walks /proc
        self._wal = wal_at(self.url)
        self._started = (time.perf_counter(), time.process_time(), backend)

    def stop(self) -> None:
        wall, python, backend = self._started
        self.wall = time.perf_counter() - wall
        self.python = time.process_time() - python
        self.backend = cpu(self._backend_pid) - backend
        self.wal = wal_at(self.url) - self._wal

    def line(self, what: str, events: int) -> str:
        backend = (
            f"PostgreSQL {1000 * self.backend / events:.3f} ms"
            if self.backend == self.backend  # NaN when the server is not on this machine
            else "PostgreSQL not measured (another machine's)"
        )
        return (
            f"{what:34} {events / self.wall:8.0f} events/s ({self.wall:.2f} s); CPU per event: "
            f"Python {1000 * self.python / events:.3f} ms, {backend}" + wal_line(self.wal, events)
        )


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


def _backend_pid(conn: psycopg.Connection[Any]) -> int:
    found = conn.execute("SELECT pg_backend_pid()").fetchone()
    assert found is not None
    return int(found[0])


def full_apply(url: str, store_id: str, events: list[contract.OutboxEvent], batch: int) -> Spent:
    db = Database(url, pool_size=1, max_overflow=0)
    spent = Spent(url)
    with db.engine.connect() as conn:  # the pool's one connection: every batch's backend
        spent.start(int(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()))
    for start in range(0, len(events), batch):
        with db.transaction() as session:
            outcomes, mark = apply_store_events(session, store_id, events[start : start + batch])
        assert mark == events[min(len(events), start + batch) - 1].seq, (mark, outcomes[:3])
    spent.stop()
    db.dispose()
    return spent


APPLIER = "makeline-bench-applier"  # the applier process's connections, by their application_name


def _with_name(url: str, name: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}application_name={name}"


def _applier_backends(conn: psycopg.Connection[Any]) -> list[int]:
    found = conn.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", (APPLIER,))
    return [int(pid) for (pid,) in found]


def _applier_listens(conn: psycopg.Connection[Any]) -> bool:
    """The applier is up, idle and listening for pushes (`cloud_api.sync.news`)."""
    found = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = %s AND query LIKE 'LISTEN%%')",
        (APPLIER,),
    ).fetchone()
    return bool(found and found[0])


def _waiting(conn: psycopg.Connection[Any], store_id: str) -> bool:
    found = conn.execute("SELECT EXISTS (SELECT 1 FROM inbound_pending WHERE store_id = %s)", (store_id,))
    row = found.fetchone()
    return bool(row and row[0])


class Drained:
    """The pipelined drain's clocks: wall, this (storing) process's CPU and its backend's,
    the applier process's CPU and its backends' (seconds)."""

    def __init__(self) -> None:
        self.wall = self.storing = self.storing_backend = self.applier = self.applier_backends = 0.0
        self.wal = 0

    def line(self, what: str, events: int) -> str:
        per = 1000 / events
        return (
            f"{what:34} {events / self.wall:8.0f} events/s ({self.wall:.2f} s); CPU per event: storing "
            f"{per * self.storing:.3f} ms + PostgreSQL {per * self.storing_backend:.3f} ms, applier "
            f"{per * self.applier:.3f} ms + PostgreSQL {per * self.applier_backends:.3f} ms"
            + wal_line(self.wal, events)
        )


def drained(url: str, store_id: str, events: list[contract.OutboxEvent], batch: int) -> Drained:
    """Pushes stored here while the cloud's applier process applies them beside us, as the
    cloud drains a store's backlog; timed until the queue is empty and the last chunk committed."""
    with tempfile.TemporaryFile() as said:  # what the applier says, shown if it fails
        applier = subprocess.Popen(
            [sys.executable, "-m", "cloud_api.sync.applier"],
            env={**os.environ, "DATABASE_URL": _with_name(url, APPLIER), "PYTHONPATH": str(ROOT)},
            cwd=ROOT,
            stdout=said,
            stderr=said,
        )
        announcer = Announcer(url)  # a worker's: the applier hears of each stored push
        announcer.start()
        db = Database(url, pool_size=1, max_overflow=0, sink=announcer)
        spent = Drained()
        try:
            with psycopg.connect(libpq_url(url), autocommit=True) as watch:
                while not _applier_listens(watch):
                    if applier.poll() is not None:
                        said.seek(0)
                        raise SystemExit(
                            f"the applier process stopped before the run: {said.read().decode()[-2000:]}"
                        )
                    time.sleep(0.05)
                backends = _applier_backends(watch)
                with db.engine.connect() as conn:
                    storing_backend = int(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())
                started = (
                    cpu(storing_backend),
                    cpu(applier.pid),
                    sum(cpu(pid) for pid in backends),
                    time.process_time(),
                    time.perf_counter(),
                )
                wal = wal_at(url)
                for start in range(0, len(events), batch):
                    with db.transaction() as session:
                        keep_store_events(session, store_id, events[start : start + batch], utcnow())
                while _waiting(watch, store_id):
                    time.sleep(0.01)  # a cheap look; the drain is timed to 10 ms
                spent.wall = time.perf_counter() - started[4]
                spent.wal = wal_at(url) - wal
                spent.storing = time.process_time() - started[3]
                spent.storing_backend = cpu(storing_backend) - started[0]
                spent.applier = cpu(applier.pid) - started[1]
                # the applier's backends of the run (one may have been opened during it)
                spent.applier_backends = sum(cpu(pid) for pid in _applier_backends(watch)) - started[2]
        finally:
            applier.terminate()
            applier.wait(timeout=30)
            announcer.stop()
            db.dispose()
        return spent


def bare_rows(url: str, store_id: str, events: list[contract.OutboxEvent], batch: int) -> Spent:
    """The same rows by hand: fresh ids, so nothing collides with the applied copy."""
    renamed: dict[str, str] = {}
    spent = Spent(url)
    with psycopg.connect(libpq_url(url)) as conn:
        spent.start(_backend_pid(conn))
        conn.commit()
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
        spent.stop()
    return spent


def counted(url: str, events_file: str, batch: int) -> None:
    """The run callgrind counts: a new store's evening stored batch by batch, each applied after
    it is stored, the applies after the first through `operator.call`."""
    with open(events_file) as f:
        events = [contract.OutboxEvent.model_validate_json(line) for line in f]
    store_id = new_store(url, f"BENCH-COUNT-{uuid.uuid4().hex[:8]}")
    db = Database(url, pool_size=1, max_overflow=0)
    gc.freeze()
    for n, start in enumerate(range(0, len(events), batch)):
        with db.transaction() as session:
            keep_store_events(session, store_id, events[start : start + batch], utcnow())
        with db.transaction() as session:
            if n == 0:
                apply_pending(session, store_id, utcnow(), batch)
            else:
                operator.call(apply_pending, session, store_id, utcnow(), batch)
    db.dispose()


def instructions(url: str, events: list[contract.OutboxEvent], batch: int, home: Path) -> None:
    """The apply's instructions an event, counted by callgrind in a process of its own."""
    events_file = home / "events.jsonl"
    events_file.write_text("".join(e.model_dump_json() + "\n" for e in events))
    count = collected(__file__, "--counted", url, str(events_file), "--batch", str(batch))
    applied = len(events) - min(batch, len(events))
    print(
        f"the apply's Python, batches of {batch} after the first: "
        f"{count / applied / 1000:.1f} k instructions an event ({applied} events counted)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--orders", type=int, default=1000, help="orders in the drained evening")
    parser.add_argument("--batch", type=int, default=500, help="events per push")
    parser.add_argument("--instructions", action="store_true", help="count the apply's instructions")
    parser.add_argument("--counted", nargs=2, help=argparse.SUPPRESS)  # the run callgrind counts
    args = parser.parse_args()
    if args.counted is not None:
        counted(args.counted[0], args.counted[1], args.batch)
        return
    home = Path(tempfile.mkdtemp(prefix="makeline-bench-apply-"))
    server, url = database(home)
    try:
        seed_database(url)
        events = evening(home, args.orders)
        kinds: dict[str, int] = {}
        for e in events:
            kinds[e.kind] = kinds.get(e.kind, 0) + 1
        mix = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1]))
        print(f"an evening of {args.orders} orders: {len(events)} events ({mix})")
        if args.instructions:
            instructions(url, events, args.batch, home)
            return
        # The evening and the simulated store stay in this process (a cloud applier holds
        # neither): kept out of the collector's full passes, as the applier keeps what it
        # holds from its start (`cloud_api.sync.applier.serve`).
        gc.freeze()
        # A server in service: a history (the same evening, another store's) and statistics
        # to plan by. On tables that grow from empty during the run, the plans made at its
        # start read every row: the order lines' key checks scanned every order (45 µs a line).
        full_apply(url, new_store(url, "BENCH-HISTORY"), events, args.batch)
        analyze(url)
        pipelined = drained(url, new_store(url, "BENCH-DRAIN"), events, args.batch)
        applied = full_apply(url, new_store(url, "BENCH-APPLY"), events, args.batch)
        bare_store = new_store(url, "BENCH-BARE")
        with psycopg.connect(libpq_url(url), autocommit=True) as conn:
            conn.execute("INSERT INTO inbound_head VALUES (%s, 0, 0) ON CONFLICT DO NOTHING", (bare_store,))
        bare = bare_rows(url, bare_store, events, args.batch)
        print(pipelined.line(f"drained as the cloud does, {args.batch}s:", len(events)))
        print(applied.line(f"full apply, batches of {args.batch}:", len(events)))
        print(bare.line("bare PostgreSQL, the same rows:", len(events)))
        print(
            f"ratio drained / bare: {bare.wall / pipelined.wall:.2f}, "
            f"in one transaction a batch / bare: {bare.wall / applied.wall:.2f}; "
            "load average {:.2f} {:.2f} {:.2f} (a shared machine)".format(*os.getloadavg())
            + f"; a bare loop of ten million additions: {machine_pace():.2f} s"
        )
    finally:
        put_away(server, home)


if __name__ == "__main__":
    main()
