"""`POST /payments`, `GET /payments/{paymentId}` and the gateway's webhook."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from cloud_api.api.deps import ContextDep, CurrentCaller, SessionDep
from cloud_api.api.types import ID_PATTERN
from cloud_api.db.base import utcnow
from cloud_api.orders.idempotency import check_key, claim, complete, request_hash
from cloud_api.payments import service
from cloud_api.payments.schemas import PaymentCreate, PaymentPublic, WebhookAnswer

router = APIRouter(tags=["payments"])


@router.post(
    "/payments",
    status_code=201,
    response_model=PaymentPublic,
    summary="Pay by card what is still due on your order (its customer)",
)
def create_payment(
    data: PaymentCreate,
    session: SessionDep,
    ctx: ContextDep,
    caller: CurrentCaller,
    key: Annotated[str, Header(alias="Idempotency-Key", min_length=8, max_length=100)],
) -> JSONResponse:
    now = utcnow()
    owner, key = f"pay:{caller.id}", check_key(key)
    replay = claim(session, owner, key, request_hash("POST", "/payments", data.model_dump()), now)
    if replay is not None:
        return JSONResponse(replay.body, replay.status_code, headers={"Idempotent-Replayed": "true"})
    payment = service.pay_due(session, ctx, caller, data.order_id, data.token, f"{owner}:{key}", now)
    body = service.public(payment).model_dump(mode="json")
    complete(session, owner, key, 201, body)
    return JSONResponse(body, 201)


@router.get("/payments/{payment_id}", summary="One payment (its customer, its store, head office)")
def get_payment(
    payment_id: Annotated[str, Path(pattern=ID_PATTERN)],
    session: SessionDep,
    caller: CurrentCaller,
) -> PaymentPublic:
    return service.public(service.get_payment(session, caller, payment_id))


@router.post("/payments/webhook", summary="The payment gateway's events (signed by the gateway)")
async def webhook(
    request: Request,
    ctx: ContextDep,
    signature: Annotated[str, Header(alias="Stripe-Signature", max_length=2000)] = "",
) -> WebhookAnswer:
    payload = await request.body()

    def apply() -> WebhookAnswer:
        with ctx.db.transaction() as session:
            event = service.apply_webhook(session, ctx.gateway, payload, signature, utcnow())
        return WebhookAnswer(received=True, event_type=event.type)

    return await run_in_threadpool(apply)
