"""Taking payment for orders, refunds, and what the gateway's webhooks tell us.

A gateway call whose answer is lost is retried at once with the same
idempotency key; if it stays unknown the request fails with 503 and nothing is
written, and the client's retry (same `Idempotency-Key`) reaches the gateway
with the same key again, so the customer is charged once whatever happens.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import anyio
from sqlalchemy.orm import Session

from cloud_api.auth.principal import Principal, Role
from cloud_api.db.base import new_id
from cloud_api.db.database import Database, announcement
from cloud_api.errors import BadRequest, Conflict, GatewayUnavailable, PaymentRefused, Refused, not_yours
from cloud_api.feed import service as feed
from cloud_api.models import Payment
from cloud_api.orders.access import may_see, visible_order
from cloud_api.orders.records import NewOrder, NewPayment, OrderView, PaymentView, columns
from cloud_api.orders.repository import order_in_store
from cloud_api.orders.state import OrderState
from cloud_api.payments import repository
from cloud_api.payments.gateway import (
    BadSignature,
    ChargeResult,
    GatewayError,
    GatewayTimeout,
    PaymentGateway,
    WebhookEvent,
)
from cloud_api.payments.schemas import PaymentIn, PaymentPublic
from sync.contract.entries import OrderPaid

if TYPE_CHECKING:
    from cloud_api.context import CloudContext

REFUND_BACKOFF_CAP = timedelta(minutes=30)


def public(payment: PaymentView) -> PaymentPublic:
    return PaymentPublic(
        id=payment.id,
        order_id=payment.order_id,
        method=payment.method,
        status=payment.status,
        amount=payment.amount,
        refunded=payment.refunded,
        currency=payment.currency,
        decline_code=payment.decline_code,
        created_at=payment.created_at,
    )


def charge_card(
    gateway: PaymentGateway,
    amount: int,
    token: str,
    key: str,
    description: str,
    metadata: dict[str, str],
    attempts: int,
) -> ChargeResult:
    """Charge, retrying a lost answer with the same key; `GatewayUnavailable` if it stays unknown."""
    for attempt in range(attempts):
        try:
            return gateway.charge(amount, "usd", token, key, description, metadata)
        except GatewayTimeout:
            _give_up_after(attempt, attempts)
            time.sleep(_pause_s(attempt))
        except GatewayError as exc:
            raise _refused_token(exc) from exc
    raise AssertionError("unreachable")


async def charge_card_async(
    gateway: PaymentGateway,
    amount: int,
    token: str,
    key: str,
    description: str,
    metadata: dict[str, str],
    attempts: int,
) -> ChargeResult:
    """`charge_card` from the event loop."""
    for attempt in range(attempts):
        try:
            return await gateway.charge_async(amount, "usd", token, key, description, metadata)
        except GatewayTimeout:
            _give_up_after(attempt, attempts)
            await anyio.sleep(_pause_s(attempt))
        except GatewayError as exc:
            raise _refused_token(exc) from exc
    raise AssertionError("unreachable")


def _give_up_after(attempt: int, attempts: int) -> None:
    if attempt + 1 == attempts:
        raise GatewayUnavailable(
            "The payment service did not answer, so we cannot tell whether your card was "
            "charged. Send the same request again with the same Idempotency-Key: you will "
            "not be charged twice."
        ) from None


def _pause_s(attempt: int) -> float:
    return 0.05 * 2.0**attempt


def _refused_token(exc: GatewayError) -> BadRequest:
    return BadRequest(f"The payment service refused the card token: {exc}", "payment.token")


def _charge_of(ctx: CloudContext, order: OrderView) -> tuple[int, str, dict[str, str], int]:
    """The charge's amount, description, metadata and attempts for the order."""
    described = f"makeline order {order.id}"
    return (
        order.total,
        described,
        {"order_id": order.id, "store_id": order.store_id},
        ctx.settings.gateway_attempts,
    )


def _card_payment(
    ctx: CloudContext, order: OrderView, result: ChargeResult, key: str, now: datetime
) -> NewPayment:
    """The charge's outcome as a payment not yet written; a decline refused (402)."""
    if result.status == "declined":
        raise PaymentRefused(result.message or "Your card was declined.", result.decline_code or "declined")
    return _payment(order, "card", "succeeded", key, now, ctx.gateway.name, result.reference)


def _charged(ctx: CloudContext, order: OrderView, token: str, key: str, now: datetime) -> NewPayment:
    """The card charged through the gateway, as a payment not yet written."""
    amount, described, metadata, attempts = _charge_of(ctx, order)
    result = charge_card(ctx.gateway, amount, token, key, described, metadata, attempts)
    return _card_payment(ctx, order, result, key, now)


def _payment(
    order: OrderView,
    method: str,
    status: str,
    key: str,
    now: datetime,
    gateway: str = "",
    reference: str | None = None,
) -> NewPayment:
    """A payment with every column set, as a plain record (written without the ORM)."""
    return NewPayment(
        id=new_id(),
        store_id=order.store_id,
        order_id=order.id,
        method=method,
        status=status,
        amount=order.total,
        refunded=0,
        currency="usd",
        gateway=gateway,
        gateway_ref=reference,
        idempotency_key=key,
        decline_code=None,
        message="",
        refund_attempts=0,
        next_refund_at=None,
        created_at=now,
        updated_at=now,
    )


