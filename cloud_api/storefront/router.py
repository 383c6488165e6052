"""The storefront's pages and forms at `/` (see `cloud_api.storefront`).

Every form posts, and answers with a redirect (so a reload never sends it again) or the
same page with what to fix. The cart lives in a signed cookie (`cart`); pages read the
store, its menu and its orders through the cloud's own services.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from cloud_api.api.types import ID_PATTERN
from cloud_api.auth.schemas import TokenPair
from cloud_api.context import CloudContext
from cloud_api.customers.phone import normalize_phone
from cloud_api.db.base import utcnow
from cloud_api.errors import BadRequest, CloudError
from cloud_api.menus.service import store_menu
from cloud_api.models import Order, Store
from cloud_api.orders.schemas import AddressIn
from cloud_api.orders.service import tracking_url
from cloud_api.storefront import accounts, checkout, forms, views
from cloud_api.storefront import cart as carts
from cloud_api.storefront.account_pages import router as account_router
from cloud_api.storefront.render import page, static
from cloud_api.stores import repository as store_rows
from cloud_api.stores import service as stores
from cloud_api.tracking.service import watchable
from makeline.trade.errors import TradeError
from makeline.trade.geo import distance_km
from makeline.trade.lifecycle import Service
from makeline.trade.pricing import price_order

router = APIRouter(include_in_schema=False)
router.include_router(account_router)
T = TypeVar("T")
TIPS = [0, 200, 300, 500]
FIND_WINDOW = timedelta(days=2)


def _ctx(request: Request) -> CloudContext:
    found: CloudContext = request.app.state.ctx
    return found


def _key(ctx: CloudContext) -> bytes:
    # A key of its own, derived from the cloud's signing secret: carts cannot be forged.
    return ctx.tokens.tracking_code("storefront-cart").encode()


def _cart(request: Request) -> carts.Cart:
    return carts.decode(request.cookies.get(carts.COOKIE), _key(_ctx(request)))


def _keep(response: Response, request: Request, cart: carts.Cart) -> Response:
    ctx = _ctx(request)
    response.set_cookie(
        carts.COOKIE,
        carts.encode(cart, _key(ctx)),
        max_age=60 * 60 * 24 * 7,
        httponly=True,
        samesite="lax",
        secure=ctx.public_url.startswith("https://"),
    )
    return response


def _go(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def _db(request: Request, work: Callable[[Session], T]) -> T:
    ctx = _ctx(request)

    def run() -> T:
        with ctx.db.transaction() as session:
            return work(session)

    return await run_in_threadpool(run)


async def _form(request: Request) -> dict[str, str]:
    return forms.fields(await request.body())


def _store(session: Session, cart: carts.Cart) -> Store | None:
    return session.get(Store, cart.store_id) if cart.store_id else None


def _common(cart: carts.Cart, store: Store | None, title: str) -> dict[str, Any]:
    return {"cart": cart, "store": store, "title": title, "error": "", "field": ""}


# ---- static files ------------------------------------------------------------------------


@router.get("/static/{name}")
def static_file(name: Annotated[str, Path(max_length=40)]) -> Response:
    return static(name)


# ---- start: delivery or carryout ----------------------------------------------------------


def _nearest(
    session: Session, lat: float, lon: float, now_ok: Callable[[Store], bool]
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


def _online(request: Request) -> Callable[[Store], bool]:
    ctx, now = _ctx(request), utcnow()
    return lambda s: stores.is_online(s, now, ctx.settings.store_online_seconds)


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


@router.get("/menu")
async def menu(request: Request) -> Response:
    cart = _cart(request)

    def build(session: Session) -> Response:
        store = _store(session, cart)
        if store is None:
            return _go("/")
        found = store_menu(session, store)
        values = _common(cart, store, f"Menu · {store.name}")
        values |= {"sections": views.sections(found), "menu": found, "views": views}
        return page("menu.html", **values)

    return await _db(request, build)


@router.get("/build/{code}")
async def builder(
    request: Request,
    code: Annotated[str, Path(max_length=30)],
    size: Annotated[str, Query(max_length=30)] = "",
) -> Response:
    cart = _cart(request)

    def build(session: Session) -> Response:
        store = _store(session, cart)
        if store is None:
            return _go("/")
        found = store_menu(session, store)
        product = found.product(code)
        if product is None:
            return page(
                "error.html",
                status_code=404,
                **_common(cart, store, "Not on the menu")
                | {"error": "That is not on this store's menu; choose from the menu."},
            )
        sizes = [s for s in sorted(found.sizes, key=lambda s: s.sort) if s.code in product.price]
        chosen = size if size in product.price else ("lg" if "lg" in product.price else sizes[0].code)
        recipe = {t.code: t for t in product.toppings}
        values = _common(cart, store, product.name)
        values |= {
            "menu": found,
            "product": product,
            "sizes": sizes,
            "size": chosen,
            "recipe": recipe,
            "price": product.price[chosen],
            "is_pizza": views.is_pizza(product),
        }
        return page("build.html", **values)

    return await _db(request, build)


@router.post("/quote")
async def quote(request: Request) -> JSONResponse:
    """The builder's price as it changes: the same pricing the order uses."""
    form = await _form(request)
    cart = _cart(request)

    def build(session: Session) -> JSONResponse:
        store = _store(session, cart)
        if store is None:
            raise BadRequest("Choose a store first.", "store")
        found = store_menu(session, store)
        item = forms.builder_item(found, form)
        try:
            priced = price_order(found, views.requests([item]), store.tax_rate_bp)
        except TradeError as exc:
            raise BadRequest(str(exc), "item") from exc
        line = priced.items[0]
        return JSONResponse(
            {
                "unit_price": line.unit_price,
                "line_total": line.line_total,
                "changes": line.changes,
                "text": f"${line.line_total / 100:.2f}",
            }
        )

    return await _db(request, build)


