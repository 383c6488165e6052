"""One sync agent per store database: an OS file lock beside the database, released by
the OS even when the agent is killed. A second agent started by mistake is refused."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from sync.errors import AgentAlreadyRunning


@contextlib.contextmanager
def agent_lock(db_path: Path) -> Iterator[None]:
    path = db_path.with_name(db_path.name + ".sync-agent.lock")
    handle: IO[str] = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - closed below
    try:
        if not _try_lock(handle):
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise AgentAlreadyRunning(
                f"Another makeline agent (pid {holder}) is already syncing {db_path}; "
                "leave that one running, or stop it before starting this one."
            )
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()  # closing the file releases the lock


def _try_lock(handle: IO[str]) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; the protocol stays safe with two agents
        return True
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
