"""What PostgreSQL's backends wait on during a benchmark: `pg_stat_activity` sampled every
50 ms from a connection of its own, and the checkpoints taken meanwhile.

    waits = Waits(url); waits.start(); ...; waits.stop(); print(waits.report())

Each sample counts the backends that are not idle by what they wait on (`ClientRead` inside
a transaction: the backend waits for its client, i.e. the Python side is working; `WALSync`:
a commit waits for the WAL's fsync; `Lock`: a row or transaction lock held by another), so
the report says where a slow request's time went on the database's side.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections import Counter

import psycopg

from cloud_api.db.writeback import meminfo_kb
from cloud_api.settings import libpq_url

EVERY_S = 0.05
_ACTIVE = """SELECT backend_type, coalesce(wait_event_type, 'CPU'), coalesce(wait_event, 'running'),
    left(regexp_replace(query, '\\s+', ' ', 'g'), 48)
FROM pg_stat_activity
WHERE state IS DISTINCT FROM 'idle' AND pid <> pg_backend_pid() AND backend_type = 'client backend'"""
# PostgreSQL 17 moved the checkpoint counts to pg_stat_checkpointer.
_CHECKPOINTS = (
    "SELECT num_timed + num_requested, write_time + sync_time FROM pg_stat_checkpointer",
    "SELECT checkpoints_timed + checkpoints_req, checkpoint_write_time + checkpoint_sync_time "
    "FROM pg_stat_bgwriter",
)


class Watcher(ABC):
    """A look taken in a thread of its own until stopped (`_sample`, which waits on `_stop`
    between its looks)."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    @abstractmethod
    def _sample(self) -> None:
        """Look until `_stop` is set."""


class Waits(Watcher):
    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = libpq_url(url)
        self.samples = 0
        self.waits: Counter[tuple[str, str]] = Counter()
        self.statements: Counter[tuple[str, str]] = Counter()
        self.checkpoints = (0, 0.0)

    def _sample(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            before = _checkpoints(conn)
            while not self._stop.wait(EVERY_S):
                self.samples += 1
                for _, kind, event, query in conn.execute(_ACTIVE).fetchall():
                    self.waits[(kind, event)] += 1
                    if kind != "Client":
                        self.statements[(event, query)] += 1
            after = _checkpoints(conn)
        self.checkpoints = (after[0] - before[0], (after[1] - before[1]) / 1000)

    def report(self, top: int = 6) -> str:
        """Backends busy per sample by what they wait on, and the statements waiting most."""
        n = max(1, self.samples)
        waits = ", ".join(f"{event} {count / n:.2f}" for (_, event), count in self.waits.most_common(top))
        waiting = "; ".join(
            f"{event} {100 * count / n:.0f} % of samples: {query}"
            for (event, query), count in self.statements.most_common(3)
        )
        return (
            f"PostgreSQL backends not idle, on average per sample ({self.samples} samples): {waits}\n"
            f"  waiting most: {waiting}\n"
            f"  checkpoints meanwhile: {self.checkpoints[0]} ({self.checkpoints[1]:.1f} s writing and syncing)"
        )


def _checkpoints(conn: psycopg.Connection[tuple[object, ...]]) -> tuple[int, float]:
    for sql in _CHECKPOINTS:
        try:
            row = conn.execute(sql).fetchone()
        except psycopg.errors.UndefinedTable:
            continue
        except psycopg.errors.UndefinedColumn:
            continue
        if row is not None:
            return int(str(row[0])), float(str(row[1]))
    return 0, 0.0


_CUSTOMERS = """SELECT coalesce(wait_event_type, 'CPU') || ':' || coalesce(wait_event, 'running')
FROM pg_stat_activity WHERE application_name = %s AND state NOT IN ('idle')"""


class Timeline(Watcher):
    """What the backends of one application (`name`: the customers' order connections,
    `makeline-cloud-orders`) are doing, sampled every `every_s` from a connection of its own and
    kept with the moment (`time.perf_counter`, the same clock in every process here): `during`
    tells what they waited on while a slow request was under way, so a stall is named. Beside
    each sample, the pages the kernel holds to be written (`Dirty` in `/proc/meminfo`, on Linux):
    a fall of tens of MB is the kernel's writeback, which a WAL fsync queues behind."""

    def __init__(self, url: str, name: str, every_s: float = 0.01) -> None:
        super().__init__()
        self.url, self.name, self.every_s = libpq_url(url), name, every_s
        self.samples: list[tuple[float, tuple[str, ...], int | None]] = []

    def _sample(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("SET application_name = 'makeline-bench-timeline'")
            while not self._stop.wait(self.every_s):
                found = tuple(str(r[0]) for r in conn.execute(_CUSTOMERS, (self.name,)).fetchall())
                self.samples.append((time.perf_counter(), found, meminfo_kb("Dirty")))

    def during(self, start: float, end: float) -> str:
        """The samples between `start` and `end`: how many, how many found a backend busy, what
        the busy ones were doing, and the kernel's waiting pages from a second before to the end."""
        inside = [found for at, found, _ in self.samples if start <= at <= end]
        busy = Counter(state for found in inside for state in found)
        told = ", ".join(f"{state} {n}" for state, n in busy.most_common(4)) or "none busy"
        dirty = [kb for at, _, kb in self.samples if start - 1.0 <= at <= end and kb is not None]
        if not dirty:
            return f"{len(inside)} samples: {told}"
        return (
            f"{len(inside)} samples: {told}; the kernel's pages waiting to be written "
            f"{dirty[0] / 1024:.0f} MB → {dirty[-1] / 1024:.0f} MB (at most {max(dirty) / 1024:.0f})"
        )
