"""One sync agent per store database, through the store's one OS file lock (`makeline.lock`),
released by the OS even when the agent is killed. A second agent started by mistake is refused."""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path

from makeline.lock import hold, lock_path
from sync.errors import AgentAlreadyRunning


def agent_lock(db_path: Path) -> AbstractContextManager[None]:
    def refuse(pid: int | None) -> AgentAlreadyRunning:
        return AgentAlreadyRunning(
            f"Another makeline agent (pid {pid or '?'}) is already syncing {db_path}; "
            "leave that one running, or stop it before starting this one."
        )

    return hold(lock_path(db_path, "sync-agent"), refuse)
