"""The agent plans the dispatch board with every heartbeat for the tracker's door times
(`planned_doors`). With no driver in or no order to send there is nothing to plan, and
OR-Tools (72 MiB once imported) is not loaded for it; with both, the planner plans. Each
look in a fresh process, as the agent's own."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from makeline.demo.seed import init_demo_store
from makeline.trade.lifecycle import Stage
from store_db.db import StoreDB
from store_db.models import Staff, utcnow
from store_db.services import drivers, lifecycle
from store_db.services.orders import place_order
from tests.store.helpers import delivery

ROOT = Path(__file__).resolve().parents[2]
LOOK = """
import json, sys
from pathlib import Path
from store_db.db import StoreDB
from store_db.dispatch.planning import planned_doors
from store_db.models import utcnow
with StoreDB(Path(sys.argv[1])) as db:
    doors = planned_doors(db, utcnow())
print(json.dumps({"doors": len(doors), "ortools": "ortools" in sys.modules}))
"""


def _look(path: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", LOOK, str(path)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    found: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def test_a_board_with_nothing_to_plan_plans_without_loading_or_tools(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    init_demo_store(path)
    now = utcnow()
    with StoreDB(path) as db, db.write() as session:
        ready = place_order(session, delivery("410 N Oak Park Ave"), now - timedelta(minutes=15)).id
        for stage in (Stage.MADE, Stage.BAKED, Stage.READY):
            lifecycle.advance(session, ready, stage, now - timedelta(minutes=2))
    assert _look(path) == {"doors": 0, "ortools": False}  # an order ready, no driver in

    with StoreDB(path) as db, db.write() as session:
        sam = session.scalars(select(Staff).where(Staff.name == "Sam")).one()
        drivers.clock_in(session, sam, now - timedelta(minutes=30))
    assert _look(path) == {"doors": 1, "ortools": True}  # a driver in: planned
