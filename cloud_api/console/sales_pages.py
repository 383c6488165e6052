"""*Today / this week*: net sales, orders and average ticket for a day against the same day
last week, by hour and by day of the week; by channel and service; the product mix; and, for
the chain, every store with a drill-down. Every figure comes from the sales report service
(`cloud_api.reports.service.sales`), the one the API answers with."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from cloud_api.auth.principal import Principal
from cloud_api.console.charts import bars
from cloud_api.console.periods import parse_day, today
from cloud_api.console.shell import View, signed_in, store_in_scope
from cloud_api.console.tables import Column, Kind, Table
from cloud_api.db.base import utcnow
from cloud_api.reports import service as reports
from cloud_api.stores.service import list_stores

router = APIRouter()
Day = Annotated[str | None, Query(max_length=20, description="business day, e.g. 2026-11-06")]
StoreId = Annotated[str, Path(max_length=40)]
WEEK = timedelta(days=7)


def average(cents: int, orders: int) -> int | None:
    return round(cents / orders) if orders else None


def change_pct(now: int, before: int) -> str | None:
    """Growth against last week, one decimal; none when last week sold nothing."""
    return f"{(now - before) * 100 / before:+.1f}" if before else None


def _by(rows: list[dict[str, Any]], key: str) -> dict[Any, dict[str, Any]]:
    return {row[key]: row for row in rows}


def hours_against(now: Mapping[str, Any], before: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every hour either day sold in, this day's net sales beside last week's."""
    this, last = _by(now["by_hour"], "hour"), _by(before["by_hour"], "hour")
    return [
        {
            "hour": f"{hour:02d}:00",
            "net": this.get(hour, {}).get("net_sales_cents", 0),
            "orders": this.get(hour, {}).get("orders", 0),
            "before": last.get(hour, {}).get("net_sales_cents", 0),
        }
        for hour in sorted(set(this) | set(last))
    ]


def days_against(now: Mapping[str, Any], before: Mapping[str, Any], last_day: date) -> list[dict[str, Any]]:
    """The seven days ending `last_day`, each beside the same weekday a week earlier."""
    this, last = _by(now["by_day"], "date"), _by(before["by_day"], "date")
    rows = []
    for back in range(6, -1, -1):
        day = last_day - timedelta(days=back)
        earlier = day - WEEK
        rows.append(
            {
                "day": day.strftime("%a %d %b"),
                "net": this.get(day.isoformat(), {}).get("net_sales_cents", 0),
                "orders": this.get(day.isoformat(), {}).get("orders", 0),
                "before": last.get(earlier.isoformat(), {}).get("net_sales_cents", 0),
            }
        )
    return rows


