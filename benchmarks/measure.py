"""What the benchmarks measure besides time: percentiles, and the CPU and peak memory of a
process tree (a cloud and its workers, a PostgreSQL and its backends), from /proc."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psycopg

from cloud_api.db import wal
from cloud_api.embedded import EmbeddedPostgres
from cloud_api.settings import libpq_url


def machine_pace() -> float:
    """Seconds a bare Python loop of ten million additions takes here now: the machine's own
    pace, printed beside a run's figures (on this shared machine the same work's CPU moved by
    half between two runs of one benchmark, the load average alike)."""
    started = time.perf_counter()
    total = 0
    for n in range(10_000_000):
        total += n
    return time.perf_counter() - started


def machine_after() -> str:
    """The line a run ends with: the load average after it and the machine's pace then."""
    load = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    return f"load average after: {load} (a shared machine: figures are floors); the bare loop: {machine_pace():.2f} s"


def put_away(server: EmbeddedPostgres | None, home: Path) -> None:
    """A run's embedded PostgreSQL stopped (none with DATABASE_URL) and its folder removed."""
    if server is not None:
        server.stop()
    shutil.rmtree(home, ignore_errors=True)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


def _stat(pid: int) -> tuple[int, float, int]:
    """(parent pid, CPU seconds, peak RSS in KiB) of a process, from /proc."""
    raw = Path(f"/proc/{pid}/stat").read_text()
    fields = raw[raw.rindex(")") + 2 :].split()
    hwm = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            hwm = int(line.split()[1])
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), hwm


def tree(root: int | None) -> dict[int, tuple[int, float, int]]:
    if root is None:
        return {}
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                table[int(entry.name)] = _stat(int(entry.name))
    found = {root}
    for _ in range(4):
        found |= {pid for pid, (parent, _, _) in table.items() if parent in found}
    return {pid: table[pid] for pid in found if pid in table}


def cpu(root: int | None) -> float:
    return sum(c for _, c, _ in tree(root).values()) if root is not None else float("nan")


def role(pid: int) -> str:
    """What a cloud process is, from its command line: worker, the stores' front or one of its
    workers, storer, applier or the cloud."""
    try:
        line = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "gone"
    for module, name in (
        ("sync.storer", "storer"),
        ("sync.applier", "applier"),
        ("sync.front", "stores' front"),
        ("multiprocessing", "worker"),
    ):
        if module in line:
            return name
    return "cloud"


def cpu_by_role(before: dict[int, tuple[int, float, int]], after: dict[int, tuple[int, float, int]]) -> str:
    """The CPU seconds each process of a tree used between two `tree` readings, by role:
    "workers 3.1 + 2.9 s, storer 5.2 s, …"."""
    roles = {pid: role(pid) for pid in after}
    used: dict[str, list[float]] = {}
    for pid, (parent, seconds, _) in after.items():
        name = (
            "stores' worker"
            if roles[pid] == "worker" and roles.get(parent) == "stores' front"
            else roles[pid]
        )
        used.setdefault(name, []).append(seconds - before.get(pid, (0, 0.0, 0))[1])
    return ", ".join(
        f"{name} {' + '.join(f'{s:.1f}' for s in sorted(times, reverse=True))} s"
        for name, times in sorted(used.items())
    )


_SEGMENT_MB = 16


def database(home: Path, aged: bool = True) -> tuple[EmbeddedPostgres | None, str]:
    """DATABASE_URL when set, else an embedded PostgreSQL in `home` (default durability:
    fsync on), stopped and deleted by the caller's `server.stop()`; `aged`, its WAL segments
    made ready as on a server that has run (`age_wal`)."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return None, url
    server = EmbeddedPostgres(home / "pg", cleanup="delete")
    url = server.ensure_database()
    if aged:
        age_wal(url)
    return server, url


def age_wal(url: str) -> None:
    """The cluster's WAL as on a server in service that has run a while: `min_wal_size` set
    as the cloud sets it (`wal.keep_ready`), that much WAL written (a message in each
    segment, then the next segment) and a checkpoint, which renames the segments written for
    later use instead of removing them. Without it every 16 MB of WAL a benchmark writes makes a new segment, zero-filled
    and synced while the WAL's writers wait: a stall of tens of ms each that a server in
    service does not have (seen in `bench_storm.py`, one a second, under the slowest orders)."""
    wal.keep_ready(url)
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        for _ in range(wal.READY_MB // _SEGMENT_MB):
            conn.execute("SELECT pg_logical_emit_message(false, 'makeline-bench', '')")
            conn.execute("SELECT pg_switch_wal()")
        conn.execute("CHECKPOINT")


# Counting instructions: callgrind collects only inside `operator.call`, a C function nothing
# else of ours calls, so a benchmark counts exactly what it calls through it.
CALLGRIND = [
    "valgrind",
    "--tool=callgrind",
    "--toggle-collect=_operator_call",
    "--callgrind-out-file=/dev/null",
]


def analyze(url: str) -> None:
    """The database's statistics as autovacuum keeps them on a server in service. A database
    made a minute ago has none: the planner takes every table for empty, so two indexes that
    both start with the store look alike, and a statement prepared then keeps the plan it got
    (a new order's tally read every order of its store by the store's day index, not the one
    order by its key: 516 µs of the 2 ms PostgreSQL spent on an order in `bench_cloud`)."""
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("ANALYZE")


def collected(script: str, *args: str) -> int:
    """Instructions callgrind collected inside `operator.call` while `script` ran with `args`
    (string hashing fixed, so two runs of the same work count the same)."""
    done = subprocess.run(
        [*CALLGRIND, sys.executable, script, *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise SystemExit(f"callgrind said no count:\n{done.stderr[-2000:]}")
    return int(found.group(1))
