"""Checkpointing the store's WAL beside the order path instead of on it.

A commit in WAL mode appends the transaction's pages to the `-wal` file and fsyncs it
(`synchronous=FULL`): from then on the order survives a power cut. A checkpoint later
copies those pages into the database file and fsyncs it; once it has copied every page,
the next writer starts the WAL again from its beginning, writing over the file's old
blocks. SQLite's default has the connection whose commit takes the WAL past 1,000
pages checkpoint inside that commit: about one order in a hundred waited for the pages
of the hundred before it to be copied and the database file fsynced.

The store's write connections leave it to a `Checkpointer`: a thread with a connection
of its own, woken by the commits, that checkpoints once the writers have been quiet for
`quiet_s`, or after `every` commits in a steady stream. It copies in two steps:

1. PASSIVE, beside the writers: never waits for a writer or a reader, and never makes
   one wait. It copies the bulk; but in a steady stream it rarely finishes between two
   transactions, and a WAL that is never wholly copied is never started again: it
   would only grow, and a commit that appends to a growing file costs the disk more
   than one that writes over old blocks (the file's size must be made durable too).
2. When the writers are quiet, or the WAL is past `RESTART_FRAMES`: PASSIVE again while
   holding this process's writers' lock (`StoreDB` takes it around every write
   transaction). The few pages committed during step 1 are copied with no commit in
   between, so the next write starts the WAL again. In a stream an order waits for this
   about once in a hundred and twenty (a few pages and one fsync of the database file),
   and the thread takes the lock the moment the writer before it lets go.

A checkpoint only moves pages that are durable already: durability is what it was.

The write connections keep SQLite's own checkpoint only as a backstop, at
`BACKSTOP_PAGES`: were the thread ever stopped (or another process writing without
pause), the committing connection checkpoints and the WAL starts again there, so it
cannot grow without bound. After a restart SQLite cuts the file back to
`WAL_LIMIT_BYTES`.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from contextlib import AbstractContextManager
from pathlib import Path

log = logging.getLogger("store_db.checkpoint")

BACKSTOP_PAGES = 10_000  # ~40 MiB of WAL: some 300 orders of a stream the thread never caught
RESTART_FRAMES = 4_000  # ~16 MiB, some 120 orders (an order writes ~34 pages): then start again
WAL_LIMIT_BYTES = 32 * 1024 * 1024  # above RESTART_FRAMES: the file is written over, not regrown
QUIET_S = 0.05
EVERY = 64  # commits between checkpoints in a steady stream (and at most one every `QUIET_S`)


class Checkpointer:
    """Checkpoints `path`'s WAL in a thread of its own, woken by `committed()`; `writers` is
    the lock every write transaction of this process holds.

    The thread starts with the first commit and ends with `stop()`. `checkpoints` counts
    the checkpoints it ran; `last` is what the last one reported: (frames in the WAL,
    frames copied into the database file).
    """

    def __init__(
        self,
        path: Path,
        writers: AbstractContextManager[object],
        *,
        quiet_s: float = QUIET_S,
        every: int = EVERY,
    ) -> None:
        self.path = path
        self.quiet_s = quiet_s
        self.every = every
        self.checkpoints = 0
        self.last = (0, 0)
        self._writers = writers
        self._commits = 0
        self._checkpointed = 0  # the count of commits the last checkpoint started at
        self._wake = threading.Event()  # set by a commit while the thread is idle, and to stop
        self._pause = threading.Event()  # set only to stop: the thread's pause between looks
        self._idle = True
        self._stopping = False
        self._start = threading.Lock()
        self._thread: threading.Thread | None = None

    def committed(self) -> None:
        """A write transaction of this process committed: checkpoint soon. Wakes the thread
        only when it is idle; while it waits for a quiet moment it reads the count itself."""
        self._commits += 1  # only writers count, under the writers' lock; the thread only reads it
        if self._idle:
            if self._thread is None:
                self._begin()
            self._wake.set()

    @property
    def caught_up(self) -> bool:
        """Every commit so far has been checkpointed and the checkpoint counted: the thread
        waits for the next commit."""
        return self._idle and self._commits == self._checkpointed

    def stop(self) -> None:
        """End the thread (a checkpoint under way finishes first) and close its connection."""
        self._stopping = True
        self._pause.set()
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
            # The database file is fsynced before the WAL may start again.
            connection.execute("PRAGMA synchronous = FULL")
            while (quiet := self._settled()) is not None:
                self._checkpoint(connection, quiet)
        except sqlite3.Error as exc:  # the file went away or was replaced: the commits' backstop holds
            log.warning("Checkpointing %s failed (%s); commits will checkpoint instead.", self.path, exc)
        finally:
            connection.close()

    def _settled(self) -> bool | None:
        """Wait for a commit, then for quiet (True: no commit for `quiet_s`) or for `every`
        commits since the last checkpoint (False); None once stopping."""
        self._idle = True
        if self._commits == self._checkpointed:  # else a commit came before `_idle` was set
            self._wake.wait()
        self._idle = False
        self._wake.clear()
        seen = self._commits
        while not self._stopping:
            self._pause.wait(self.quiet_s)
            now = self._commits
            if now == seen or now - self._checkpointed >= self.every:
                return None if self._stopping else now == seen
            seen = now
        return None

    def _checkpoint(self, connection: sqlite3.Connection, quiet: bool) -> None:
        self._checkpointed = self._commits
        frames, copied = _passive(connection)
        if quiet or frames >= RESTART_FRAMES:
            # What was committed meanwhile, with this process's writers held off: the WAL
            # starts again at the next write. Only when quiet (nobody waits) or once the
            # WAL is long, so an order seldom waits for it.
            with self._writers:
                frames, copied = _passive(connection)
        self.checkpoints += 1
        self.last = (frames, copied)


def _passive(connection: sqlite3.Connection) -> tuple[int, int]:
    _busy, frames, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return int(frames), int(copied)