def shares(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    total = sum(r["net_sales_cents"] for r in rows)
    return [
        {
            "name": str(r[key]).replace("_", " "),
            "orders": r["orders"],
            "net": r["net_sales_cents"],
            "average": average(r["net_sales_cents"], r["orders"]),
            "share": f"{r['net_sales_cents'] * 100 / total:.1f}" if total else None,
        }
        for r in rows
    ]


def _kpis(now: Mapping[str, Any], before: Mapping[str, Any]) -> list[dict[str, Any]]:
    t, b = now["totals"], before["totals"]
    return [
        {
            "label": "Net sales",
            "value": t["net_sales_cents"],
            "kind": Kind.MONEY,
            "before": b["net_sales_cents"],
            "change": change_pct(t["net_sales_cents"], b["net_sales_cents"]),
        },
        {
            "label": "Orders",
            "value": t["orders"],
            "kind": Kind.COUNT,
            "before": b["orders"],
            "change": change_pct(t["orders"], b["orders"]),
        },
        {
            "label": "Average ticket",
            "value": average(t["net_sales_cents"], t["orders"]),
            "kind": Kind.MONEY,
            "before": average(b["net_sales_cents"], b["orders"]),
            "change": None,
        },
        {
            "label": "Voided orders",
            "value": t["voided_orders"],
            "kind": Kind.COUNT,
            "before": b["voided_orders"],
            "change": None,
        },
    ]


def _against(name: str, caption: str, first: str, label: str, rows: list[dict[str, Any]]) -> Table:
    return Table(
        name,
        caption,
        [
            Column(first, label),
            Column("net", "Net sales", Kind.MONEY),
            Column("orders", "Orders", Kind.COUNT),
            Column("before", "Same day last week", Kind.MONEY),
        ],
        rows,
    )


def _mix_and_splits(view: View, now: Mapping[str, Any]) -> None:
    split = [
        Column("name", "Name"),
        Column("orders", "Orders", Kind.COUNT),
        Column("net", "Net sales", Kind.MONEY),
        Column("average", "Average ticket", Kind.MONEY),
        Column("share", "Share of sales", Kind.PCT),
    ]
    view.add(
        Table("channels", "Sales by channel", split, shares(now["by_channel"], "channel")),
        Table("services", "Sales by service", split, shares(now["by_service"], "service")),
        Table(
            "products",
            "Product mix",
            [
                Column("name", "Product"),
                Column("size", "Size"),
                Column("quantity", "Sold", Kind.COUNT),
                Column("sales_cents", "Sales", Kind.MONEY),
            ],
            now["product_mix"],
        ),
    )


def _stores(session: Session, now: Mapping[str, Any], before: Mapping[str, Any], day: date) -> Table:
    last = _by(before["by_store"], "store_id")
    sold = _by(now["by_store"], "store_id")
    rows = []
    for store in list_stores(session):
        row, earlier = sold.get(store.id, {}), last.get(store.id, {})
        net, orders = row.get("net_sales_cents", 0), row.get("orders", 0)
        rows.append(
            {
                "code": store.code,
                "store": store.name,
                "href": f"/console/sales/{store.id}?day={day.isoformat()}",
                "orders": orders,
                "net": net,
                "average": average(net, orders),
                "before": earlier.get("net_sales_cents", 0),
                "change": change_pct(net, earlier.get("net_sales_cents", 0)),
            }
        )
    rows.sort(key=lambda r: (-r["net"], r["code"]))
    return Table(
        "stores",
        "Every store, best sales first",
        [
            Column("code", "Code", link="href"),
            Column("store", "Store"),
            Column("orders", "Orders", Kind.COUNT),
            Column("net", "Net sales", Kind.MONEY),
            Column("average", "Average ticket", Kind.MONEY),
            Column("before", "Same day last week", Kind.MONEY),
            Column("change", "Change", Kind.PCT),
        ],
        rows,
    )


def sales_view(session: Session, caller: Principal, store_id: str | None, day_text: str | None) -> View:
    store = store_in_scope(session, caller, store_id)
    scope = store.id if store else None
    day = parse_day(day_text, today([store] if store else list(list_stores(session)), utcnow()))

    def report(first: date, last: date) -> dict[str, Any]:
        return reports.sales(session, caller, scope, first, last)

    now, before = report(day, day), report(day - WEEK, day - WEEK)
    week, week_before = report(day - timedelta(days=6), day), report(day - timedelta(days=13), day - WEEK)
    label, earlier = day.strftime("%a %d %b %Y"), (day - WEEK).strftime("%a %d %b")
    view = View(
        f"Sales · {store.name if store else 'the chain'}",
        "sales",
        "sales/sales.html",
        store=store,
        values={
            "day": day,
            "label": label,
            "kpis": _kpis(now, before),
            "zone": store.timezone if store else "",
        },
    )
    hours = _against("hours", "Net sales by hour", "hour", "Hour", hours_against(now, before))
    days = _against("days", "Net sales by day", "day", "Day", days_against(week, week_before, day))
    pair = [("net", label), ("before", earlier)]
    view.charts = [
        bars(
            f"Net sales by hour, {label}",
            f"Net sales of each hour, in the store's own time, beside {earlier}.",
            hours,
            "hour",
            "net",
            pair,
            y_title="Net sales",
        ),
        bars(
            "Net sales by day, the week to " + label,
            "Each day's net sales beside the same weekday a week earlier.",
            days,
            "day",
            "net",
            [("net", "this week"), ("before", "the week before")],
        ),
    ]
    view.add(hours, days)
    _mix_and_splits(view, now)
    if store is None:
        view.add(_stores(session, now, before, day))
    return view


@router.get("/sales")
async def chain_sales(request: Request, day: Day = None) -> Response:
    return await signed_in(request, lambda session, caller: sales_view(session, caller, None, day))


@router.get("/sales/{store_id}")
async def store_sales(request: Request, store_id: StoreId, day: Day = None) -> Response:
    return await signed_in(request, lambda session, caller: sales_view(session, caller, store_id, day))
