"""The storefront's account pages: register, sign in and out, the profile with its promotions
opt-in, order history, saved addresses, and the favourite order reordered in one tap."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from cloud_api.auth import service as auth
from cloud_api.auth.router import client_address
from cloud_api.auth.schemas import RegisterIn, TokenPair
from cloud_api.context import CloudContext
from cloud_api.customers import service as profiles
from cloud_api.customers.schemas import ProfileUpdate
from cloud_api.db.base import utcnow
from cloud_api.errors import BadRequest, CloudError
from cloud_api.storefront import accounts, forms, views
from cloud_api.storefront import cart as carts
from cloud_api.storefront.render import page

router = APIRouter(include_in_schema=False)


def _ctx(request: Request) -> CloudContext:
    found: CloudContext = request.app.state.ctx
    return found


def _key(ctx: CloudContext) -> bytes:
    return ctx.tokens.tracking_code("storefront-cart").encode()


def _go(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _values(request: Request, title: str, **more: Any) -> dict[str, Any]:
    cart = carts.decode(request.cookies.get(carts.COOKIE), _key(_ctx(request)))
    return {"cart": cart, "store": None, "title": title, "error": "", "field": ""} | more


def _signed_out(request: Request, status_code: int = 200, **more: Any) -> Response:
    values = _values(request, "Sign in", email="", name="", phone="") | more
    return page("signin.html", status_code=status_code, **values)


def _account(session: Session, request: Request, ctx: CloudContext) -> Response:
    caller, pair = accounts.who(session, ctx, request, utcnow())
    if caller is None:
        return accounts.drop(_signed_out(request))
    account = accounts.account_of(session, caller)
    orders = accounts.history(session, caller.id)
    values = _values(
        request,
        "Your account",
        account=account,
        orders=orders,
        addresses=accounts.saved_addresses(orders),
        favourite=accounts.favourite(session, caller.id),
        clock=views.clock,
    )
    return accounts.keep(page("account.html", **values), ctx, pair)


async def _run(request: Request, work: Any) -> Response:
    ctx = _ctx(request)

    def run() -> Response:
        with ctx.db.transaction() as session:
            found: Response = work(session, ctx)
            return found

    return await run_in_threadpool(run)


@router.get("/account")
async def account(request: Request) -> Response:
    return await _run(request, lambda session, ctx: _account(session, request, ctx))


@router.post("/account/signin")
async def sign_in(request: Request) -> Response:
    form = forms.fields(await request.body())
    email, password = form.get("email", "").strip()[:254], form.get("password", "")[:128]

    def work(session: Session, ctx: CloudContext) -> Response:
        try:
            pair = auth.login(session, ctx, email, password, client_address(request), utcnow())
        except CloudError as exc:
            return _signed_out(request, exc.status_code, error=exc.detail, field="signin-email", email=email)
        return accounts.keep(_go("/account"), ctx, pair)

    return await _run(request, work)


@router.post("/account/register")
async def register(request: Request) -> Response:
    form = forms.fields(await request.body())
    typed = {k: form.get(k, "")[:254] for k in ("email", "name", "phone")}

    def work(session: Session, ctx: CloudContext) -> Response:
        now = utcnow()
        try:
            try:
                data = RegisterIn(password=form.get("password", "")[:128], **typed)
            except ValidationError as exc:
                first = exc.errors()[0]
                where = str(first["loc"][0])
                raise BadRequest(f"Check your {where}: {first['msg']}.", where) from exc
            auth.register(session, ctx, data, client_address(request), now)
            pair: TokenPair = auth.login(
                session, ctx, data.email, data.password, client_address(request), now
            )
        except CloudError as exc:
            session.rollback()
            return _signed_out(request, exc.status_code, error=exc.detail, field=exc.field or "", **typed)
        return accounts.keep(_go("/account"), ctx, pair)

    return await _run(request, work)


@router.post("/account/signout")
async def sign_out(request: Request) -> Response:
    refresh = request.cookies.get(accounts.REFRESH, "")[:200]

    def work(session: Session, ctx: CloudContext) -> Response:
        if refresh:
            auth.logout(session, ctx, refresh, None, utcnow())
        return accounts.drop(_go("/"))

    return await _run(request, work)


@router.post("/account/update")
async def update(request: Request) -> Response:
    """The promotions opt-in, a favourite, or a reorder (one tap)."""
    form = forms.fields(await request.body())
    action, _, order_id = form.get("action", "").partition(":")

    def work(session: Session, ctx: CloudContext) -> Response:
        now = utcnow()
        caller, pair = accounts.who(session, ctx, request, now)
        if caller is None:
            return accounts.drop(_go("/account"))
        try:
            if action == "promotions":
                profiles.update_profile(
                    session, caller, ProfileUpdate(promotions=form.get("promotions") == "on"), now
                )
            elif action == "favourite":
                accounts.choose_favourite(session, caller, order_id[:36], now)
            elif action == "reorder":
                cart = carts.decode(request.cookies.get(carts.COOKIE), _key(ctx))
                again = accounts.reorder(session, caller, order_id[:36], cart)
                response = _go("/cart")
                response.set_cookie(
                    carts.COOKIE,
                    carts.encode(again, _key(ctx)),
                    httponly=True,
                    samesite="lax",
                    secure=ctx.public_url.startswith("https://"),
                    max_age=60 * 60 * 24 * 7,
                )
                return accounts.keep(response, ctx, pair)
        except (CloudError, carts.CartFull) as exc:
            message = exc.detail if isinstance(exc, CloudError) else str(exc)
            return page("error.html", status_code=422, **_values(request, "Your account", error=message))
        return accounts.keep(_go("/account"), ctx, pair)

    return await _run(request, work)
