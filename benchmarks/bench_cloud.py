"""Cloud benchmark: POST /orders sustained with 2 uvicorn workers (orders/s, p50/p99),
beside the bare PostgreSQL rate for the same inserts in the same run, with the workers' peak
RSS and the CPU the cloud and PostgreSQL spent per order; `GET /orders/{id}` (what a
customer's tracker reads) under the same clients; and tracker update latency across two
worker processes (p50/p99). The machine's load average is printed beside the figures: on a
shared machine they are noisy.

Orders are spread over `--stores` stores (a chain's evening, not one store's feed-head
row lock serialising every order), on both the API and the bare side.

Runs on a fresh embedded PostgreSQL with its default durability (fsync on) unless
DATABASE_URL names a server. The load generator runs on the same machine and shares
its cores with the cloud and PostgreSQL.

    .venv/bin/python benchmarks/bench_cloud.py [--seconds 15] [--clients 4,24] [--stores 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import psycopg
import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_storm import cpu, tree  # noqa: E402
from measure import analyze, database, machine_pace, put_away  # noqa: E402

from cloud_api.db.base import utcnow  # noqa: E402
from cloud_api.db.database import Database  # noqa: E402
from cloud_api.demo import DEMO_PASSWORD, MANAGER_EMAIL  # noqa: E402
from cloud_api.demo.seed import seed_database  # noqa: E402
from cloud_api.menus.repository import latest_version  # noqa: E402
from cloud_api.settings import libpq_url  # noqa: E402
from cloud_api.stores.schemas import StoreDetails  # noqa: E402
from cloud_api.stores.service import save_store  # noqa: E402
from makeline.demo.area import STORE_LAT, STORE_LON  # noqa: E402


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_cloud(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "MAKELINE_BACKGROUND": os.environ.get("BENCH_BACKGROUND", "true")}
    env.pop("DATABASE_URL", None)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cloud_api",
            "--database-url",
            url,
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_healthy(base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{base} did not start")


def keep_online(url: str, stop: threading.Event) -> None:
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        while not stop.is_set():
            conn.execute("UPDATE store SET last_seen_at = now()")
            stop.wait(10)


_signed_in: dict[int, dict[str, str]] = {}
ACCOUNTS = 12  # sign-ups from one address are throttled: clients past these share accounts


async def sign_in(http: httpx.AsyncClient, n: int) -> dict[str, str]:
    """Shopper `n`'s headers, registered and signed in once per run (sign-ins from one address
    are throttled, as they should be)."""
    n = n if n >= 900 else n % ACCOUNTS
    if n in _signed_in:
        return _signed_in[n]
    email = f"bench-{n}@makeline.test"
    await http.post(
        "/api/v1/register",
        json={
            "email": email,
            "password": "benchmark-pass",
            "name": f"Bench {n}",
            "phone": f"708555{2000 + n:04d}",
        },
    )
    answer = await http.post("/api/v1/login", json={"email": email, "password": "benchmark-pass"})
    if answer.status_code != 200:
        raise RuntimeError(f"shopper {n} could not sign in: {answer.status_code} {answer.text}")
    _signed_in[n] = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    return _signed_in[n]


def order_body(store: str, n: int) -> dict[str, Any]:
    body: dict[str, Any] = {
        "store_id": store,
        "service": "delivery" if n % 3 else "carryout",
        "items": [{"product": "pepperoni", "size": "lg"}, {"product": "cola", "size": "2l"}],
        "best_deal": n % 2 == 0,
        "payment": {"method": "card", "token": "tok_visa"},
    }
    if body["service"] == "delivery":
        body["address"] = {"line1": f"{100 + n % 900} Bench St", "lat": 41.89, "lon": -87.79}
    return body


class RawClient:
    """A lean HTTP/1.1 keep-alive client, so the load generator takes little of the CPU
    it shares with the cloud: requests are pre-encoded; only the key changes."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> int:
        return (await self.send("POST", path, body, headers))[0]

    async def send(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.writer.write(
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{head}\r\n".encode()
            + body
        )
        status = int((await self.reader.readline()).split()[1])
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return status, await self.reader.readexactly(length)


def more_stores(url: str, count: int) -> list[str]:
    """`count` stores beside the demo store, on its corner and selling the chain's menu."""
    db = Database(url, pool_size=1, max_overflow=0)
    with db.transaction() as session:
        now, version = utcnow(), latest_version(session)
        made = [
            save_store(
                session,
                StoreDetails(
                    code=f"BENCH-{n:04d}",
                    name=f"Bench store {n}",
                    timezone="America/Chicago",
                    tax_rate_bp=1025,
                    lat=STORE_LAT,
                    lon=STORE_LON,
                    delivery_radius_km=6.0,
                ),
                now,
                version,
            ).id
            for n in range(count)
        ]
    db.dispose()
    return made


async def api_load(
    base: str, url: str, stores: list[str], clients: int, seconds: float, reads: float = 0
) -> tuple[int, list[float], int, list[float]]:
    """POST /orders for `seconds` (after a warm-up, and the database's statistics taken as a
    server in service has them: `measure.analyze`); then, for `reads` seconds, each client
    reads its own orders back (`GET /orders/{id}`). Returns (orders, their latencies, errors,
    the reads' latencies)."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        shoppers = [await sign_in(http, n) for n in range(clients)]
    port = int(base.rsplit(":", 1)[1])
    bodies = [json.dumps(order_body(store, k)).encode() for store in stores for k in range(6)]
    latencies: list[float] = []
    errors = 0
    measuring = False
    stop_at = 0.0
    connections = [RawClient("127.0.0.1", port) for _ in range(clients)]
    placed: list[list[str]] = [[] for _ in range(clients)]

    async def shopper(n: int) -> None:
        nonlocal errors
        k = 0
        while time.monotonic() < stop_at:
            k += 1
            started = time.perf_counter()
            status, answer = await connections[n].send(
                "POST",
                "/api/v1/orders",
                bodies[(k * 7 + n * 13) % len(bodies)],
                shoppers[n] | {"Idempotency-Key": str(uuid.uuid4())},
            )
            if status == 201 and len(placed[n]) < 200:
                placed[n].append(json.loads(answer)["id"])
            if measuring:
                latencies.append(time.perf_counter() - started)
                errors += status != 201

    read_latencies: list[float] = []

    async def tracker(n: int) -> None:
        nonlocal errors
        k = 0
        while time.monotonic() < stop_at and placed[n]:
            k += 1
            started = time.perf_counter()
            status, _ = await connections[n].send(
                "GET", f"/api/v1/orders/{placed[n][k % len(placed[n])]}", b"", shoppers[n]
            )
            read_latencies.append(time.perf_counter() - started)
            errors += status != 200

    stop_at = time.monotonic() + 3  # warm up
    await asyncio.gather(*[shopper(n) for n in range(clients)])
    await asyncio.to_thread(analyze, url)
    measuring = True
    stop_at = time.monotonic() + seconds
    await asyncio.gather(*[shopper(n) for n in range(clients)])
    stop_at = time.monotonic() + reads
    await asyncio.gather(*[tracker(n) for n in range(clients)])
    return len(latencies), latencies, errors, read_latencies


def load_average() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def bare_inserts(
    url: str, stores: list[str], account: str, threads: int, seconds: float
) -> tuple[int, list[float]]:
    """The same rows one online order writes, by hand: key, order, lines, gateway record,
    payment, feed head and entry, the key's answer; one commit (the gateway's apart)."""
    latencies: list[float] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    payload = json.dumps({"kind": "bench", "items": [{"product": "pepperoni", "size": "lg"}] * 2})

    def work() -> None:
        mine: list[float] = []
        with (
            psycopg.connect(libpq_url(url)) as conn,
            psycopg.connect(libpq_url(url), autocommit=True, options="-c synchronous_commit=off") as gw,
        ):
            while time.monotonic() < stop_at:
                started = time.perf_counter()
                order_id, key = str(uuid.uuid4()), str(uuid.uuid4())
                store = stores[len(mine) * 7 % len(stores)]
                with conn.transaction():
                    conn.execute(
                        "INSERT INTO idempotency_record (owner, key, request_hash, status_code, response, "
                        "created_at) VALUES (%s, %s, %s, 0, '{}', now()) ON CONFLICT DO NOTHING",
                        (account, key, "h" * 64),
                    )
                    conn.execute(
                        "INSERT INTO orders (id, store_id, customer_id, business_date, channel, service, stage, "
                        "tracked_status, customer_name, phone, address, notes, menu_version, subtotal, discount, "
                        "tax, tip, total, payment, placed_at, updated_at) VALUES (%s, %s, %s, current_date, "
                        "'online', 'carryout', 'placed', 'placed', 'Bench', '7085550100', '', '', 1, 2057, 0, 211,"
                        " 0, 2268, 'paid', now(), now())",
                        (order_id, store, account),
                    )
                    with conn.cursor() as cur:
                        cur.executemany(
                            "INSERT INTO order_line (store_id, order_id, line_no, product, name, size, quantity, "
                            "unit_price, line_total, item) VALUES (%s, %s, %s, 'pepperoni', 'Pepperoni', 'lg', 1, "
                            "1708, 1708, %s)",
                            [(store, order_id, 1, payload), (store, order_id, 2, payload)],
                        )
                    gw.execute(
                        "INSERT INTO test_gateway_charge (idempotency_key, intent_id, kind, amount, token, "
                        "status, calls, created_at) VALUES (%s, %s, 'charge', 2268, 'tok_visa', 'succeeded',"
                        " 1, now()) ON CONFLICT (idempotency_key) DO UPDATE SET calls = "
                        "test_gateway_charge.calls + 1 RETURNING intent_id",
                        (key, "pi_" + key[:20]),
                    )
                    conn.execute(
                        "INSERT INTO payment (id, store_id, order_id, method, status, amount, refunded, "
                        "currency, gateway, gateway_ref, idempotency_key, message, refund_attempts, created_at, "
                        "updated_at) VALUES (%s, %s, %s, 'card', 'succeeded', 2268, 0, 'usd', 'test', %s, %s, "
                        "'', 0, now(), now())",
                        (str(uuid.uuid4()), store, order_id, "pi_" + key[:20], key),
                    )
                    conn.execute(
                        "UPDATE idempotency_record SET status_code = 201, response = %s WHERE owner = %s "
                        "AND key = %s",
                        (payload, account, key),
                    )
                    conn.execute(
                        "WITH h AS (UPDATE store_feed_head SET last_cursor = last_cursor + 1 WHERE "
                        "store_id = %s RETURNING store_id, last_cursor) INSERT INTO store_feed (store_id, "
                        "cursor, kind, payload, created_at) SELECT store_id, last_cursor, 'order.online', "
                        "%s, now() FROM h",
                        (store, payload),
                    )
                mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return len(latencies), latencies


async def tracker_latency(a: str, b_port: int, store: str, orders: int) -> list[float]:
    async with httpx.AsyncClient(base_url=a, timeout=30) as http:
        shopper = await sign_in(http, 999)
        manager_tokens = (
            await http.post("/api/v1/login", json={"email": MANAGER_EMAIL, "password": DEMO_PASSWORD})
        ).json()
        manager = {"Authorization": f"Bearer {manager_tokens['access_token']}"}
        delays: list[float] = []
        for n in range(orders):
            order = (
                await http.post(
                    "/api/v1/orders",
                    json=order_body(store, 3 * n),
                    headers=shopper | {"Idempotency-Key": str(uuid.uuid4())},
                )
            ).json()
            code = order["tracking_url"].split("code=")[1]
            url = f"ws://127.0.0.1:{b_port}/api/v1/orders/{order['id']}/track?code={code}"
            async with websockets.connect(url) as ws:
                await ws.recv()
                for stage in ("made", "baked", "ready"):
                    started = time.perf_counter()
                    await http.put(
                        f"/api/v1/orders/{order['id']}/status", json={"status": stage}, headers=manager
                    )
                    await asyncio.wait_for(ws.recv(), timeout=10)
                    delays.append(time.perf_counter() - started)
        return delays


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", default="4,24", help="concurrent clients, one run per value")
    parser.add_argument("--tracked-orders", type=int, default=60)
    parser.add_argument("--stores", type=int, default=50, help="stores the orders are spread over")
    parser.add_argument("--read-seconds", type=float, default=5, help="GET /orders/{id} after the orders")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="makeline-bench-cloud-"))
    server, url = database(home)  # aged as a server in service (`measure.age_wal`)
    stop = threading.Event()
    processes: list[subprocess.Popen[bytes]] = []
    try:
        store = seed_database(url).store_id
        stores = [store, *more_stores(url, args.stores - 1)]
        threading.Thread(target=keep_online, args=(url, stop), daemon=True).start()
        with psycopg.connect(libpq_url(url)) as conn:
            settings = conn.execute(
                "SELECT current_setting('fsync'), current_setting('synchronous_commit')"
            ).fetchone()
        assert settings is not None
        print(
            f"PostgreSQL: fsync={settings[0]} synchronous_commit={settings[1]}; {os.cpu_count()} cores shared "
            "by the cloud, PostgreSQL and the load generator"
        )

        port = free_port()
        processes.append(start_cloud(url, port, workers=2))
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base)
        with psycopg.connect(libpq_url(url)) as conn:
            found = conn.execute("SELECT id FROM account WHERE role = 'customer' LIMIT 1").fetchone()
        assert found is not None, "the demo seeds customers"
        account = found[0]
        postmaster = server.server_pid() if server is not None else None
        for clients in (int(c) for c in args.clients.split(",")):
            cloud_cpu, pg_cpu, started = cpu(processes[0].pid), cpu(postmaster), time.monotonic()
            count, latencies, errors, reads = asyncio.run(
                api_load(base, url, stores, clients, args.seconds, args.read_seconds)
            )
            cloud_used, pg_used = cpu(processes[0].pid) - cloud_cpu, cpu(postmaster) - pg_cpu
            print(
                f"POST /orders, 2 workers, {clients:2d} clients, {len(stores)} stores: {count / args.seconds:7.1f} orders/s   "
                f"p50 {pct(latencies, 0.5):6.1f} ms   p99 {pct(latencies, 0.99):6.1f} ms   errors {errors}   "
                f"({load_average()})"
            )
            met = count / args.seconds >= 500 and pct(latencies, 0.99) <= 50 and not errors
            print(
                f"  the goal (>= 500 orders/s with p99 <= 50 ms, in one run): {'met' if met else 'not met'}"
            )
            workers = sorted(
                (hwm for pid, (_, _, hwm) in tree(processes[0].pid).items() if pid != processes[0].pid),
                reverse=True,
            )
            print(
                f"  CPU while ordering and reading ({time.monotonic() - started:.0f} s, warm-up and sign-in "
                f"included): cloud {cloud_used:.1f} s, PostgreSQL {pg_used:.1f} s (per order: cloud "
                f"{cloud_used / max(count, 1) * 1000:.1f} ms, PostgreSQL {pg_used / max(count, 1) * 1000:.1f} ms); "
                "workers' peak RSS " + ", ".join(f"{kib / 1024:.0f} MiB" for kib in workers)
            )
            if reads:
                print(
                    f"GET /orders/{{id}}, 2 workers, {clients:2d} clients: {len(reads) / args.read_seconds:7.1f} reads/s   "
                    f"p50 {pct(reads, 0.5):6.1f} ms   p99 {pct(reads, 0.99):6.1f} ms"
                )
            bare, bare_latencies = bare_inserts(url, stores, account, threads=clients, seconds=args.seconds)
            print(
                f"bare PostgreSQL, same rows, {clients:2d} conns, {len(stores)} stores: {bare / args.seconds:7.1f} orders/s   "
                f"p50 {pct(bare_latencies, 0.5):6.1f} ms   p99 {pct(bare_latencies, 0.99):6.1f} ms   "
                f"(API / bare: {count / max(bare, 1):.2f}; "
                f"a bare loop of ten million additions: {machine_pace():.2f} s)"
            )
        processes[0].terminate()
        processes[0].wait(timeout=20)

        ports = free_port(), free_port()
        processes.extend(start_cloud(url, p, workers=1) for p in ports)
        for p in ports:
            wait_healthy(f"http://127.0.0.1:{p}")
        delays = asyncio.run(
            tracker_latency(f"http://127.0.0.1:{ports[0]}", ports[1], store, args.tracked_orders)
        )
        print(
            f"tracker update across two workers ({len(delays)} updates, PUT on one, websocket on the other): "
            f"p50 {pct(delays, 0.5):5.1f} ms   p99 {pct(delays, 0.99):5.1f} ms   "
            f"mean {statistics.mean(delays) * 1000:5.1f} ms"
        )
    finally:
        stop.set()
        for process in processes:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=20)
        put_away(server, home)


if __name__ == "__main__":
    main()
