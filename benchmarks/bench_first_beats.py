"""A storm's first beats alone: bursts of stores back from an outage, each store's first
heartbeat on a new connection with a credential its worker has not seen, at `makeline cloud
--sync-port` (the stores' own 2 workers), and the same burst at a bare server that answers
every request at once with an answer of the same size (uvloop, no HTTP framework, no
database): the floor of a thousand connections and requests on this machine.

Each burst is a fresh set of stores (claimed by their computers, as `bench_storm.py` claims
them), so every beat is a first beat: checked by its round's statement, bringing a plan the
trackers are told of. The first burst meets workers that have answered nothing yet (a worker
just restarted after an outage); the later ones, workers that have answered a burst before.

Prints, for each burst: its wall time; p50/p99 from each request sent (this process opens
every connection first, then sends each request as its connection opens); the CPU of the
stores' workers (each), of PostgreSQL and of this process, each per beat; and the same for
the bare server. Where `bench_storm.py` measures first beats beside a thousand pushes and the
customers' orders, this measures their own cost, with nothing else on the machine's two cores
but the client.

Embedded PostgreSQL with its default durability (fsync on) unless DATABASE_URL is set.

    .venv/bin/python benchmarks/bench_first_beats.py [--stores 1000] [--bursts 3]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import cast

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import uvloop  # noqa: E402
from beat_load import exchange, request  # noqa: E402
from bench_heartbeat import workers as uvicorn_workers  # noqa: E402
from bench_storm import start_cloud, stop_cloud  # noqa: E402
from chain_stores import agent_beat, claim_stores, make_stores  # noqa: E402
from measure import cpu, database, machine_after, machine_pace, pct, put_away, role, tree  # noqa: E402

from cloud_api.demo.seed import seed_database  # noqa: E402
from makeline.demo.launcher import free_port  # noqa: E402

HOST = "127.0.0.1"
ANSWER = b'{"store_id":"01a24e88-b5e4-7e3f-937b-3e86dafffaf0","store_code":"STORM-0001","high_water":0,"feed_high_water":0,"push_after_s":0.0}'


async def burst(port: int, requests: list[bytes]) -> tuple[list[float], float]:
    """Every request on a connection of its own, all at once: how long each took from its
    request sent, and the burst's wall time."""
    took: list[float] = []

    async def one(raw: bytes) -> None:
        reader, writer = await asyncio.open_connection(HOST, port)
        sent = time.perf_counter()
        status, body = await exchange(reader, writer, raw)
        took.append(time.perf_counter() - sent)
        writer.close()
        if status != 200:
            raise RuntimeError(f"answered {status}: {body[:200]!r}")

    started = time.perf_counter()
    await asyncio.gather(*(one(raw) for raw in requests))
    return took, time.perf_counter() - started


class _Bare(asyncio.Protocol):
    """Reads a request (its head and `Content-Length` bytes) and answers it at once."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport, self.held = cast(asyncio.Transport, transport), b""

    def data_received(self, data: bytes) -> None:
        self.held += data
        head, _, body = self.held.partition(b"\r\n\r\n")
        length = next(
            (int(line[15:]) for line in head.split(b"\r\n") if line[:15].lower() == b"content-length:"), 0
        )
        if _ and len(body) >= length:
            self.held = b""
            self.transport.write(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s"
                % (len(ANSWER), ANSWER)
            )


def _bare_server(port: int) -> None:
    async def serve() -> None:
        server = await asyncio.get_running_loop().create_server(_Bare, HOST, port, backlog=4096)
        async with server:
            await server.serve_forever()

    uvloop.run(serve())


def stores_workers(cloud: int) -> list[int]:
    """The stores' own uvicorn workers (`makeline cloud --sync-port`)."""
    parents = {pid: parent for pid, (parent, _, _) in tree(cloud).items()}
    return [pid for pid in uvicorn_workers(cloud) if role(parents[pid]) == "stores' front"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--stores", type=int, default=1000, help="first beats a burst")
    parser.add_argument("--bursts", type=int, default=3)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="makeline-bench-first-"))
    server, url = database(home)
    cloud = None
    try:
        seed_database(url)
        sets = [make_stores(url, args.stores, f"B{k}") for k in range(args.bursts)]
        for stores in sets:
            claim_stores(stores, url, timedelta(hours=2))  # their computers, known before the outage
        sync_port = free_port(0)
        cloud, _ = start_cloud(url, 1, home, 1, (sync_port, 2), 1)
        postmaster = server.server_pid() if server is not None else None
        workers = stores_workers(cloud.pid)
        print(
            f"{os.cpu_count()} cores shared by the cloud (its stores' {len(workers)} workers), its PostgreSQL "
            f"and this client; bursts of {args.stores} first beats, each on a new connection"
        )
        print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), end="; ")
        print(f"a bare loop of ten million additions: {machine_pace():.2f} s")
        for k, stores in enumerate(sets):
            requests = [
                request(HOST, sync_port, token, agent_beat(n, sid)) for n, (sid, token) in enumerate(stores)
            ]
            time.sleep(1)
            before, pg, mine = tree(cloud.pid), cpu(postmaster), time.process_time()
            took, wall = uvloop.run(burst(sync_port, requests))
            after, pg, mine = tree(cloud.pid), cpu(postmaster) - pg, time.process_time() - mine
            each = [after[p][1] - before[p][1] for p in workers if p in after]
            n = len(took)
            print(
                f"burst {k + 1} ({'workers that answered nothing before' if k == 0 else 'workers warm'}): "
                f"{n} in {1000 * wall:.0f} ms; from each request sent p50 {pct(took, 0.5):6.1f} ms  "
                f"p99 {pct(took, 0.99):6.1f} ms; CPU a beat: workers {1000 * sum(each) / n:.3f} ms "
                f"({' + '.join(f'{s:.2f}' for s in each)} s), PostgreSQL {1000 * pg / n:.3f} ms, "
                f"this client {1000 * mine / n:.3f} ms"
            )
        bare_port = free_port(0)
        bare = multiprocessing.get_context("spawn").Process(
            target=_bare_server, args=(bare_port,), daemon=True
        )
        bare.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                uvloop.run(asyncio.open_connection(HOST, bare_port))[1].close()
                break
            except OSError:
                time.sleep(0.1)
        requests = [
            request(HOST, bare_port, token, agent_beat(n, sid)) for n, (sid, token) in enumerate(sets[0])
        ]
        for k in range(2):
            before, mine = tree(bare.pid), time.process_time()
            took, wall = uvloop.run(burst(bare_port, requests))
            used, mine = cpu(bare.pid) - sum(c for _, c, _ in before.values()), time.process_time() - mine
            print(
                f"bare server, burst {k + 1}: {len(took)} in {1000 * wall:.0f} ms; from each request sent "
                f"p50 {pct(took, 0.5):6.1f} ms  p99 {pct(took, 0.99):6.1f} ms; CPU a beat: server "
                f"{1000 * used / len(took):.3f} ms, this client {1000 * mine / len(took):.3f} ms"
            )
            time.sleep(1)
        bare.terminate()
        print(machine_after())
    finally:
        stop_cloud(cloud)
        put_away(server, home)


if __name__ == "__main__":
    main()
