"""The print queue against fake network printers: nothing lost, nothing doubled, in order."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from printers.decode import decode
from printers.queue import PrinterConfig, PrintQueue
from tests.printers import samples
from tests.printers.conftest import HUNG, SETTINGS, wait_until
from tests.printers.fake_printer import FakePrinter
from tests.printers.memory_store import MemoryJobStore


def label(job: bytes) -> str:
    return next(t for t in decode(job).texts if t.startswith("#"))


@pytest.fixture
def bar() -> Iterator[FakePrinter]:
    with FakePrinter() as printer:
        yield printer


def test_printer_down_then_up_prints_all_twenty_in_order_once(fake: FakePrinter) -> None:
    store = MemoryJobStore([PrinterConfig("kitchen", fake.url)])
    fake.refuse()
    ids = [store.add("kitchen", samples.ticket(f"#{1000 + n}")) for n in range(1, 21)]
    with PrintQueue(store, SETTINGS):
        wait_until(lambda: store.row(ids[0]).claims >= 3)
        assert store.printed_ids() == []
        error = store.row(ids[0]).last_error
        assert error.startswith(f"Printer 'kitchen' at 127.0.0.1:{fake.port} is not answering")
        assert error.endswith("20 tickets are waiting and will print when it is back")
        assert all(store.row(i).claims == 0 for i in ids[1:]), "nothing jumps the queue"
        fake.listen()
        wait_until(lambda: len(store.printed_ids()) == 20)
    jobs = fake.jobs()
    assert [label(job) for job in jobs] == [f"#{1000 + n}" for n in range(1, 21)]
    assert not any("REPRINT" in decode(job).texts for job in jobs)
    assert all(decode(job).ends_with_cut for job in jobs)


def test_printer_that_hangs_mid_job_prints_it_complete_once_more(fake: FakePrinter) -> None:
    store = MemoryJobStore([PrinterConfig("kitchen", fake.url)])
    fake.hang(after=200)
    job = store.add("kitchen", samples.ticket())
    with PrintQueue(store, HUNG):
        fake.wait_for(lambda: any(s.hung for s in fake.sessions))
        fake.behave()
        wait_until(lambda: store.printed_ids() == [job])
    partial, *rest = fake.jobs()
    assert len(partial) == 200 and not decode(partial, partial=True).ends_with_cut
    assert len(rest) == 1, "printed complete exactly once"
    again = decode(rest[0])
    assert again.ends_with_cut and again.texts[0] == "REPRINT" and "#1042" in again.texts
    assert "stopped answering" in store.row(job).history[1]


def test_dead_kitchen_printer_sends_its_tickets_to_the_backup(fake: FakePrinter, bar: FakePrinter) -> None:
    store = MemoryJobStore(
        [
            PrinterConfig("kitchen", fake.url, backup="bar"),
            PrinterConfig("bar", bar.url, profile="58mm"),
        ]
    )
    fake.refuse()
    tickets = [store.add("kitchen", samples.ticket(f"#{n}")) for n in (1042, 1043)]
    own = store.add("bar", samples.receipt())
    tickets.append(store.add("kitchen", samples.ticket("#1044")))
    with PrintQueue(store, SETTINGS) as queue:
        wait_until(lambda: len(store.printed_ids()) == 4)
        assert queue.state("kitchen").down
        fake.listen()  # back on: found by a status probe, then its tickets print there again
        wait_until(lambda: not queue.state("kitchen").down)
        later = store.add("kitchen", samples.ticket("#1045"))
        wait_until(lambda: later in store.printed_ids())
    assert [store.row(i).job.backup_of for i in tickets] == ["kitchen"] * 3
    printed = [decode(job) for job in bar.jobs()]
    backups = [out for out in printed if out.texts[0] == "BACKUP — kitchen printer down"]
    assert [next(t for t in out.texts if t.startswith("#")) for out in backups] == ["#1042", "#1043", "#1044"]
    assert all(line.width <= 32 for out in printed for line in out.lines if line.kind == "text")
    receipts = [out for out in printed if out.qr_codes]
    assert len(receipts) == 1 and "BACKUP — kitchen printer down" not in receipts[0].texts
    assert store.row(own).job.backup_of is None
    assert [label(job) for job in fake.jobs()] == ["#1045"]
    assert "BACKUP — kitchen printer down" not in decode(fake.jobs()[0]).texts


def test_job_in_flight_when_the_worker_died_prints_again_as_reprint(fake: FakePrinter) -> None:
    store = MemoryJobStore([PrinterConfig("kitchen", fake.url)])
    first = store.add("kitchen", samples.ticket("#1042"))
    second = store.add("kitchen", samples.ticket("#1043"))
    store.row(first).status = "sending"  # claimed by a worker that was killed mid-send
    with PrintQueue(store, SETTINGS):
        wait_until(lambda: store.printed_ids() == [first, second])
    jobs = [decode(job) for job in fake.jobs()]
    assert [j.texts[0] for j in jobs] == ["REPRINT", "#1043"]
    assert "#1042" in jobs[0].texts


def test_paper_out_holds_the_ticket_until_paper_is_loaded(fake: FakePrinter) -> None:
    store = MemoryJobStore([PrinterConfig("kitchen", fake.url)])
    fake.paper_out()
    job = store.add("kitchen", samples.ticket())
    with PrintQueue(store, SETTINGS):
        wait_until(lambda: store.row(job).claims >= 2)
        assert store.row(job).last_error == (
            f"Printer 'kitchen' at 127.0.0.1:{fake.port} is out of paper; load a new roll; "
            "1 ticket is waiting and will print when it is ready"
        )
        assert fake.jobs() == []
        fake.paper_in()
        wait_until(lambda: store.printed_ids() == [job])
    assert len(fake.jobs()) == 1 and "REPRINT" not in decode(fake.jobs()[0]).texts


def test_an_unreadable_job_is_set_aside_and_the_queue_moves_on(fake: FakePrinter) -> None:
    store = MemoryJobStore([PrinterConfig("kitchen", fake.url)])
    broken = store.add("kitchen", samples.ticket("#1042"))
    store.row(broken).job = dataclasses.replace(store.row(broken).job, payload={"order_label": 7})
    fine = store.add("kitchen", samples.ticket("#1043"))
    with PrintQueue(store, SETTINGS):
        wait_until(lambda: store.printed_ids() == [fine])
    assert store.row(broken).status == "unprintable"
    assert "cannot be read" in store.row(broken).last_error
    assert [label(job) for job in fake.jobs()] == ["#1043"]
