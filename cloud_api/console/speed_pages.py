"""*Speed of service*: make, oven, rack, out-the-door and delivery times per store and daypart
against the store's targets, with the integrity figures beside them. The figures come from
the speed report service (`cloud_api.reports.speed`)."""

from __future__ import annotations

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
from cloud_api.reports import speed as reports
from cloud_api.reports.dayparts import DAYPARTS
from cloud_api.stores.service import list_stores

router = APIRouter()
StoreId = Annotated[str, Path(max_length=40)]
LABELS = {
    "make": "Make",
    "oven": "Oven",
    "rack": "Rack",
    "out_the_door": "Out the door",
    "delivery": "Delivery",
}


def over_target(row: dict[str, Any]) -> str:
    return ", ".join(LABELS[m].lower() for m in LABELS if row.get(f"{m}_over")) or "none"


def with_targets(rows: list[dict[str, Any]], first: str, last: str) -> list[dict[str, Any]]:
    """Each store's target row first, then its dayparts; the store name links to its page."""
    found: list[dict[str, Any]] = []
    for row in rows:
        href = f"/console/speed/{row['store_id']}?from={first}&to={last}"
        store = f"{row['store_code']} · {row['store_name']}"
        if not found or found[-1]["store_id"] != row["store_id"]:
            goal = {f"{m}_min": row[f"{m}_target_min"] for m in LABELS}
            found.append(
                {"store_id": row["store_id"], "store": store, "href": href, "daypart": "target"}
                | goal
                | {"over": "", "orders": None, "integrity_pct": None}
                | {"early_bumps": None, "implausible_deliveries": None, "repeated_recalls": None}
            )
        found.append(row | {"store": store, "href": href, "over": over_target(row)})
    return found


def speed_view(
    session: Session, caller: Principal, store_id: str | None, first: str | None, last: str | None
) -> View:
    store = store_in_scope(session, caller, store_id)
    start, end = span(first, last, today([store] if store else list(list_stores(session)), utcnow()))
    report = reports.speed(session, caller, store.id if store else None, start, end)
    rows = with_targets(report["rows"], start.isoformat(), end.isoformat())
    columns = [
        Column("store", "Store", link="href"),
        Column("daypart", "Daypart"),
        Column("orders", "Orders", Kind.COUNT),
        *[Column(f"{m}_min", label, Kind.MINUTES) for m, label in LABELS.items()],
        Column("over", "Over target"),
        Column("integrity_pct", "Integrity", Kind.PCT),
        Column("early_bumps", "Early bumps", Kind.COUNT),
        Column("implausible_deliveries", "Quick deliveries", Kind.COUNT),
        Column("repeated_recalls", "Recalled again and again", Kind.COUNT),
    ]
    limits = report["thresholds"]
    table = Table(
        "speed",
        "Average minutes per store and daypart, each store's targets first",
        columns,
        rows,
        notes=(
            "Make: reaching the kitchen to bumped off the make line; oven: bumped to out of the "
            "oven; rack: ready to out the door; out the door and delivery: from the moment the "
            "order was placed. Lunch runs to 15:00, dinner to 21:00, late until the day turns, "
            "in each store's own time.",
            "Integrity: the share of orders the store flagged for none of these, as it happened: "
            f"an early bump (bumped under {limits['early_bump_s']} s after reaching the make line), "
            "a quick delivery (marked delivered in under "
            f"{round(limits['quick_delivery_share'] * 100)} % of the store's drive estimate to the "
            f"address, or under {limits['quickest_drive_s']} s), a ticket recalled "
            f"{limits['repeated_recalls']} times or more.",
            "Targets are each store's own, set with its settings on the Stores page; a target a "
            "store has not set is the default (make 1 min, oven 6 min, rack 5 min, out the door "
            "15 min, delivery 35 min).",
        ),
    )
    shown = ("whole day",) if store is None else DAYPARTS
    plotted = [r | {"label": r["daypart"] if store else r["store"]} for r in rows if r["daypart"] in shown]
    goal = [r | {"label": "target"} for r in rows[:1]]
    chart_rows = Table(
        "speed_chart",
        "Out-the-door and delivery minutes",
        [
            Column("label", "Daypart" if store else "Store"),
            Column("out_the_door_min", "Out the door", Kind.MINUTES),
            Column("delivery_min", "Delivery", Kind.MINUTES),
        ],
        plotted + goal,
    )
    view = View(
        f"Speed of service · {store.name if store else 'the chain'}",
        "speed",
        "speed/speed.html",
        store=store,
        values={
            "first": start,
            "last": end,
            "base": f"/console/speed/{store.id}" if store else "/console/speed",
        },
    )
    view.add(table, chart_rows)
    view.charts = [
        bars(
            "Out-the-door and delivery minutes",
            "Average minutes from placed to out the door and to delivered, "
            + (
                "per daypart, beside the targets."
                if store
                else "per store for the whole day, and the targets."
            ),
            chart_rows,
            "label",
            "out_the_door_min",
            [("out_the_door_min", "Out the door"), ("delivery_min", "Delivery")],
            y_title="Minutes",
        )
    ]
    return view


@router.get("/speed")
async def chain_speed(request: Request, first: From = None, last: To = None) -> Response:
    return await signed_in(request, lambda s, caller: speed_view(s, caller, None, first, last))


@router.get("/speed/{store_id}")
async def store_speed(request: Request, store_id: StoreId, first: From = None, last: To = None) -> Response:
    return await signed_in(request, lambda s, caller: speed_view(s, caller, store_id, first, last))
