"""Reconnection storm: N stores, each with a backlog of B events, reconnect to one cloud
(2 workers) at once while a steady stream of customers' online orders runs (spread over `--order-stores` stores
of the chain, as a chain's customers are: one store's orders wait on its feed's head).
The stores' sync (their beats and pushes) goes to workers of its own (`--sync-workers`, 2:
`makeline cloud --sync-port`, as a load balancer sends `/api/v1/sync/` by path); with
`--sync-workers 0`, to the customers' workers. A backlog's push waits on the cloud's brake
while more events wait to be applied than `--backlog-s` seconds of the pace the appliers told,
and at least `--backlog-events` (the cloud's own settings, `sync.brake`; 0 events: no brake),
so the stores are admitted at the rate the appliers apply.

Each simulated store speaks the agents' protocol with its own device credential: a
heartbeat, then its backlog in push batches, each sent again unchanged after a 429's
Retry-After (as `sync.agent` does) or after the agent's 30 s timeout (a resend), and a
heartbeat every 15 s or so, spaced as the agent spaces them (`sync.protocol.beat_delay`: its
session's first wait 7.5-15 s, then 13.5-16.5 s). The pushes go through httpx; each store's
beats through a connection of its own, opened by its first beat and kept, as prepared
HTTP/1.1 requests (`beat_load.py`): a thousand stores' first beats at once through httpx in
one process timed mostly httpx (3.5 s at the median, its loop running 1.7 s late), not the
cloud. The events are a real evening from the store simulator (orders through their whole
lives, stock usage), its ids made each store's own.

Prints: time to drain and events/s; POST /orders p50/p99 (from a process of their own,
`order_load.py`, each timed from when it was due) without the storm and during
it; heartbeat p50/p99 of the rest of the chain's stores (`--calm-stores`, beating at
`--beats-per-s` all told, open loop from a process of their own: `beat_load.py`) without the
storm and during it, and of the reconnecting stores' own beats (their first ones also from
each one's connection open: this process opens every store's connection in one turn of its
loop, ~0.1-0.2 s of its own work for a thousand before any beat is sent); 429s and resends; the CPU of the cloud's processes and of its
own PostgreSQL; the cloud workers' peak RSS; the backlog and the appliers' told pace as the brake
reads them; what PostgreSQL's backends waited on during the storm
(`pg_waits.py`: client reads, WAL syncs, locks) and the checkpoints taken.

The simulated stores run on uvloop (`--client-loop asyncio` for the standard loop), as
`beat_load.py`'s beats and the cloud's workers do: this process stands for a thousand
stores' computers on the cloud's own two cores, and what its loop costs is theirs, not the
cloud's.

Embedded PostgreSQL with its default durability (fsync on) unless DATABASE_URL is set.

    .venv/bin/python benchmarks/bench_storm.py [--stores 200] [--events 300] [--orders-per-s 10]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cloud_api.db.database import Database  # noqa: E402
from cloud_api.demo.seed import seed_database  # noqa: E402
from cloud_api.settings import CloudSettings, libpq_url, one_applier_per_two_cores  # noqa: E402
from cloud_api.store_events import repository  # noqa: E402
from cloud_api.sync import brake  # noqa: E402
from cloud_api.sync.pace import FRESH_S  # noqa: E402
from makeline.demo.launcher import free_port  # noqa: E402
from makeline.demo.seed import init_demo_store  # noqa: E402
from makeline.demo.simulate import simulate  # noqa: E402
from store_db.db import StoreDB  # noqa: E402
from sync import contract  # noqa: E402
from sync.agent.link import retry_after  # noqa: E402
from sync.agent.settings import AgentSettings  # noqa: E402
from sync.contract import MAX_BATCH  # noqa: E402
from sync.protocol import beat_delay  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from beat_load import BeatLoad, exchange, request, run_load  # noqa: E402
from chain_stores import agent_beat, claim_stores, make_stores  # noqa: E402
from measure import cpu, cpu_by_role, database, machine_after, machine_pace, pct, put_away, tree  # noqa: E402
from order_load import OrderLoad, Placed  # noqa: E402
from pg_waits import Timeline, Waits, Watcher  # noqa: E402

__all__ = ["cpu", "pct", "start_cloud", "stop_cloud", "tree"]  # bench_cloud, bench_heartbeat

UUID_HEAD = re.compile(r'"[0-9a-f]{8}(-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"')
AGENT_TIMEOUT_S = 30.0
BEAT_EVERY_S = AgentSettings().heartbeat_s
STORES_A_CLIENT = 50  # the stores sharing one HTTP client (and its pool of connections)


def evening_events(folder: Path, count: int) -> list[dict[str, Any]]:
    """`count` outbox events of a simulated evening, as the agent sends them."""
    path = folder / "store.db"
    init_demo_store(path)
    with StoreDB(path) as db:
        simulate(db, max(10, count // 6 + 5), io.StringIO(), through="delivered", seed=8)
    conn = sqlite3.connect(path)
    rows = conn.execute(
        "SELECT seq, event_id, txn, kind, subject, payload, created_at FROM outbox ORDER BY seq LIMIT ?",
        (count,),
    ).fetchall()
    conn.close()
    return [
        {
            "seq": seq,
            "event_id": event_id,
            "txn": txn,
            "kind": kind,
            "subject": subject,
            "payload": json.loads(payload),
            "created_at": datetime.fromisoformat(created).replace(tzinfo=UTC).isoformat(),
        }
        for seq, event_id, txn, kind, subject, payload, created in rows
    ]


def batches_for(n: int, store_id: str, events: list[dict[str, Any]], size: int) -> list[bytes]:
    """The store's backlog as push bodies: the evening's ids made this store's own."""
    bodies = []
    for start in range(0, len(events), size):
        mine = UUID_HEAD.sub(lambda m: f'"{n:08x}{m.group(1)}"', json.dumps(events[start : start + size]))
        head = json.dumps({"protocol": 1, "store_id": store_id, "instance": f"bench-{n}"})
        bodies.append(f'{head[:-1]}, "events": {mine}}}'.encode())
    return bodies


