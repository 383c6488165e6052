"""`GET /reports/sales|inventory|delivery` (head office; a store manager for their store) and
`GET /reports/food-cost` (head office: the league table of stores by variance % of sales).
JSON by default, CSV with `Accept: text/csv`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from cloud_api.api.deps import CurrentCaller, SessionDep
from cloud_api.api.types import ID_PATTERN
from cloud_api.reports import csv_export, service

router = APIRouter(tags=["reports"])
StoreFilter = Annotated[str | None, Query(pattern=ID_PATTERN, description="one store; none: the chain")]
From = Annotated[date | None, Query(alias="from", description="first business day, inclusive")]
To = Annotated[date | None, Query(alias="to", description="last business day, inclusive")]
CSV_DOC: dict[int | str, dict[str, Any]] = {"200": {"content": {"application/json": {}, "text/csv": {}}}}


def _answer(
    request: Request, body: dict[str, Any], as_csv: Callable[[dict[str, Any]], str], name: str
) -> Response:
    if "text/csv" in request.headers.get("accept", ""):
        return Response(
            as_csv(body),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    return JSONResponse(body)


@router.get(
    "/reports/sales",
    responses=CSV_DOC,
    summary="Sales: totals, by day and hour, channel, service, store, product mix, discounts",
)
def sales(
    request: Request,
    session: SessionDep,
    caller: CurrentCaller,
    store_id: StoreFilter = None,
    first: From = None,
    last: To = None,
) -> Response:
    return _answer(request, service.sales(session, caller, store_id, first, last), csv_export.sales, "sales")


@router.get(
    "/reports/inventory",
    responses=CSV_DOC,
    summary="Food-cost variance per item: ideal vs actual usage, in units and money",
)
def inventory(
    request: Request,
    session: SessionDep,
    caller: CurrentCaller,
    store_id: StoreFilter = None,
    first: From = None,
    last: To = None,
) -> Response:
    return _answer(
        request, service.inventory(session, caller, store_id, first, last), csv_export.inventory, "inventory"
    )


@router.get(
    "/reports/delivery",
    responses=CSV_DOC,
    summary="Out-the-door and delivery times, on-time %, runs per driver-hour, per store and driver",
)
def delivery(
    request: Request,
    session: SessionDep,
    caller: CurrentCaller,
    store_id: StoreFilter = None,
    first: From = None,
    last: To = None,
) -> Response:
    return _answer(
        request, service.delivery(session, caller, store_id, first, last), csv_export.delivery, "delivery"
    )


@router.get(
    "/reports/food-cost",
    responses=CSV_DOC,
    summary="Food-cost league table: stores by variance % of net sales, worst first (items: /reports/inventory)",
)
def food_cost(
    request: Request,
    session: SessionDep,
    caller: CurrentCaller,
    first: From = None,
    last: To = None,
) -> Response:
    return _answer(
        request, service.food_cost_league(session, caller, first, last), csv_export.food_cost, "food-cost"
    )
