"""Rebuilding a store from the cloud after its computer died (`makeline restore`), over the real
paths: a store day through the store's services and the sync agent into a real cloud
(PostgreSQL, HTTP), the store file deleted, `makeline restore` as a real process, then the
restored store syncing on: open orders in their stages, nothing reprinted, the next order
reaching the cloud once and the next feed entry arriving once. And the hostile cases: a
wrong, used or new-store code, a file already there, a cloud that does not answer."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cloud_api.feed import service as feed
from cloud_api.models import InboundEvent, InboundQuarantine, StoreStock
from cloud_api.models import Order as CloudOrder
from makeline.cli.main import main
from makeline.trade.lifecycle import Stage
from store_db.db import StoreDB
from store_db.models import (
    Customer,
    DeliveryRun,
    FeedQuarantine,
    KitchenTicket,
    Order,
    PrintJob,
    RunStop,
    Staff,
    Store,
    SyncState,
    utcnow,
)
from store_db.models import OutboxEvent as StoreOutboxEvent
from store_db.queries.stock_ledger import on_hand
from store_db.services import drivers, lifecycle, runs
from store_db.services.orders import place_order
from store_db.services.staff import check_pin
from sync.agent import SyncAgent
from sync.contract.entries import StoreSettings
from tests import calls
from tests.store.helpers import carryout, delivery
from tests.sync.cloud_orders import online_orders, settings_changes
from tests.sync.helpers import Cloud, agent_env, cloud_ledger, enrollment_code, login
from tests.sync.test_agents import QUICK

OPEN = ("placed", "made", "baked", "ready", "out_the_door")


def _sync(path: Path) -> None:
    with StoreDB(path) as db:
        asyncio.run(SyncAgent(db, QUICK).sync_once())


def _open_orders(path: Path) -> dict[str, tuple[str, int, str | None]]:
    with StoreDB(path) as db, db.read() as session:
        return {
            o.id: (o.stage, o.number, o.cloud_order_id)
            for o in session.scalars(select(Order).where(Order.stage.in_(OPEN)))
        }


def _store_day(path: Path, cloud: Cloud, store_id: str) -> dict[str, str]:
    """Orders at every stage, a driver out on a run, online orders taken; synced. Returns
    which order is where."""
    now = utcnow() - timedelta(minutes=30)
    where: dict[str, str] = {}
    with StoreDB(path) as db, db.write() as session:
        for n, last in enumerate((Stage.PLACED, Stage.MADE, Stage.BAKED, Stage.READY, Stage.PICKED_UP)):
            order = place_order(session, carryout(), now + timedelta(minutes=n))
            for m, stage in enumerate((Stage.MADE, Stage.BAKED, Stage.READY, Stage.PICKED_UP)[:n], start=1):
                lifecycle.advance(session, order.id, stage, now + timedelta(minutes=n + m))
            where[last.value] = order.id
        out = place_order(session, delivery(), now + timedelta(minutes=6))
        for m, stage in enumerate((Stage.MADE, Stage.BAKED, Stage.READY), start=7):
            lifecycle.advance(session, out.id, stage, now + timedelta(minutes=m))
        sam = session.scalars(select(Staff).where(Staff.name == "Sam")).one()
        drivers.clock_in(session, sam, now)
        where["run"] = runs.dispatch(session, sam, [runs.PlannedStop(out.id)], now + timedelta(minutes=11)).id
        where["out_the_door"] = out.id
        where["later"] = place_order(session, carryout(scheduled_for=now + timedelta(days=1)), now).id
    where["online_taken"] = online_orders(cloud.ctx.db, store_id, 1, seed=3)[0]
    _sync(path)
    with StoreDB(path) as db, db.write() as session:
        taken = session.scalars(select(Order).where(Order.cloud_order_id == where["online_taken"])).one()
        if taken.stage == Stage.PLACED.value:  # (drinks alone are on the rack already)
            lifecycle.advance(session, taken.id, Stage.MADE, utcnow())
    _sync(path)
    return where


def _restore(path: Path, url: str, code: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "makeline", "restore", "--db", str(path), "--cloud", url, "--code", code]
    return subprocess.run(
        [*command, "--manager", "Morgan", "--pin", "4321"],
        env=agent_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_store_rebuilt_from_the_cloud_carries_on_where_it_stood(
    cloud: Cloud, store_path: Path, enrolled: str
) -> None:
    where = _store_day(store_path, cloud, enrolled)
    before = _open_orders(store_path)
    assert len(before) == 7 and where["picked_up"] not in before
    # A paid online order the store never took, and head office's new make-time target: the
    # store's computer died before it pulled them.
    untaken = online_orders(cloud.ctx.db, enrolled, 1, seed=4)[0]
    with cloud.ctx.db.transaction() as session:
        feed.append(session, enrolled, StoreSettings(make_target_s=45, hot_bag_capacity=4), utcnow())
    for leftover in (store_path, *(Path(f"{store_path}{s}") for s in ("-wal", "-shm"))):
        leftover.unlink(missing_ok=True)

    with cloud.ctx.db.transaction() as session:
        cloud_stock = dict(
            session.execute(
                select(StoreStock.code, StoreStock.on_hand).where(StoreStock.store_id == enrolled)
            ).all()
        )
    done = _restore(store_path, cloud.url, enrollment_code(cloud.url))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and done.stdout.strip() == enrolled

    after = _open_orders(store_path)
    taken_now = {k: v for k, v in after.items() if v[2] == untaken}
    assert {k: v for k, v in after.items() if k not in taken_now} == before, "every open order, same stage"
    assert len(taken_now) == 1 and next(iter(taken_now.values()))[0] == "placed"
    with StoreDB(store_path) as db, db.read() as session:
        assert session.scalars(select(PrintJob.subject)).all() == [], "no ticket is printed again"
        makeline = {t.order_id: t.bumped_at for t in session.scalars(select(KitchenTicket))}
        assert makeline[where["placed"]] is None and makeline[where["made"]] is not None
        assert makeline[next(iter(taken_now))] is None, "the order the store never had is on the make line"
        later = session.get_one(Order, where["later"])
        assert later.scheduled_for is not None and later.fired_at is None
        assert where["later"] not in makeline, "an order for later stays held off the make line"
        run = session.get(DeliveryRun, where["run"])
        assert run is not None and run.status == "out"
        stop = session.scalars(select(RunStop).where(RunStop.run_id == run.id)).one()
        assert stop.order_id == where["out_the_door"] and stop.amount_due > 0
        assert session.scalars(select(Staff).where(Staff.name == "Sam")).one().id == run.driver_id
        state = session.get(SyncState, 1)
        assert state is not None and state.device_token and state.status == "offline"
        store = session.scalars(select(Store)).one()
        assert (store.code, store.make_target_s, store.hot_bag_capacity) == ("OP-001", 45, 4)
        pat = session.scalars(select(Customer).where(Customer.phone == "7085550199")).one()
        assert pat.name == "Pat Doe"
        here = on_hand(session, utcnow(), list(cloud_stock))
    assert cloud_stock and here == cloud_stock, "stock on hand as the cloud had it"
    ledger = cloud_ledger(cloud.ctx.db, enrolled)
    assert state.acked_seq == ledger.contiguous and state.feed_cursor == ledger.feed_head
    with StoreDB(store_path) as db, db.write() as session:
        assert check_pin(session, "Morgan", "4321", utcnow())[1], "the manager named signs in"
        assert not check_pin(session, "Sam", "5101", utcnow())[1], "PINs do not come from the cloud"

    # The restored store carries on: a new order, and a feed entry published after the restore.
    with StoreDB(store_path) as db, db.write() as session:
        fresh = place_order(session, carryout(), utcnow())
        # Numbers start again each business day: the restored orders of the fresh one's day
        # (all of them, unless the day turned in the last half hour) are numbered before it.
        same_day = session.scalars(
            select(Order.number).where(Order.business_date == fresh.business_date, Order.id != fresh.id)
        ).all()
    assert same_day or fresh.number == min(v[1] for v in before.values())
    assert fresh.number > max(same_day, default=0), "order numbers go on; none is used twice"
    published = online_orders(cloud.ctx.db, enrolled, 1, seed=5)[0]
    settings_changes(cloud.ctx.db, enrolled, 1)
    _sync(store_path)
    _sync(store_path)  # what applying the feed wrote (the new online order's order.placed) goes up

    with cloud.ctx.db.transaction() as session:
        assert session.scalar(select(func.count()).where(CloudOrder.store_order_id == fresh.id)) == 1
        linked = session.get(CloudOrder, {"store_id": enrolled, "id": untaken})
        assert linked is not None and linked.store_order_id in taken_now
        assert session.scalar(select(func.count()).where(InboundQuarantine.store_id == enrolled)) == 0
    with StoreDB(store_path) as db, db.read() as session:
        assert session.scalar(select(func.count()).where(Order.cloud_order_id == published)) == 1
        for cloud_id in (where["online_taken"], untaken):
            assert session.scalar(select(func.count()).where(Order.cloud_order_id == cloud_id)) == 1
        assert session.scalar(select(func.count()).select_from(FeedQuarantine)) == 0
        unsent = session.scalar(
            select(func.count()).select_from(StoreOutboxEvent).where(StoreOutboxEvent.acked_at.is_(None))
        )
        last = session.scalar(select(func.max(StoreOutboxEvent.seq)))
        state = session.get(SyncState, 1)
        assert state is not None
    ledger = cloud_ledger(cloud.ctx.db, enrolled)
    assert unsent == 0 and state.acked_seq == last == ledger.contiguous, "every new event taken, no gap"
    assert state.feed_cursor == ledger.feed_head
    with cloud.ctx.db.transaction() as session:
        kinds = session.scalars(
            select(InboundEvent.kind).where(InboundEvent.store_id == enrolled, InboundEvent.seq > 0)
        ).all()
    assert kinds.count("store.restored") == 1


def _say(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    return code, capsys.readouterr().err


def test_a_bad_code_or_an_unreachable_cloud_writes_nothing(
    cloud: Cloud, store_path: Path, enrolled: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshot = f"{cloud.url}/api/v1/sync/snapshot"
    assert calls.get(snapshot, timeout=10).status_code == 401
    assert calls.get(snapshot, headers=login(cloud.url), timeout=10).status_code == 403, "a device's only"
    target = tmp_path / "new" / "store.db"
    base = ["restore", "--db", str(target), "--cloud", cloud.url, "--code"]
    fresh = calls.post(f"{cloud.url}/api/v1/enrollments", headers=login(cloud.url), timeout=10).json()["code"]
    code, err = _say([*base, fresh], capsys)
    assert code == 2 and "for enrolling a new store" in err and "re-enrollment code" in err
    code, err = _say([*base, "WXYZ-WXYZ-WXYZ"], capsys)
    assert code == 2 and "not one head office issued" in err
    code, err = _say([*base, "not a code!"], capsys)
    assert code == 2 and "is not an enrollment code" in err
    # A file already there is refused before the code is spent.
    issued = enrollment_code(cloud.url)
    code, err = _say(["restore", "--db", str(store_path), "--cloud", cloud.url, "--code", issued], capsys)
    assert code == 2 and "a restore never writes over one" in err
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        nobody = f"http://127.0.0.1:{free.getsockname()[1]}"
    code, err = _say(["restore", "--db", str(target), "--cloud", nobody, "--code", issued], capsys)
    assert code == 2 and "Could not reach the cloud" in err and "Traceback" not in err
    assert not target.parent.exists() or list(target.parent.iterdir()) == [], "nothing written"
    # The code still works (nothing above spent it), once.
    code, err = _say([*base, issued], capsys)
    assert code == 0, err
    again = tmp_path / "again.db"
    code, err = _say(["restore", "--db", str(again), "--cloud", cloud.url, "--code", issued], capsys)
    assert code == 2 and "already used" in err and not again.exists()
