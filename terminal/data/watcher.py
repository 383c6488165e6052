"""Noticing that another process changed the store database, cheaply.

SQLite's `PRAGMA data_version` changes on a connection whenever another
connection has committed to the file since the last time that connection
asked. Asking costs microseconds and reads no table, so one dedicated read-only
connection can ask many times a second; only when the number changes do the
screens run their (targeted) queries. The connection must stay the same one for
the numbers to be comparable, which is why this does not borrow from a pool.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

DEFAULT_INTERVAL_S = 0.05


class DataVersionWatcher:
    """Calls `on_change(version)` from its own thread after each commit by anyone else."""

    def __init__(self, path: Path, interval_s: float = DEFAULT_INTERVAL_S) -> None:
        self.path = path
        self.interval_s = interval_s
        self._stop = threading.Event()
        self.polls = 0

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def _connect(self) -> sqlite3.Connection:
        # Read-write mode on purpose: a read-only open of a WAL file fails when no other
        # process has it open yet. This connection never writes.
        conn = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA busy_timeout = 1000")
        return conn

    def run(self, on_change: Callable[[int], None]) -> None:
        """Poll until `stop()`; blocking, so run it in a thread."""
        conn = self._connect()
        try:
            last = self.version(conn)
            while not self._stop.wait(self.interval_s):
                self.polls += 1
                try:
                    current = self.version(conn)
                except sqlite3.OperationalError:
                    continue  # a writer holds an exclusive lock for a moment; ask again
                if current != last:
                    last = current
                    on_change(current)
        finally:
            conn.close()

    @staticmethod
    def version(conn: sqlite3.Connection) -> int:
        row = conn.execute("PRAGMA data_version").fetchone()
        return int(row[0])
