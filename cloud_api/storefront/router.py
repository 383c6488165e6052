"""The storefront's pages and forms at `/` (see `cloud_api.storefront`).

Every form posts, and answers with a redirect (so a reload never sends it again) or the
same page with what to fix. The cart lives in a signed cookie (`cart`); pages read the
store, its menu and its orders through the cloud's own services.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from cloud_api.auth.schemas import TokenPair
from cloud_api.db.base import utcnow
from cloud_api.errors import BadRequest, CloudError
from cloud_api.menus.service import store_menu
from cloud_api.models import Store
from cloud_api.settings import CloudSettings
from cloud_api.storefront import accounts, checkout, forms, views
from cloud_api.storefront import cart as carts
from cloud_api.storefront.account_pages import router as account_router
from cloud_api.storefront.hours_view import availability
from cloud_api.storefront.render import page
from cloud_api.storefront.start_pages import router as start_router
from cloud_api.storefront.track_pages import router as track_router
from cloud_api.storefront.web import (
    TIPS,
    _cart,
    _common,
    _ctx,
    _db,
    _form,
    _go,
    _int,
    _keep,
    _store,
)
from cloud_api.stores import service as stores
from makeline.trade.errors import TradeError
from makeline.trade.pricing import price_order

router = APIRouter(include_in_schema=False)
router.include_router(account_router)
router.include_router(track_router)
router.include_router(start_router)


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
    found_quote = views.cart_quote(session, store, cart, result, utcnow())
    promise = views.clock(found_quote.promise_at, store.timezone)
    return {
        "priced": result,
        "minutes": found_quote.minutes,
        "promise": promise,
        "paused": views.paused_note(found_quote, cart.service),
        "tips": TIPS,
        "menu": found,
    }


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
    session: Session, request: Request, cart: carts.Cart, store: Store, form: dict[str, str]
) -> dict[str, Any]:
    values = _common(cart, store, "Checkout") | _cart_values(session, cart, store)
    now = utcnow()
    online = stores.is_online(store, now, _ctx(request).settings.store_online_seconds)
    when = availability(store, now, online, with_slots=True)
    return values | {"form": form, "when": when} | _card_form(_ctx(request).settings)


def _card_form(settings: CloudSettings) -> dict[str, Any]:
    """The test gateway: its test tokens to choose from. Stripe: Stripe.js Elements, which
    Stripe serves itself (its rules: the card form's script never comes from a merchant)."""
    if settings.payment_gateway == "stripe" and settings.stripe_publishable_key:
        return {
            "gateway": "stripe",
            "stripe_key": settings.stripe_publishable_key,
            "stripe_js": settings.stripe_js_url,
        }
    return {"gateway": "test", "cards": checkout.TEST_CARDS}


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
        answer = page("checkout.html", **_checkout_values(session, request, keyed, store, typed))
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
            values = _checkout_values(session, request, cart, store, form)
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
