"""`makeline cloud` on its embedded PostgreSQL, started and stopped as a service manager does:
SIGTERM (or Ctrl-C) stops the database with it and exits 0, a second cloud on the same data
folder is refused naming the first, and a cloud killed outright leaves a database that the
next cloud on the folder takes over and stops."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from cloud_api.embedded import running_server
from tests import calls

from .server import alive, free_port

DEADLINE_S = 120.0


@pytest.fixture
def data_dir() -> Iterator[Path]:
    # Not under pytest's numbered temp folders: other sessions on the machine prune those.
    home = Path(tempfile.mkdtemp(prefix="makeline-cloud-stop-"))
    try:
        yield home / "cloud-pg"
    finally:
        leftover = running_server(home / "cloud-pg")
        if leftover is not None:  # never leave a database running, even when a test fails
            os.kill(leftover, signal.SIGINT)
        shutil.rmtree(home, ignore_errors=True)


def embedded_env() -> dict[str, str]:
    """The environment of a cloud on its embedded PostgreSQL, even when the tests run on a server."""
    env = {**os.environ, "MAKELINE_BACKGROUND": "false"}
    for name in ("DATABASE_URL", "MAKELINE_DATABASE_URL"):
        env.pop(name, None)
    return env


def start_cloud(data_dir: Path, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "makeline", "cloud", "--data-dir", str(data_dir), "--port", str(port)],
        env=embedded_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.1)


def healthy(process: subprocess.Popen[str], port: int) -> bool:
    if process.poll() is not None:
        err = process.stderr.read() if process.stderr else ""
        raise AssertionError(f"the cloud exited while starting:\n{err[-3000:]}")
    try:
        return calls.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    try:
        _, err = process.communicate(timeout=DEADLINE_S)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
        raise
    return process.returncode, err


def assert_an_idle_connection_is_kept(port: int) -> None:
    """A store's agent beats every 15 s: its connection, idle past uvicorn's own 5 s, is
    still open for its next request (not closed by the server as the request is sent)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE_S)
    try:
        connection.request("GET", "/api/v1/health")
        assert connection.getresponse().read()
        opened = connection.sock
        time.sleep(6)
        connection.request("GET", "/api/v1/health")
        answer = connection.getresponse()
        assert answer.status == 200 and answer.read()
        assert connection.sock is opened  # the same connection, not a new one
    finally:
        connection.close()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stopped_cloud_stops_its_postgres_and_a_second_cloud_is_refused(data_dir: Path, sig: int) -> None:
    port = free_port()
    cloud = start_cloud(data_dir, port)
    try:
        wait_for(lambda: healthy(cloud, port), "the cloud answers")
        postgres = running_server(data_dir)
        assert postgres is not None and alive(postgres)
        # The server it runs keeps a storm's WAL segments ready (`cloud_api.db.wal`).
        assert "min_wal_size = '1024MB'" in (data_dir / "postgresql.auto.conf").read_text()
        if sig == signal.SIGTERM:
            assert_an_idle_connection_is_kept(port)

        second = subprocess.run(
            [
                sys.executable,
                "-m",
                "makeline",
                "cloud",
                "--data-dir",
                str(data_dir),
                "--port",
                str(free_port()),
            ],
            check=False,
            capture_output=True,
            text=True,
            timeout=DEADLINE_S,
            stdin=subprocess.DEVNULL,
            env=embedded_env(),
        )
        assert second.returncode == 2, second.stderr
        assert "Traceback" not in second.stderr
        assert (
            f"makeline: A makeline cloud (pid {cloud.pid}) is already running on the data folder "
            f"{data_dir.resolve()}" in second.stderr
        )
        assert healthy(cloud, port), "the refused second start left the first one serving"
    finally:
        cloud.send_signal(sig)
        code, err = finish(cloud)
    assert code == 0, err[-3000:]
    assert "Traceback" not in err
    assert not (data_dir / "postmaster.pid").exists(), "PostgreSQL was left running"
    wait_for(lambda: not alive(postgres), "PostgreSQL's last process ends")


def test_a_cloud_killed_outright_leaves_postgres_to_the_next_cloud_which_stops_it(data_dir: Path) -> None:
    port = free_port()
    killed = start_cloud(data_dir, port)
    try:
        wait_for(lambda: healthy(killed, port), "the first cloud answers")
    finally:
        killed.kill()  # no chance to stop anything: the power-cut case for the process
        finish(killed)
    orphan = running_server(data_dir)
    assert orphan is not None, "pgserver's PostgreSQL outlives a killed cloud"

    port = free_port()
    cloud = start_cloud(data_dir, port)  # the OS let go of the killed cloud's lock
    try:
        wait_for(lambda: healthy(cloud, port), "the next cloud answers")
        assert running_server(data_dir) == orphan, "it took over the running database"
    finally:
        cloud.send_signal(signal.SIGTERM)
        code, err = finish(cloud)
    assert code == 0, err[-3000:]
    assert running_server(data_dir) is None, "PostgreSQL was left running"
    wait_for(lambda: not alive(orphan), "PostgreSQL's last process ends")
