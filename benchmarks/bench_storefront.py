"""Storefront benchmark: time to first byte of the menu page with 50 customers at once
(p50/p99, pages/s), beside the same server's floor in the same run: its health check
(framework and one database round trip) and a shipped static file (framework alone).

Two uvicorn workers on a fresh embedded PostgreSQL (or DATABASE_URL); the load generator
shares the machine's cores with the cloud and PostgreSQL. Each customer has chosen
carryout from the demo store (the cart cookie) and loads the menu again after reading it
for `--think` seconds (0: as fast as it can, which measures the queue, not a customer).

    .venv/bin/python benchmarks/bench_storefront.py [--seconds 15] [--customers 50] [--think 1]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench_cloud import free_port, keep_online, pct, start_cloud, wait_healthy  # noqa: E402
from measure import database  # noqa: E402

from cloud_api.demo.seed import seed_database  # noqa: E402


async def customer(
    base: str, store: str, path: str, until: float, think: float, ttfb: list[float], sizes: list[int]
) -> int:
    """One customer reloading `path`; the time from sending to the response's first bytes."""
    errors = 0
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        await http.post("/store", data={"store_id": store})
        while time.monotonic() < until:
            started = time.perf_counter()
            async with http.stream("GET", path) as answer:
                first = time.perf_counter() - started
                body = await answer.aread()
            if answer.status_code != 200:
                errors += 1
                continue
            ttfb.append(first)
            sizes.append(len(body))
            await asyncio.sleep(think)
    return errors


async def load(
    base: str, store: str, path: str, customers: int, seconds: float, think: float
) -> tuple[list[float], int, int]:
    ttfb: list[float] = []
    sizes: list[int] = []
    until = time.monotonic() + seconds
    errors = await asyncio.gather(
        *(customer(base, store, path, until, think, ttfb, sizes) for _ in range(customers))
    )
    return ttfb, sum(errors), (max(sizes) if sizes else 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--customers", type=int, default=50)
    parser.add_argument("--think", type=float, default=1.0, help="seconds a customer reads a page")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="makeline-bench-storefront-"))
    server, url = database(home)  # aged as a server in service (`measure.age_wal`)
    stop = threading.Event()
    cloud: subprocess.Popen[bytes] | None = None
    try:
        store = seed_database(url).store_id
        threading.Thread(target=keep_online, args=(url, stop), daemon=True).start()
        port = free_port()
        cloud = start_cloud(url, port, workers=2)
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base)
        print(
            f"{os.cpu_count()} cores shared by the cloud (2 workers), PostgreSQL and {args.customers} customers, each reading a page {args.think:g} s"
        )
        for label, path in (
            ("menu page", "/menu"),
            ("health check (floor + 1 query)", "/api/v1/health"),
            ("static file (framework floor)", "/static/site.css"),
        ):
            asyncio.run(load(base, store, path, args.customers, 2, args.think))  # warm the workers' caches
            ttfb, errors, size = asyncio.run(
                load(base, store, path, args.customers, args.seconds, args.think)
            )
            print(
                f"GET {path:<16} {label:<32} {len(ttfb) / args.seconds:7.1f}/s   "
                f"TTFB p50 {pct(ttfb, 0.5):6.1f} ms   p99 {pct(ttfb, 0.99):6.1f} ms   "
                f"{size / 1024:5.1f} KiB   errors {errors}"
            )
    finally:
        stop.set()
        if cloud is not None:
            cloud.terminate()
            cloud.wait(timeout=20)
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
