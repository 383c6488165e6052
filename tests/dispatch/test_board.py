"""The dispatch board on a real store file: what it reads, what it suggests, what accepting does."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from makeline.dispatch import PlanError
from makeline.trade.lifecycle import Stage
from printers.builders import document_for
from printers.configure import add_demo_printers
from printers.decode import decode
from printers.documents import RunSheet
from printers.layout import render
from store_db.db import StoreDB
from store_db.dispatch.driver import current_run
from store_db.dispatch.editing import move_order
from store_db.dispatch.planning import Suggestion, suggest
from store_db.errors import BadInput, IllegalTransition, NotFound, StoreError
from store_db.models import Order, OutboxEvent, PrintJob
from store_db.queries.dispatch_board import MIN_PENDING_S, read_board
from store_db.services import runs
from store_db.services.dispatch import accept, send
from store_db.services.orders import place_order
from tests.dispatch.store_orders import clock_in, order_at, set_capacity
from tests.store.helpers import T0, carryout, fingerprint

NOW = T0 + timedelta(minutes=12)


def labels(db: StoreDB, *ids: str) -> list[str]:
    with db.read() as session:
        return [session.get(Order, i).label for i in ids]  # type: ignore[union-attr]


def check_runs(suggestion: Suggestion) -> None:
    """What every suggestion must hold: bags within capacity, one run per driver, no order
    on two runs, each run leaving once its orders are ready, stops one after another."""
    board = suggestion.board
    assert all(1 <= len(run.stops) <= board.capacity for run in suggestion.runs)
    assert len({run.driver_id for run in suggestion.runs}) == len(suggestion.runs)
    assert {run.driver_id for run in suggestion.runs} <= {d.driver_id for d in board.drivers_in}
    planned = [stop.label for run in suggestion.runs for stop in run.stops]
    assert len(planned) == len(set(planned))
    for run in suggestion.runs:
        etas = [stop.eta_at for stop in run.stops]
        assert all(eta is not None for eta in etas)
        assert run.leave_at < etas[0] and etas == sorted(etas) and etas[-1] < run.return_at  # type: ignore[operator]
        for stop in run.stops:
            ready = board.order(stop.order_id).expected_ready_at
            assert ready is not None and ready <= run.leave_at


def test_the_board_reads_delivery_orders_and_when_each_will_be_ready(db: StoreDB) -> None:
    ready = order_at(db, 1.0, stage=Stage.READY, stage_at=T0 + timedelta(minutes=10))
    baked = order_at(db, 1.2, stage=Stage.BAKED, stage_at=NOW - timedelta(seconds=30))
    made = order_at(db, -1.0, stage=Stage.MADE, stage_at=NOW - timedelta(seconds=60))
    # out of the oven long ago but never marked ready: not on the rack, so not ready now
    forgotten = order_at(
        db, 2.0, stage=Stage.MADE, placed=NOW - timedelta(minutes=30), stage_at=NOW - timedelta(minutes=20)
    )
    placed = order_at(db, 0.5, stage=Stage.PLACED)
    with db.write() as session:
        walk_in = place_order(session, carryout(), T0).id
    with db.read() as session:
        board = read_board(session, NOW)
    expected = {o.order_id: o.expected_ready_at for o in board.orders}
    assert walk_in not in expected
    assert expected[ready] == T0 + timedelta(minutes=10)
    assert expected[baked] == NOW + timedelta(seconds=30)  # boxing after the oven
    assert expected[made] == NOW + timedelta(seconds=-60 + 360 + 60)  # the store's oven, then boxing
    assert expected[forgotten] == NOW + timedelta(seconds=MIN_PENDING_S)
    assert expected[placed] is None
    assert board.orders[0].order_id == ready and board.orders[-1].order_id == placed
    assert board.order(ready).rack_s(NOW) == 120 and board.order(baked).rack_s(NOW) is None
    assert (board.capacity, board.speed_kmh, board.road_factor) == (3, 30.0, 1.35)


def test_the_plan_fills_the_hot_bags_with_ready_orders_first(db: StoreDB) -> None:
    set_capacity(db, 2)
    ready = [order_at(db, km, east) for km, east in ((1, 0), (1.4, 0.2), (-1, 0), (-1.3, -0.3), (0, 2))]
    soon = order_at(db, 1.2, stage=Stage.BAKED, stage_at=NOW - timedelta(seconds=30))
    unmade = order_at(db, 0.8, stage=Stage.PLACED)
    clock_in(db, "Sam", "Priya")
    suggestion = suggest(db, at=NOW)
    check_runs(suggestion)
    assert suggestion.capacity == 2
    planned = [stop.label for run in suggestion.runs for stop in run.stops]
    # two bags of two, five orders on the rack: the bags leave now, full, with ready orders only
    assert len(planned) == 4 and set(planned) <= set(labels(db, *ready))
    assert all(run.leaves_by(NOW) for run in suggestion.runs)
    assert sorted(planned + list(suggestion.unassigned)) == sorted(labels(db, *ready, soon))
    assert labels(db, unmade)[0] not in planned + list(suggestion.unassigned)


def test_drivers_out_are_shown_with_their_return_and_not_planned_for(db: StoreDB) -> None:
    north, south = order_at(db, 1.0), order_at(db, -1.0)
    clock_in(db, "Sam", "Priya")
    with db.write() as session:
        send(session, "Sam", [north], NOW)
    suggestion = suggest(db, at=NOW + timedelta(minutes=1))
    (out,) = suggestion.board.drivers_out
    assert (out.name, out.orders) == ("Sam", tuple(labels(db, north)))
    assert out.expected_return_at > NOW + timedelta(minutes=4)  # 1.35 km each way at 30 km/h, a door
    assert [d.name for d in suggestion.board.drivers_in] == ["Priya"]
    assert [(run.driver, [s.label for s in run.stops]) for run in suggestion.runs] == [
        ("Priya", labels(db, south))
    ]


def test_accepting_a_run_sends_it_out_and_queues_a_run_sheet_that_builds(db: StoreDB, tmp_path: Path) -> None:
    add_demo_printers(db, tmp_path / "printers")
    cash = order_at(db, 1.0)
    paid = order_at(db, 1.5, paid=True)
    (sam,) = clock_in(db, "Sam")
    (run,) = suggest(db, at=NOW).runs
    assert [s.order_id for s in run.stops] == [cash, paid]  # on the way out, nearest first
    later = NOW + timedelta(minutes=2)
    with db.write() as session:
        sent = accept(session, run, later)
        run_id = sent.id
    with db.read() as session:
        orders = [session.get(Order, i) for i in (cash, paid)]
        assert all(o is not None and o.stage == "out_the_door" and o.out_the_door_at == later for o in orders)
        stops = runs.run_stops(session, run_id)
        # accepted two minutes after the plan's departure: every ETA two minutes later
        assert [s.eta_at for s in stops] == [p.eta_at + timedelta(minutes=2) for p in run.stops]  # type: ignore[operator]
        assert (sent.distance_m, sent.drive_s) == (run.distance_m, run.drive_s)
        event = session.scalars(select(OutboxEvent).where(OutboxEvent.kind == "run.dispatched")).one()
        assert event.payload["driver"] == "Sam"
        (job,) = session.scalars(select(PrintJob).where(PrintJob.document == "run-sheet")).all()
        assert job.subject == run_id
        sheet = document_for(session, job.document, job.subject, job.payload)
        view = current_run(session, sam.id)
    assert isinstance(sheet, RunSheet)
    assert [s.label for s in sheet.stops] == labels(db, cash, paid)
    assert [s.collect for s in sheet.stops] == ["cash", "paid"]
    texts = decode(render(sheet)).texts
    assert "RUN 1" in texts and "PAID - COLLECT NOTHING" in texts
    assert any(t.startswith("COLLECT $") and t.endswith(" CASH") for t in texts)
    assert view is not None and view.number == 1
    assert [(s.collect, s.amount_due > 0) for s in view.stops] == [("cash", True), ("paid", False)]
    assert view.next_stop is not None and view.next_stop.order_id == cash


def test_moving_an_order_lays_the_runs_out_again(db: StoreDB) -> None:
    set_capacity(db, 2)
    north, further_north, south = order_at(db, 1.0), order_at(db, 1.6), order_at(db, -1.0)
    unmade = order_at(db, 0.5, stage=Stage.PLACED)
    clock_in(db, "Sam", "Priya")
    first = suggest(db, at=NOW)
    by_order = {s.order_id: run for run in first.runs for s in run.stops}
    north_run, south_run = by_order[north], by_order[south]
    assert by_order[further_north] is north_run and len(south_run.stops) == 1
    with pytest.raises(PlanError, match="already holds 2 orders"):
        move_order(first, south, north_run.driver)
    moved = move_order(first, further_north, south_run.driver)
    check_runs(moved)
    assert [s.order_id for s in moved.run_for(south_run.driver).stops] == [south, further_north]  # type: ignore[union-attr]
    assert [s.order_id for s in moved.run_for(north_run.driver).stops] == [north]  # type: ignore[union-attr]
    left = move_order(moved, labels(db, south)[0], None)
    assert labels(db, south)[0] in left.unassigned
    assert left.run_for(south_run.driver).stops[0].order_id == further_north  # type: ignore[union-attr]
    with pytest.raises(PlanError, match="not ready or soon ready"):
        move_order(first, unmade, "Sam")
    with pytest.raises(PlanError, match="Omar is not a driver in the store"):
        move_order(first, north, "Omar")


def test_bad_dispatches_are_refused_clearly_and_write_nothing(db: StoreDB) -> None:
    ready, other = order_at(db, 1.0), order_at(db, -1.0)
    baked = order_at(db, 2.0, stage=Stage.BAKED, stage_at=NOW - timedelta(seconds=30))
    clock_in(db, "Sam", "Priya")
    stale = suggest(db, at=NOW)
    with db.write() as session:
        send(session, "Priya", [ready], NOW)
    number = labels(db, baked)[0]
    cases: list[tuple[Callable[[Session], object], type[StoreError], str]] = [
        (lambda s: send(s, "Bob", [other], NOW), NotFound, "no active staff member 'Bob'"),
        (lambda s: send(s, "Sam", [number], NOW), IllegalTransition, f"{number} is baked, not ready"),
        (lambda s: send(s, "Sam", [other, baked], NOW), IllegalTransition, "not ready on the rack"),
        (lambda s: send(s, "Priya", [other], NOW), BadInput, "Priya is already out on a run"),
        (lambda s: send(s, "Sam", ["#9999"], NOW), NotFound, "no order #9999 today"),
        (lambda s: send(s, "Sam", [], NOW), PlanError, "Name the orders"),
    ]
    # the suggestion from before Priya left: her run, and any run with her order, are refused
    for run in stale.runs:
        taken = any(s.order_id == ready for s in run.stops)
        if run.driver == "Priya":
            cases.append((lambda s, r=run: accept(s, r, NOW), BadInput, "already out on a run"))
        elif taken:
            cases.append((lambda s, r=run: accept(s, r, NOW), IllegalTransition, "out the door"))
    assert len(cases) >= 7
    for action, error, message in cases:
        before = fingerprint(db)
        with pytest.raises(error, match=message), db.write() as session:
            action(session)
        assert fingerprint(db) == before


def test_the_rack_cap_is_the_stores_setting_from_head_office(db: StoreDB) -> None:
    """Head office (or the manager) sets the rack-time cap with the store's settings; the
    board's red line and the planner read it from the store."""
    from makeline.dispatch.planner import plan_runs
    from store_db.dispatch.planning import plan_request
    from store_db.services import feed
    from sync.contract.entries import StoreSettings

    ready = order_at(
        db, 1.0, stage=Stage.READY, placed=NOW - timedelta(minutes=40), stage_at=NOW - timedelta(minutes=25)
    )
    clock_in(db, "Sam")
    with db.read() as session:
        board = read_board(session, NOW)
    assert board.rack_cap_s == 30 * 60 and board.over_cap() == ()
    settings = StoreSettings(rack_cap_s=20 * 60)
    assert settings.v == 4
    with db.write() as session:
        feed.apply_entries(session, [(1, "store.settings", settings.payload())], NOW)
    with db.read() as session:
        board = read_board(session, NOW)
    assert board.rack_cap_s == 20 * 60
    assert [o.order_id for o in board.over_cap()] == [ready]
    request = plan_request(board)
    assert request.rack_cap_s == 20 * 60 and request.starving(request.stops[0])
    assert [p.order_id for p in plan_runs(request).stops()] == [ready]


def test_a_rack_cap_outside_five_minutes_to_two_hours_is_set_aside(db: StoreDB) -> None:
    from store_db.services import feed

    with db.write() as session:
        feed.apply_entries(session, [(1, "store.settings", {"rack_cap_s": 10, "v": 4})], NOW)
    with db.read() as session:
        assert read_board(session, NOW).rack_cap_s == 30 * 60
