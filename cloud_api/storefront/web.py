"""What every storefront page shares: the context, the signed cart cookie, the database in a
worker thread, the form, the store the cart is for, and the values every template reads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from cloud_api.context import CloudContext
from cloud_api.models import Store
from cloud_api.storefront import cart as carts
from cloud_api.storefront import forms

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


def _int(value: str, low: int, high: int) -> int | None:
    try:
        found = int(value)
    except ValueError:
        return None
    return found if low <= found <= high else None
