"""A store offline for a night: 1,000 orders through their whole lives while the cloud
heard nothing; it reconnects, drains its backlog, and the cloud's sales report matches
the store's own `makeline report sales` to the cent."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from store_db.db import StoreDB
from store_db.models import Order
from sync.enroll import enroll
from tests import calls
from tests.sync.cloud_orders import register_store_online_orders
from tests.sync.helpers import Cloud, agent_env, assert_ledgers_agree, enrollment_code, login


def test_a_night_offline_reconciles_to_the_cent(cloud: Cloud, busy_store: Path, tmp_path: Path) -> None:
    with StoreDB(busy_store) as db:
        store_id = enroll(db, cloud.url, enrollment_code(cloud.url)).store_id
        with db.read() as session:
            first, last, hours = session.execute(
                select(
                    func.min(Order.business_date),
                    func.max(Order.business_date),
                    (func.julianday(func.max(Order.placed_at)) - func.julianday(func.min(Order.placed_at)))
                    * 24,
                )
            ).one()
    assert hours >= 8, "the orders span a night"
    register_store_online_orders(cloud.db, store_id, busy_store)
    started = time.monotonic()
    synced = subprocess.run(
        [sys.executable, "-m", "makeline", "agent", "--db", str(busy_store), "--once"],
        env=agent_env(),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    took = time.monotonic() - started
    assert synced.returncode == 0, synced.stderr
    assert "backlog sent" in synced.stderr, "the drain's progress is in the agent's log"
    here, _ = assert_ledgers_agree(busy_store, cloud.db, store_id)
    assert len(here.events) > 6000

    span = ["--from", first.isoformat(), "--to", last.isoformat()]
    store_report = subprocess.run(
        [sys.executable, "-m", "makeline", "report", "sales", "--db", str(busy_store), *span, "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    ours = json.loads(store_report.stdout)["totals"]
    answer = calls.get(
        f"{cloud.url}/api/v1/reports/sales",
        params={"store_id": store_id, "from": first.isoformat(), "to": last.isoformat()},
        headers=login(cloud.url),
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    theirs = answer.json()["totals"]
    assert ours["orders"] == 1000
    shared = sorted(set(ours) & set(theirs))
    assert {"orders", "gross_cents", "discount_cents", "net_sales_cents", "tax_cents", "total_cents"} <= set(
        shared
    )
    assert {k: theirs[k] for k in shared} == {k: ours[k] for k in shared}, (
        "the cloud matches the store to the cent"
    )
    print(f"report totals agree on {shared}; only the store reports {sorted(set(ours) - set(theirs))}")
    print(f"synced {len(here.events)} events in {took:.1f} s\n{synced.stderr}")
