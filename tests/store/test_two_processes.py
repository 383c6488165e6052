"""Two processes placing orders into one store file at once: distinct numbers, nothing lost."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from store_db.db import StoreDB
from store_db.models import Order, OutboxEvent

WRITER = """
import sys
from datetime import UTC, datetime
from store_db.db import StoreDB
from makeline.trade.lifecycle import Channel, Service
from makeline.trade.pricing import ItemRequest
from store_db.services.orders import OrderRequest, TenderRequest, place_order

db = StoreDB(sys.argv[1])
request = OrderRequest(channel=Channel.WALK_IN, service=Service.CARRYOUT,
                       items=[ItemRequest(product="pepperoni", size="lg")],
                       tenders=[TenderRequest(kind="cash")], notes=sys.argv[2])
for _ in range(int(sys.argv[3])):
    with db.write() as session:
        place_order(session, request, datetime.now(UTC))
print("done")
"""


def test_concurrent_writers_get_distinct_numbers(store_path: Path) -> None:
    per_process = 60
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(store_path), name, str(per_process)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("counter", "phone")
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert out.strip() == "done"
    with StoreDB(store_path) as db, db.read() as session:
        orders = session.scalars(select(Order)).all()
        assert len(orders) == 2 * per_process
        assert len({(o.business_date, o.number) for o in orders}) == len(orders)
        assert sum(o.notes == "counter" for o in orders) == per_process
        seqs = session.scalars(select(OutboxEvent.seq).order_by(OutboxEvent.seq)).all()
        assert seqs == list(range(1, len(seqs) + 1)), "the outbox sequence has a gap"
        assert session.scalar(select(func.count()).select_from(OutboxEvent)) == 2 * per_process
        assert db.integrity_check() == "ok"