class Tally:
    def __init__(self) -> None:
        self.orders: list[float] = []
        self.order_errors = 0
        self.error_kinds: collections.Counter[str] = collections.Counter()  # what each error was
        self.beats: list[float] = []  # the reconnecting stores' beats: how long each took
        self.beats_sent: list[float] = []  # and from when its connection was open (its request sent)
        self.beats_due: list[float] = []  # and when each was sent (perf_counter)
        self.first_beats: list[bool] = []  # and whether it was its store's first of the storm
        self.busy = 0
        self.resends = 0
        self.errors = 0
        self.events = 0
        self.orders_due: list[float] = []
        self.lags: list[float] = []  # how late this process's own loop ran a 20 ms tick, seconds

    def placed(self, orders: Placed) -> None:
        self.orders, self.order_errors = orders.latencies, orders.errors
        self.error_kinds.update(orders.error_kinds)
        self.orders_due = orders.due


def slowest(took: list[float], due: list[float], since: float = 0.0, count: int = 5) -> str:
    """The slowest requests: how long each took, and when it was due (seconds into the storm)."""
    slow = sorted(zip(took, due, strict=True), reverse=True)[:count]
    return ", ".join(f"{1000 * t:.0f} ms at {d - since:.1f} s" for t, d in slow)


async def store_agent(
    http: httpx.AsyncClient,
    n: int,
    store_id: str,
    token: str,
    bodies: list[bytes],
    sizes: list[int],
    t: Tally,
) -> None:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    where = urlsplit(str(http.base_url))
    host, port = where.hostname or "127.0.0.1", where.port or 80
    beat = request(host, port, token, agent_beat(n, store_id, sum(sizes)))
    beating: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    push_at = 0.0  # the place in the cloud's line its heartbeat's answer gave (as the agent)
    sent = 0.0  # when the beat's request went out on an open connection

    async def beat_answer() -> tuple[int, bytes]:
        """The beat's status and answer on the store's own connection; one the cloud closed
        while it was idle is opened again, as any HTTP client does (`beat_load.py`'s rule)."""
        nonlocal beating, sent
        if beating is not None:
            try:
                sent = time.perf_counter()
                return await asyncio.wait_for(exchange(*beating, beat), AGENT_TIMEOUT_S)
            except (asyncio.IncompleteReadError, ConnectionError):
                beating[1].close()
        beating = await asyncio.open_connection(host, port)
        sent = time.perf_counter()
        return await asyncio.wait_for(exchange(*beating, beat), AGENT_TIMEOUT_S)

    async def heartbeat(first: bool = False) -> None:
        nonlocal push_at, sent
        started = sent = time.perf_counter()
        try:
            status, told = await beat_answer()
            if status != 200:
                raise ValueError(f"answered {status}")
            push_at = time.monotonic() + float(json.loads(told).get("push_after_s", 0))  # revised each beat
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as exc:
            t.errors += 1
            t.error_kinds[f"heartbeat: {type(exc).__name__} {exc}"[:80]] += 1
        t.first_beats.append(first)
        t.beats.append(time.perf_counter() - started)
        t.beats_sent.append(time.perf_counter() - sent)
        t.beats_due.append(started)

    await heartbeat(first=True)
    next_beat = time.monotonic() + beat_delay(BEAT_EVERY_S, first=True)  # as the agent spaces them
    for body, size in zip(bodies, sizes, strict=True):
        while True:
            if time.monotonic() >= next_beat:
                await heartbeat()
                next_beat = time.monotonic() + beat_delay(BEAT_EVERY_S, first=False)
            if (wait := min(push_at, next_beat) - time.monotonic()) > 0:
                await asyncio.sleep(wait)  # its place in line, beating meanwhile
                continue
            try:
                answer = await http.post(
                    "/api/v1/sync/push", content=body, headers=headers, timeout=AGENT_TIMEOUT_S
                )
            except httpx.TimeoutException:
                t.resends += 1
                continue
            except httpx.HTTPError as exc:
                t.errors += 1
                t.error_kinds[f"push: {type(exc).__name__}"] += 1
                await asyncio.sleep(1)
                continue
            if answer.status_code == 429:
                t.busy += 1
                await asyncio.sleep(retry_after(answer))  # as the agent reads it: the body's, exact
                continue
            if answer.status_code != 200:
                raise RuntimeError(f"store {n}: push answered {answer.status_code}: {answer.text[:300]}")
            t.events += size
            break
    if beating is not None:
        beating[1].close()


