"""Heartbeats: a chain's stores beating at a given rate (open loop: each beat is due at its
time whether or not the earlier ones were answered, and its latency counts from when it was
due, so a slow cloud cannot hide behind a slowed generator) at one cloud (`makeline cloud`,
2 workers), with each store's own device credential and the body an agent sends on a busy
evening (ledgers, printers, the kitchen's load and its plan). A chain of 20,000 stores at a
15 s interval is 1,333/s.

The generator (`beat_load.py`) is several processes (`--procs`), each with its share of the
stores on keep-alive connections, writing prepared HTTP/1.1 requests over asyncio streams: a
few microseconds a beat, so it is not what limits the figure.

Prints: heartbeats done per second, p50/p99, errors; the CPU of the cloud's processes, of
its PostgreSQL and of the generator, each per beat and in cores; what 1,500/s would need on a
machine with free cores; the load average (a shared machine); with `--profile`, where one
worker's CPU goes (py-spy, `--gil`).

Embedded PostgreSQL with its default durability (fsync on) unless DATABASE_URL is set.

    .venv/bin/python benchmarks/bench_heartbeat.py [--rate 1500] [--seconds 20] [--stores 500] [--profile]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from beat_load import run_load
from bench_storm import start_cloud, stop_cloud, tree
from chain_stores import agent_beat, make_stores
from measure import cpu, database, pct, put_away

from cloud_api.demo.seed import seed_database
from cloud_api.settings import libpq_url


def workers(cloud_pid: int) -> list[int]:
    """The cloud's uvicorn worker processes."""
    found = []
    for pid in tree(cloud_pid):
        with contextlib.suppress(OSError):
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(pid)
    return sorted(found)


def profile(pid: int, seconds: float, out: Path) -> subprocess.Popen[bytes] | None:
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        print("py-spy is not installed (pip install py-spy): no profile")
        return None
    command = [spy, "record", "--pid", str(pid), "--duration", str(int(seconds)), "--rate", "200", "--gil"]
    command += ["--nonblocking", "--format", "raw", "--output", str(out)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)


BUCKETS = [  # (what a reader calls it, a piece of the frame's file that says so), first match wins
    ("our heartbeat code", "cloud_api/"),
    ("the wire contract (pydantic models)", "sync/contract"),
    ("pydantic", "pydantic"),
    ("psycopg (statement, rows)", "psycopg"),
    ("uvicorn (HTTP parsing, access log)", "uvicorn"),
    ("starlette / fastapi (routing, middleware, request, response)", "starlette"),
    ("starlette / fastapi (routing, middleware, request, response)", "fastapi"),
    ("logging", "logging/"),
    ("asyncio / the event loop", "asyncio"),
    ("asyncio / the event loop", "uvloop"),
]


def summarise(raw: Path) -> None:
    """Where the sampled worker's CPU went: by the library of the innermost frame, and the
    share of samples inside a few functions of ours."""
    if not raw.exists():
        print("the profile wrote nothing")
        return
    own: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    inside: Counter[str] = Counter()
    total = 0
    marks = {
        "the heartbeat handler (Heartbeats.answer), all it calls": "answer (cloud_api/sync/heartbeat.py",
        "the rounds' statement (repository.beats), all it calls": "beats (cloud_api/sync/repository.py",
        "reading the body with the contract": "parsed (cloud_api/sync/heartbeat.py",
        "the body-size middleware": "cloud_api/api/limits.py",
        "writing the answer (uvicorn's send: two socket writes, the access log's record)": "send (uvicorn/protocols/http",
        "logging (the access log's record, filtered before it is written)": "logging/__init__",
    }
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = stack.split(";")
        leaf = frames[-1] if frames else ""
        leaves[leaf] += samples
        own[next((name for name, piece in BUCKETS if piece in leaf), "other (Python itself, C code)")] += (
            samples
        )
        for name, piece in marks.items():
            if piece in stack:
                inside[name] += samples
    if not total:
        print("the profile has no samples")
        return
    print(f"one worker's CPU by py-spy --gil ({total} samples), by the innermost frame's library:")
    for name, samples in own.most_common():
        print(f"  {100 * samples / total:5.1f} %  {name}")
    print("  the busiest functions (their own time):")
    for name, samples in leaves.most_common(12):
        print(f"  {100 * samples / total:5.1f} %  {name[:110]}")
    print("  and inside:")
    for name in marks:
        print(f"  {100 * inside[name] / total:5.1f} %  {name}")


