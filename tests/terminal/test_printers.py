"""Printer health and reprints in the terminal: a kitchen printer that is switched off.

The printer is configured at a loopback port nothing listens on; one try of the real
print queue worker fails there (as `makeline agent` would) and writes why into the
queue. Every screen's banner then says the printer is down and how many tickets wait,
and the manager reprints a kitchen ticket as a new job marked REPRINT.
"""

from __future__ import annotations

import asyncio
import dataclasses
import socket
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from textual.widgets import DataTable

from makeline.trade.pricing import ItemRequest
from printers.configure import add_printer
from printers.queue import PrinterConfig, PrintQueue, QueueSettings
from printers.store_jobs import PrinterHealth, StoreJobStore
from printers.transports import Timeouts
from store_db.db import StoreDB
from store_db.models import AuditEntry, PrintJob
from terminal.data.printer_health import banner_line
from terminal.screens.make_line import MakeLineScreen
from terminal.screens.manager import ManagerScreen
from tests.terminal.conftest import FRIDAY, Clock, log_in, make_app, place, screen_text, wait_for

PEPPERONI = ItemRequest(product="pepperoni", size="lg")


def closed_port() -> int:
    """A loopback port that refuses connections: bound once, then let go."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def one_try(db: StoreDB, name: str, url: str) -> None:
    """What the agent's worker for printer `name` does once: take its oldest job and send it."""
    queue = PrintQueue(StoreJobStore(db), QueueSettings(timeouts=Timeouts(connect=1.0, send=1.0, status=0.5)))
    queue.step(PrinterConfig(name, url))


def jobs(db: StoreDB) -> list[PrintJob]:
    with db.read() as session:
        return list(session.scalars(select(PrintJob).order_by(PrintJob.id)))


async def test_a_dead_printer_shows_on_every_screen_and_the_manager_reprints(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    port = closed_port()
    url = f"tcp://127.0.0.1:{port}"
    add_printer(db, "kitchen", url, ["kitchen"])
    order = place(db, [PEPPERONI], FRIDAY - timedelta(seconds=30))
    app = make_app(store_path, "manager", clock, db)
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "dana", "1234")
        await wait_for(pilot, lambda: isinstance(app.screen, ManagerScreen), what="the manager screen")
        screen = app.screen
        assert isinstance(screen, ManagerScreen)
        await wait_for(pilot, lambda: app._printers_on, what="the first look at the printers")
        assert "PRINTER" not in screen_text(app)  # queued 30 s ago, nothing failed yet: all is well
        await asyncio.to_thread(one_try, db, "kitchen", url)
        await wait_for(pilot, lambda: "PRINTER" in screen_text(app), what="the banner")
        banner = " ".join(screen_text(app).split())
        assert f"Printer 'kitchen' at 127.0.0.1:{port} is not answering" in banner
        assert "1 ticket is waiting" in banner

        await pilot.press("f5")  # the printers and the jobs waiting on them
        await wait_for(pilot, lambda: screen.data is not None and screen.data.queue is not None)
        waiting = screen.query_one("#print-jobs", DataTable)
        await wait_for(pilot, lambda: waiting.row_count == 1)
        text = screen_text(app)
        assert "DOWN" in text and f"#{order.number}" in text and "kitchen ticket" in text
        await pilot.press("p")
        await wait_for(pilot, lambda: "queued to 1 printer(s), marked REPRINT" in screen_text(app))
        await wait_for(pilot, lambda: waiting.row_count == 2, what="the reprint in the waiting list")
        await wait_for(pilot, lambda: "2 tickets are waiting" in " ".join(screen_text(app).split()))
        await pilot.press("r")  # no printer prints receipts here
        await wait_for(pilot, lambda: "No printer is set up to print receipts" in screen_text(app))

        await pilot.press("ctrl+t", "2")  # the banner is on every screen, kitchen screens too
        await wait_for(pilot, lambda: isinstance(app.screen, MakeLineScreen))
        await wait_for(pilot, lambda: "2 tickets are waiting" in " ".join(screen_text(app).split()))
    first, again = jobs(db)
    assert (first.subject, first.reprint, first.status, first.attempts) == (order.id, False, "queued", 1)
    assert (again.subject, again.document, again.printer, again.reprint) == (
        order.id,
        "kitchen",
        "kitchen",
        True,
    )
    with db.read() as session:
        details = list(session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "reprint")))
    assert details == [
        f"kitchen ticket for #{order.number} to 1 printer(s)",
        f"receipt for #{order.number} to 0 printer(s)",
    ]


def health(**changes: object) -> PrinterHealth:
    fine = PrinterHealth("kitchen", "tcp://10.0.0.7:9100", ("kitchen",), None, True, 0, None, "", 0, 0)
    return dataclasses.replace(fine, **changes)  # type: ignore[arg-type]


def test_the_banner_counts_the_tickets_waiting_now() -> None:
    assert banner_line(health()) is None
    failed_at_three = (
        "Printer 'kitchen' at 10.0.0.7:9100 is not answering (connection refused); "
        "3 tickets are waiting and will print when it is back"
    )
    down = health(online=False, waiting=7, last_error=failed_at_three)
    assert banner_line(down) == failed_at_three.replace("3 tickets are", "7 tickets are")
    assert banner_line(
        health(online=False, waiting=1, last_error=failed_at_three)
    ) == failed_at_three.replace("3 tickets are", "1 ticket is")
    on_backup = banner_line(health(online=False, backup="front"))
    assert on_backup == "Printer 'kitchen' is down; its tickets are printing on 'front', marked BACKUP."
    stuck = banner_line(health(waiting=2, oldest_waiting_s=180.0))
    assert stuck is not None and "2 tickets are waiting for printer 'kitchen' for 3 min" in stuck
