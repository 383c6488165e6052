"""The tracker and finding an order by phone and number."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from cloud_api.api.types import ID_PATTERN
from cloud_api.customers.phone import normalize_phone
from cloud_api.db.base import utcnow
from cloud_api.errors import BadRequest
from cloud_api.models import Order, Store
from cloud_api.orders.repository import lines_of, order_in_store
from cloud_api.orders.service import tracking_url
from cloud_api.storefront import views
from cloud_api.storefront.render import page
from cloud_api.storefront.web import (
    FIND_WINDOW,
    _cart,
    _common,
    _ctx,
    _db,
    _form,
    _go,
    _int,
)
from cloud_api.tracking.service import planned, watchable
from makeline.trade.hours import say_time
from makeline.trade.pricing import PricedItem

router = APIRouter(include_in_schema=False)


@router.get("/track/{order_id}")
async def tracker(
    request: Request,
    order_id: Annotated[str, Path(max_length=40)],
    code: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    ctx = _ctx(request)
    cart = _cart(request)

    def build(session: Session) -> Response:
        import re

        picture = (
            watchable(session, ctx, order_id, code, None) if re.fullmatch(ID_PATTERN, order_id) else None
        )
        if picture is None:
            values = _common(cart, None, "Find your order") | {
                "error": "We cannot find that order from this link. Enter your phone number and order "
                "number to find it.",
                "phone": "",
                "number": "",
            }
            return page("find.html", status_code=404, **values)
        store = session.get(Store, picture["store_id"]) if picture.get("store_id") else None
        order = order_in_store(session, store.id, order_id) if store is not None else None
        zone = store.timezone if store else "UTC"
        values = _common(cart, None, f"Order #{picture['number']}" if picture["number"] else "Your order")
        values |= {
            "picture": picture,
            "code": code,
            "zone": zone,
            "order": order,
            "plan": planned(order, store, utcnow()) if order is not None else None,
            "clock": lambda at: views.clock(at, zone),
            "when": lambda at: say_time(at, zone, utcnow()),
            "shop": store,
            "care": care_lines(session, order) if order is not None else [],
        }
        return page("track.html", **values)

    return await _db(request, build)


def care_lines(session: Session, order: Order) -> list[tuple[str, list[str]]]:
    """Each line of the order with allergy or special-care flags, and the flags, as the kitchen
    reads them (read with the priced item's own model)."""
    found = []
    for line in lines_of(session, order):
        flags = PricedItem.model_validate(line.item).care
        if flags:
            found.append((f"{line.quantity} × {line.name}", [flag.label for flag in flags]))
    return found


@router.get("/find")
async def find_form(request: Request) -> Response:
    values = _common(_cart(request), None, "Find your order") | {"phone": "", "number": ""}
    return page("find.html", **values)


@router.post("/find")
async def find(request: Request) -> Response:
    """A guest finds an order by the phone number on it and its order number (recent orders)."""
    form = await _form(request)
    cart = _cart(request)
    ctx = _ctx(request)
    raw_phone, raw_number = form.get("phone", "")[:40], form.get("number", "")[:12]

    def build(session: Session) -> Response:
        values = _common(cart, None, "Find your order") | {"phone": raw_phone, "number": raw_number}
        try:
            phone = normalize_phone(raw_phone, "phone")
        except BadRequest as exc:
            return page("find.html", status_code=422, **values | {"error": exc.detail, "field": "phone"})
        number = _int(raw_number.strip().lstrip("#"), 1, 1_000_000)
        if number is None:
            return page(
                "find.html",
                status_code=422,
                **values
                | {
                    "error": "Enter the order number from your receipt or text, e.g. 1042.",
                    "field": "number",
                },
            )
        order = session.scalars(
            select(Order)
            .where(Order.phone == phone, Order.number == number, Order.placed_at >= utcnow() - FIND_WINDOW)
            .order_by(Order.placed_at.desc())
            .limit(1)
        ).first()
        if order is None:
            return page(
                "find.html",
                status_code=404,
                **values
                | {
                    "error": f"No order #{number} for that phone number in the last two days. "
                    "Check both, or call the store."
                },
            )
        return _go(tracking_url(ctx, order.id).removeprefix(ctx.public_url))

    return await _db(request, build)
