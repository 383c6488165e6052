"""*Food cost*: ideal against actual usage and the variance in money per store, a league table
of stores by variance as a share of sales (worst first), and a store's items behind it. The
figures come from the inventory report service (`cloud_api.reports.service.inventory`)."""

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
from cloud_api.reports import service as reports
from cloud_api.stores.service import list_stores

router = APIRouter()
StoreId = Annotated[str, Path(max_length=40)]
TOP_ITEMS = 15
NOTE = (
    "Actual usage = opening count + received − closing count − waste, between each item's counts "
    "in the period; ideal usage is what the recipes of the pizzas sold call for. Variance = actual "
    "− ideal, at the store's own cost. A store without two counts in the period shows no items."
)


def league(stores: list[dict[str, Any]], dates: str) -> list[dict[str, Any]]:
    """Stores by variance as a share of sales, worst first; stores without sales last."""
    rows = [
        {
            "store": f"{s['store_code']} · {s['store_name']}",
            "href": f"/console/food-cost/{s['store_id']}?{dates}",
            **s["totals"],
        }
        for s in stores
    ]
    rows.sort(
        key=lambda r: (
            r["variance_pct_of_sales"] is None,
            -Decimal(r["variance_pct_of_sales"] or 0),
            -r["variance_cents"],
            r["store"],
        )
    )
    return [r | {"rank": n} for n, r in enumerate(rows, start=1)]


MONEY_COLUMNS = [
    Column("net_sales_cents", "Net sales", Kind.MONEY),
    Column("ideal_cents", "Ideal usage", Kind.MONEY),
    Column("actual_cents", "Actual usage", Kind.MONEY),
    Column("waste_cents", "Waste", Kind.MONEY),
    Column("variance_cents", "Variance", Kind.MONEY),
    Column("ideal_food_cost_pct", "Ideal food cost", Kind.PCT),
    Column("actual_food_cost_pct", "Actual food cost", Kind.PCT),
    Column("variance_pct_of_sales", "Variance of sales", Kind.PCT),
]


def _items(store: dict[str, Any]) -> Table:
    return Table(
        "items",
        "Items, most money lost first",
        [
            Column("name", "Item"),
            Column("unit", "Unit"),
            Column("opening", "Opening", Kind.RATE),
            Column("received", "Received", Kind.RATE),
            Column("waste", "Waste", Kind.RATE),
            Column("closing", "Closing", Kind.RATE),
            Column("ideal", "Ideal", Kind.RATE),
            Column("actual", "Actual", Kind.RATE),
            Column("variance", "Variance", Kind.RATE),
            Column("variance_cents", "Variance", Kind.MONEY),
        ],
        store["items"],
        empty="No item has an opening and a closing count in this period.",
        notes=(NOTE,),
    )


def food_cost_view(
    session: Session, caller: Principal, store_id: str | None, first: str | None, last: str | None
) -> View:
    store = store_in_scope(session, caller, store_id)
    start, end = span(first, last, today([store] if store else list(list_stores(session)), utcnow()))
    report = (
        reports.inventory(session, caller, store.id, start, end)
        if store
        else reports.food_cost_league(session, caller, start, end)  # items only on drill-down
    )
    dates = f"from={start.isoformat()}&to={end.isoformat()}"
    rows = league(report["stores"], dates)
    table = Table(
        "league",
        "Stores by variance as a share of sales, worst first",
        [Column("rank", "Rank", Kind.COUNT), Column("store", "Store", link="href"), *MONEY_COLUMNS],
        rows,
        notes=("Food-cost variance within 0.5 % of sales is good; 4 to 5 points is a problem.",),
    )
    view = View(
        f"Food cost · {store.name if store else 'the chain'}",
        "food_cost",
        "food_cost/food_cost.html",
        store=store,
        values={
            "first": start,
            "last": end,
            "base": f"/console/food-cost/{store.id}" if store else "/console/food-cost",
        },
    )
    view.add(table)
    if store is not None and report["stores"]:
        items = _items(report["stores"][0])
        view.add(items)
        top = Table(
            "items_chart",
            f"Variance of the {TOP_ITEMS} costliest items",
            [Column("name", "Item"), Column("variance_cents", "Variance", Kind.MONEY)],
            items.rows[:TOP_ITEMS],
        )
        view.charts = [
            bars(
                "Variance by item",
                f"The money lost (or gained, below zero) on each of the {TOP_ITEMS} costliest items.",
                top,
                "name",
                "variance_cents",
            )
        ]
    else:
        view.charts = [
            bars(
                "Food-cost variance as a share of sales",
                "Each store's variance in percent of its net sales, worst first.",
                Table(
                    "league_chart",
                    "Variance of sales, per store",
                    [
                        Column("store", "Store"),
                        Column("variance_pct_of_sales", "Variance of sales", Kind.PCT),
                    ],
                    rows,
                ),
                "store",
                "variance_pct_of_sales",
            )
        ]
    return view


@router.get("/food-cost")
async def chain_food_cost(request: Request, first: From = None, last: To = None) -> Response:
    return await signed_in(request, lambda s, caller: food_cost_view(s, caller, None, first, last))


@router.get("/food-cost/{store_id}")
async def store_food_cost(
    request: Request, store_id: StoreId, first: From = None, last: To = None
) -> Response:
    return await signed_in(request, lambda s, caller: food_cost_view(s, caller, store_id, first, last))
