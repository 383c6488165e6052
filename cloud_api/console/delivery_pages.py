"""*Delivery*: on-time %, average out-the-door and delivery minutes, and runs per driver-hour
(on honest hours: `cloud_api.reports.driver_hours`), per store and per driver, from the
delivery report service the API answers with."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from cloud_api.auth.principal import Principal
from cloud_api.console.charts import bars
from cloud_api.console.periods import From, To, span, today
from cloud_api.console.shell import View, signed_in, store_in_scope
from cloud_api.console.tables import Column, Kind, Table
from cloud_api.db.base import utcnow
from cloud_api.reports import driver_hours, repository
from cloud_api.reports import service as reports
from cloud_api.reports.period import Period
from cloud_api.stores.service import list_stores

router = APIRouter()
StoreId = Annotated[str, Path(max_length=40)]
NOTE = (
    "Runs per driver-hour stand on the drivers' hours on the clock, never fewer than the hours "
    f"they were out on those runs; under {driver_hours.MIN_HOURS} hour there is no rate (a dash). "
    "On time: delivered by the promise time. Minutes are from the moment the order was placed. "
    "Driver-hours needed are the hours out on runs (dispatched to back in the store); worked, "
    "the hours on the clock: the gap is the drivers' time in the store."
)


def honest(row: dict[str, Any], out_seconds: Decimal) -> dict[str, Any]:
    """The report's row with its runs per driver-hour on honest hours."""
    clock_hours = Decimal(str(row["driver_hours"]))
    rate = driver_hours.rate(row["runs"], clock_hours * 3600, out_seconds)
    return row | {
        "driver_hours": rate.hours,
        "runs_per_driver_hour": rate.runs_per_hour,
        "hours_on_runs": float((out_seconds / 3600).quantize(Decimal("0.01"))),
        "hours_on_clock": float(clock_hours.quantize(Decimal("0.01"))),
    }


def _columns(first: Column) -> list[Column]:
    return [
        first,
        Column("orders", "Delivery orders", Kind.COUNT),
        Column("delivered", "Delivered", Kind.COUNT),
        Column("on_time_pct", "On time", Kind.PCT),
        Column("avg_out_the_door_min", "Out the door", Kind.MINUTES),
        Column("avg_delivery_min", "Delivery", Kind.MINUTES),
        Column("runs", "Runs", Kind.COUNT),
        Column("driver_hours", "Driver hours", Kind.RATE),
        Column("runs_per_driver_hour", "Runs per driver-hour", Kind.RATE),
        Column("hours_on_runs", "Driver-hours needed (out on runs)", Kind.RATE),
        Column("hours_on_clock", "Driver-hours worked (on the clock)", Kind.RATE),
    ]


def delivery_view(
    session: Session, caller: Principal, store_id: str | None, first: str | None, last: str | None
) -> View:
    store = store_in_scope(session, caller, store_id)
    start, end = span(first, last, today([store] if store else list(list_stores(session)), utcnow()))
    report = reports.delivery(session, caller, store.id if store else None, start, end)
    ids = [store.id] if store else None
    period = Period(start, end)
    by_store_out = repository.run_seconds(session, ids, period, "store")
    by_driver_out = repository.run_seconds(session, ids, period, "driver")
    names = {s.id: s.name for s in ([store] if store else list_stores(session))}
    dates = f"from={start.isoformat()}&to={end.isoformat()}"
    stores = [
        honest(row, by_store_out.get(row["store_id"], Decimal(0)))
        | {
            "store": f"{row['store_code']} · {names.get(row['store_id'], '')}",
            "href": f"/console/delivery/{row['store_id']}?{dates}",
        }
        for row in report["by_store"]
    ]
    drivers = [honest(row, by_driver_out.get(row["driver"], Decimal(0))) for row in report["by_driver"]]
    store_table = Table(
        "stores", "Per store", _columns(Column("store", "Store", link="href")), stores, notes=(NOTE,)
    )
    driver_table = Table("drivers", "Per driver", _columns(Column("driver", "Driver")), drivers)
    view = View(
        f"Delivery · {store.name if store else 'the chain'}",
        "delivery",
        "delivery/delivery.html",
        store=store,
        values={
            "first": start,
            "last": end,
            "base": f"/console/delivery/{store.id}" if store else "/console/delivery",
        },
    )
    view.add(store_table, driver_table)
    source, key = (driver_table, "driver") if store else (store_table, "store")
    plotted = Table(
        "on_time",
        "On time, per " + key,
        [source.columns[0], Column("on_time_pct", "On time", Kind.PCT)],
        source.rows,
    )
    view.charts = [
        bars(
            "On-time deliveries",
            "The share of delivered orders that arrived by their promise time, per "
            + ("driver." if store else "store."),
            plotted,
            key,
            "on_time_pct",
        )
    ]
    return view


@router.get("/delivery")
async def chain_delivery(request: Request, first: From = None, last: To = None) -> Response:
    return await signed_in(request, lambda s, caller: delivery_view(s, caller, None, first, last))


@router.get("/delivery/{store_id}")
async def store_delivery(
    request: Request, store_id: StoreId, first: From = None, last: To = None
) -> Response:
    return await signed_in(request, lambda s, caller: delivery_view(s, caller, store_id, first, last))
