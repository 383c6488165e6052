"""`makeline printer …`: clear refusals that write nothing; test pages; reprints."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from makeline.cli import main
from printers.configure import add_printer, list_printers
from printers.decode import decode
from store_db.db import StoreDB
from tests.printers.fake_printer import FakePrinter
from tests.printers.store_orders import jobs, online, place
from tests.store.helpers import fingerprint


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def closed_port() -> int:
    """A loopback port with nothing listening: a printer that is switched off."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ipp://10.0.0.7", "start it with one of: tcp://, serial://, usb://, file://, preview://, dummy://"),
        ("serial:///dev/ttyUSB0?baud=12345", "Baud rate '12345'"),
        ("tcp://10.0.0.7:99999", "has a bad port"),
        ("usb://epson", "USB vendor and product ids in hex"),
    ],
)
def test_add_refuses_a_bad_url_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], db: StoreDB, store_path: Path, url: str, says: str
) -> None:
    before = fingerprint(db)
    code, _, err = run(
        capsys, "printer", "add", "--db", str(store_path), "kitchen", url, "--prints", "kitchen"
    )
    assert code == 2 and says in err and err.startswith("makeline: ") and err.count("\n") == 1
    assert fingerprint(db) == before


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (["--prints", "kitchen,menus"], "cannot print 'menus'; choose from: cash-out, day-summary"),
        (["--prints", "kitchen", "--backup", "bar"], "There is no printer 'bar' to back up 'kitchen'"),
        (["--prints", "kitchen", "--profile", "112mm"], "no paper profile '112mm'; use one of: 80mm, 58mm"),
        (["--prints", "kitchen", "--backup", "kitchen"], "cannot be its own backup"),
    ],
)
def test_add_refuses_bad_settings_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], db: StoreDB, store_path: Path, flags: list[str], says: str
) -> None:
    before = fingerprint(db)
    code, _, err = run(capsys, "printer", "add", "--db", str(store_path), "kitchen", "tcp://10.0.0.7", *flags)
    assert code == 2 and says in err
    assert fingerprint(db) == before


def test_add_then_list_then_a_second_add_of_the_same_name_is_refused(
    capsys: pytest.CaptureFixture[str], db: StoreDB, store_path: Path
) -> None:
    db_flag = ["--db", str(store_path)]
    code, out, _ = run(capsys, "printer", "add", *db_flag, "front", "tcp://10.0.0.8", "--prints", "receipt")
    assert code == 0 and "Added printer 'front' at tcp://10.0.0.8" in out
    code, out, _ = run(
        capsys, "printer", "add", *db_flag, "Kitchen", "tcp://10.0.0.7:9100",
        "--prints", "kitchen, run-sheet", "--backup", "front", "--profile", "58MM",
    )  # fmt: skip
    assert code == 0
    (kitchen,) = [p for p in list_printers(db) if p.name == "kitchen"]
    assert (kitchen.url, kitchen.prints, kitchen.backup, kitchen.profile) == (
        "tcp://10.0.0.7:9100", "kitchen,run-sheet", "front", "58mm",
    )  # fmt: skip
    code, out, _ = run(capsys, "printer", "list", *db_flag)
    assert code == 0 and "kitchen  tcp://10.0.0.7:9100" in out and "ok, 0 waiting" in out
    before = fingerprint(db)
    code, _, err = run(capsys, "printer", "add", *db_flag, "kitchen", "tcp://10.0.0.9", "--prints", "kitchen")
    assert code == 2 and "There already is a printer 'kitchen' (tcp://10.0.0.7:9100)" in err
    assert fingerprint(db) == before


def test_test_page_on_an_unreachable_printer_is_a_clear_error_and_changes_nothing(
    capsys: pytest.CaptureFixture[str], db: StoreDB, store_path: Path
) -> None:
    port = closed_port()
    add_printer(db, "kitchen", f"tcp://127.0.0.1:{port}", ["kitchen"])
    place(db, online())
    before = fingerprint(db)
    code, _, err = run(capsys, "printer", "test", "--db", str(store_path), "kitchen")
    assert code == 2
    assert err == (
        f"makeline: Printer 'kitchen' at 127.0.0.1:{port} is not answering (connection refused); "
        "check that it is switched on and connected, and that its address is right\n"
    )
    assert fingerprint(db) == before


