"""The store's own files, attacked as files: readable by their owner only, checked at every
start (a damaged, foreign or missing file is one sentence and a non-zero exit, never a
traceback, and is left as it was), and one process per job on a store file."""

from __future__ import annotations

import hashlib
import io
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from makeline.demo.simulate import simulate
from makeline.lock import holder, lock_path
from store_db.db import StoreDB
from store_db.errors import NotAStoreDatabase, StoreDatabaseError, StoreFileDamaged
from store_db.integrity import check_store_file, companions

MAKELINE = [sys.executable, "-m", "makeline"]
DEADLINE_S = 60.0


def makeline(*args: str, umask: int = -1) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*MAKELINE, *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        umask=umask,
        stdin=subprocess.DEVNULL,
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "missing"


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.05)


def one_sentence(result: subprocess.CompletedProcess[str]) -> str:
    """The refusal a person sees: exit 2, one line on stderr, no traceback."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("makeline: "), result.stderr
    return lines[0]


# -- owner only ----------------------------------------------------------------------------


def test_a_new_store_file_and_its_wal_are_readable_by_the_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "new" / "store.db"
    made = makeline("init-store", "--db", str(path), "--demo", umask=0o022)  # a usual, open umask
    assert made.returncode == 0, made.stderr
    assert mode(path) == 0o600
    with StoreDB(path) as db:
        simulate(db, 2, io.StringIO(), through="delivered", seed=1)  # writes through the services
        db_file, wal, shm = companions(path)
        assert wal.stat().st_size > 0, "the write is in the WAL while the store is open"
        assert {p.name: mode(p) for p in (db_file, wal, shm)} == {
            "store.db": 0o600,
            "store.db-wal": 0o600,
            "store.db-shm": 0o600,
        }


def test_store_files_open_to_others_are_made_owner_only_at_start(store_path: Path) -> None:
    store_path.chmod(0o644)
    shown = makeline("show", "--db", str(store_path))
    assert shown.returncode == 0, shown.stderr
    assert mode(store_path) == 0o600
    assert f"makeline: {store_path} could be read by other users of this computer (mode 0644)" in shown.stderr
    assert "it is now readable by its owner only (0600)" in shown.stderr
    again = makeline("show", "--db", str(store_path))
    assert again.returncode == 0 and again.stderr == "", "nothing to say once it is owner-only"


# -- damaged files ---------------------------------------------------------------------------


def truncated(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


def random_bytes(path: Path) -> None:
    path.write_bytes(os.urandom(path.stat().st_size))


def flipped_page(path: Path) -> None:
    """Every bit of one b-tree page flipped: the root page of the menu's products table."""
    with sqlite3.connect(path) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'menu_product'").fetchone()[0]
    conn.close()
    with path.open("r+b") as file:
        file.seek((root - 1) * page_size)
        page = file.read(page_size)
        file.seek((root - 1) * page_size)
        file.write(bytes(b ^ 0xFF for b in page))


def another_programs(path: Path) -> None:
    path.unlink()
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO photos (name) VALUES ('beach.jpg')")
    conn.close()


def deleted(path: Path) -> None:
    path.unlink()


DAMAGE: dict[str, tuple[Callable[[Path], None], list[str]]] = {
    "truncated": (truncated, ["is damaged (it is cut short: ", "makeline restore --db"]),
    "random bytes": (
        random_bytes,
        ["is damaged (it does not start with a SQLite header)", "makeline restore"],
    ),
    "flipped page": (flipped_page, ["is damaged (SQLite's check found: ", "makeline restore --db"]),
    "another program's": (another_programs, ["is a SQLite database of another program", "--db"]),
    "missing": (deleted, ["There is no store database at", "makeline init-store --db"]),
}


@pytest.mark.parametrize("kind", list(DAMAGE))
def test_a_damaged_store_file_is_one_sentence_and_is_left_as_it_was(store_path: Path, kind: str) -> None:
    damage, said = DAMAGE[kind]
    damage(store_path)
    before = digest(store_path)
    line = one_sentence(makeline("show", "--db", str(store_path)))
    for words in said:
        assert words in line
    if "restore" in said[-1]:
        assert "ask head office for a re-enrollment code" in line
    assert digest(store_path) == before, "checking the file changed it"
    assert not companions(store_path)[1].exists() or kind != "missing"