async def tick(lags: list[float], every: float = 0.02) -> None:
    """How late this process's own loop runs a tick every `every` s: a latency the agents
    measure includes the time their requests waited for this loop, busy with the other
    agents' requests (each a few milliseconds of httpx's Python)."""
    loop = asyncio.get_running_loop()
    while True:
        due = loop.time() + every
        await asyncio.sleep(every)
        lags.append(max(0.0, loop.time() - due))


def wait_applied(url: str) -> None:
    """Until no store's events wait to be applied: one connection and one look at the queue's
    first row every 0.1 s (counting the queue, on a new connection each time, took a tenth of
    PostgreSQL's samples in a 1,000-store storm: work the applier waited behind)."""
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        while True:
            row = conn.execute("SELECT EXISTS (SELECT 1 FROM inbound_pending)").fetchone()
            if not (row and row[0]):
                return
            time.sleep(0.1)


class BacklogWatch(Watcher):
    """What the cloud's brake reads (`repository.backlog`: the chain's events waiting to be
    applied, and the pace its appliers told lately), looked at every `every_s` through the
    storm on a connection of its own."""

    def __init__(self, url: str, every_s: float = 0.5) -> None:
        super().__init__()
        self.db = Database(url, pool_size=1, max_overflow=0)
        self.every_s = every_s
        self.seen: list[tuple[int, float]] = []

    def stop(self) -> None:
        super().stop()
        self.db.dispose()

    def _sample(self) -> None:
        while not self._stop.wait(self.every_s):
            with self.db.transaction() as session:
                self.seen.append(repository.backlog(session, FRESH_S))

    def report(self, least: int, ahead_s: float) -> str:
        waiting = sorted(w for w, _ in self.seen) or [0]
        told = sorted(p for _, p in self.seen if p > 0)
        paces = told or [0.0]
        middle = paces[len(paces) // 2]
        return (
            f"the backlog through the storm ({len(self.seen)} looks, every {self.every_s:g} s): "
            f"events waiting at most {waiting[-1]:,}, median {waiting[len(waiting) // 2]:,}; "
            f"the appliers' told pace (in {len(told)} looks) median {middle:,.0f}/s "
            f"({paces[len(paces) // 10]:,.0f}–{paces[len(paces) * 9 // 10]:,.0f}), "
            f"the brake's limit at it {brake.limit(middle, least, ahead_s):,} events"
            + ("" if least else " (the brake off)")
        )


def start_cloud(
    url: str,
    workers: int,
    home: Path,
    appliers: int = one_applier_per_two_cores(),
    sync: tuple[int, int] = (0, 0),
    quiet_appliers: int = CloudSettings.model_fields["quiet_appliers"].default,
    backlog_events: int = CloudSettings.model_fields["sync_backlog_events"].default,
    backlog_s: float = CloudSettings.model_fields["sync_backlog_s"].default,
) -> tuple[subprocess.Popen[bytes], str]:
    """`makeline cloud` with its workers (and its applier processes) on a free port, once healthy;
    with `sync` (a port, how many workers), the stores' sync on workers of its own there;
    `backlog_events` and `backlog_s`, the backlog's brake (`sync.brake`; 0 events: none)."""
    port = free_port(0)
    base = f"http://127.0.0.1:{port}"
    with (home / "cloud.log").open("ab") as log:
        command = [
            "-m",
            "makeline",
            "cloud",
            "--database-url",
            url,
            "--port",
            str(port),
            "--workers",
            str(workers),
        ]
        if sync[1]:
            command += ["--sync-port", str(sync[0]), "--sync-workers", str(sync[1])]
        cloud = subprocess.Popen(
            [sys.executable, *command],
            cwd=ROOT,
            env={
                **os.environ,
                "MAKELINE_BACKGROUND": "true",
                "MAKELINE_APPLIERS": str(appliers),
                "MAKELINE_QUIET_APPLIERS": str(quiet_appliers),
                "MAKELINE_SYNC_BACKLOG_EVENTS": str(backlog_events),
                "MAKELINE_SYNC_BACKLOG_S": str(backlog_s),
            },
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a service's session, not the load's (as on its own machine)
        )
    bases = [base, f"http://127.0.0.1:{sync[0]}"] if sync[1] else [base]
    deadline = time.monotonic() + 90
    while True:
        with contextlib.suppress(httpx.HTTPError):
            if all(httpx.get(f"{b}/api/v1/health").status_code == 200 for b in bases):
                return cloud, base
        if time.monotonic() > deadline:
            raise RuntimeError("the cloud did not start")
        time.sleep(0.2)


def stop_cloud(cloud: subprocess.Popen[bytes] | None) -> None:
    if cloud is not None and cloud.poll() is None:
        cloud.terminate()
        try:
            cloud.wait(timeout=20)
        except subprocess.TimeoutExpired:
            cloud.kill()


def keep_online(url: str, stop: threading.Event) -> None:
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        while not stop.is_set():
            conn.execute(
                "UPDATE store SET last_seen_at = now() WHERE code NOT LIKE 'STORM-%' AND code NOT LIKE 'CALM-%'"
            )
            stop.wait(10)


async def storm(
    base: str, stores: list[tuple[str, str]], events: list[dict[str, Any]], args: Any, shops: list[str]
) -> Tally:
    sizes = [len(events[s : s + args.batch]) for s in range(0, len(events), args.batch)]
    bodies = [batches_for(n, sid, events, args.batch) for n, (sid, _) in enumerate(stores)]
    quiet, loud = Tally(), Tally()
    # Customers' orders from a process of their own (`order_load`): timed on the storm's
    # client, an order waited for that client's loop, busy with hundreds of agents' pushes.
    orders = OrderLoad(base, shops, args.orders_per_s)
    await asyncio.to_thread(orders.start)
    calm = BeatLoad(args.sync_base, args.calm, args.beats_per_s, procs=1, seconds=args.baseline_s)
    calm.start()
    await asyncio.sleep(args.baseline_s)
    quiet.placed(await asyncio.to_thread(orders.join))
    quiet.calm, _ = await asyncio.to_thread(calm.join)  # type: ignore[attr-defined]
    # The rest of the chain keeps beating through the storm, each store every 15 s or so.
    calm = BeatLoad(args.sync_base, args.calm, args.beats_per_s, procs=1)
    calm.start()
    orders = OrderLoad(base, shops, args.orders_per_s)
    await asyncio.to_thread(orders.start)
    async with contextlib.AsyncExitStack() as clients:
        # A client for every STORES_A_CLIENT stores: httpx looks over every connection of its
        # pool for each request, a third of this process's CPU with one pool of a thousand.
        limits = httpx.Limits(
            max_connections=STORES_A_CLIENT,
            max_keepalive_connections=STORES_A_CLIENT,
            keepalive_expiry=contract.AGENT_KEEPS_IDLE_S,  # as the agents' own
        )
        http = [
            await clients.enter_async_context(httpx.AsyncClient(base_url=args.sync_base, limits=limits))
            for _ in range(0, len(stores), STORES_A_CLIENT)
        ]
        loud.waits = Waits(args.url)  # type: ignore[attr-defined]
        loud.waits.start()  # type: ignore[attr-defined]
        loud.timeline = Timeline(args.url, "makeline-cloud-orders") if args.timeline else None  # type: ignore[attr-defined]
        if loud.timeline is not None:  # type: ignore[attr-defined]
            loud.timeline.start()  # type: ignore[attr-defined]
        loud.backlog = BacklogWatch(args.url)  # type: ignore[attr-defined]
        loud.backlog.start()  # type: ignore[attr-defined]
        started = time.monotonic()
        loud.started = time.perf_counter()  # type: ignore[attr-defined]
        ticking = asyncio.create_task(tick(loud.lags))
        await asyncio.gather(
            *(
                store_agent(http[n // STORES_A_CLIENT], n, sid, token, bodies[n], sizes, loud)
                for n, (sid, token) in enumerate(stores)
            )
        )
        ticking.cancel()
        loud.drain_s = time.monotonic() - started  # type: ignore[attr-defined]
        # Acknowledged is stored; applied is when no store's events wait any more.
        await asyncio.to_thread(wait_applied, args.url)
        loud.applied_s = time.monotonic() - started  # type: ignore[attr-defined]
        loud.waits.stop()  # type: ignore[attr-defined]
        if loud.timeline is not None:  # type: ignore[attr-defined]
            loud.timeline.stop()  # type: ignore[attr-defined]
        loud.backlog.stop()  # type: ignore[attr-defined]
        orders.stop()
        calm.stop()
        loud.placed(await asyncio.to_thread(orders.join))
        loud.calm, _ = await asyncio.to_thread(calm.join)  # type: ignore[attr-defined]
    loud.quiet = quiet  # type: ignore[attr-defined]
    return loud


def the_clouds(parser: argparse.ArgumentParser, flag: str, setting: str, help: str) -> None:
    """An option standing for the cloud's own `setting`, whose default is the cloud's."""
    default = CloudSettings.model_fields[setting].default
    parser.add_argument(flag, type=type(default), default=default, help=f"{help} (default: the cloud's own)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--stores", type=int, default=200)
    parser.add_argument(
        "--client-loop",
        choices=("uvloop", "asyncio"),
        default="uvloop",
        help="the simulated stores' event loop (this process's: a thousand stores' sockets)",
    )
    parser.add_argument("--events", type=int, default=300, help="backlog per store")
    parser.add_argument("--batch", type=int, default=MAX_BATCH, help="events per push")
    parser.add_argument("--orders-per-s", type=float, default=10.0, help="customers' online orders")
    parser.add_argument("--order-stores", type=int, default=10, help="stores the online orders go to")
    # A minute of orders before the storm: about 600 at 10/s, so the calm p99 is a p99 (of 150
    # it was the second slowest order, one hiccup of this shared machine: 16-61 ms run to run).
    parser.add_argument("--baseline-s", type=float, default=60.0, help="orders timed before the storm")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--sync-workers",
        type=int,
        default=2,
        help="the stores' sync on workers of its own (`--sync-port`); 0: on the customers' workers",
    )
    parser.add_argument(
        "--appliers",
        type=int,
        default=one_applier_per_two_cores(),
        help="applier processes beside the workers (default: the cloud's own)",
    )
    the_clouds(
        parser,
        "--quiet-appliers",
        "quiet_appliers",
        "appliers that apply only once the pushes have gone quiet",
    )
    the_clouds(
        parser,
        "--backlog-events",
        "sync_backlog_events",
        "the least events waiting to be applied beyond which a backlog's push waits (0: never)",
    )
    the_clouds(
        parser,
        "--backlog-s",
        "sync_backlog_s",
        "seconds of the appliers' told pace that may wait to be applied",
    )
    parser.add_argument("--calm-stores", type=int, default=300, help="stores online through the storm")
    parser.add_argument("--beats-per-s", type=float, default=20.0, help="their heartbeats, all told")
    parser.add_argument(
        "--timeline",
        action="store_true",
        help="sample the customers' backends every 10 ms and tell what they did in the slowest orders",
    )
    parser.add_argument(
        "--fresh-wal",
        action="store_true",
        help="PostgreSQL's WAL as a cluster made a moment ago has it (no segment ready: each made in the storm)",
    )
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="makeline-bench-storm-"))
    server, url = database(home, aged=not args.fresh_wal)
    cloud: subprocess.Popen[bytes] | None = None
    stop = threading.Event()
    try:
        args.url = url
        from bench_cloud import more_stores  # it imports this module's cloud helpers

        shops = [seed_database(url).store_id, *more_stores(url, args.order_stores - 1)]
        events = evening_events(home, args.events)
        stores = make_stores(url, args.stores)
        claim_stores(stores, url, timedelta(hours=2))  # their computers, known before the outage
        calm = make_stores(url, args.calm_stores, "CALM")
        args.calm = [(agent_beat(len(stores) + n, sid), token) for n, (sid, token) in enumerate(calm)]
        threading.Thread(target=keep_online, args=(url, stop), daemon=True).start()
        sync_port = free_port(0) if args.sync_workers else 0
        cloud, base = start_cloud(
            url,
            args.workers,
            home,
            args.appliers,
            (sync_port, args.sync_workers),
            args.quiet_appliers,
            args.backlog_events,
            args.backlog_s,
        )
        # The stores' sync on workers of its own (as a load balancer sends it by path), or not.
        args.sync_base = f"http://127.0.0.1:{sync_port}" if sync_port else base
        # The calm stores' computers claim their stores, and each worker verifies their credentials.
        run_load(args.sync_base, args.calm, 100.0, 3 * len(calm) / 100.0, procs=1)
        postmaster = server.server_pid() if server is not None else None
        kinds: dict[str, int] = {}
        for e in events:
            kinds[e["kind"]] = kinds.get(e["kind"], 0) + 1
        print(
            f"{os.cpu_count()} cores shared by the cloud ({args.workers} workers, "
            + (
                f"{args.sync_workers} of the stores' own, "
                if args.sync_workers
                else "the stores' sync on them, "
            )
            + f"{args.appliers} applier(s) and {args.quiet_appliers} for the quiet after the pushes, "
            + (
                f"a backlog's push waiting while more than {args.backlog_s:g} s of the appliers' "
                f"pace wait, {args.backlog_events:,} events at least), "
                if args.backlog_events
                else "no brake on the backlogs), "
            )
            + "its PostgreSQL and the load; "
            f"{args.stores} stores × {len(events)} events ({', '.join(f'{k} {v}' for k, v in kinds.items())}); "
            f"online orders {args.orders_per_s:.0f}/s over {len(shops)} stores"
        )
        print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), end="; ")
        print(f"a bare loop of ten million additions: {machine_pace():.2f} s")
        cloud_cpu, pg_cpu, cloud_tree = cpu(cloud.pid), cpu(postmaster), tree(cloud.pid)
        load_cpu = time.process_time()
        if args.client_loop == "uvloop":  # the stores' side as lean as `beat_load`'s and the cloud's
            import uvloop

            uvloop.install()
        t = asyncio.run(storm(base, stores, events, args, shops))
        drain_s: float = t.drain_s  # type: ignore[attr-defined]
        quiet: Tally = t.quiet  # type: ignore[attr-defined]
        cloud_used, pg_used = cpu(cloud.pid) - cloud_cpu, cpu(postmaster) - pg_cpu
        load_used = time.process_time() - load_cpu
        applied_s: float = t.applied_s  # type: ignore[attr-defined]
        took = applied_s + args.baseline_s
        print(
            f"acknowledged {t.events} events in {drain_s:.1f} s: {t.events / drain_s:7.0f} events/s   "
            f"429s {t.busy}, resends after a timeout {t.resends}, other errors {t.errors}"
        )
        print(f"drained (every event applied) in {applied_s:.1f} s: {t.events / applied_s:7.0f} events/s")
        print(
            f"POST /orders without the storm ({len(quiet.orders)}): p50 {pct(quiet.orders, 0.5):6.1f} ms  "
            f"p99 {pct(quiet.orders, 0.99):7.1f} ms   errors {quiet.order_errors}"
        )
        print(
            f"POST /orders during the storm  ({len(t.orders)}): p50 {pct(t.orders, 0.5):6.1f} ms  "
            f"p99 {pct(t.orders, 0.99):7.1f} ms   errors {t.order_errors}"
        )
        print(f"  the slowest during the storm: {slowest(t.orders, t.orders_due, t.started)}")  # type: ignore[attr-defined]
        timeline: Timeline | None = t.timeline  # type: ignore[attr-defined]
        if timeline is not None:
            for waited, due in sorted(zip(t.orders, t.orders_due, strict=True), reverse=True)[:5]:
                print(
                    f"    {1000 * waited:.0f} ms at {due - t.started:.1f} s, the customers' backends meanwhile: "  # type: ignore[attr-defined]
                    + timeline.during(due, due + waited)
                )
        for tally in (quiet, t):
            for kind, times in tally.error_kinds.most_common():
                print(f"  error: {kind} ×{times}")
        for when, beats in (("without the storm", quiet.calm), ("during the storm ", t.calm)):  # type: ignore[attr-defined]
            print(
                f"heartbeats of {args.calm_stores} stores online, {args.beats_per_s:.0f}/s, {when} "
                f"({len(beats.latencies)}): p50 {pct(beats.latencies, 0.5):6.1f} ms  "
                f"p99 {pct(beats.latencies, 0.99):7.1f} ms   errors {beats.errors}"
                + (f" (first: {beats.first_error})" if beats.errors else "")
            )
        print(f"  the slowest during the storm: {slowest(t.calm.latencies, t.calm.dues)}")  # type: ignore[attr-defined]
        firsts = [b for b, first in zip(t.beats, t.first_beats, strict=True) if first]
        firsts_sent = [b for b, first in zip(t.beats_sent, t.first_beats, strict=True) if first]
        later = [b for b, first in zip(t.beats, t.first_beats, strict=True) if not first]
        later_due = [d for d, first in zip(t.beats_due, t.first_beats, strict=True) if not first]
        print(
            f"the reconnecting stores' own heartbeats, the first of each ({len(firsts)}, all at the storm's "
            f"start, each on a new connection): p50 {pct(firsts, 0.5):6.1f} ms  p99 {pct(firsts, 0.99):7.1f} ms"
        )
        print(
            f"  timed from each one's connection open, its request sent: p50 {pct(firsts_sent, 0.5):6.1f} ms  "
            f"p99 {pct(firsts_sent, 0.99):7.1f} ms (the rest is this process opening every store's "
            "connection in one turn of its loop, which each store's own computer does for itself)"
        )
        if later:
            print(
                f"  the later ones, every 15 s or so while waiting for their turn ({len(later)}): "
                f"p50 {pct(later, 0.5):6.1f} ms  p99 {pct(later, 0.99):7.1f} ms; the slowest: "
                + slowest(later, later_due, t.started)  # type: ignore[attr-defined]
            )
        print(
            f"  as this process timed them, its own loop running late by up to {1000 * max(t.lags, default=0.0):.0f} ms "
            f"(p99 {pct(t.lags, 0.99):.0f} ms) while it pushed the backlogs"
        )
        print(
            f"CPU over {took:.0f} s: cloud {100 * cloud_used / took:5.1f} % of a core, its PostgreSQL "
            + (
                f"{100 * pg_used / took:5.1f} %"
                if postmaster is not None
                else "not measured (a server of its own)"
            )
            + f", the load generator {100 * load_used / took:5.1f} %"
        )
        print(f"  the cloud's CPU by process: {cpu_by_role(cloud_tree, tree(cloud.pid))}")
        print(t.backlog.report(args.backlog_events, args.backlog_s))  # type: ignore[attr-defined]
        print(t.waits.report())  # type: ignore[attr-defined]
        peaks = sorted((hwm for _, _, hwm in tree(cloud.pid).values()), reverse=True)
        print("cloud processes' peak RSS: " + ", ".join(f"{p / 1024:.0f} MiB" for p in peaks))
        print(machine_after())
    finally:
        stop.set()
        stop_cloud(cloud)
        put_away(server, home)


if __name__ == "__main__":
    main()
