"""A signed-in customer on the storefront: the sign-in kept in two httpOnly cookies (the
API's own access token, refreshed with its refresh token when it expires, so signing out
or a password change elsewhere ends it as it ends an app's), order history, the addresses
of past deliveries, and the favourite order to reorder in one tap."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from cloud_api.auth import service as auth
from cloud_api.auth.principal import Principal, Role
from cloud_api.auth.schemas import TokenPair
from cloud_api.errors import CloudError, NotFound
from cloud_api.models import Account, FavouriteOrder, Order
from cloud_api.orders.repository import lines_of, order_by_id, order_in_store
from cloud_api.orders.schemas import AddressIn, ItemIn
from cloud_api.storefront.cart import MAX_LINES, Cart
from makeline.trade.lifecycle import Service

if TYPE_CHECKING:
    from cloud_api.context import CloudContext

ACCESS, REFRESH = "signin", "signin_refresh"
ITEM_FIELDS = set(ItemIn.model_fields)


def who(
    session: Session, ctx: CloudContext, request: Request, now: datetime
) -> tuple[Principal | None, TokenPair | None]:
    """The signed-in customer (and a fresh token pair when the old access token had expired)."""
    access, refresh = request.cookies.get(ACCESS), request.cookies.get(REFRESH)
    if access:
        try:
            caller = auth.authenticate(session, ctx, access)
            return (caller, None) if caller.role is Role.CUSTOMER else (None, None)
        except CloudError:
            pass
    if not refresh or len(refresh) > 200:
        return None, None
    try:
        pair = auth.refresh(session, ctx, refresh, now)
        caller = auth.authenticate(session, ctx, pair.access_token)
    except CloudError:
        return None, None
    return (caller, pair) if caller.role is Role.CUSTOMER else (None, None)


def keep(response: Response, ctx: CloudContext, pair: TokenPair | None) -> Response:
    if pair is None:
        return response
    secure = ctx.public_url.startswith("https://")
    response.set_cookie(ACCESS, pair.access_token, httponly=True, samesite="lax", secure=secure)
    days = ctx.settings.refresh_token_days
    response.set_cookie(
        REFRESH, pair.refresh_token, max_age=days * 86400, httponly=True, samesite="lax", secure=secure
    )
    return response


def drop(response: Response) -> Response:
    response.delete_cookie(ACCESS)
    response.delete_cookie(REFRESH)
    return response


def account_of(session: Session, caller: Principal) -> Account:
    account = session.get(Account, caller.id)
    if account is None:
        raise NotFound("Your account no longer exists; register again.")
    return account


def history(session: Session, account_id: str, limit: int = 10) -> list[Order]:
    return list(
        session.scalars(
            select(Order).where(Order.customer_id == account_id).order_by(Order.placed_at.desc()).limit(limit)
        )
    )


def saved_addresses(orders: list[Order]) -> list[AddressIn]:
    """Where this customer's recent deliveries went, newest first, each once."""
    found: dict[str, AddressIn] = {}
    for order in orders:
        if order.service == Service.DELIVERY.value and order.address and order.lat is not None:
            found.setdefault(order.address, AddressIn(line1=order.address, lat=order.lat, lon=order.lon))
    return list(found.values())[:3]


def favourite(session: Session, account_id: str) -> Order | None:
    chosen = session.get(FavouriteOrder, account_id)
    return order_in_store(session, chosen.store_id, chosen.order_id) if chosen else None


def own_order(session: Session, caller: Principal, order_id: str) -> Order:
    order = order_by_id(session, order_id, customer_id=caller.id) if 8 <= len(order_id) <= 36 else None
    if order is None:
        raise NotFound("You have no order with that id.", "order_id")
    return order


def choose_favourite(session: Session, caller: Principal, order_id: str, at: datetime) -> None:
    order = own_order(session, caller, order_id)
    session.execute(
        insert(FavouriteOrder)
        .values(account_id=caller.id, store_id=order.store_id, order_id=order.id, chosen_at=at)
        .on_conflict_do_update(
            index_elements=["account_id"],
            set_={"store_id": order.store_id, "order_id": order.id, "chosen_at": at},
        )
    )


def reorder(session: Session, caller: Principal, order_id: str, cart: Cart) -> Cart:
    """The cart holding that order again: the same store, service, address and lines."""
    order = own_order(session, caller, order_id)
    lines = lines_of(session, order)
    items = [ItemIn.model_validate({k: v for k, v in li.item.items() if k in ITEM_FIELDS}) for li in lines]
    service = Service(order.service)
    address = None
    if service is Service.DELIVERY and order.lat is not None:
        address = AddressIn(line1=order.address, lat=order.lat, lon=order.lon)
    return cart.model_copy(
        update={
            "store_id": order.store_id,
            "service": service,
            "address": address,
            "lines": items[:MAX_LINES],
            "coupon": None,
            "checkout_key": None,
        }
    )
