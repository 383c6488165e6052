"""Heartbeats: a chain's stores beating at a given rate (open loop: sent on time whether or
not the earlier ones were answered) at one cloud (`makeline cloud`, 2 workers), with each
store's own device credential. A chain of 20,000 stores at a 15 s interval is 1,333/s.

Prints: heartbeats done per second, p50/p99, errors; the CPU of the cloud's processes, of
its PostgreSQL and of this load generator; the load average (a shared machine).

Embedded PostgreSQL with its default durability (fsync on) unless DATABASE_URL is set.

    .venv/bin/python benchmarks/bench_heartbeat.py [--rate 1500] [--seconds 20] [--stores 500]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_storm import AGENT_TIMEOUT_S, Tally, make_stores, start_cloud, stop_cloud
from measure import cpu, database, pct

from cloud_api.db.base import utcnow
from cloud_api.demo.seed import seed_database


async def heartbeats(base: str, stores: list[tuple[str, str]], rate: float, seconds: float) -> Tally:
    """Heartbeats sent at `rate` a second (open loop, spread over the stores) for `seconds`."""
    t = Tally()
    limits = httpx.Limits(max_connections=len(stores) + 10, max_keepalive_connections=len(stores) + 10)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=AGENT_TIMEOUT_S) as http:
        beats = [
            (
                json.dumps(
                    {
                        "protocol": 1,
                        "store_id": sid,
                        "instance": f"bench-{n}",
                        "sent_at": utcnow().isoformat(),
                    }
                ),
                {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            for n, (sid, token) in enumerate(stores)
        ]

        async def one(n: int) -> None:
            body, headers = beats[n % len(beats)]
            started = time.perf_counter()
            try:
                answer = await http.post("/api/v1/sync/heartbeat", content=body, headers=headers)
                if answer.status_code != 200:
                    t.errors += 1
                    if t.errors == 1:
                        print(f"first error: {answer.status_code} {answer.text[:200]}")
            except httpx.HTTPError:
                t.errors += 1
            t.beats.append(time.perf_counter() - started)

        pending: set[asyncio.Task[None]] = set()
        started, n = time.monotonic(), 0
        while (now := time.monotonic()) - started < seconds:
            due = started + n / rate
            if due > now:
                await asyncio.sleep(due - now)
            task = asyncio.create_task(one(n))
            pending.add(task)
            task.add_done_callback(pending.discard)
            n += 1
        if pending:
            await asyncio.gather(*pending)
        t.drain_s = time.monotonic() - started  # type: ignore[attr-defined]
    return t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rate", type=float, default=1500.0, help="heartbeats a second")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--stores", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="makeline-bench-heartbeat-"))
    server, url = database(home)
    cloud: subprocess.Popen[bytes] | None = None
    try:
        seed_database(url)
        stores = make_stores(url, args.stores)
        cloud, base = start_cloud(url, args.workers, home)
        asyncio.run(heartbeats(base, stores, 50, 2))  # each store's computer claims its store
        print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        postmaster = server.server_pid() if server is not None else None
        cloud_cpu, pg_cpu, load_cpu = cpu(cloud.pid), cpu(postmaster), time.process_time()
        beat = asyncio.run(heartbeats(base, stores, args.rate, args.seconds))
        took: float = beat.drain_s  # type: ignore[attr-defined]
        print(
            f"heartbeats asked {args.rate:.0f}/s for {args.seconds:.0f} s from {args.stores} stores: "
            f"{len(beat.beats) / took:6.0f}/s done, p50 {pct(beat.beats, 0.5):6.1f} ms  "
            f"p99 {pct(beat.beats, 0.99):7.1f} ms   errors {beat.errors}"
        )
        used = cpu(cloud.pid) - cloud_cpu, cpu(postmaster) - pg_cpu, time.process_time() - load_cpu
        print(
            f"CPU over {took:.0f} s: cloud {100 * used[0] / took:5.1f} % of a core, its PostgreSQL "
            f"{100 * used[1] / took:5.1f} %, the load generator {100 * used[2] / took:5.1f} %"
        )
        print("load average after: {:.2f} {:.2f} {:.2f} (a shared machine)".format(*os.getloadavg()))
    finally:
        stop_cloud(cloud)
        if server is not None:
            server.stop()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
