"""The reports' aggregates equal the raw computation: a generated history of three stores in
three zones (across a clock change, past midnight, late news of old days, online orders a store
books on another day) goes through the real event-apply path in batches, and every figure of
every report (sales, delivery, food cost and its league table) is compared with the same
figures computed from the raw orders, runs, shifts and stock movements."""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Integer, column, select, text
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from cloud_api.auth.principal import Principal, Role
from cloud_api.db.base import utcnow
from cloud_api.models import CountSales, CouponDay, DriverDay, ProductDay, SalesHour, StockSegment
from cloud_api.reports import raw, repository, service
from cloud_api.reports.dayparts import daypart, daypart_of
from cloud_api.reports.period import Period
from cloud_api.reports.refresh import rebuild_all, refresh_aggregates
from cloud_api.reports.speed import speed
from cloud_api.store_events.service import apply_store_events
from cloud_api.stores.schemas import StoreDetails
from cloud_api.stores.service import save_store
from makeline.trade.lifecycle import Channel, Stage
from sync.contract.events import OrderPlaced, OrderStaged

from .helpers import (
    bring_online,
    ctx,
    customer,
    demo_store_id,
    evanston,
    event,
    head_office,
    manager,
    order_body,
    place,
    staged,
    store_order_payload,
)
from .history import store_history

FIRST = date(2026, 10, 30)  # the clocks go back on Sunday 1 November
DAYS = 3
ZONES = [("America/New_York", 3), ("America/Los_Angeles", 5)]
LATE = ("order.stage", "order.voided", "stock.", "driver.cash_out")
HEAD_OFFICE = Principal(id="head-office", role=Role.HEAD_OFFICE)
TABLES: list[Any] = [SalesHour, ProductDay, CouponDay, DriverDay, StockSegment, CountSales]


def _stores(app: FastAPI) -> list[str]:
    ids = [demo_store_id(app)]
    with ctx(app).db.transaction() as session:
        for n, (zone, hour) in enumerate(ZONES, start=2):
            details = StoreDetails(
                code=f"GEN-{n}",
                name=f"Store {n}",
                timezone=zone,
                tax_rate_bp=1025,
                lat=41.9,
                lon=-87.8,
                day_starts_hour=hour,
            )
            ids.append(save_store(session, details, utcnow()).id)
    return ids


