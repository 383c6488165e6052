"""One process at a time: an OS file lock in a small file beside what it guards.

The one lock of the product (the store agent's sync and print queue, a simulator, the demo,
the cloud's embedded PostgreSQL folder), in a leaf that imports nothing of ours so the
store's packages and the cloud can all use it. `hold(lock_path(db, "sync-agent"), refuse)`
is held for as long as the `with` block runs; a second process asking for the same lock is
refused at once with the caller's own error, `refuse(pid of the holder)`, never made to wait. The OS releases the lock when its process ends, even on `kill -9`,
so a crash never leaves a stale lock behind. The lock file holds the holder's pid, for the
message only; it is created readable by its owner only.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path


def lock_path(guarded: Path, role: str) -> Path:
    """The lock file of one `role` (`sync-agent`, `print-queue`, `cloud`, …) on `guarded`."""
    return guarded.with_name(f"{guarded.name}.{role}.lock")


def holder(path: Path) -> int | None:
    """The pid written in a lock file, or None when there is none (yet)."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


@contextlib.contextmanager
def hold(path: Path, refuse: Callable[[int | None], Exception]) -> Iterator[None]:
    """Hold the lock at `path` for the `with` block.

    Raises `refuse(pid of the holder, None when unknown)` when another process, or another
    `hold` in this one, has it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if not _try_lock(fd):
            raise refuse(holder(path))
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the file releases the lock


def _try_lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; one process by convention
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
