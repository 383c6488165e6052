"""Checkpointing the store's WAL beside the order path instead of on it.

A commit in WAL mode appends the transaction's pages to the `-wal` file and fsyncs it
(`synchronous=FULL`): from then on the order survives a power cut. A checkpoint later
copies those pages into the database file, fsyncs it, and lets the WAL start again
from its beginning. SQLite's default has the connection whose commit takes the WAL
past 1,000 pages do that inside its commit: about one order in a hundred waited for
the pages of the hundred before it to be copied and the database file fsynced.

The store's write connections leave it to a `Checkpointer`: a thread with a connection
of its own that checkpoints once the writers have been quiet for `quiet_s`, or after
`every` commits in a steady stream. Its checkpoints are PASSIVE: they never wait for
a writer or a reader, and never make one wait. A checkpoint only moves pages that are
durable already, so durability is what it was.

The write connections keep SQLite's own checkpoint only as a backstop, at
`BACKSTOP_PAGES`: in a stream with no quiet moment a PASSIVE checkpoint may never
finish between two transactions, and only a checkpoint that has copied everything lets
the WAL start again from its beginning. Past the backstop the committing connection
checkpoints the little the thread has not copied yet, and the next write starts the
WAL again: the file cannot grow without bound, even if the thread stopped. After
such a restart SQLite cuts the file back to `WAL_LIMIT_BYTES`.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

log = logging.getLogger("store_db.checkpoint")

BACKSTOP_PAGES = 4_000  # ~16 MiB of WAL: some 300 orders of a stream with no pause
WAL_LIMIT_BYTES = 16 * 1024 * 1024
QUIET_S = 0.05
EVERY = 50  # commits; an order writes ~12 pages, so ~600 pages per checkpoint in a stream


class Checkpointer:
    """Checkpoints `path`'s WAL in a thread of its own, woken by `committed()`.

    The thread starts with the first commit and ends with `stop()`; `checkpoints`
    counts the checkpoints it ran and `last` is what the last one reported:
    (frames in the WAL, frames copied into the database file).
    """

    def __init__(
        self, path: Path, busy_timeout_ms: int, *, quiet_s: float = QUIET_S, every: int = EVERY
    ) -> None:
        self.path = path
        self.quiet_s = quiet_s
        self.every = every
        self.checkpoints = 0
        self.last = (0, 0)
        self._busy_timeout_ms = busy_timeout_ms
        self._commits = 0
        self._wake = threading.Event()
        self._quiet = threading.Event()  # set only to stop: the thread's pause between looks
        self._stopping = False
        self._idle = True
        self._start = threading.Lock()
        self._thread: threading.Thread | None = None

    def committed(self) -> None:
        """A write connection committed: checkpoint soon. Wakes the thread only when it is
        idle; while it waits for a quiet moment it reads the count itself."""
        self._commits += 1  # only writers count; the thread only reads it
        if self._idle:
            if self._thread is None:
                self._begin()
            self._wake.set()

    def stop(self) -> None:
        """End the thread (its last checkpoint finished) and close its connection."""
        self._stopping = True
        self._quiet.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def _begin(self) -> None:
        with self._start:
            if self._thread is None and not self._stopping:
                self._thread = threading.Thread(
                    target=self._run, name=f"checkpoint {self.path.name}", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        try:
            connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            log.warning(
                "The WAL of %s cannot be checkpointed from a thread (%s); commits will.", self.path, exc
            )
            return
        try:
            connection.execute(f"PRAGMA busy_timeout = {self._busy_timeout_ms}")
            connection.execute(
                "PRAGMA synchronous = FULL"
            )  # the database file fsynced before the WAL restarts
            self._loop(connection)
        finally:
            connection.close()

    def _loop(self, connection: sqlite3.Connection) -> None:
        seen = 0
        while True:
            self._idle = True
            if self._commits == seen:  # a commit counted before `_idle` was set woke nobody
                self._wake.wait()
            self._idle = False
            self._wake.clear()
            # Let a burst settle: no commit for `quiet_s`, or `every` commits since the last checkpoint.
            polled = self._commits
            while not self._stopping:
                self._quiet.wait(self.quiet_s)
                now = self._commits
                if now == polled or now - seen >= self.every:
                    break
                polled = now
            if self._stopping:
                return
            seen = self._commits
            try:
                _busy, frames, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            except sqlite3.Error as exc:  # the file went away, or is being replaced: commits still checkpoint
                log.warning("Checkpointing %s failed (%s); commits will checkpoint instead.", self.path, exc)
                return
            self.checkpoints += 1
            self.last = (frames, copied)
