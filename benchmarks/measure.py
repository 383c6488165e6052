"""What the benchmarks measure besides time: percentiles, and the CPU and peak memory of a
process tree (a cloud and its workers, a PostgreSQL and its backends), from /proc."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from cloud_api.embedded import EmbeddedPostgres


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


def database(home: Path) -> tuple[EmbeddedPostgres | None, str]:
    """DATABASE_URL when set, else an embedded PostgreSQL in `home` (default durability:
    fsync on), stopped and deleted by the caller's `server.stop()`."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return None, url
    server = EmbeddedPostgres(home / "pg", cleanup="delete")
    return server, server.ensure_database()
