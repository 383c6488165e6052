"""Long-running commands on a real terminal, stopped as a service manager, a closed SSH
session or a person stops them: the terminal and the whole-product demo give the screen back
and stop everything they started; a second demo on one store file is refused; the demo's
port is taken back right after a previous run, or the port it took instead is said before
the screen is taken."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cloud_api.embedded import running_server
from makeline.demo.launcher import free_port
from makeline.lock import lock_path
from tests.patience import wait_until

from .screen import ALT_SCREEN_OFF, ALT_SCREEN_ON, Screen

DEADLINE_S = 60.0


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_the_terminal_gives_the_screen_back_when_stopped(store_path: Path, sig: int) -> None:
    screen = Screen(["terminal", "--db", str(store_path), "--screen", "counter"])
    screen.wait_for(lambda seen: ALT_SCREEN_ON in seen and b"Oak Park" in seen, "the counter screen is drawn")
    screen.process.send_signal(sig)
    assert screen.finish() == 0, screen.text()[-2000:]
    after = screen.seen.split(ALT_SCREEN_ON, 1)[1]
    assert ALT_SCREEN_OFF in after, "the terminal was left in the app's screen"
    assert b"Traceback" not in screen.seen


@pytest.fixture
def folder() -> Iterator[Path]:
    # Not under pytest's numbered temp folders: other sessions on the machine prune those.
    home = Path(tempfile.mkdtemp(prefix="makeline-demo-stop-"))
    try:
        yield home
    finally:
        leftover = running_server(home / "cloud-pg")
        if leftover is not None:  # never leave a database running, even when a test fails
            os.kill(leftover, signal.SIGINT)
        shutil.rmtree(home, ignore_errors=True)


def listening(reuse: bool = False) -> socket.socket:
    taken = socket.socket()
    if reuse:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    return taken


def held(path: Path, role: str) -> bool:
    """Some process holds this lock, as the kernel's table of locks (`/proc/locks`) says. Not
    by taking it for a moment: a process starting then (the demo's agent) would be refused
    and end, and the test would wait for it in vain."""
    try:
        found = os.stat(lock_path(path, role))
    except FileNotFoundError:
        return False
    key = f"{os.major(found.st_dev):02x}:{os.minor(found.st_dev):02x}:{found.st_ino}"
    # "1: FLOCK  ADVISORY  WRITE 4242 fd:01:1234567 0 EOF"
    return any(
        "FLOCK" in line.split() and key in line.split()
        for line in Path("/proc/locks").read_text(encoding="ascii").splitlines()
    )


def test_the_demo_says_the_port_it_took_refuses_a_second_demo_and_stops_everything(folder: Path) -> None:
    store = folder / "store.db"
    taken = listening()
    port = taken.getsockname()[1]
    try:
        screen = Screen(["demo", "--db", str(store), "--port", str(port), "--rate", "0.1"])
        screen.wait_for(lambda seen: ALT_SCREEN_ON in seen, "the demo's terminal takes the screen", 300)
        before_screen = screen.seen.split(ALT_SCREEN_ON, 1)[0].decode()
        said = f"Port {port} is taken (another program listens there); took port "
        assert said in before_screen, before_screen
        took = int(before_screen.split(said, 1)[1].split(".", 1)[0])
        assert took != port
        assert f"Storefront: order a pizza at http://127.0.0.1:{took}/" in before_screen
        assert (
            f"Console: http://127.0.0.1:{took}/console: head office signs in as hq@makeline.test"
            in before_screen
        )
        postgres = running_server(folder / "cloud-pg")
        assert postgres is not None, "the demo's cloud runs its database in the demo's folder"
        wait_until(lambda: held(store, "sync-agent"), "the demo's agent runs", DEADLINE_S, 0.1)
        wait_until(lambda: held(store, "crew"), "the demo's simulated crew works", DEADLINE_S, 0.1)

        second = subprocess.run(
            [sys.executable, "-m", "makeline", "demo", "--db", str(store), "--no-cloud"],
            check=False,
            capture_output=True,
            text=True,
            timeout=DEADLINE_S,
            stdin=subprocess.DEVNULL,
        )
        assert second.returncode == 2, second.stdout + second.stderr
        assert (
            f"makeline: A makeline demo (pid {screen.process.pid}) is already running on {store}"
            in second.stderr
        )

        screen.process.send_signal(signal.SIGTERM)
        assert screen.finish(300) == 0, screen.text()[-3000:]
    finally:
        taken.close()
    assert ALT_SCREEN_OFF in screen.seen.split(ALT_SCREEN_ON, 1)[1], (
        "the terminal was left in the app's screen"
    )
    assert running_server(folder / "cloud-pg") is None, "the demo's cloud left its PostgreSQL running"
    assert not held(store, "sync-agent") and not held(folder / "cloud-pg", "cloud")
    assert not held(store, "demo") and not held(store, "crew")
    assert b"Traceback" not in screen.seen


def test_the_demo_port_is_free_again_right_after_a_previous_run() -> None:
    server = listening(reuse=True)  # as the previous run's cloud (uvicorn) listened
    port = server.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = server.accept()
    accepted.close()  # the server's side closes first: its port waits out TIME_WAIT
    assert client.recv(16) == b""
    client.close()
    server.close()
    deadline = time.monotonic() + DEADLINE_S
    while True:  # proof that the port is in the state a previous run leaves behind
        with socket.socket() as plain:
            try:
                plain.bind(("127.0.0.1", port))
            except OSError as exc:
                assert exc.errno == errno.EADDRINUSE
                break
        assert time.monotonic() < deadline, "TIME_WAIT never showed"
        time.sleep(0.05)
    assert free_port(port) == port


def test_a_port_another_program_listens_on_is_not_taken() -> None:
    with listening() as taken:
        port = taken.getsockname()[1]
        other = free_port(port)
    assert other != port and 0 < other < 65536


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serving_a_screen_to_browsers_stops_cleanly(store_path: Path, sig: int) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    serving = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "makeline",
            "serve",
            "--db",
            str(store_path),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )

    def answers() -> bool:
        assert serving.poll() is None, serving.stderr.read() if serving.stderr else ""
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            return False
        return True

    try:
        wait_until(answers, "the screen is served", DEADLINE_S, 0.1)
    finally:
        serving.send_signal(sig)
        try:
            _, err = serving.communicate(timeout=DEADLINE_S)
        finally:
            if serving.poll() is None:
                serving.kill()
                serving.wait()
    assert serving.returncode == 0, err
    assert "Traceback" not in err
