"""The email address an order's messages go to: the one given at checkout, else the
customer's own account email (a guest account has none worth writing to)."""

from __future__ import annotations

from datetime import datetime

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from cloud_api.api.types import Email
from cloud_api.errors import BadRequest
from cloud_api.models import Account, OrderContact
from cloud_api.orders.state import OrderState

_EMAIL: TypeAdapter[str] = TypeAdapter(Email)
GUEST_DOMAIN = "guest.invalid"


def checked_email(value: str, field: str = "email") -> str:
    try:
        return _EMAIL.validate_python(value)
    except ValidationError as exc:
        raise BadRequest(f"'{value[:80]}' is not an email address we can write to; check it.", field) from exc


def remember_email(session: Session, store_id: str, order_id: str, email: str, at: datetime) -> None:
    session.execute(
        insert(OrderContact)
        .values(store_id=store_id, order_id=order_id, email=checked_email(email), created_at=at)
        .on_conflict_do_nothing()
    )


def email_of(session: Session, order: OrderState) -> str | None:
    contact = session.get(OrderContact, {"store_id": order.store_id, "order_id": order.id})
    if contact is not None:
        return contact.email
    account = session.get(Account, order.customer_id) if order.customer_id else None
    if account is None or account.email.lower().endswith("@" + GUEST_DOMAIN):
        return None
    return account.email
