"""Building the reports, for the stores the caller may see.

Every figure comes from the aggregates kept as events arrive (`reports.repository`); a
`source` of `reports.raw` computes the same from the raw records (tests and benchmarks).

The sales report has the shape of the store's own `makeline report sales --json`
(`"totals": {"orders", "net_sales_cents", …}`), so head office and a store can be
compared to the cent: gross = item prices before discounts; net sales = gross −
discounts; tax, tips and totals beside them; voided orders are not sales.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from cloud_api.auth.principal import Principal, Role
from cloud_api.errors import Forbidden
from cloud_api.models import Store
from cloud_api.reports import food_cost, repository
from cloud_api.reports.period import Period, period
from cloud_api.reports.source import Figures
from cloud_api.stores.service import get_store, list_stores
from makeline.trade.sales import SalesReport


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
    session: Session,
    caller: Principal,
    store_id: str | None,
    first: date | None,
    last: date | None,
    source: Figures = repository,
) -> dict[str, Any]:
    """The sales report in the shape the store prints (`makeline.trade.sales.SalesReport`)."""
    stores = scope(session, caller, store_id)
    span = _period(stores, first, last)
    body = source.sales(session, _ids(stores), span)
    for row in body["by_day"]:
        row["date"] = row.pop("business_date")
    one = stores[0] if stores and len(stores) == 1 else None
    report = SalesReport(
        store_id=one.id if one else None,
        store_name=one.name if one else "",
        first=span.first,
        last=span.last,
        **body,
    )
    return report.as_json()


def inventory(
    session: Session,
    caller: Principal,
    store_id: str | None,
    first: date | None,
    last: date | None,
    source: Figures = repository,
) -> dict[str, Any]:
    stores = scope(session, caller, store_id)
    span = _period(stores, first, last)
    covered = stores if stores is not None else list(list_stores(session))
    per_store = food_cost.store_variances(session, covered, span, source)
    return {
        "store_id": store_id,
        "from": span.first.isoformat(),
        "to": span.last.isoformat(),
        "totals": {"variance_cents": sum(s["totals"]["variance_cents"] for s in per_store)},
        "stores": per_store,
    }


def food_cost_league(
    session: Session,
    caller: Principal,
    first: date | None,
    last: date | None,
    source: Figures = repository,
) -> dict[str, Any]:
    """Head office's league table: every store by food-cost variance as a share of its net
    sales, worst first, with how many items each counted; a store's items are its `inventory`
    report (the drill-down), loaded only there."""
    caller.require(Role.HEAD_OFFICE)
    span = _period(None, first, last)
    per_store = food_cost.store_totals(session, list(list_stores(session)), span, source)
    return {
        "from": span.first.isoformat(),
        "to": span.last.isoformat(),
        "stores": food_cost.league(per_store),
    }


def _rounded(value: Decimal, places: str) -> float:
    return float(value.quantize(Decimal(places), rounding=ROUND_HALF_UP))


def _average_minutes(seconds: Any, count: int) -> float | None:
    return _rounded(Decimal(str(seconds)) / count / 60, "0.1") if count else None


def _kpis(row: dict[str, Any], runs: int, seconds: Decimal) -> dict[str, Any]:
    """Averages from exact sums, rounded half up once: minutes to 0.1, on-time % to 0.1,
    hours and runs per driver-hour to 0.01."""
    on_time, promised = row.pop("on_time"), row.pop("promised")
    for name in ("out_the_door", "delivery"):
        total, count = row.pop(f"{name}_s"), row.pop(f"{name}_n")
        row[f"avg_{name}_min"] = _average_minutes(total, count)
    row["on_time_pct"] = _rounded(Decimal(100 * on_time) / promised, "0.1") if promised else None
    hours = seconds / 3600
    row["runs"], row["driver_hours"] = runs, _rounded(hours, "0.01")
    row["runs_per_driver_hour"] = _rounded(runs / hours, "0.01") if hours else None
    return row


def delivery(
    session: Session,
    caller: Principal,
    store_id: str | None,
    first: date | None,
    last: date | None,
    source: Figures = repository,
) -> dict[str, Any]:
    stores = scope(session, caller, store_id)
    span = _period(stores, first, last)
    ids = _ids(stores)
    codes = {s.id: s.code for s in (stores or list_stores(session))}
    store_runs = source.runs(session, ids, span, "store")
    store_seconds = source.driver_seconds(session, ids, span, "store")
    driver_runs = source.runs(session, ids, span, "driver")
    driver_seconds = source.driver_seconds(session, ids, span, "driver")
    by_store = []
    for row in source.delivery(session, ids, span, "store"):
        key = row.pop("key")
        by_store.append(
            {"store_id": key, "store_code": codes.get(key, "")}
            | _kpis(row, store_runs.get(key, 0), store_seconds.get(key, Decimal(0)))
        )
    by_driver = []
    for row in source.delivery(session, ids, span, "driver"):
        key = row.pop("key")
        if key is None:
            continue
        by_driver.append(
            {"driver": key} | _kpis(row, driver_runs.get(key, 0), driver_seconds.get(key, Decimal(0)))
        )
    return {
        "store_id": store_id,
        "from": span.first.isoformat(),
        "to": span.last.isoformat(),
        "by_store": by_store,
        "by_driver": by_driver,
    }
