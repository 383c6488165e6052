"""The Friday rush through the demo store's database: the board's planner beside the baselines."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from makeline.demo.rush import RushResult
from makeline.demo.store_rush import store_rush
from makeline.dispatch.baselines import naive_plan
from makeline.dispatch.planner import plan_runs
from store_db.db import StoreDB
from store_db.dispatch.planning import Planner
from store_db.models import DeliveryRun, RunStop, Shift, Store
from tests.dispatch.test_rush import line


def run_rush(store_path: Path, tmp_path: Path, name: str, planner: Planner, **size: int) -> RushResult:
    path = tmp_path / f"{name}.db"
    shutil.copy2(store_path, path)
    with StoreDB(path) as db:
        result = store_rush(db, planner, **size)
        with db.read() as session:
            capacity = session.scalars(select(Store.hot_bag_capacity)).one()
            assert session.scalar(select(func.count()).where(DeliveryRun.status != "closed")) == 0
            bags = session.scalars(select(func.count()).select_from(RunStop).group_by(RunStop.run_id)).all()
            assert len(bags) == result.runs and max(bags) <= capacity
            assert not session.scalar(select(func.count()).where(Shift.out_on_run.is_(True)))
    assert all(d.ready_s <= d.left_s < d.delivered_s for d in result.deliveries)
    return result


def test_a_small_rush_delivers_every_order_through_the_store(store_path: Path, tmp_path: Path) -> None:
    result = run_rush(store_path, tmp_path, "small", plan_runs, orders=12, minutes=20, drivers=2)
    assert len(result.deliveries) == 12 and len({d.label for d in result.deliveries}) == 12
    assert result.runs <= 12


@pytest.mark.slow
def test_the_board_beats_first_ready_first_out_on_the_friday_rush(store_path: Path, tmp_path: Path) -> None:
    results = {
        name: run_rush(store_path, tmp_path, name, planner)
        for name, planner in (
            ("naive", naive_plan),
            ("planner", plan_runs),
        )
    }
    print("\nFriday rush in the demo store's database: 120 orders over 2 hours, 6 drivers")
    for name, result in results.items():
        assert len(result.deliveries) == 120
        print(line(name, result))
    assert results["planner"].on_time_pct >= results["naive"].on_time_pct
    assert results["planner"].avg_delivery_min <= results["naive"].avg_delivery_min
