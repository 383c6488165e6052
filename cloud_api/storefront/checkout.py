"""Placing the cart as an order, through the order service the API uses.

A guest is a customer account of their own, made for one checkout and named after its
idempotency key (`guest.<key>@guest.invalid`, no password, so nobody can sign in as it):
the same checkout pressed twice, or its page reloaded and sent again, is the same caller
with the same key, and the order service answers the first order again.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from cloud_api.auth.principal import Principal, Role
from cloud_api.customers.contact import GUEST_DOMAIN, checked_email, remember_email
from cloud_api.customers.phone import normalize_phone
from cloud_api.db.base import new_id
from cloud_api.errors import BadRequest
from cloud_api.models import Account
from cloud_api.orders import service as orders
from cloud_api.orders.schemas import OrderCreate
from cloud_api.payments.schemas import PaymentIn
from cloud_api.storefront.cart import Cart

if TYPE_CHECKING:
    from cloud_api.context import CloudContext

TEST_CARDS = {
    "tok_visa": "Visa ending 4242",
    "tok_mastercard": "Mastercard ending 4444",
    "tok_chargeDeclined": "Card that will be declined",
    "tok_chargeDeclinedInsufficientFunds": "Card with insufficient funds",
}


def guest(session: Session, key: str, name: str, phone: str, at: datetime) -> Principal:
    """The guest account of this checkout (made on its first press, found on the next)."""
    email = f"guest.{key.lower()}@{GUEST_DOMAIN}"
    session.execute(
        insert(Account)
        .values(
            id=new_id(),
            email=email,
            password_hash="",  # no password matches an empty hash: a guest cannot sign in
            name=name,
            phone=phone,
            role=Role.CUSTOMER.value,
            store_id=None,
            promotions=False,
            created_at=at,
            updated_at=at,
        )
        .on_conflict_do_nothing()
    )
    found = session.scalars(select(Account.id).where(Account.email == email)).one()
    return Principal(id=found, role=Role.CUSTOMER)


def _required(form: dict[str, str], name: str, what: str) -> str:
    value = form.get(name, "").strip()
    if not value:
        raise BadRequest(f"Enter your {what}.", name)
    return value


def order_time(value: str) -> datetime | None:
    """The checkout's "when": as soon as possible, or one of the time slots offered (ISO)."""
    if value in ("", "asap"):
        return None
    try:
        when = datetime.fromisoformat(value[:40])
    except ValueError as exc:
        raise BadRequest("Choose when you want your order from the list.", "when") from exc
    if when.tzinfo is None:
        raise BadRequest("Choose when you want your order from the list.", "when")
    return when


def place(
    session: Session,
    ctx: CloudContext,
    cart: Cart,
    form: dict[str, str],
    at: datetime,
    signed_in: Principal | None = None,
) -> dict[str, Any]:
    """Place the cart, as the signed-in customer or as a guest; answers the order as the API
    does. Refusals name the field to fix."""
    if not cart.lines or cart.store_id is None:
        raise BadRequest("Your cart is empty; add something from the menu first.", "cart")
    key = form.get("checkout_key", "")
    if not key or key != cart.checkout_key:
        raise BadRequest("This checkout page is out of date; reload it and place the order again.", "cart")
    name = _required(form, "name", "name")[:80]
    phone = normalize_phone(_required(form, "phone", "phone number"), "phone")
    email = checked_email(_required(form, "email", "email address"))
    method = form.get("payment", "card")
    payment = (
        PaymentIn(method="cash")
        if method == "cash"
        else PaymentIn(method="card", token=form.get("card_token") or None)
    )
    try:
        data = OrderCreate(
            scheduled_for=order_time(form.get("when", "asap")),
            store_id=cart.store_id,
            service=cart.service,
            items=cart.lines,
            address=cart.address,
            coupon=cart.coupon,
            best_deal=cart.best_deal and not cart.coupon,
            tip=cart.tip,
            customer_name=name,
            phone=phone,
            payment=payment,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(x) for x in first["loc"])
        raise BadRequest(f"Check your {field.replace('_', ' ')}: {first['msg']}.", field) from exc
    caller = signed_in or guest(session, key, name, phone, at)
    _, body, _ = orders.place_order(session, ctx, caller, data, key, at)
    remember_email(session, data.store_id, str(body["id"]), email, at)
    return body