def _push(app: FastAPI, histories: dict[str, list[tuple[str, dict[str, Any]]]], rng: random.Random) -> None:
    """Each store's outbox in batches of 1 to 80, stores interleaved; some news of old days
    (stamps, voids, stock, cash-outs) held back and sent last, after later days were kept."""
    queues = {}
    for store, found in histories.items():
        news = [n for n, (kind, _) in enumerate(found) if kind.startswith(LATE)]
        late = set(rng.sample(news, len(news) // 10))
        ordered = [e for n, e in enumerate(found) if n not in late] + [found[n] for n in sorted(late)]
        queues[store] = [event(kind, payload, seq=n) for n, (kind, payload) in enumerate(ordered, start=1)]
    while queues:
        store = rng.choice(sorted(queues))
        size = rng.randint(1, 80)
        batch, queues[store] = queues[store][:size], queues[store][size:]
        with ctx(app).db.transaction() as session:
            apply_store_events(session, store, batch)
        if not queues[store]:
            del queues[store]


def _online(app: FastAPI, client: TestClient, store: str) -> list[tuple[str, dict[str, Any]]]:
    """Two online orders: one the store books on the business day before the cloud's, one it
    voids; the events it sends for them."""
    bring_online(app, store)
    ids = [place(client, customer(client), order_body(store)).json()["id"] for _ in range(2)]
    now = utcnow()
    found = []
    for n, cloud_id in enumerate(ids):
        placed = OrderPlaced(
            id=f"0190{n:04d}-0000-7000-8000-000000000000",
            number=2000 + n,
            business_date=now.date() - timedelta(days=1),
            channel=Channel.ONLINE,
            service="carryout",
            stage=Stage.PLACED,
            subtotal=1708,
            total=1883,
            tax=175,
            payment="paid",
            placed_at=now,
            cloud_order_id=cloud_id,
            items=[],
        )
        found.append((placed.kind, placed.payload()))
    made = OrderStaged(order_id=ids[0], number=2000, stage=Stage.MADE, at=now + timedelta(minutes=2))
    found.append((made.kind, made.payload()))
    return found


def _same(session: Session, store: str | None, first: date, last: date) -> None:
    for report in (service.sales, service.inventory, service.delivery, speed):
        kept = report(session, HEAD_OFFICE, store, first, last)
        computed = report(session, HEAD_OFFICE, store, first, last, source=raw)
        assert kept == computed, (report.__name__, store, first, last)
    if store is None:
        league = service.food_cost_league(session, HEAD_OFFICE, first, last)
        assert league == service.food_cost_league(session, HEAD_OFFICE, first, last, source=raw), (
            first,
            last,
        )
    span, stores = Period(first, last), None if store is None else [store]
    for by in ("store", "driver"):
        kept_out = repository.run_seconds(session, stores, span, by)
        assert kept_out == raw.run_seconds(session, stores, span, by), ("run seconds", by, store, first, last)


def _tables(session: Session) -> dict[str, list[Any]]:
    found = {}
    for model in TABLES:
        table = model.__table__
        order = ", ".join(str(n) for n in range(1, len(table.columns) + 1))
        found[table.name] = [
            tuple(r) for r in session.execute(text(f"SELECT * FROM {table.name} ORDER BY {order}"))
        ]
    return found


def test_aggregates_equal_the_raw_figures(app: FastAPI, client: TestClient) -> None:
    rng = random.Random(16)
    stores = _stores(app)
    histories = {}
    for n, store in enumerate(stores):
        zone, hour = ("America/Chicago", 4) if n == 0 else ZONES[n - 1]
        bodies = store_history(100 + n, zone, hour, FIRST, DAYS, orders_per_day=6)
        histories[store] = [(b.kind, b.payload()) for b in bodies]
    histories[stores[0]] += _online(app, client, stores[0])
    _push(app, histories, rng)
    today = utcnow().date()
    with ctx(app).db.transaction() as session:
        sales = service.sales(session, HEAD_OFFICE, None, FIRST, FIRST + timedelta(days=DAYS - 1))
        assert sales["totals"]["orders"] > 40 and sales["totals"]["voided_orders"] > 0
        assert len(sales["by_store"]) == 3 and sales["discounts"]
        league = service.food_cost_league(session, HEAD_OFFICE, FIRST, FIRST + timedelta(days=DAYS - 1))
        assert league == service.food_cost_league(
            session, HEAD_OFFICE, FIRST, FIRST + timedelta(days=DAYS - 1), source=raw
        )
        assert [s["totals"]["variance_cents"] != 0 for s in league["stores"]] == [True] * 3
        week = speed(session, HEAD_OFFICE, None, FIRST, FIRST + timedelta(days=DAYS - 1))
        assert {r["store_id"] for r in week["rows"]} == set(stores)
        assert sum(r["early_bumps"] for r in week["rows"] if r["daypart"] == "whole day") > 0
        assert any(
            raw.run_seconds(session, None, Period(FIRST, FIRST + timedelta(days=DAYS - 1)), "driver").values()
        )
        periods = [
            (FIRST + timedelta(days=a), FIRST + timedelta(days=b)) for a, b in ((0, 0), (1, 2), (0, 3))
        ]
        # The online orders: placed today in the cloud, booked by the store on yesterday.
        periods += [(today, today), (today - timedelta(days=1), today - timedelta(days=1))]
        for first, last in periods:
            for store in (None, *stores):
                _same(session, store, first, last)
        kept = _tables(session)
        rebuild_all(session)
        assert _tables(session) == kept  # as kept batch by batch, so from scratch


def test_dayparts_in_sql_follow_the_rule(app: FastAPI) -> None:
    hour, turn = column("hour", Integer), column("turn", Integer)
    with ctx(app).db.transaction() as session:
        found = session.execute(
            select(hour, turn, daypart_of(hour, turn)).select_from(
                text("generate_series(0, 23) AS h (hour) CROSS JOIN generate_series(0, 23) AS t (turn)")
            )
        ).all()
    assert len(found) == 24 * 24
    assert [part for h, t, part in found] == [daypart(h, t) for h, t, _ in found]


def test_league_table_over_http(client: TestClient, app: FastAPI) -> None:
    with ctx(app).db.transaction() as session:
        details = StoreDetails(
            code="EVIL-1",
            name='=HYPERLINK("http://x")',
            timezone="America/Chicago",
            tax_rate_bp=1000,
            lat=41.9,
            lon=-87.8,
        )
        save_store(session, details, utcnow())
    chief, own = head_office(client), manager(client)
    league = client.get(
        "/api/v1/reports/food-cost", params={"from": "2026-11-01", "to": "2026-11-07"}, headers=chief
    )
    assert league.status_code == 200 and [s["rank"] for s in league.json()["stores"]][:2] == [1, 2]
    as_csv = client.get("/api/v1/reports/food-cost", headers=chief | {"Accept": "text/csv"}).text
    assert "'=HYPERLINK" in as_csv and ",=HYPERLINK" not in as_csv
    assert client.get("/api/v1/reports/food-cost", headers=own).status_code == 403
    assert client.get("/api/v1/reports/food-cost", params={"from": "soon"}, headers=chief).status_code == 422


_VERSIONS = """SELECT 'sales_hour', hour::text, xmin::text FROM report_sales_hour WHERE store_id = :store
UNION ALL SELECT 'product_day', product || ' ' || size, xmin::text FROM report_product_day WHERE store_id = :store
ORDER BY 1, 2"""


def test_a_refresh_writes_only_the_rows_that_changed(app: FastAPI) -> None:
    """Each row's version (`xmin`, the transaction that wrote it) shows what a refresh wrote: the
    same records again write nothing; an order made moves its hour's row and no other."""
    store = evanston(app)
    evening = utcnow().replace(minute=0, second=0, microsecond=0) - timedelta(hours=3)
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    events = [
        event("order.placed", store_order_payload(first, 1, placed_at=evening), seq=1),
        event("order.placed", store_order_payload(second, 2, placed_at=evening + timedelta(hours=1)), seq=2),
    ]
    day = date.fromisoformat(events[0].payload["business_date"])
    with ctx(app).db.transaction() as session:
        apply_store_events(session, store, events)
    with ctx(app).db.transaction() as session:
        written = session.execute(text(_VERSIONS), {"store": store}).all()
    tables = [table for table, _, _ in written]
    assert tables.count("product_day") == 1 and tables.count("sales_hour") == 2, written  # two hours

    with ctx(app).db.transaction() as session:
        refresh_aggregates(session, store, {day})
    with ctx(app).db.transaction() as session:
        assert session.execute(text(_VERSIONS), {"store": store}).all() == written, "nothing changed"

    with ctx(app).db.transaction() as session:
        apply_store_events(
            session,
            store,
            [event("order.stage", staged(first, "made", evening + timedelta(minutes=9)), seq=3)],
        )
    with ctx(app).db.transaction() as session:
        now = session.execute(text(_VERSIONS), {"store": store}).all()
    moved = [(table, key) for (table, key, was), (_, _, is_) in zip(written, now, strict=True) if was != is_]
    assert len(moved) == 1 and moved[0][0] == "sales_hour", moved  # the first order's hour only
    with ctx(app).db.transaction() as session:
        kept = _tables(session)
        rebuild_all(session)
        assert _tables(session) == kept