@pytest.mark.parametrize("kind", list(DAMAGE))
def test_the_check_raises_the_store_error_that_says_what_to_do(store_path: Path, kind: str) -> None:
    DAMAGE[kind][0](store_path)
    expected = {"another program's": NotAStoreDatabase, "missing": StoreDatabaseError}.get(
        kind, StoreFileDamaged
    )
    with pytest.raises(expected):
        check_store_file(store_path)
    with pytest.raises(expected):
        StoreDB(store_path)


def commands(path: Path) -> dict[str, list[str]]:
    db = ["--db", str(path)]
    return {
        "init-store": ["init-store", *db],
        "show": ["show", *db],
        "report sales": ["report", "sales", *db],
        "report variance": ["report", "variance", *db],
        "printer list": ["printer", "list", *db],
        "printer jobs": ["printer", "jobs", *db],
        "printer reprint": ["printer", "reprint", "1001", *db],
        "stock sheet": ["stock", "sheet", *db],
        "dispatch plan": ["dispatch", "plan", *db],
        "driver run": ["driver", "run", "Dee", *db],
        "agent": ["agent", "--once", *db],
        "simulate": ["simulate", "--orders", "1", *db],
        "enroll": ["enroll", "--cloud", "http://127.0.0.1:9", "--code", "ABCD-EFGH-JKMN", *db],
        "terminal": ["terminal", "--screen", "counter", *db],
        "serve": ["serve", "--port", "8999", *db],
        "demo": ["demo", "--no-cloud", *db],
    }


@pytest.mark.parametrize("command", list(commands(Path("x"))))
def test_every_command_checks_the_store_file_before_using_it(store_path: Path, command: str) -> None:
    flipped_page(store_path)  # a sound header: only the deeper check finds it
    before = digest(store_path)
    line = one_sentence(makeline(*commands(store_path)[command]))
    assert f"The store database {store_path} is damaged (SQLite's check found: " in line
    assert digest(store_path) == before


# -- one process per job ---------------------------------------------------------------------


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*MAKELINE, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )


def stop(process: subprocess.Popen[str], sig: int = signal.SIGTERM) -> int:
    process.send_signal(sig)
    try:
        return process.wait(timeout=DEADLINE_S)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_second_agent_on_one_store_file_is_refused_and_the_first_stops_cleanly(
    store_path: Path, sig: int
) -> None:
    first = start("agent", "--db", str(store_path))
    try:
        lock = lock_path(store_path, "sync-agent")
        wait_for(lambda: holder(lock) == first.pid, "the first agent holds the store's agent lock")
        line = one_sentence(makeline("agent", "--once", "--db", str(store_path)))
        assert f"Another makeline agent (pid {first.pid}) is already syncing {store_path}" in line
    finally:
        code = stop(first, sig)
    assert code == 0, "the agent stops on a service manager's SIGTERM or a Ctrl-C and says it is fine"
    again = makeline("agent", "--once", "--db", str(store_path))
    assert again.returncode == 0, again.stderr


def test_a_second_simulator_on_one_store_file_is_refused(store_path: Path) -> None:
    first = start("simulate", "--orders", "1000", "--rate", "0.5", "--db", str(store_path))
    try:
        lock = lock_path(store_path, "simulate")
        wait_for(lambda: holder(lock) == first.pid, "the first simulator holds the store's simulator lock")
        line = one_sentence(makeline("simulate", "--orders", "1", "--db", str(store_path)))
        assert f"A simulator (pid {first.pid}) is already placing orders in {store_path}" in line
    finally:
        code = stop(first)
    assert code == 130, "stopped by SIGTERM as by Ctrl-C: on its way out, not killed mid-write"
    assert makeline("simulate", "--orders", "1", "--db", str(store_path)).returncode == 0


HOLDER = """
import sys, time
from pathlib import Path
from makeline.lock import hold
with hold(Path(sys.argv[1]), lambda pid: RuntimeError(pid)):
    print("held", flush=True)
    time.sleep(600)
"""


def test_the_lock_is_let_go_when_its_holder_is_killed(tmp_path: Path) -> None:
    from makeline.lock import hold

    lock = tmp_path / "store.db.sync-agent.lock"
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(lock)], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "held"
        refused: list[int | None] = []

        def refuse(pid: int | None) -> RuntimeError:
            refused.append(pid)
            return RuntimeError("refused")

        with pytest.raises(RuntimeError, match="refused"), hold(lock, refuse):
            pass
        assert refused == [process.pid]
    finally:
        process.kill()
        process.wait()
        if process.stdout is not None:
            process.stdout.close()
    with hold(lock, refuse):  # kill -9 left no stale lock behind
        assert holder(lock) == os.getpid()
    assert mode(lock) == 0o600
