"""The contract between a store and the cloud: every event a real store day wrote to the
outbox, fed to the cloud as sync feeds it, makes head office's reports equal the store's
own numbers — sales to the cent, food-cost variance per item, delivery KPIs per store and
driver, on hand and last counts — and feeding it all again changes nothing."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select, text

from cloud_api.store_events.schemas import Outcome
from makeline.cli import main
from makeline.trade.units import fmt_qty
from store_db.db import StoreDB
from store_db.models import OutboxEvent
from store_db.queries import stock_ledger as ledger
from store_db.queries.delivery_kpis import driver_kpis
from store_db.queries.kpis import todays_kpis
from store_db.reports.sales import sales_report
from tests.contract.link import Contract, outbox_batches, push
from tests.contract.store_day import DAY, SHRINK, local
from tests.contract.store_figures import delivery_kpis, read_delivery

_TABLES = (
    "orders",
    "order_line",
    "stock_movement",
    "stock_usage",
    "store_stock",
    "delivery_run",
    "driver_shift",
    "inbound_event",
)


def report(contract: Contract, name: str) -> dict[str, Any]:
    answer = contract.client.get(
        f"/api/v1/reports/{name}",
        params={"store_id": contract.store_id, "from": DAY.isoformat(), "to": DAY.isoformat()},
        headers=contract.headers,
    )
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def inventory(contract: Contract) -> dict[str, dict[str, Any]]:
    answer = contract.client.get(
        "/api/v1/inventory", params={"store_id": contract.store_id}, headers=contract.headers
    )
    assert answer.status_code == 200, answer.text
    return {i["code"]: i for i in answer.json()["items"]}


def test_every_event_the_store_wrote_is_applied(contract: Contract) -> None:
    with StoreDB(contract.store_path) as db, db.read() as session:
        written = session.scalar(select(func.count()).select_from(OutboxEvent))
        kinds = Counter(session.scalars(select(OutboxEvent.kind)))
    assert contract.mark == written and len(contract.first_push) == written
    kept = Counter(kind for kind, outcome in contract.first_push if outcome is not Outcome.APPLIED)
    # A door not answered is recorded by the run's close; nothing else is left unused.
    assert kept == Counter({"run.not_delivered": 1})
    for kind in (
        "order.placed",
        "order.stage",
        "order.voided",
        "stock.count",
        "stock.receipt",
        "stock.waste",
        "stock.usage",
        "run.dispatched",
        "run.closed",
        "driver.cash_out",
    ):
        assert kinds[kind] > 0, kind


def test_sales_equal_the_stores_to_the_cent(contract: Contract) -> None:
    """One report shape: the cloud's sales report for the store's day is the store's own
    `makeline report sales --json`, name for name and cent for cent."""
    with StoreDB(contract.store_path) as db, db.read() as session:
        store = sales_report(session, DAY, DAY).as_json()
    cloud = report(contract, "sales")
    assert cloud == store
    totals = store["totals"]
    assert isinstance(totals, dict)
    assert totals["orders"] == contract.day.orders - contract.day.voids
    assert totals["voided_orders"] == contract.day.voids
    assert totals["tip_cents"] > 0 and totals["discount_cents"] > 0
    assert {r["channel"] for r in cloud["by_channel"]} == {"online", "phone", "walk_in"}


def test_inventory_variance_equals_the_stores_report(
    contract: Contract, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["report", "variance", "--db", str(contract.store_path), "--json"]) == 0
    store = json.loads(capsys.readouterr().out)
    (cloud,) = report(contract, "inventory")["stores"]
    assert [r["code"] for r in cloud["items"]] == [r["code"] for r in store["items"]]  # most money lost first
    mine = {r["code"]: r for r in store["items"]}
    for row in cloud["items"]:
        theirs = mine[row["code"]]
        assert row["unit"] == theirs["unit"], row["code"]
        for key in ("ideal", "actual", "variance", "opening", "received", "waste", "closing"):
            assert Decimal(row[key]) == Decimal(theirs[key]), (row["code"], key)
        for key in ("variance_cents", "ideal_cents", "actual_cents", "waste_cents"):
            assert row[key] == theirs[key], (row["code"], key)
        assert row["variance_base"] == theirs["variance_base"], row["code"]
    assert cloud["totals"] == {
        k: store["totals"][k]
        for k in (
            "net_sales_cents",
            "ideal_cents",
            "actual_cents",
            "waste_cents",
            "variance_cents",
            "ideal_food_cost_pct",
            "actual_food_cost_pct",
            "variance_pct_of_sales",
        )
    }
    # The shrinkage put in is what both see lost, and the sold food is in the ideal.
    lost = {r["code"]: Decimal(r["variance_base"]) for r in cloud["items"] if Decimal(r["variance_base"]) > 0}
    assert lost == SHRINK
    assert Decimal(mine["mozzarella"]["ideal"]) > 0 and Decimal(mine["mozzarella"]["received"]) > 0


def test_delivery_kpis_equal_the_stores(contract: Contract) -> None:
    with StoreDB(contract.store_path) as db, db.read() as session:
        orders, drivers = read_delivery(session, DAY)
        today = todays_kpis(session, local(23, 59))
        screen_rows = driver_kpis(session, local(23, 59))
    store, per_driver = delivery_kpis(orders, drivers)
    cloud = report(contract, "delivery")
    (row,) = cloud["by_store"]
    assert {k: row[k] for k in store} == store
    assert {r["driver"]: {k: r[k] for k in store} for r in cloud["by_driver"]} == per_driver
    assert len(per_driver) == len(screen_rows) == 3 and store["runs"] == contract.day.runs
    assert store["runs_per_driver_hour"]
    assert store["delivered"] == store["orders"] - contract.day.not_delivered
    # The same figures as the manager screen's KPIs, before rounding: the store's day
    # (store_db.queries.kpis) and each driver's (store_db.queries.delivery_kpis).
    assert today.on_time_pct is not None and abs(store["on_time_pct"] - today.on_time_pct) <= 0.05 + 1e-9
    for name, key in (("out the door", "avg_out_the_door_min"), ("delivery", "avg_delivery_min")):
        seconds = today.measure(name).average_s
        assert seconds is not None and abs(store[key] - seconds / 60) <= 0.05 + 1e-9, name
    for screen in screen_rows:
        row = next(r for r in cloud["by_driver"] if r["driver"] == screen.driver)
        assert (row["runs"], row["delivered"]) == (screen.runs, screen.deliveries), screen.driver
        assert screen.on_time_pct is not None and screen.avg_delivery_s is not None
        assert abs(row["on_time_pct"] - screen.on_time_pct) <= 0.05 + 1e-9, screen.driver
        assert abs(row["avg_delivery_min"] - screen.avg_delivery_s / 60) <= 0.05 + 1e-9, screen.driver
        assert abs(row["driver_hours"] - screen.hours) <= 0.005 + 1e-9, screen.driver


def test_on_hand_and_last_count_are_the_stores(contract: Contract) -> None:
    now = local(23, 59)
    with StoreDB(contract.store_path) as db, db.read() as session:
        items = {c: i for c, i in ledger.catalog(session).items() if i.active}
        books = ledger.on_hand(session, now, list(items))
        counted = ledger.last_counts(session)
    cloud = inventory(contract)
    assert set(items) <= set(cloud)
    for code, item in items.items():
        row = cloud[code]
        assert row["unit"] == item.units.count_unit, code
        assert Decimal(row["on_hand"]) == Decimal(fmt_qty(item.units.to_count(books[code]))), code
        assert Decimal(row["last_count"]) == Decimal(fmt_qty(item.units.to_count(counted[code].on_hand))), (
            code
        )
        assert row["last_count_at"] is not None and row["last_count_at"].startswith("2026-11-07T05:30:00")
        assert row["cost_cents"] == item.price.value(item.units.per_unit[item.units.count_unit]), code


def test_feeding_every_event_again_changes_nothing(contract: Contract) -> None:
    before = {name: report(contract, name) for name in ("sales", "inventory", "delivery")}
    stock_before = inventory(contract)
    with contract.ctx.db.transaction() as session:
        rows = {t: session.scalar(text(f"SELECT count(*) FROM {t}")) for t in _TABLES}
    with StoreDB(contract.store_path) as db:
        batches = outbox_batches(db)
    outcomes, mark = push(contract.app, contract.store_id, batches)
    assert mark == contract.mark and {o for _, o in outcomes} == {Outcome.DUPLICATE}
    with contract.ctx.db.transaction() as session:
        assert {t: session.scalar(text(f"SELECT count(*) FROM {t}")) for t in _TABLES} == rows
    assert {name: report(contract, name) for name in before} == before
    assert inventory(contract) == stock_before