def test_test_page_by_url_with_a_bad_baud_rate(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    no_store = tmp_path / "none.db"
    code, _, err = run(capsys, "printer", "test", "--db", str(no_store), "serial://loop://?baud=1234")
    assert code == 2 and "Baud rate '1234'" in err and "9600, 19200, 38400, 57600 or 115200" in err
    assert not no_store.exists()


def test_test_page_prints_on_the_named_printer(
    capsys: pytest.CaptureFixture[str], db: StoreDB, store_path: Path, fake: FakePrinter
) -> None:
    add_printer(db, "kitchen", fake.url, ["kitchen"], profile="58mm")
    code, out, _ = run(capsys, "printer", "test", "--db", str(store_path), "kitchen")
    assert code == 0 and out.startswith(f"Test page printed on 'kitchen' at {fake.url}")
    page = decode(fake.jobs()[0])
    assert page.texts[0] == "TEST PAGE" and "Paper 58mm, 32 columns" in page.texts
    assert jobs(db) == [], "a test page is not a queued job"


def test_remove_refuses_a_printer_that_backs_up_another_naming_it(
    capsys: pytest.CaptureFixture[str], db: StoreDB, store_path: Path
) -> None:
    add_printer(db, "front", "dummy://front", ["receipt"])
    add_printer(db, "kitchen", "dummy://kitchen", ["kitchen"], backup="front")
    code, _, err = run(capsys, "printer", "remove", "--db", str(store_path), "front")
    assert code == 2 and "Printer 'front' is the backup of 'kitchen'" in err
    assert {p.name for p in list_printers(db)} == {"front", "kitchen"}


def test_remove_with_waiting_jobs_needs_somewhere_to_print_them(
    capsys: pytest.CaptureFixture[str], db: StoreDB, store_path: Path
) -> None:
    add_printer(db, "kitchen", "dummy://kitchen", ["kitchen"])
    add_printer(db, "front", "dummy://front", ["receipt"])
    place(db, online())
    db_flag = ["--db", str(store_path)]
    code, _, err = run(capsys, "printer", "remove", *db_flag, "kitchen")
    assert code == 2 and "still has 1 job(s) waiting" in err and "--move-to" in err
    code, out, _ = run(capsys, "printer", "remove", *db_flag, "kitchen", "--move-to", "front")
    assert code == 0 and "its 1 waiting job(s) print on 'front'" in out
    ((printer, backup_of),) = [(j.printer, j.backup_of) for j in jobs(db)]
    assert (printer, backup_of) == ("front", "kitchen")


def test_reprint_by_todays_order_number(
    capsys: pytest.CaptureFixture[str], db: StoreDB, store_path: Path
) -> None:
    add_printer(db, "kitchen", "dummy://kitchen", ["kitchen"])
    order_id, label = place(db, online())
    db_flag = ["--db", str(store_path)]
    code, out, _ = run(capsys, "printer", "reprint", *db_flag, label)
    assert code == 0 and out == f"Kitchen ticket for {label} queued on kitchen, marked REPRINT.\n"
    code, _, _ = run(capsys, "printer", "reprint", *db_flag, label.lstrip("#"))
    assert code == 0
    assert [(j.subject, j.reprint) for j in jobs(db)] == [
        (order_id, False),
        (order_id, True),
        (order_id, True),
    ]
    code, _, err = run(capsys, "printer", "reprint", *db_flag, "999")
    assert code == 2 and "There is no order #999 on" in err
    code, _, err = run(capsys, "printer", "reprint", *db_flag, label, "--document", "receipt")
    assert code == 2 and "No printer prints receipts, so nothing was queued" in err
    assert len(jobs(db)) == 3
