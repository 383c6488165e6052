"""Sync benchmark, on one machine, real processes over loopback:

1. online order → store: the cloud's answer to `POST /orders` (committed) until the order
   is committed in the store's SQLite file, pushed by the websocket nudge (p50/p99);
2. backlog drain: a store's outbox after an outage, sent by `makeline agent --once`,
   (a) a real evening (orders through their whole lives: what the cloud applies to its
   orders, stock and reports) and (b) events the cloud stores but does not apply, which
   is the sync machinery alone (store reads, HTTP, storing once, acknowledgements);
   each with the agent's peak resident memory (its VmHWM, read while it runs);
3. 200 simulated store agents on one cloud (2 workers): a websocket each, heartbeats
   every 15 s, a batch of store events every few seconds: request p50/p99 and CPU.

Embedded PostgreSQL with its default durability (fsync on) unless DATABASE_URL is set.

    .venv/bin/python benchmarks/bench_sync.py [--orders 200] [--evening 300] [--agents 200] [--seconds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import math
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from measure import database  # noqa: E402

from cloud_api.db.base import utcnow  # noqa: E402
from cloud_api.demo import DEMO_PASSWORD  # noqa: E402
from cloud_api.demo.seed import demo_customer_email, seed_database  # noqa: E402
from makeline.demo.launcher import enrollment_code, free_port  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from chain_stores import make_stores  # noqa: E402

from makeline.demo.seed import init_demo_store  # noqa: E402
from makeline.demo.simulate import simulate  # noqa: E402
from store_db.db import StoreDB  # noqa: E402
from store_db.models import utcnow as store_now  # noqa: E402
from store_db.services import outbox  # noqa: E402
from sync import contract  # noqa: E402
from sync.contract.events import FeedReleased  # noqa: E402
from sync.enroll import enroll  # noqa: E402

AGENT_ENV = {"MAKELINE_SYNC_BATCH": "500"}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


def makeline(*args: str, log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "makeline", *args],
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def peak_rss_mib(pid: int) -> float:
    """A running process's peak resident memory so far (the kernel's VmHWM, counted from its
    exec: not the memory of the parent it was forked from), in MiB; NaN once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return float("nan")
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def wait_with_peak(process: subprocess.Popen[bytes], timeout: float) -> tuple[int, float]:
    """Wait for `process` to end, reading its high-water mark as it runs; its exit code and
    peak resident memory in MiB (the last reading before it exited)."""
    deadline = time.monotonic() + timeout
    peak = float("nan")
    while process.poll() is None:
        if time.monotonic() > deadline:
            raise subprocess.TimeoutExpired(process.args, timeout)
        seen = peak_rss_mib(process.pid)
        peak = peak if math.isnan(seen) else seen  # NaN: it ended between poll and read
        time.sleep(0.05)
    return process.returncode, peak


