"""`/orders`: place (customers, with `Idempotency-Key`), read, list, and change status."""

from __future__ import annotations

from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Header, Path, Query
from fastapi.responses import Response

from cloud_api.api.deps import ContextDep, CurrentCaller, SessionDep
from cloud_api.api.types import ID_PATTERN
from cloud_api.db.base import utcnow
from cloud_api.orders import intake, service
from cloud_api.orders.door import answer_of
from cloud_api.orders.progress import tracked_status
from cloud_api.orders.schemas import (
    OrderCreate,
    OrderPublic,
    OrderStatus,
    OrderSummary,
    QuotePublic,
    StatusUpdate,
)
from makeline.trade.lifecycle import Service, Stage

router = APIRouter(tags=["orders"])
OrderId = Annotated[str, Path(pattern=ID_PATTERN)]
IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=100,
        description="any unique string per order, e.g. a UUID; "
        "a retry with the same key and body gets the first answer",
    ),
]


@router.post(
    "/orders",
    status_code=201,
    response_model=OrderPublic,
    summary="Place an online order and pay for it (customers)",
)
async def place_order(
    data: OrderCreate, ctx: ContextDep, caller: CurrentCaller, key: IdempotencyKey
) -> Response:
    # Answered before the router by `door.Intake` in a running app; the same answers here.
    taken = await anyio.to_thread.run_sync(intake.place_now, ctx, caller, data, key, utcnow())
    return answer_of(taken)


@router.get("/orders/quote", summary="The promise an online order would get now (anyone)")
def get_quote(
    store_id: Annotated[str, Query(pattern=ID_PATTERN)],
    session: SessionDep,
    service_kind: Annotated[Service, Query(alias="service")] = Service.DELIVERY,
    pizzas: Annotated[int, Query(ge=0, le=200)] = 2,
    lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180)] = None,
) -> QuotePublic:
    return service.quote_public(session, store_id, service_kind, pizzas, lat, lon, utcnow())


@router.get("/orders", summary="Recent orders: a customer's own; a store's (head office names it)")
def list_orders(
    session: SessionDep,
    caller: CurrentCaller,
    store_id: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[OrderSummary]:
    return service.list_orders(session, caller, store_id, limit)


@router.get("/orders/{order_id}", summary="One order (its customer, its store, head office)")
def get_order(order_id: OrderId, session: SessionDep, ctx: ContextDep, caller: CurrentCaller) -> OrderPublic:
    return service.get_order(session, ctx, caller, order_id)


@router.put(
    "/orders/{order_id}/status",
    summary="Move an order along (its store) or ask to cancel it (its customer, head office)",
)
def put_status(
    order_id: OrderId, data: StatusUpdate, session: SessionDep, caller: CurrentCaller
) -> OrderStatus:
    at = data.at or utcnow()
    order = service.change_status(session, caller, order_id, data.status, data.reason, at)
    return OrderStatus(
        id=order.id,
        stage=Stage(order.stage),
        status=tracked_status(order),
        cancel_state=order.cancel_state,
        updated_at=order.updated_at,
    )
