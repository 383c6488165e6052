"""`makeline agent` fires an order for later: a real agent process, started after the order
fell due, sends it to the kitchen printer, once. (Firing once whoever looks and however
often, across restarts, is proven on the service in tests/store/test_scheduled.py.)"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from printers.configure import add_printer
from store_db.db import StoreDB
from store_db.models import KitchenTicket, Order, PrintJob
from store_db.services.orders import place_order
from store_db.services.scheduled import fire_due
from tests.store.helpers import carryout


def agent_once(store_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "makeline", "agent", "--db", str(store_path), "--once"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_agent_fires_an_order_for_later_that_fell_due_while_it_was_down(
    db: StoreDB, store_path: Path, tmp_path: Path
) -> None:
    paper = tmp_path / "kitchen.bin"
    add_printer(db, "kitchen", f"file://{paper}", ["kitchen"])
    now = datetime.now(UTC)
    # Taken two hours ago for ten minutes from now: due already (the kitchen needs longer).
    order = db.run(place_order, carryout(scheduled_for=now + timedelta(minutes=10)), now - timedelta(hours=2))
    assert order.fired_at is None

    first = agent_once(store_path)
    assert first.returncode == 0, first.stderr
    assert f"order #{order.number} for later sent to the kitchen" in first.stderr
    assert paper.read_bytes(), "the kitchen ticket printed"
    assert db.run(fire_due, datetime.now(UTC)) == []
    with db.read() as session:
        assert session.get_one(Order, order.id).fired_at is not None
        assert session.scalar(select(func.count()).select_from(KitchenTicket)) == 1
        jobs = session.scalars(select(PrintJob.status).where(PrintJob.document == "kitchen")).all()
    assert jobs == ["printed"]
