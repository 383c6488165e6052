"""A parent process with makeline already imported that forks `makeline agent` processes on
request, so a test can start (and SIGKILL) fifty real agent processes in seconds rather
than paying a second of imports for each.

    python -m tests.sync.zygote     then, one JSON line per agent on stdin:
    {"db": PATH, "log": PATH, "env": {...}}   →   its pid on stdout

The parent imports modules only (no threads, no connections), so forking it is safe.
Children are reaped by the OS; a test sees a dead agent as a pid that no longer exists.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import traceback
from pathlib import Path


def _child(request: dict[str, object]) -> None:
    code = 1
    try:
        log = os.open(str(request["log"]), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        env = request["env"]
        assert isinstance(env, dict)
        os.environ.clear()
        os.environ.update({str(k): str(v) for k, v in env.items()})
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        from makeline.cli import main

        code = main(["agent", "--db", str(request["db"])])
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def serve() -> None:
    # Everything `makeline agent` loads, loaded once here.
    import asyncio  # noqa: F401
    import threading  # noqa: F401

    import httpx  # noqa: F401
    import websockets.asyncio.client  # noqa: F401

    import printers.agent
    import printers.store_jobs  # noqa: F401
    import store_db.services.feed  # noqa: F401
    import sync.agent  # noqa: F401
    from makeline.cli import build_parser

    build_parser()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    print("ready", flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(request)
        print(pid, flush=True)


class Zygote:
    """The test's handle on a zygote process."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.sync.zygote"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parents[2],
        )
        assert self.process.stdout is not None and self.process.stdout.readline().strip() == "ready"

    def spawn(self, db: Path, log: Path, env: dict[str, str]) -> int:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps({"db": str(db), "log": str(log), "env": env}) + "\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


if __name__ == "__main__":
    serve()