@router.post("/cart/add")
async def add_to_cart(request: Request) -> Response:
    form = await _form(request)
    cart = _cart(request)

    def build(session: Session) -> Response:
        store = _store(session, cart)
        if store is None:
            return _go("/")
        found = store_menu(session, store)
        try:
            item = forms.builder_item(found, form)
            price_order(found, views.requests([item]), store.tax_rate_bp)
        except (BadRequest, TradeError) as exc:
            message = exc.detail if isinstance(exc, BadRequest) else str(exc)
            return page(
                "error.html",
                status_code=422,
                **_common(cart, store, "Check your choice") | {"error": message},
            )
        if len(cart.lines) >= carts.MAX_LINES:
            return page(
                "error.html",
                status_code=422,
                **_common(cart, store, "Cart full")
                | {"error": f"A cart holds {carts.MAX_LINES} different items; check out these first."},
            )
        updated = cart.model_copy(update={"lines": [*cart.lines, item], "checkout_key": None})
        try:
            return _keep(_go("/cart"), request, updated)
        except carts.CartFull as exc:
            return page(
                "error.html", status_code=422, **_common(cart, store, "Cart full") | {"error": str(exc)}
            )

    return await _db(request, build)


# ---- cart -----------------------------------------------------------------------------------


def _cart_values(session: Session, cart: carts.Cart, store: Store) -> dict[str, Any]:
    found = store_menu(session, store)
    result = views.priced(found, cart, store.tax_rate_bp)
    minutes = views.promise_minutes(session, store, cart.service)
    promise = views.clock(views.promise_at(utcnow(), minutes), store.timezone)
    return {"priced": result, "minutes": minutes, "promise": promise, "tips": TIPS, "menu": found}


@router.get("/cart")
async def show_cart(request: Request) -> Response:
    cart = _cart(request)

    def build(session: Session) -> Response:
        store = _store(session, cart)
        if store is None:
            return _go("/")
        values = _common(cart, store, "Your order") | _cart_values(session, cart, store)
        return page("cart.html", **values)

    return await _db(request, build)


def _int(value: str, low: int, high: int) -> int | None:
    try:
        found = int(value)
    except ValueError:
        return None
    return found if low <= found <= high else None


