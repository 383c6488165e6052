"""The tracker's expected time before the driver leaves comes from the store's dispatch plan:
the agent (a real process, real HTTP) sends the plan's departure and door time per delivery
order with its heartbeat, and `GET /orders/{id}` and the storefront tracker show them."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from makeline.trade.lifecycle import Stage
from store_db.db import StoreDB
from store_db.dispatch.planning import suggest
from store_db.models import Staff, utcnow
from store_db.services import drivers, lifecycle
from store_db.services.orders import place_order
from sync.contract.quote import MAX_PLANNED
from tests import calls
from tests.store.helpers import delivery
from tests.sync.helpers import Cloud, eventually, login, start_agent, stop
from tests.sync.test_contract import _headers


def _order(cloud: Cloud, order_id: str, headers: dict[str, str]) -> dict[str, Any] | None:
    answer = calls.get(f"{cloud.url}/api/v1/orders/{order_id}", headers=headers, timeout=20)
    if answer.status_code != 200:
        return None
    found: dict[str, Any] = answer.json()
    return found


def test_the_tracker_shows_the_plans_times_before_the_driver_leaves(
    cloud: Cloud, store_path: Path, enrolled: str, tmp_path: Path
) -> None:
    now = utcnow()
    with StoreDB(store_path) as db:
        with db.write() as session:
            sam = session.scalars(select(Staff).where(Staff.name == "Sam")).one()
            drivers.clock_in(session, sam, now - timedelta(minutes=30))
            ready = place_order(session, delivery("410 N Oak Park Ave"), now - timedelta(minutes=15)).id
            for stage in (Stage.MADE, Stage.BAKED, Stage.READY):
                lifecycle.advance(session, ready, stage, now - timedelta(minutes=2))
            waiting = place_order(session, delivery("900 N Oak Park Ave"), now).id  # not made yet
        plan = suggest(db, utcnow())
    [run] = plan.runs
    assert [s.order_id for s in run.stops] == [ready]

    office = login(cloud.url)
    agent = start_agent(store_path, tmp_path / "agent.log")
    try:
        seen = eventually(
            lambda: (o := _order(cloud, ready, office)) and o.get("leave_at") and o,
            timeout=30,
            every=0.2,
            what="the plan's times on the order in the cloud",
        )
    finally:
        stop(agent)
    observed = utcnow()
    leave_at = datetime.fromisoformat(seen["leave_at"])
    eta_at = datetime.fromisoformat(seen["eta_at"])
    # the plan the agent made later than ours: the same run, leaving when the agent planned it
    assert run.leave_at - timedelta(seconds=1) <= leave_at <= observed + timedelta(seconds=1)
    drive = run.stops[0].eta_at - run.leave_at  # type: ignore[operator]
    assert abs((eta_at - leave_at - drive).total_seconds()) <= 1
    on_no_run = _order(cloud, waiting, office)
    assert on_no_run is not None and on_no_run["leave_at"] is None and on_no_run["eta_at"] is None

    link = urlsplit(seen["tracking_url"])
    page = calls.get(f"{cloud.url}{link.path}?{link.query}", timeout=20)
    assert page.status_code == 200 and "On a run leaving the store about" in page.text


def test_a_hostile_plan_in_a_heartbeat_is_refused_and_changes_nothing(
    cloud: Cloud, store_path: Path, enrolled: str
) -> None:
    at = utcnow()
    door = {"order_id": "x", "leave_at": at.isoformat(), "eta_at": at.isoformat()}
    load = {
        "taken_at": at.isoformat(),
        "make_ahead": 0,
        "make_target_s": 60,
        "oven_s": 360,
        "belt_pizzas": 8,
        "bag": 3,
        "speed_kmh": 30,
        "road_factor": 1.35,
    }
    hostile = ([door] * (MAX_PLANNED + 1), [{**door, "order_id": ""}], [{**door, "eta_at": "soon"}])
    for plan in hostile:
        beat = {"sent_at": at.isoformat(), "load": {**load, "plan": plan}}
        answer = calls.post(
            f"{cloud.url}/api/v1/sync/heartbeat", json=beat, headers=_headers(store_path), timeout=20
        )
        assert answer.status_code == 422, answer.text
