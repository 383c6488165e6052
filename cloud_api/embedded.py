"""An embedded PostgreSQL (the `pgserver` package) in a data folder, for a laptop or a test run.

It listens only on a Unix socket inside its folder; the first start runs initdb. One cloud
owns a data folder at a time: a second `EmbeddedPostgres` on the same folder is refused
(`ConfigurationError` naming the pid of the one running), through the store's one OS file
lock (`makeline.lock`, `<folder>.cloud.lock` beside the folder). `stop()` stops the server
even when an earlier owner was killed before it could (pgserver would otherwise keep it
running for that dead process's sake).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg

from cloud_api.errors import ConfigurationError
from makeline.lock import hold, lock_path

DATABASE = "makeline"
HANDLES = ".handle_pids.json"  # pgserver's list of the processes using the server
STOP_WAIT_S = 60.0


class EmbeddedPostgres:
    def __init__(self, data_dir: Path, cleanup: str | None = "stop") -> None:
        self.data_dir = data_dir.expanduser().resolve()
        self._cleanup = cleanup
        self._owned = contextlib.ExitStack()

        def refuse(pid: int | None) -> ConfigurationError:
            return ConfigurationError(
                f"A makeline cloud (pid {pid or '?'}) is already running on the data folder "
                f"{self.data_dir}; use that one, stop it first, or give another --data-dir."
            )

        try:
            self.data_dir.parent.mkdir(parents=True, exist_ok=True)
            self._owned.enter_context(hold(lock_path(self.data_dir, "cloud"), refuse))
        except OSError as exc:
            raise ConfigurationError(
                f"Could not use {self.data_dir} for the embedded PostgreSQL ({exc.strerror}). "
                "Check that the folder is writable, or give --database-url."
            ) from exc
        _forget_dead_handles(self.data_dir)
        try:
            with warnings.catch_warnings():
                # platformdirs warns when XDG_RUNTIME_DIR is unset; the fallback is fine.
                warnings.simplefilter("ignore")
                import pgserver

                get_server: Any = pgserver.get_server  # type: ignore[attr-defined]
                self._server: Any = get_server(self.data_dir, cleanup_mode=cleanup)
        except Exception as exc:
            self._owned.close()
            raise ConfigurationError(
                f"Could not start the embedded PostgreSQL in {self.data_dir} ({exc}). "
                "Check that the folder is writable, or give --database-url."
            ) from exc

    @property
    def socket_dir(self) -> str:
        return str(self._server.get_postmaster_info().socket_dir)

    def url(self, database: str = DATABASE) -> str:
        return f"postgresql://postgres:@/{database}?host={quote(self.socket_dir, safe='/')}"

    def ensure_database(self, database: str = DATABASE) -> str:
        """Create `database` if it is missing and return its URL."""
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
            if found.fetchone() is None:
                conn.execute(f'CREATE DATABASE "{database}"')
        return self.url(database)

    def server_pid(self) -> int | None:
        """The PostgreSQL server's pid while it runs in the data folder, else None."""
        return running_server(self.data_dir)

    def stop(self) -> None:
        """Stop the server (with `cleanup=None`, leave it running) and give up the folder."""
        try:
            self._server.cleanup()
            pid = running_server(self.data_dir)
            if self._cleanup is not None and pid is not None and not _other_users(self.data_dir):
                _stop_server(pid)
        finally:
            self._owned.close()


def running_server(data_dir: Path) -> int | None:
    """The pid in `data_dir/postmaster.pid` when that process is alive."""
    try:
        first = (data_dir / "postmaster.pid").read_text(encoding="utf-8").split("\n", 1)[0]
    except OSError:
        return None
    pid = int(first) if first.strip().isdigit() else None
    return pid if pid is not None and _alive(pid) else None


def _alive(pid: int) -> bool:
    """Running: not gone, and not a zombie waiting for a parent that may never reap it."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):  # no /proc (macOS): alive as far as we can tell
        return True
    return state not in ("Z", "X")


def _forget_dead_handles(data_dir: Path) -> None:
    """Drop processes that died (killed before they could let go) from pgserver's list, so
    the server is stopped when the last live user stops."""
    handles = data_dir / HANDLES
    try:
        pids = [int(p) for p in json.loads(handles.read_text(encoding="utf-8"))]
    except (OSError, ValueError, TypeError):
        return
    alive = [pid for pid in pids if _alive(pid)]
    if alive != pids:
        handles.write_text(json.dumps(alive), encoding="utf-8")


def _other_users(data_dir: Path) -> bool:
    try:
        pids = [int(p) for p in json.loads((data_dir / HANDLES).read_text(encoding="utf-8"))]
    except (OSError, ValueError, TypeError):
        return False
    return any(pid != os.getpid() and _alive(pid) for pid in pids)


def _stop_server(pid: int) -> None:
    """A fast shutdown (SIGINT to the postmaster: sessions end, data is flushed), awaited."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGINT)
    deadline = time.monotonic() + STOP_WAIT_S
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
