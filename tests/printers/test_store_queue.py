"""The print queue on a real store file: orders placed through `place_order`, tickets built
from the order at print time, delivered to fake network printers on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import serial

from printers.configure import add_printer
from printers.decode import decode
from printers.documents import RunSheet, RunStop
from printers.payload import to_payload
from printers.queue import PrintQueue
from printers.store_jobs import StoreJobStore, health, waiting_jobs
from printers.transports import connection_for
from printers.transports.serial_port import SerialConnection
from store_db.db import StoreDB
from store_db.models import PrintJob, utcnow
from store_db.services import printing
from tests.printers import samples
from tests.printers.conftest import HUNG, SETTINGS, wait_until
from tests.printers.fake_printer import FakePrinter
from tests.printers.store_orders import (
    count_jobs,
    jobs,
    online,
    order_label,
    place,
    walk_in,
)


@pytest.fixture
def front() -> Iterator[FakePrinter]:
    with FakePrinter() as printer:
        yield printer


def printed(db: StoreDB) -> list[int]:
    return [j.id for j in jobs(db) if j.status == "printed"]


def test_printer_down_then_twenty_orders_then_up_prints_each_once_in_order(
    db: StoreDB, fake: FakePrinter
) -> None:
    add_printer(db, "kitchen", fake.url, ["kitchen"])
    fake.refuse()
    store = StoreJobStore(db)
    with PrintQueue(store, SETTINGS):
        labels = [place(db, online())[1] for _ in range(20)]
        # The queue keeps trying while the orders come in; a try after the twentieth names them all.
        wait_until(
            lambda: jobs(db)[0].attempts >= 3 and "20 tickets are waiting" in (health(db)[0].banner() or "")
        )
        assert printed(db) == [] and fake.jobs() == []
        banner = health(db)[0].banner()
        assert banner is not None and "is not answering" in banner
        fake.listen()
        wait_until(lambda: len(printed(db)) == 20)
    assert [order_label(job) for job in fake.jobs()] == labels
    assert not any("REPRINT" in decode(job).texts for job in fake.jobs())
    assert all(j.printed_at is not None and not j.reprint for j in jobs(db))
    assert health(db)[0].online and health(db)[0].banner() is None


def test_printer_that_hangs_mid_job_prints_the_ticket_complete_once_more(
    db: StoreDB, fake: FakePrinter
) -> None:
    add_printer(db, "kitchen", fake.url, ["kitchen"])
    fake.hang(after=150)
    with PrintQueue(StoreJobStore(db), HUNG):
        _, label = place(db, online())
        fake.wait_for(lambda: any(s.hung for s in fake.sessions))
        fake.behave()
        wait_until(lambda: len(printed(db)) == 1)
    partial, *complete = fake.jobs()
    assert len(partial) == 150
    assert len(complete) == 1, "printed complete exactly once"
    again = decode(complete[0])
    assert again.texts[0] == "REPRINT" and label in again.texts and again.ends_with_cut
    (job,) = jobs(db)
    assert job.reprint and job.attempts == 2


def test_dead_kitchen_printer_sends_tickets_to_its_backup_marked_backup(
    db: StoreDB, fake: FakePrinter, front: FakePrinter
) -> None:
    add_printer(db, "front", front.url, ["receipt"], profile="58mm")
    add_printer(db, "kitchen", fake.url, ["kitchen"], backup="front")
    fake.refuse()
    with PrintQueue(StoreJobStore(db), SETTINGS):
        labels = [place(db, walk_in())[1] for _ in range(3)]
        wait_until(lambda: len(printed(db)) == 6)
        kitchen = next(h for h in health(db) if h.name == "kitchen")
        assert not kitchen.online
        assert (
            kitchen.banner()
            == "Printer 'kitchen' is down; its tickets are printing on 'front', marked BACKUP."
        )
    outs = [decode(job) for job in front.jobs()]
    backups = [o for o in outs if o.texts[0] == "BACKUP — kitchen printer down"]
    assert [next(t for t in o.texts if t.startswith("#")) for o in backups] == labels
    receipts = [o for o in outs if o.qr_codes]
    assert len(receipts) == 3 and not any("BACKUP" in " ".join(o.texts) for o in receipts)
    assert all(line.width <= 32 for o in outs for line in o.lines if line.kind == "text")
    assert fake.jobs() == []
    moved = [j for j in jobs(db) if j.document == "kitchen"]
    assert all(j.printer == "front" and j.backup_of == "kitchen" for j in moved)


def test_a_job_for_an_order_that_is_gone_is_set_aside_and_the_rest_print(
    db: StoreDB, fake: FakePrinter
) -> None:
    add_printer(db, "kitchen", fake.url, ["kitchen"])
    with db.write() as session:
        session.add(
            PrintJob(printer="kitchen", document="kitchen", subject="no-such-order", created_at=utcnow())
        )
    _, label = place(db, online())
    with PrintQueue(StoreJobStore(db), SETTINGS):
        wait_until(lambda: len(printed(db)) == 1)
    lost, fine = jobs(db)
    assert lost.status == "unprintable" and "no-such-order is not in this store" in lost.last_error
    assert fine.status == "printed" and [order_label(j) for j in fake.jobs()] == [label]
    assert health(db)[0].set_aside == 1


def test_a_job_carrying_its_document_prints_from_its_payload(db: StoreDB, fake: FakePrinter) -> None:
    add_printer(db, "front", fake.url, ["run-sheet"])
    sheet: RunSheet = samples.run_sheet()
    with db.write() as session:
        printing.enqueue(session, "run-sheet", "run-7", utcnow(), payload=to_payload(sheet))
    with PrintQueue(StoreJobStore(db), SETTINGS):
        wait_until(lambda: len(printed(db)) == 1)
    texts = decode(fake.jobs()[0]).texts
    first: RunStop = sheet.stops[0]
    assert any(first.customer in t for t in texts)


def test_reprint_is_a_new_job_marked_reprint(db: StoreDB, fake: FakePrinter) -> None:
    add_printer(db, "kitchen", fake.url, ["kitchen"])
    order_id, label = place(db, online())
    with PrintQueue(StoreJobStore(db), SETTINGS):
        wait_until(lambda: len(printed(db)) == 1)
        with db.write() as session:
            again = printing.reprint(session, order_id, "kitchen", utcnow())
        assert [j.printer for j in again] == ["kitchen"]
        wait_until(lambda: len(printed(db)) == 2)
    first, second = (decode(job) for job in fake.jobs())
    assert "REPRINT" not in first.texts and second.texts[0] == "REPRINT"
    assert label in first.texts and label in second.texts


def test_no_printer_for_a_document_writes_no_job(db: StoreDB) -> None:
    add_printer(db, "kitchen", "dummy://kitchen", ["kitchen"])
    place(db, walk_in())  # a receipt too, but no printer prints receipts
    assert [j.document for j in jobs(db)] == ["kitchen"]


def test_jobs_waiting_with_no_agent_say_so(db: StoreDB) -> None:
    add_printer(db, "kitchen", "dummy://kitchen", ["kitchen"])
    _, label = place(db, online())
    later = utcnow().replace(year=utcnow().year + 1)
    (kitchen,) = health(db, now=later)
    assert kitchen.stuck and kitchen.waiting == 1
    assert kitchen.banner() is not None and "makeline agent" in (kitchen.banner() or "")
    (waiting,) = waiting_jobs(db)
    assert (waiting.printer, waiting.document, waiting.order_label) == ("kitchen", "kitchen ticket", label)
    assert count_jobs(db) == 1


class LoopCapture:
    """Serial connections through pyserial's `loop://`, keeping what each one echoed."""

    def __init__(self) -> None:
        self.received: list[bytes] = []

    def __call__(self, url: str, **options: Any) -> SerialConnection:
        connection = connection_for(url, **options)
        assert isinstance(connection, SerialConnection)
        close = connection.close

        def keep_then_close() -> None:
            port: serial.Serial | None = connection.port
            if port is not None:
                self.received.append(port.read(port.in_waiting))
            close()

        connection.close = keep_then_close  # type: ignore[method-assign]
        return connection


def test_serial_printer_through_pyserial_loop(db: StoreDB) -> None:
    add_printer(db, "bar", "serial://loop://?baud=115200", ["kitchen"], profile="58mm")
    _, label = place(db, online())
    capture = LoopCapture()
    with PrintQueue(StoreJobStore(db), SETTINGS, connect=capture):
        wait_until(lambda: len(printed(db)) == 1)
    (received,) = capture.received
    out = decode(received)
    assert label in out.texts and out.ends_with_cut
    assert all(line.width <= 32 for line in out.lines if line.kind == "text")


def test_serial_over_a_socket_reaches_the_network_printer_with_status(db: StoreDB, fake: FakePrinter) -> None:
    add_printer(db, "bar", f"serial://socket://127.0.0.1:{fake.port}?baud=115200", ["kitchen"])
    _, label = place(db, online())
    with PrintQueue(StoreJobStore(db), SETTINGS):
        wait_until(lambda: len(printed(db)) == 1)
    assert [order_label(job) for job in fake.jobs()] == [label]
    assert fake.sessions[0].status_requests == 6  # asked before and after the ticket