def pay_new_order(
    ctx: CloudContext, order: NewOrder, method: PaymentIn, key: str, now: datetime
) -> NewPayment:
    """Payment for an order being placed: cash due at the door, or the card charged through
    the gateway. The payment is not written here: the caller writes it with the order."""
    due = _due_at_door(order, method, key, now)
    if due is not None:
        return due
    assert method.token is not None  # `_due_at_door` refused a card without one
    return _charged(ctx, order, method.token, key, now)


async def pay_new_order_async(
    ctx: CloudContext, order: NewOrder, method: PaymentIn, key: str, now: datetime
) -> NewPayment:
    """`pay_new_order` from the event loop (a card through the gateway's async call)."""
    due = _due_at_door(order, method, key, now)
    if due is not None:
        return due
    assert method.token is not None  # `_due_at_door` refused a card without one
    amount, described, metadata, attempts = _charge_of(ctx, order)
    result = await charge_card_async(ctx.gateway, amount, method.token, key, described, metadata, attempts)
    return _card_payment(ctx, order, result, key, now)


def _due_at_door(order: NewOrder, method: PaymentIn, key: str, now: datetime) -> NewPayment | None:
    """Cash due at the door (a delivery's only), or None for a card (with its token); the
    order's payment state set either way."""
    if method.method == "cash":
        if order.service != "delivery":
            raise BadRequest(
                "Cash is paid to the driver, so only delivery orders can be paid cash; "
                "pay carryout orders by card.",
                "payment.method",
            )
        order.payment = "due"
        return _payment(order, "cash", "due", key, now)
    if not method.token:
        raise BadRequest(
            "A card payment needs the gateway's token for the card (e.g. tok_visa).", "payment.token"
        )
    order.payment = "paid"
    return None


def pay_due(
    session: Session, ctx: CloudContext, caller: Principal, order_id: str, token: str, key: str, now: datetime
) -> Payment:
    """`POST /payments`: pay by card what is still due at the door."""
    caller.require(Role.CUSTOMER)
    order = visible_order(session, caller, order_id, lock=True)
    if order.payment != "due":
        raise Conflict(
            f"This order is already {order.payment.replace('_', ' ')}; nothing is due.", "order_id"
        )
    if order.stage in ("delivered", "picked_up", "voided"):
        raise Conflict(
            f"This order is {order.stage.replace('_', ' ')}; it can no longer be paid online.", "order_id"
        )
    payment = Payment(**columns(_charged(ctx, order, token, key, now)))
    session.add(payment)
    for earlier in repository.of_order(session, order):
        if earlier.method == "cash" and earlier.status == "due":
            earlier.status, earlier.updated_at = "replaced", now
    order.payment, order.updated_at = "paid", now
    paid = OrderPaid(cloud_order_id=order.id, payment_id=payment.id, amount=payment.amount, method="card")
    feed.append(session, order.store_id, paid, now)
    return payment


def get_payment(session: Session, caller: Principal, payment_id: str) -> Payment:
    payment = repository.by_id(session, payment_id)
    order = order_in_store(session, payment.store_id, payment.order_id) if payment is not None else None
    if payment is None or order is None or not may_see(caller, order):
        raise not_yours("payment")
    return payment


def request_refunds(session: Session, order: OrderState, now: datetime) -> int:
    """Queue the refund of every card payment of a cancelled order; the refund sender does it."""
    queued = 0
    for payment in repository.of_order(session, order):
        if payment.method == "card" and payment.status == "succeeded":
            payment.status, payment.next_refund_at, payment.updated_at = "refund_pending", now, now
            queued += 1
        elif payment.status == "due":
            payment.status, payment.updated_at = "cancelled", now
    if queued:
        order.payment = "refund_pending"
        announcement(session).jobs = True
    return queued


def send_due_refunds(db: Database, gateway: PaymentGateway, now: datetime, limit: int = 20) -> int:
    """Refund what is pending through the gateway; a lost answer is retried later, same key."""
    done = 0
    with db.transaction() as session:
        for payment in repository.refunds_due(session, now, limit):
            if payment.gateway_ref is None:
                payment.status = "refunded"
                continue
            try:
                gateway.refund(payment.gateway_ref, payment.amount, f"refund:{payment.id}")
            except GatewayError as exc:
                payment.refund_attempts += 1
                payment.message = f"refund not confirmed yet: {exc}"
                delay = min(timedelta(seconds=5 * 2**payment.refund_attempts), REFUND_BACKOFF_CAP)
                payment.next_refund_at = now + delay
                continue
            payment.status, payment.refunded, payment.updated_at = "refunded", payment.amount, now
            order = order_in_store(session, payment.store_id, payment.order_id)
            if order is not None:
                order.payment, order.updated_at = "refunded", now
            done += 1
    return done


def apply_webhook(
    session: Session, gateway: PaymentGateway, payload: bytes, signature: str, now: datetime
) -> WebhookEvent:
    try:
        event = gateway.parse_webhook(payload, signature)
    except BadSignature as exc:
        raise Refused("The webhook's signature does not match; it was ignored.", "Stripe-Signature") from exc
    except GatewayError as exc:
        raise BadRequest(str(exc), "body") from exc
    payment = repository.by_reference(session, event.reference)
    if payment is None:
        return event
    if event.type == "payment_intent.payment_failed" and payment.status == "succeeded":
        payment.status, payment.decline_code = "declined", event.decline_code
    elif event.type == "charge.refunded" and payment.status in ("succeeded", "refund_pending"):
        payment.status, payment.refunded = "refunded", payment.amount
    payment.updated_at = now
    return event
