"""Where a customer starts: delivery to an address or carryout from a store, and the shipped files."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from cloud_api.db.base import utcnow
from cloud_api.errors import BadRequest
from cloud_api.models import Store
from cloud_api.orders.schemas import AddressIn
from cloud_api.storefront import cart as carts
from cloud_api.storefront.hours_view import Availability, availability
from cloud_api.storefront.render import page, static
from cloud_api.storefront.web import (
    _cart,
    _common,
    _ctx,
    _db,
    _form,
    _go,
    _keep,
    _store,
)
from cloud_api.stores import repository as store_rows
from cloud_api.stores import service as stores
from makeline.trade.geo import distance_km
from makeline.trade.lifecycle import Service

router = APIRouter(include_in_schema=False)


@router.get("/static/{name}")
def static_file(name: Annotated[str, Path(max_length=40)]) -> Response:
    return static(name)


# ---- start: delivery or carryout ----------------------------------------------------------


def _nearest(
    session: Session, lat: float, lon: float, now_ok: Callable[[Store], Availability]
) -> list[dict[str, Any]]:
    near = sorted(store_rows.all_stores(session), key=lambda s: distance_km(s.lat, s.lon, lat, lon))
    return [{"store": s, "km": distance_km(s.lat, s.lon, lat, lon), "open": now_ok(s)} for s in near[:5]]


@router.get("/")
async def start(request: Request) -> Response:
    cart = _cart(request)

    def build(session: Session) -> Response:
        return page("start.html", **_start_values(session, request, cart, "", ""))

    return await _db(request, build)


def _start_values(
    session: Session, request: Request, cart: carts.Cart, address: str, error: str, **more: Any
) -> dict[str, Any]:
    values = _common(cart, _store(session, cart), "Order pizza")
    values |= {"address": address, "error": error, "nearby": [], "outside": None, "service": "delivery"}
    return values | more


def _online(request: Request) -> Callable[[Store], Availability]:
    """Each store's hours in words, and whether it takes orders now or for later."""
    ctx, now = _ctx(request), utcnow()
    return lambda s: availability(s, now, stores.is_online(s, now, ctx.settings.store_online_seconds))


@router.post("/start")
async def choose(request: Request) -> Response:
    """Delivery: the store that delivers to the address. Carryout: the stores nearest to it."""
    form = await _form(request)
    cart = _cart(request)
    service = Service.CARRYOUT if form.get("service") == "carryout" else Service.DELIVERY
    address = form.get("address", "").strip()[:200]

    def build(session: Session) -> Response:
        online = _online(request)
        if not address and service is Service.CARRYOUT:
            everywhere = [{"store": s, "km": None, "open": online(s)} for s in store_rows.all_stores(session)]
            return page(
                "start.html",
                **_start_values(session, request, cart, "", "", nearby=everywhere, service="carryout"),
            )
        try:
            if len(address) < 3:
                raise BadRequest("Enter the street address, e.g. 1200 N Oak Park Ave.", "address")
            place = stores.locate_address(session, address)
        except BadRequest as exc:
            return page(
                "start.html",
                status_code=422,
                **_start_values(session, request, cart, address, exc.detail, field="address"),
            )
        nearby = _nearest(session, place.lat, place.lon, online)
        if service is Service.CARRYOUT:
            return page(
                "start.html",
                **_start_values(session, request, cart, address, "", nearby=nearby, service="carryout"),
            )
        delivering = stores.stores_delivering_to(session, place.lat, place.lon)
        if not delivering:
            return page(
                "start.html",
                status_code=200,
                **_start_values(
                    session,
                    request,
                    cart,
                    address,
                    "",
                    nearby=nearby,
                    outside=place.line1,
                    service="carryout",
                ),
            )
        store = delivering[0][0]
        if not online(store).can_order:
            return page(
                "start.html",
                status_code=200,
                **_start_values(session, request, cart, address, "", nearby=nearby, service="carryout"),
            )
        chosen = cart.model_copy(
            update={
                "store_id": store.id,
                "service": Service.DELIVERY,
                "address": AddressIn(line1=place.line1, city=place.city, lat=place.lat, lon=place.lon),
                "checkout_key": None,
            }
        )
        return _keep(_go("/menu"), request, chosen)

    return await _db(request, build)


@router.post("/store")
async def carry_out_from(request: Request) -> Response:
    form = await _form(request)
    cart = _cart(request)
    store_id = form.get("store_id", "")

    def build(session: Session) -> Response:
        store = session.get(Store, store_id) if store_id and len(store_id) <= 36 else None
        if store is None:
            return page(
                "start.html",
                status_code=422,
                **_start_values(
                    session,
                    request,
                    cart,
                    "",
                    "That store is not one of ours; choose it again from the list.",
                ),
            )
        chosen = cart.model_copy(
            update={
                "store_id": store.id,
                "service": Service.CARRYOUT,
                "address": None,
                "tip": 0,
                "checkout_key": None,
            }
        )
        return _keep(_go("/menu"), request, chosen)

    return await _db(request, build)


# ---- menu and the pizza builder -----------------------------------------------------------
