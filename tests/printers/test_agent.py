"""`makeline agent`: a real process running the print queue, killed and started again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from printers.agent import queue_lock, run_print_queue
from printers.configure import add_demo_printers, add_printer
from printers.decode import decode
from printers.errors import QueueAlreadyRunning
from store_db.db import StoreDB
from tests.printers.conftest import SETTINGS
from tests.printers.fake_printer import FakePrinter
from tests.printers.store_orders import jobs, online, order_label, place, walk_in

ORDERS = 8
IN_FLIGHT = 4  # the fifth ticket is the one on its way when the agent dies


def agent(store_path: Path, log: Path, *flags: str) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:  # the child keeps its own copy of the file
        return subprocess.Popen(
            [sys.executable, "-m", "makeline", "agent", "--db", str(store_path), *flags],
            stdout=subprocess.DEVNULL,
            stderr=out,
        )


def test_agent_killed_mid_ticket_reprints_only_that_ticket(
    db: StoreDB, store_path: Path, fake: FakePrinter, tmp_path: Path
) -> None:
    add_printer(db, "kitchen", fake.url, ["kitchen"])
    labels = [place(db, online())[1] for _ in range(ORDERS)]
    fake.hang(after=150, later=IN_FLIGHT)
    log = tmp_path / "agent.log"
    first = agent(store_path, log)
    try:
        fake.wait_for(lambda: any(s.hung for s in fake.sessions), timeout=30)
        os.kill(first.pid, signal.SIGKILL)
    finally:
        first.kill()
        first.wait()
    in_flight = jobs(db)[IN_FLIGHT]
    assert in_flight.status == "sending", "killed while the ticket's bytes were in flight"
    assert [j.status for j in jobs(db)[:IN_FLIGHT]] == ["printed"] * IN_FLIGHT

    fake.behave()
    again = agent(store_path, log, "--once")
    assert again.wait(timeout=30) == 0, log.read_text()

    complete = [job for job in fake.jobs() if decode(job, partial=True).ends_with_cut]
    assert [order_label(job) for job in complete] == labels, "nothing lost, nothing else doubled"
    reprinted = [order_label(job) for job in complete if decode(job).texts[0] == "REPRINT"]
    assert reprinted == [labels[IN_FLIGHT]]
    assert [j.status for j in jobs(db)] == ["printed"] * ORDERS
    assert [j.reprint for j in jobs(db)] == [n == IN_FLIGHT for n in range(ORDERS)]
    assert f"kitchen: printed kitchen ticket {labels[IN_FLIGHT]}" in log.read_text()


def test_a_second_print_queue_on_one_store_is_refused(db: StoreDB) -> None:
    with queue_lock(db.path), pytest.raises(QueueAlreadyRunning, match="already printing"):
        run_print_queue(db, threading.Event(), SETTINGS, once=True)
    with queue_lock(db.path):  # released again: a new agent may start
        pass


def test_print_queue_runs_in_a_thread_until_stopped(db: StoreDB, fake: FakePrinter) -> None:
    add_printer(db, "kitchen", fake.url, ["kitchen"])
    stop = threading.Event()
    results: list[int] = []
    thread = threading.Thread(target=lambda: results.append(run_print_queue(db, stop, SETTINGS)))
    thread.start()
    try:
        _, label = place(db, online())
        fake.wait_for(lambda: len(fake.jobs()) == 1)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert results == [0] and [order_label(j) for j in fake.jobs()] == [label]


def test_once_with_a_dead_printer_and_no_backup_stops_and_says_what_waits(
    db: StoreDB, fake: FakePrinter, caplog: pytest.LogCaptureFixture
) -> None:
    add_printer(db, "kitchen", fake.url, ["kitchen"])
    fake.refuse()
    place(db, online())
    assert run_print_queue(db, threading.Event(), SETTINGS, once=True) == 1
    assert any("is not answering" in r.getMessage() for r in caplog.records)


def test_demo_printers_write_readable_previews(db: StoreDB, tmp_path: Path) -> None:
    folder = tmp_path / "printouts"
    added = add_demo_printers(db, folder)
    assert len(added) == 2 and add_demo_printers(db, folder) == []
    _, label = place(db, walk_in())
    assert run_print_queue(db, threading.Event(), SETTINGS, once=True) == 0
    kitchen = sorted((folder / "kitchen").glob("*.txt"))
    front = sorted((folder / "front").glob("*.txt"))
    number, ids = label.lstrip("#"), {j.document: j.id for j in jobs(db)}
    assert [p.name for p in kitchen] == [f"{ids['kitchen']:06d}-{number}-kitchen.txt"]
    assert [p.name for p in front] == [f"{ids['receipt']:06d}-{number}-receipt.txt"]
    ticket = kitchen[0].read_text(encoding="utf-8")
    assert label in ticket and "PEPPERONI PIZZA" in ticket and "CARRYOUT" in ticket
    assert "TOTAL" in front[0].read_text(encoding="utf-8")
    assert not list(folder.rglob("*.part"))