def wait_for(check: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (httpx.HTTPError, ValueError, KeyError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what}: not within {timeout} s")


def new_store(folder: Path, cloud: str) -> tuple[Path, str]:
    path = folder / "store.db"
    init_demo_store(path)
    with StoreDB(path) as db:
        return path, enroll(db, cloud, enrollment_code(cloud, "OP-001")).store_id


# 1. Online order → store.


def online_latency(cloud: str, store_id: str, store: Path, orders: int) -> list[float]:
    shopper = httpx.post(
        f"{cloud}/api/v1/login", json={"email": demo_customer_email(1), "password": DEMO_PASSWORD}
    ).json()["access_token"]
    body = {
        "store_id": store_id,
        "service": "carryout",
        "items": [{"product": "pepperoni", "size": "lg"}],
        "payment": {"method": "card", "token": "tok_visa"},
    }
    watch = sqlite3.connect(store)
    delays: list[float] = []
    with httpx.Client(base_url=cloud, timeout=30) as http:
        for _ in range(orders):
            answer = http.post(
                "/api/v1/orders",
                json=body,
                headers={"Authorization": f"Bearer {shopper}", "Idempotency-Key": str(uuid.uuid4())},
            )
            committed = time.perf_counter()
            order_id = answer.json()["id"]
            while (
                watch.execute("SELECT 1 FROM orders WHERE cloud_order_id = ?", (order_id,)).fetchone() is None
            ):
                if time.perf_counter() - committed > 10:
                    raise RuntimeError(f"order {order_id} did not reach the store")
                time.sleep(0.0005)
            delays.append(time.perf_counter() - committed)
            time.sleep(0.1)
    watch.close()
    return delays


# 2. Backlog drain.


def drain(store: Path, log: Path) -> tuple[int, float, float]:
    """Events sent, seconds, and the agent's peak RSS in MiB."""
    agent = makeline("agent", "--db", str(store), "--once", log=log, env=AGENT_ENV)
    code, peak = wait_with_peak(agent, 1800)
    if code != 0:
        raise RuntimeError(f"the agent failed; see {log}")
    found = re.findall(r"backlog sent: (\d+) events in ([\d.]+) s", log.read_text())
    if not found:
        raise RuntimeError(f"no drain in {log}:\n{log.read_text()[-2000:]}")
    events, seconds = found[-1]
    return int(events), float(seconds), peak


def kept_events(store: Path, count: int) -> None:
    """`count` `feed.released` events (a kind the cloud stores and notes, applies to nothing)."""
    with StoreDB(store) as db:
        for start in range(0, count, 500):
            with db.write() as session:
                for n in range(start, min(count, start + 500)):
                    event = FeedReleased(cursor=n + 1, entry_kind="inventory.item", at=store_now())
                    outbox.emit(session, event, f"p{n}", store_now())


# 3. Many agents.


def store_event(seq: int, order_id: str, stage: int, now: str) -> dict[str, Any]:
    if stage == 0:
        payload: dict[str, Any] = {
            "id": order_id,
            "number": 1000 + seq,
            "business_date": now[:10],
            "channel": "phone",
            "service": "carryout",
            "stage": "placed",
            "subtotal": 1708,
            "discount": 0,
            "tax": 175,
            "tip": 0,
            "total": 1883,
            "menu_version": 1,
            "placed_at": now,
            "items": [{"product": "pepperoni", "name": "Pepperoni", "size": "lg", "quantity": 1}],
        }
        kind = "order.placed"
    else:
        payload = {
            "order_id": order_id,
            "stage": ["made", "baked", "ready", "picked_up"][stage - 1],
            "at": now,
        }
        kind = "order.stage"
    return {
        "seq": seq,
        "event_id": str(uuid.uuid4()),
        "txn": str(uuid.uuid4()),
        "kind": kind,
        "subject": order_id,
        "payload": payload,
        "created_at": now,
    }


async def one_agent(
    cloud: str,
    store_id: str,
    token: str,
    until: float,
    seconds: float,
    push_every: float,
    results: dict[str, list[float]],
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    ws_url = cloud.replace("http://", "ws://") + "/api/v1/sync/ws"
    rng = random.Random(store_id)
    settled = until - seconds + 2 * push_every  # after every store has connected once
    await asyncio.sleep(rng.uniform(0, push_every))
    async with (
        httpx.AsyncClient(base_url=cloud, headers=headers, timeout=30) as http,
        websockets.connect(ws_url, additional_headers=headers) as ws,
    ):
        contract.Hello.model_validate_json(await ws.recv())
        seq, order, stage, next_beat = 0, str(uuid.uuid4()), 0, 0.0
        pending: list[dict[str, Any]] = []
        while time.monotonic() < until:
            now = time.monotonic()
            if now >= next_beat:
                beat = contract.Heartbeat(store_id=store_id, sent_at=utcnow(), acked_seq=seq)
                started = time.perf_counter()
                try:
                    answer = await http.post(
                        "/api/v1/sync/heartbeat",
                        content=beat.model_dump_json(),
                        headers={"Content-Type": "application/json"},
                    )
                    ok = answer.status_code == 200
                except httpx.HTTPError:
                    ok = False
                results["heartbeat" if time.monotonic() > settled else "heartbeat_burst"].append(
                    time.perf_counter() - started
                )
                results["errors"].append(float(not ok))
                next_beat = now + 15
            if not pending:  # a batch whose answer was lost goes again, the same
                for _ in range(2):
                    seq += 1
                    pending.append(store_event(seq, order, stage, utcnow().isoformat()))
                    stage = (stage + 1) % 5
                    if stage == 0:
                        order = str(uuid.uuid4())
            batch = {"protocol": 1, "store_id": store_id, "events": pending}
            started = time.perf_counter()
            busy = False
            try:
                answer = await http.post("/api/v1/sync/push", json=batch)
                ok = answer.status_code == 200 and answer.json()["high_water"] == seq
                busy = answer.status_code == 429  # the admission's line: the same batch goes again
            except httpx.HTTPError:
                ok = False
            results["push" if time.monotonic() > settled else "push_burst"].append(
                time.perf_counter() - started
            )
            results["busy" if busy else "errors"].append(float(not ok))
            if ok:
                pending = []
            await asyncio.sleep(push_every * rng.uniform(0.8, 1.2))


async def many_agents(
    cloud: str, stores: list[tuple[str, str]], seconds: float, push_every: float
) -> dict[str, Any]:
    results: dict[str, list[float]] = {
        "heartbeat": [],
        "push": [],
        "heartbeat_burst": [],
        "push_burst": [],
        "errors": [],
        "busy": [],
    }
    until = time.monotonic() + seconds
    await asyncio.gather(*(one_agent(cloud, s, t, until, seconds, push_every, results) for s, t in stores))
    return results


def _stat(pid: int) -> tuple[int, str, float]:
    """(parent pid, command name, CPU seconds) of a process, from /proc."""
    raw = Path(f"/proc/{pid}/stat").read_text()
    name = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2 :].split()
    return int(fields[1]), name, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def processes() -> dict[int, tuple[int, str, float]]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                found[int(entry.name)] = _stat(int(entry.name))
    return found


def tree_cpu(root: int | None, table: dict[int, tuple[int, str, float]]) -> float:
    """CPU seconds so far of a process and its descendants."""
    if root is None:
        return float("nan")
    tree = {root}
    for _ in range(4):
        tree |= {pid for pid, (parent, _, _) in table.items() if parent in tree}
    return sum(table[pid][2] for pid in tree if pid in table)


def cpu_seconds(root: int, postmaster: int | None) -> tuple[float, float]:
    """CPU seconds so far of the cloud (its process and workers) and of the cloud's own
    PostgreSQL (the embedded server's postmaster and its backends; not any other PostgreSQL
    on the host; NaN on a server named by DATABASE_URL)."""
    table = processes()
    return tree_cpu(root, table), tree_cpu(postmaster, table)


def one_store(cloud: str, home: Path, args: argparse.Namespace) -> None:
    """Parts 1 and 2: one real store and its agent."""
    store, store_id = new_store(home, cloud)
    agent = makeline("agent", "--db", str(store), log=home / "agent.log")
    try:
        wait_for(lambda: httpx.get(f"{cloud}/api/v1/stores/{store_id}").json()["online"], 30, "the agent")
        delays = online_latency(cloud, store_id, store, args.orders)
        peak = peak_rss_mib(agent.pid)
    finally:
        agent.terminate()
        agent.wait(timeout=20)
    print(
        f"online order, cloud committed → store committed ({len(delays)} orders, nudged): "
        f"p50 {pct(delays, 0.5):5.1f} ms   p99 {pct(delays, 0.99):5.1f} ms   max {max(delays) * 1000:5.1f} ms"
        f"   agent peak RSS {peak:5.1f} MiB"
    )

    # 2. Backlog drain.
    with StoreDB(store) as db:
        simulate(db, args.evening, io.StringIO(), through="delivered", seed=8)
    events, seconds, peak = drain(store, home / "drain.log")
    print(
        f"backlog drain, an evening of {args.evening} orders ({events} events applied to orders, stock, "
        f"reports): {events / seconds:7.0f} events/s ({seconds:.1f} s)   agent peak RSS {peak:5.1f} MiB"
    )
    kept_events(store, args.kept)
    events, seconds, peak = drain(store, home / "drain.log")
    print(
        f"backlog drain, {events} events stored once and acknowledged, not applied (sync alone): "
        f"{events / seconds:7.0f} events/s ({seconds:.1f} s)   agent peak RSS {peak:5.1f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--orders", type=int, default=200, help="online orders timed to the store")
    parser.add_argument("--evening", type=int, default=300, help="orders in the drained evening")
    parser.add_argument("--kept", type=int, default=20000, help="stored-only events drained")
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--push-every", type=float, default=5.0, help="seconds between a store's batches")
    parser.add_argument("--only-agents", action="store_true", help="skip the latency and drain parts")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs) at the end")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="makeline-bench-sync-"))
    server, url = database(home)  # aged as a server in service (`measure.age_wal`)
    children: list[subprocess.Popen[bytes]] = []
    try:
        seed_database(url)
        port = free_port(0)
        cloud = f"http://127.0.0.1:{port}"
        env = {"MAKELINE_BACKGROUND": "true"}
        children.append(
            makeline(
                "cloud",
                "--database-url",
                url,
                "--port",
                str(port),
                "--workers",
                "2",
                log=home / "cloud.log",
                env=env,
            )
        )
        wait_for(lambda: httpx.get(f"{cloud}/api/v1/health").status_code == 200, 90, "the cloud")
        print(
            f"{os.cpu_count()} cores shared by the cloud (2 workers), PostgreSQL, the agent and the load; "
            f"load average {os.getloadavg()[0]:.2f} (a shared machine: figures move with it)"
        )

        if not args.only_agents:
            one_store(cloud, home, args)

        # 3. Many agents.
        # 3. Many agents.
        stores = make_stores(url, args.agents, prefix="BENCH")
        postmaster = server.server_pid() if server is not None else None
        cloud_cpu, pg_cpu = cpu_seconds(children[0].pid, postmaster)
        started, load_cpu = time.monotonic(), time.process_time()
        results = asyncio.run(many_agents(cloud, stores, args.seconds, args.push_every))
        took, load_used = time.monotonic() - started, time.process_time() - load_cpu
        cloud_now, pg_now = cpu_seconds(children[0].pid, postmaster)
        cloud_used, pg_used = cloud_now - cloud_cpu, pg_now - pg_cpu
        online = sum(1 for s in httpx.get(f"{cloud}/api/v1/stores").json() if s["online"])
        pushes = len(results["push"]) + len(results["push_burst"])
        beats = len(results["heartbeat"]) + len(results["heartbeat_burst"])
        print(
            f"{args.agents} agents for {took:.0f} s: {pushes / took:5.1f} pushes/s ({2 * pushes / took:5.1f} events/s), "
            f"{beats} heartbeats, {int(sum(results['errors']))} errors, "
            f"{int(sum(results['busy']))} pushes turned away (429, sent again), {online} stores online"
        )
        for label, push, beat in (
            ("all connecting (first 2 batches)", results["push_burst"], results["heartbeat_burst"]),
            ("steady", results["push"], results["heartbeat"]),
        ):
            print(
                f"  {label:33s} push p50 {pct(push, 0.5):6.1f} ms  p99 {pct(push, 0.99):7.1f} ms   "
                f"heartbeat p50 {pct(beat, 0.5):6.1f} ms  p99 {pct(beat, 0.99):7.1f} ms"
            )
        print(
            f"  CPU: cloud workers {100 * cloud_used / took:5.1f} % of a core, its PostgreSQL {100 * pg_used / took:5.1f} %, "
            f"the simulated agents {100 * load_used / took:5.1f} %"
        )
    finally:
        for child in reversed(children):
            if child.poll() is None:
                child.terminate()
                try:
                    child.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    child.kill()
        if server is not None:
            server.stop()
        if args.keep:
            print(f"logs in {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
