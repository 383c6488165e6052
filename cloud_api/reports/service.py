"""Building the reports, for the stores the caller may see.

The sales report has the shape of the store's own `makeline report sales --json`
(`"totals": {"orders", "net_sales_cents", …}`), so head office and a store can be
compared to the cent: gross = item prices before discounts; net sales = gross −
discounts; tax, tips and totals beside them; voided orders are not sales.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from cloud_api.api.deps import Principal, Role
from cloud_api.errors import Forbidden
from cloud_api.inventory.repository import items
from cloud_api.models import DeliveryRun, DriverShift, Order, Store
from cloud_api.reports import repository
from cloud_api.reports.period import Period, period
from cloud_api.reports.variance import Move, variance
from cloud_api.stores.service import get_store, list_stores


def scope(session: Session, caller: Principal, store_id: str | None) -> list[Store] | None:
    """The stores a report covers; None means the whole chain (head office only)."""
    if caller.role is Role.STORE_MANAGER:
        store_id = store_id or caller.store_id
    elif caller.role is not Role.HEAD_OFFICE:
        raise Forbidden("Only head office and store managers see reports.")
    if store_id is None:
        return None
    caller.require_store(store_id)
    return [get_store(session, store_id)]


def _period(stores: list[Store] | None, first: date | None, last: date | None) -> Period:
    zone = ZoneInfo(stores[0].timezone) if stores else ZoneInfo("UTC")
    hour = stores[0].day_starts_hour if stores else 0
    today = (datetime.now(zone) - timedelta(hours=hour)).date()
    return period(first, last, today)


def _ids(stores: list[Store] | None) -> list[str] | None:
    return [s.id for s in stores] if stores is not None else None


def sales(
    session: Session, caller: Principal, store_id: str | None, first: date | None, last: date | None
) -> dict[str, Any]:
    stores = scope(session, caller, store_id)
    span = _period(stores, first, last)
    body = repository.sales(session, _ids(stores), span)
    for row in body["by_day"]:
        row["date"] = row.pop("business_date").isoformat()
    return {
        "store_id": store_id or (stores[0].id if stores else None),
        "from": span.first.isoformat(),
        "to": span.last.isoformat(),
        **body,
    }


def _store_variance(session: Session, store: Store, span: Period) -> dict[str, Any]:
    start, end = span.bounds(store.timezone, store.day_starts_hour)
    opened = dict(repository.counts_before(session, store.id, start))
    since = min([start, *opened.values()])
    moves = [
        Move(m.code, m.kind, m.quantity, m.cost_cents, m.at)
        for m in repository.movements(session, store.id, since, end)
    ]
    catalog = {i.code: (i.name, i.unit, i.cost_cents) for i in items(session)}
    rows = variance(moves, opened, start, end, catalog)
    net = repository.net_sales(session, store.id, span)
    actual = sum(r.actual_cents for r in rows)
    ideal = sum(r.ideal_cents for r in rows)
    return {
        "store_id": store.id,
        "store_code": store.code,
        "store_name": store.name,
        "totals": {
            "variance_cents": sum(r.variance_cents for r in rows),
            "ideal_cents": ideal,
            "actual_cents": actual,
            "net_sales_cents": net,
            "food_cost_pct": round(100 * actual / net, 2) if net else None,
            "ideal_food_cost_pct": round(100 * ideal / net, 2) if net else None,
        },
        "items": [
            {
                "code": r.code,
                "name": r.name,
                "unit": r.unit,
                "opening": str(r.opening),
                "received": str(r.received),
                "waste": str(r.waste),
                "closing": str(r.closing),
                "ideal": str(r.ideal),
                "actual": str(r.actual),
                "variance": str(r.variance),
                "cost_cents": r.cost_cents,
                "variance_cents": r.variance_cents,
            }
            for r in rows
        ],
    }


def inventory(
    session: Session, caller: Principal, store_id: str | None, first: date | None, last: date | None
) -> dict[str, Any]:
    stores = scope(session, caller, store_id)
    span = _period(stores, first, last)
    covered = stores if stores is not None else list(list_stores(session))
    per_store = [_store_variance(session, s, span) for s in covered]
    return {
        "store_id": store_id,
        "from": span.first.isoformat(),
        "to": span.last.isoformat(),
        "totals": {"variance_cents": sum(s["totals"]["variance_cents"] for s in per_store)},
        "stores": per_store,
    }


def _kpis(row: dict[str, Any], runs: int, hours: float) -> dict[str, Any]:
    promised = row.pop("promised")
    on_time = row.pop("on_time")
    for key in ("avg_out_the_door_min", "avg_delivery_min"):
        row[key] = round(float(row[key]), 1) if row[key] is not None else None
    row["on_time_pct"] = round(100 * on_time / promised, 1) if promised else None
    row["runs"], row["driver_hours"] = runs, round(hours, 2)
    row["runs_per_driver_hour"] = round(runs / hours, 2) if hours else None
    return row


def delivery(
    session: Session, caller: Principal, store_id: str | None, first: date | None, last: date | None
) -> dict[str, Any]:
    stores = scope(session, caller, store_id)
    span = _period(stores, first, last)
    ids = _ids(stores)
    codes = {s.id: s.code for s in (stores or list_stores(session))}
    store_runs = repository.runs(session, ids, span, DeliveryRun.store_id)
    store_hours = repository.driver_hours(session, ids, span, DriverShift.store_id)
    driver_runs = repository.runs(session, ids, span, DeliveryRun.driver_name)
    driver_hours = repository.driver_hours(session, ids, span, DriverShift.driver_name)
    by_store = []
    for row in repository.delivery(session, ids, span, Order.store_id):
        key = row.pop("key")
        by_store.append(
            {"store_id": key, "store_code": codes.get(key, "")}
            | _kpis(row, store_runs.get(key, 0), store_hours.get(key, 0.0))
        )
    by_driver = []
    for row in repository.delivery(session, ids, span, Order.driver_name):
        key = row.pop("key")
        if key is None:
            continue
        by_driver.append({"driver": key} | _kpis(row, driver_runs.get(key, 0), driver_hours.get(key, 0.0)))
    return {
        "store_id": store_id,
        "from": span.first.isoformat(),
        "to": span.last.isoformat(),
        "by_store": by_store,
        "by_driver": by_driver,
    }