def commits(url: str) -> int:
    """The transactions the cloud's database has committed so far (its statistics, flushed
    by each connection within a second of its last: read after a pause)."""
    time.sleep(1.5)
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        row = conn.execute(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
    return int(row[0]) if row else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rate", type=float, default=1500.0, help="heartbeats a second")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--stores", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--procs", type=int, default=2, help="load generator processes")
    parser.add_argument("--connections", type=int, default=64, help="keep-alive connections per process")
    parser.add_argument("--profile", action="store_true", help="py-spy on one worker during the run")
    parser.add_argument("--keep-profile", type=Path, help="where to copy py-spy's raw stacks")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="makeline-bench-heartbeat-"))
    server, url = database(home)
    cloud: subprocess.Popen[bytes] | None = None
    try:
        seed_database(url)
        stores = make_stores(url, args.stores)
        tokens = [(agent_beat(n, sid), token) for n, (sid, token) in enumerate(stores)]
        cloud, base = start_cloud(url, args.workers, home)
        # Stores back from an outage at a cloud just started: every credential new to the
        # workers (checked by the beats' own statements) and every store's agent new to it.
        first, took = run_load(base, tokens, 1e6, len(tokens) / 1e6, 1, len(tokens))
        print(
            f"a cloud just started, all {len(tokens)} stores beating at once on new connections, every "
            f"credential new to it: answered in {took:.2f} s, p50 {pct(first.latencies, 0.5):6.1f} ms  "
            f"p99 {pct(first.latencies, 0.99):7.1f} ms   errors {first.errors}"
        )
        # Each store's computer claims its store, and each worker verifies its credentials.
        warm, _ = run_load(
            base, tokens, min(args.rate, 500.0), 2 * len(stores) / min(args.rate, 500.0), 1, 16
        )
        if warm.errors:
            print(f"warming up: {warm.errors} errors, first: {warm.first_error}")
        # A reconnection: every store beats at once, each on a new connection.
        burst, took = run_load(base, tokens, 1e6, len(tokens) / 1e6, 1, len(tokens))
        print(
            f"a reconnection, all {len(tokens)} stores beating at once on new connections: answered in "
            f"{took:.2f} s, p50 {pct(burst.latencies, 0.5):6.1f} ms  p99 {pct(burst.latencies, 0.99):7.1f} ms"
            f"   errors {burst.errors}"
        )
        print(
            f"{os.cpu_count()} cores shared by the cloud ({args.workers} workers), its PostgreSQL and "
            f"the generator ({args.procs} processes)"
        )
        print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        postmaster = server.server_pid() if server is not None else None
        spy = None
        raw = home / "profile.txt"
        if args.profile and (ours := workers(cloud.pid)):
            spy = profile(ours[0], args.seconds, raw)
        committed = commits(url)
        cloud_cpu, pg_cpu = cpu(cloud.pid), cpu(postmaster)
        beat, took = run_load(base, tokens, args.rate, args.seconds, args.procs, args.connections)
        used_cloud, used_pg = cpu(cloud.pid) - cloud_cpu, cpu(postmaster) - pg_cpu
        committed = commits(url) - committed
        done = beat.answered
        print(
            f"heartbeats asked {args.rate:.0f}/s for {args.seconds:.0f} s from {args.stores} stores: "
            f"{done / took:6.0f}/s done, p50 {pct(beat.latencies, 0.5):6.1f} ms  "
            f"p99 {pct(beat.latencies, 0.99):7.1f} ms   errors {beat.errors}"
            + (f" (first: {beat.first_error})" if beat.errors else "")
        )
        worst = sorted(zip(beat.latencies, beat.dues, strict=True), reverse=True)[
            : max(1, len(beat.dues) // 100)
        ]
        seconds = sorted({int(due) for _, due in worst})
        print(
            f"the slowest 1 % were due in second(s) {seconds[:12]}{' …' if len(seconds) > 12 else ''} of the run"
        )
        per = max(1, done)
        print(
            f"PostgreSQL committed {committed:,} transactions for {done:,} beats "
            f"({done / max(1, committed):.1f} beats a statement: the beats waiting on a worker "
            f"go in one round, `cloud_api/sync/rounds.py`)"
        )
        print(
            f"CPU over {took:.1f} s: cloud {100 * used_cloud / took:5.1f} % of a core "
            f"({1000 * used_cloud / per:.2f} ms a beat), its PostgreSQL {100 * used_pg / took:5.1f} % "
            f"({1000 * used_pg / per:.2f} ms a beat), the generator {100 * beat.cpu_s / took:5.1f} % "
            f"({1000 * beat.cpu_s / per:.3f} ms a beat)"
        )
        need_cloud, need_pg = 1500 * used_cloud / per, 1500 * used_pg / per
        print(
            f"1,500 beats/s at these costs: {need_cloud:.1f} cores of cloud workers and {need_pg:.1f} of "
            f"PostgreSQL ({need_cloud + need_pg:.1f} free cores; this machine has {os.cpu_count()}, shared)"
        )
        print("load average after: {:.2f} {:.2f} {:.2f} (a shared machine)".format(*os.getloadavg()))
        if spy is not None:
            spy.wait(timeout=args.seconds + 60)
            summarise(raw)
            if args.keep_profile:
                shutil.copy(raw, args.keep_profile)
    finally:
        stop_cloud(cloud)
        put_away(server, home)


if __name__ == "__main__":
    main()
