"""The stores' sync on workers of its own (`makeline cloud --sync-port`): in a session of its
own, lowered below the customers' workers but never idle-only, serving the stores' routes;
stopped with the cloud, even one killed outright; a port that cannot work refused at start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from cloud_api.sync import priority
from tests.patience import wait_until

from .server import alive, children, cloud_process, free_port, wait_healthy


def _front(cloud: int) -> int:
    [front] = [pid for pid, command in children(cloud).items() if "cloud_api.sync.front" in command]
    return front


def test_the_stores_sync_runs_on_workers_of_its_own_below_the_customers(database_url: str) -> None:
    port, sync_port = free_port(), free_port()
    env = {"MAKELINE_SYNC_PORT": str(sync_port), "MAKELINE_SYNC_WORKERS": "2"}
    with cloud_process(database_url, port, **env) as cloud:
        wait_healthy(f"http://127.0.0.1:{port}", cloud)
        wait_healthy(f"http://127.0.0.1:{sync_port}", cloud)
        front = _front(cloud.pid)
        workers = [pid for pid, command in children(front).items() if "spawn_main" in command]
        assert len(workers) == 2
        assert os.getsid(front) == front != os.getsid(cloud.pid)  # a session of its own
        wait_until(lambda: os.getpriority(os.PRIO_PROCESS, front) == priority.SYNC_NICE, "the front lowered")
        if Path(f"/proc/{front}/autogroup").exists():
            assert priority.session_nice(front) == priority.SYNC_NICE  # and its session with it
        for pid in (front, *workers):
            assert os.sched_getscheduler(pid) == os.SCHED_OTHER  # never only when the CPU is idle
            assert os.getsid(pid) == front and os.getpriority(os.PRIO_PROCESS, pid) == priority.SYNC_NICE
        assert os.getpriority(os.PRIO_PROCESS, cloud.pid) == os.getpriority(os.PRIO_PROCESS, os.getpid())
        # The stores' routes are there: a heartbeat with no credential is told to sign in.
        beat = httpx.post(f"http://127.0.0.1:{sync_port}/api/v1/sync/heartbeat", json={})
        assert beat.status_code == 401


def test_the_stores_workers_stop_with_the_cloud_even_one_killed_outright(database_url: str) -> None:
    port, sync_port = free_port(), free_port()
    with cloud_process(database_url, port, MAKELINE_SYNC_PORT=str(sync_port)) as cloud:
        wait_healthy(f"http://127.0.0.1:{sync_port}", cloud)
        front = _front(cloud.pid)
        os.kill(cloud.pid, signal.SIGKILL)
        wait_until(lambda: not alive(front), "the stores' front gone with its cloud")


def test_a_sync_port_that_cannot_work_is_refused_before_anything_starts(database_url: str) -> None:
    port = free_port()
    for given in (
        ["--sync-port", str(port)],
        ["--sync-port", "70000"],
        ["--sync-port", "9", "--sync-workers", "0"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "cloud_api", "--database-url", database_url, "--port", str(port), *given],
            check=False,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 2, done.stderr
        assert "sync" in done.stderr and "Traceback" not in done.stderr