@router.post("/cart/update")
async def update_cart(request: Request) -> Response:
    form = await _form(request)
    cart = _cart(request)
    lines = list(cart.lines)
    changes: dict[str, Any] = {"checkout_key": None}
    action = form.get("action", "")
    what, _, which = action.partition(":")
    index = _int(which, 0, len(lines) - 1) if which else None
    if what == "remove" and index is not None:
        del lines[index]
    elif what == "quantity" and index is not None:
        quantity = _int(form.get(f"quantity_{index}", ""), 0, 20)
        if quantity == 0:
            del lines[index]
        elif quantity is not None:
            lines[index] = lines[index].model_copy(update={"quantity": quantity})
    elif what == "coupon":
        code = form.get("coupon", "").strip().upper()[:30]
        changes["coupon"] = code or None
    elif what == "best_deal":
        changes |= {"coupon": None, "best_deal": True}
    elif what == "tip":
        tip = _int(form.get("tip", ""), 0, 100_000)
        if tip is not None:
            changes["tip"] = tip
    changes["lines"] = lines
    return _keep(_go("/cart"), request, cart.model_copy(update=changes))


# ---- checkout -------------------------------------------------------------------------------


def _checkout_values(
    session: Session, cart: carts.Cart, store: Store, form: dict[str, str]
) -> dict[str, Any]:
    values = _common(cart, store, "Checkout") | _cart_values(session, cart, store)
    return values | {"form": form, "cards": checkout.TEST_CARDS, "gateway": "test"}


@router.get("/checkout")
async def checkout_page(request: Request) -> Response:
    cart = _cart(request)
    if not cart.lines:
        return _go("/cart")
    # The key is made once per checkout and kept with the cart: a reload reuses it.
    keyed = cart if cart.checkout_key else cart.model_copy(update={"checkout_key": secrets.token_hex(16)})

    def build(session: Session) -> Response:
        store = _store(session, keyed)
        if store is None:
            return _go("/")
        caller, pair = accounts.who(session, _ctx(request), request, utcnow())
        typed: dict[str, str] = {}
        if caller is not None:
            me = accounts.account_of(session, caller)
            typed = {"name": me.name, "phone": me.phone, "email": me.email}
        answer = page("checkout.html", **_checkout_values(session, keyed, store, typed))
        return accounts.keep(_keep(answer, request, keyed), _ctx(request), pair)

    return await _db(request, build)


@router.post("/checkout")
async def place_order(request: Request) -> Response:
    form = await _form(request)
    cart = _cart(request)
    ctx = _ctx(request)
    if cart.placed_url and form.get("checkout_key") == cart.placed_key:
        return _go(cart.placed_url)

    def build(session: Session) -> tuple[dict[str, Any], TokenPair | None]:
        now = utcnow()
        caller, pair = accounts.who(session, ctx, request, now)
        return checkout.place(session, ctx, cart, form, now, caller), pair

    try:
        body, pair = await _db(request, build)
    except CloudError as exc:
        refusal = exc

        def again(session: Session) -> Response:
            store = _store(session, cart)
            if store is None:
                return _go("/")
            values = _checkout_values(session, cart, store, form)
            values |= {"error": refusal.detail, "field": refusal.field or ""}
            return page("checkout.html", status_code=refusal.status_code, **values)

        return await _db(request, again)
    tracker = str(body["tracking_url"]).removeprefix(ctx.public_url)
    emptied = cart.model_copy(
        update={
            "lines": [],
            "coupon": None,
            "checkout_key": None,
            "placed_key": cart.checkout_key,
            "placed_url": tracker,
        }
    )
    return accounts.keep(_keep(_go(tracker), request, emptied), ctx, pair)


# ---- confirmation and tracker ---------------------------------------------------------------


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
        order = session.get(Order, order_id)
        store = session.get(Store, picture["store_id"]) if picture.get("store_id") else None
        zone = store.timezone if store else "UTC"
        values = _common(cart, None, f"Order #{picture['number']}" if picture["number"] else "Your order")
        values |= {
            "picture": picture,
            "code": code,
            "zone": zone,
            "order": order,
            "clock": lambda at: views.clock(at, zone),
            "shop": store,
        }
        return page("track.html", **values)

    return await _db(request, build)


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
