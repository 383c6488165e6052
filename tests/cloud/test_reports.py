"""Head-office reports on hand-computed data: sales to the cent, food-cost variance, and
delivery KPIs; JSON or CSV; a store manager sees only their own store."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from starlette.testclient import TestClient

from cloud_api.db.base import utcnow
from cloud_api.store_events.service import apply_store_events
from cloud_api.stores.schemas import StoreDetails
from cloud_api.stores.service import save_store
from sync.contract.events import (
    ClosedStop,
    CountedLine,
    DispatchedStop,
    DriverCashOut,
    ItemTerms,
    ReceivedLine,
    RunClosed,
    RunDispatched,
    StockCounted,
    StockLine,
    StockReceived,
    StockUsage,
    StockWaste,
)

from .helpers import (
    ctx,
    customer,
    demo_store_id,
    event,
    head_office,
    manager,
    staged,
    store_order_payload,
    voided,
)

DAY = "2026-11-02"
ZONE = ZoneInfo("America/Chicago")


def _local(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 2, hour, minute, tzinfo=ZONE)


def _sales_day(app: FastAPI, store: str) -> None:
    carryout = store_order_payload(
        number=1001, service="carryout", placed_at=_local(12, 5), business_date=DAY
    )
    delivery = store_order_payload(
        number=1002, service="delivery", placed_at=_local(18, 30), business_date=DAY
    )
    base = delivery["items"][0]
    delivery |= {
        "subtotal": 3000,
        "discount": 500,
        "tax": 256,
        "tip": 300,
        "total": 3056,
        "coupon": "5OFF30",
        "items": [
            base
            | {"product": "supreme", "name": "Supreme", "size": "lg", "unit_price": 1999, "line_total": 1999},
            base
            | {
                "product": "wings",
                "name": "Buffalo Wings",
                "size": "16pc",
                "unit_price": 1001,
                "line_total": 1001,
            },
        ],
    }
    walk_in = store_order_payload(number=1003, service="carryout", placed_at=_local(19), business_date=DAY)
    walk_in["channel"] = "walk_in"
    with ctx(app).db.transaction() as session:
        apply_store_events(
            session,
            store,
            [
                event("order.placed", carryout, seq=1),
                event("order.placed", delivery, seq=2),
                event("order.placed", walk_in, seq=3),
                event("order.voided", voided(walk_in["id"], "wrong order"), seq=4),
            ],
        )


def test_sales_to_the_cent(client: TestClient, app: FastAPI) -> None:
    store = demo_store_id(app)
    _sales_day(app, store)
    report = client.get(
        "/api/v1/reports/sales",
        params={"store_id": store, "from": DAY, "to": DAY},
        headers=head_office(client),
    ).json()
    assert report["totals"] == {
        "orders": 2,
        "gross_cents": 4708,
        "discount_cents": 500,
        "net_sales_cents": 4208,
        "tax_cents": 431,
        "tip_cents": 300,
        "total_cents": 4939,
        "voided_orders": 1,
        "voided_cents": 1883,
    }
    assert report["by_day"] == [
        {
            "date": DAY,
            "orders": 2,
            "gross_cents": 4708,
            "discount_cents": 500,
            "net_sales_cents": 4208,
            "tax_cents": 431,
            "tip_cents": 300,
            "total_cents": 4939,
        }
    ]
    assert [(h["hour"], h["net_sales_cents"]) for h in report["by_hour"]] == [(12, 1708), (18, 2500)]
    assert [(c["channel"], c["orders"]) for c in report["by_channel"]] == [("phone", 2)]
    assert [(s["service"], s["net_sales_cents"]) for s in report["by_service"]] == [
        ("carryout", 1708),
        ("delivery", 2500),
    ]
    assert [(p["product"], p["quantity"], p["sales_cents"]) for p in report["product_mix"]] == [
        ("supreme", 1, 1999),
        ("pepperoni", 1, 1708),
        ("wings", 1, 1001),
    ]
    assert report["discounts"] == [{"coupon": "5OFF30", "orders": 1, "discount_cents": 500}]

    as_csv = client.get(
        "/api/v1/reports/sales",
        params={"store_id": store, "from": DAY, "to": DAY},
        headers=head_office(client) | {"Accept": "text/csv"},
    )
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    totals = next(r for r in rows if r["section"] == "totals")
    assert totals["net_sales_cents"] == "4208" and totals["orders"] == "2"
    assert {r["product"] for r in rows if r["section"] == "product"} == {"supreme", "pepperoni", "wings"}

    empty = client.get(
        "/api/v1/reports/sales",
        params={"store_id": store, "from": "2026-11-03", "to": "2026-11-03"},
        headers=head_office(client),
    ).json()
    assert empty["totals"]["orders"] == 0 and empty["product_mix"] == []


def test_only_head_office_sees_the_chain_and_managers_their_store(client: TestClient, app: FastAPI) -> None:
    store = demo_store_id(app)
    _sales_day(app, store)
    with ctx(app).db.transaction() as session:
        other = save_store(
            session,
            StoreDetails(
                code="EP-002",
                name="makeline Elmwood Park",
                timezone="America/Chicago",
                tax_rate_bp=1000,
                lat=41.92,
                lon=-87.81,
            ),
            utcnow(),
        ).id
    params = {"from": DAY, "to": DAY}
    chain = client.get("/api/v1/reports/sales", params=params, headers=head_office(client)).json()
    assert chain["totals"]["orders"] == 2 and [s["store_id"] for s in chain["by_store"]] == [store]
    own = client.get("/api/v1/reports/sales", params=params, headers=manager(client))
    assert own.status_code == 200 and own.json()["store_id"] == store
    for path in ("sales", "inventory", "delivery"):
        theirs = client.get(
            f"/api/v1/reports/{path}", params=params | {"store_id": other}, headers=manager(client)
        )
        assert theirs.status_code == 403, path
        assert client.get(f"/api/v1/reports/{path}", headers=customer(client)).status_code == 403
        assert client.get(f"/api/v1/reports/{path}").status_code == 401
    backwards = client.get(
        "/api/v1/reports/sales", params={"from": DAY, "to": "2026-11-01"}, headers=head_office(client)
    )
    assert backwards.status_code == 422 and backwards.json()["field"] == "to"
    bad_date = client.get("/api/v1/reports/sales", params={"from": "yesterday"}, headers=head_office(client))
    assert bad_date.status_code == 422 and bad_date.json()["field"] == "from"


StoreEventBody = StockCounted | StockReceived | StockUsage | StockWaste


def _terms(cost: int) -> ItemTerms:
    one = Decimal(1)
    return ItemTerms(
        base_unit="lb",
        count_unit="lb",
        count_size=one,
        purchase_unit="lb",
        purchase_size=one,
        cost_cents_per_purchase=cost,
    )


COSTS = {"mozzarella": 360, "pepperoni": 500}


def _line(code: str, quantity: str, cost: int | None = None) -> StockLine:
    cents = cost or COSTS[code]
    return StockLine(
        code=code,
        name=code.title(),
        quantity=Decimal(quantity),
        unit="lb",
        count_quantity=Decimal(quantity),
        count_unit="lb",
        cost_cents=int(Decimal(quantity) * cents),
        cost_cents_per_count_unit=cents,
    )


def _counted(count_id: str, at: datetime, lines: list[StockLine], costs: dict[str, int]) -> StockCounted:
    return StockCounted(
        count_id=count_id,
        count_kind="full",
        at=at,
        finalised_at=at,
        lines=[CountedLine(**dict(line), counted=line.quantity) for line in lines],
        value_cents=sum(line.cost_cents for line in lines),
        stock_items={line.code: _terms(costs[line.code]) for line in lines},
    )


def _used(order_id: str, at: datetime, lines: list[StockLine]) -> StockUsage:
    return StockUsage(
        usage_id=f"u-{order_id}",
        order_id=order_id,
        number=1001,
        business_date=date.fromisoformat(DAY),
        movement="made",
        at=at,
        lines=lines,
        cost_cents=sum(line.cost_cents for line in lines),
        stock_items={line.code: _terms(COSTS[line.code]) for line in lines},
    )


def test_inventory_variance_finds_the_shrinkage(client: TestClient, app: FastAPI) -> None:
    store = demo_store_id(app)
    opening = {"mozzarella": 350, "pepperoni": 500}
    received = _line("mozzarella", "20", 360)
    wasted = [_line("mozzarella", "2")]
    steps: list[StoreEventBody] = [
        _counted("open", _local(6), [_line("mozzarella", "40", 350), _line("pepperoni", "10", 500)], opening),
        StockReceived(
            receipt_id="inv-7",
            supplier="Sysco",
            at=_local(9),
            lines=[
                ReceivedLine(
                    **dict(received),
                    line_no=1,
                    invoiced=Decimal(20),
                    invoiced_unit="lb",
                    purchase_unit="lb",
                    cost_cents_per_purchase=360,
                )
            ],
            total_cents=received.cost_cents,
            stock_items={"mozzarella": _terms(360)},
        ),
        _used("o1", _local(12), [_line("mozzarella", "6"), _line("pepperoni", "2")]),
        _used("o2", _local(18), [_line("mozzarella", "4")]),
        StockWaste(
            waste_id="w1",
            at=_local(19),
            reason="dropped",
            lines=wasted,
            cost_cents=wasted[0].cost_cents,
            stock_items={"mozzarella": _terms(360)},
        ),
        _counted("close", _local(23), [_line("mozzarella", "45"), _line("pepperoni", "8")], COSTS),
    ]
    with ctx(app).db.transaction() as session:
        apply_store_events(
            session, store, [event(b.kind, b.payload(), seq=n) for n, b in enumerate(steps, start=1)]
        )
    report = client.get(
        "/api/v1/reports/inventory",
        params={"store_id": store, "from": DAY, "to": DAY},
        headers=manager(client),
    ).json()
    items = {i["code"]: i for i in report["stores"][0]["items"]}
    cheese = items["mozzarella"]
    # 40 + 20 received − 45 closing − 2 wasted = 13 used; recipes say 10: 3 lb lost at $3.60.
    assert (cheese["actual"], cheese["ideal"], cheese["variance"]) == ("13.0000", "10.0000", "3.0000")
    assert cheese["cost_cents"] == 360 and cheese["variance_cents"] == 1080
    assert items["pepperoni"]["variance"] == "0.0000" and items["pepperoni"]["variance_cents"] == 0
    assert list(items) == ["mozzarella", "pepperoni"]  # most money lost first
    assert report["totals"]["variance_cents"] == 1080
    as_csv = client.get(
        "/api/v1/reports/inventory",
        params={"store_id": store, "from": DAY, "to": DAY},
        headers=manager(client) | {"Accept": "text/csv"},
    ).text
    assert "mozzarella" in as_csv and "variance_cents" in as_csv.splitlines()[0]


def test_delivery_kpis_per_store_and_driver(client: TestClient, app: FastAPI) -> None:
    store = demo_store_id(app)
    events = []
    seq = 0
    for n, (out_min, delivered_min) in enumerate([(12, 25), (14, 40)]):
        placed = _local(18, 10 * n)
        payload = store_order_payload(number=1100 + n, placed_at=placed, business_date=DAY)
        payload["promise_at"] = (placed + timedelta(minutes=35)).isoformat()
        run = str(uuid.uuid4())
        stamps = [("made", 2), ("baked", 8), ("ready", 10)]
        seq += 1
        events.append(event("order.placed", payload, seq=seq))
        for stage, minutes in stamps:
            seq += 1
            events.append(
                event(
                    "order.stage", staged(payload["id"], stage, placed + timedelta(minutes=minutes)), seq=seq
                )
            )
        out, back = placed + timedelta(minutes=out_min), placed + timedelta(minutes=delivered_min)
        dispatched = RunDispatched(
            run_id=run,
            driver_id="d1",
            driver="Sam",
            at=out,
            stops=[DispatchedStop(order_id=payload["id"], number=1100 + n)],
        )
        closed = RunClosed(
            run_id=run,
            driver_id="d1",
            returned_at=back,
            dispatched_at=out,
            stops=[ClosedStop(order_id=payload["id"], outcome="delivered")],
        )
        for body in (dispatched, closed):
            seq += 1
            events.append(event(body.kind, body.payload(), seq=seq))
    cash_out = DriverCashOut(
        id="s1",
        driver_id="d1",
        driver="Sam",
        shift_start=_local(17),
        at=_local(21),
        owed_to_store=0,
        cash_tips=500,
        mileage_cents=400,
    )
    events.append(event(cash_out.kind, cash_out.payload(), seq=seq + 1))
    with ctx(app).db.transaction() as session:
        apply_store_events(session, store, events)
    report = client.get(
        "/api/v1/reports/delivery",
        params={"store_id": store, "from": DAY, "to": DAY},
        headers=head_office(client),
    ).json()
    row = report["by_store"][0]
    assert (row["orders"], row["delivered"], row["avg_out_the_door_min"], row["avg_delivery_min"]) == (
        2,
        2,
        13.0,
        32.5,
    )
    assert row["on_time_pct"] == 50.0 and row["runs"] == 2 and row["driver_hours"] == 4.0
    assert row["runs_per_driver_hour"] == 0.5
    assert [d["driver"] for d in report["by_driver"]] == ["Sam"]
    assert report["by_driver"][0]["runs"] == 2 and report["by_driver"][0]["on_time_pct"] == 50.0
