"""The console's mount point, `/console`: sign-in and sign-out, the shipped CSS, and every
page's router. A page module adds itself to `PAGES`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from cloud_api.auth import service as auth
from cloud_api.auth.router import client_address
from cloud_api.console import session as signin
from cloud_api.console.delivery_pages import router as delivery_pages
from cloud_api.console.fleet_pages import router as fleet_pages
from cloud_api.console.food_cost_pages import router as food_cost_pages
from cloud_api.console.menu_pages import router as menu_pages
from cloud_api.console.sales_pages import router as sales_pages
from cloud_api.console.shell import render, static
from cloud_api.console.speed_pages import router as speed_pages
from cloud_api.console.store_pages import router as store_pages
from cloud_api.context import CloudContext
from cloud_api.db.base import utcnow
from cloud_api.errors import BadRequest, CloudError
from cloud_api.storefront.forms import fields

router = APIRouter(prefix="/console", include_in_schema=False)
HOME = "/console/sales"
PAGES = [sales_pages, speed_pages, delivery_pages, food_cost_pages, fleet_pages, menu_pages, store_pages]


def _ctx(request: Request) -> CloudContext:
    found: CloudContext = request.app.state.ctx
    return found


def _next(value: str) -> str:
    """Where to go after signing in: a console page only (never another site)."""
    if (
        value.startswith("/console/")
        and value.isprintable()
        and "//" not in value
        and "\\" not in value
        and len(value) < 200
    ):
        return value
    return HOME


def _form(status_code: int = 200, email: str = "", error: str = "", next_page: str = HOME) -> Response:
    return render(
        "shell/signin.html",
        status_code,
        title="Sign in",
        section="",
        caller=None,
        store=None,
        email=email,
        error=error,
        next_page=next_page,
    )


@router.get("")
@router.get("/")
def home() -> Response:
    return RedirectResponse(HOME, status_code=303)


@router.get("/signin")
def sign_in_page(next: str = "") -> Response:
    return _form(next_page=_next(next[:200]))


@router.post("/signin")
async def sign_in(request: Request) -> Response:
    try:
        form = fields(await request.body())
    except BadRequest as exc:
        return _form(exc.status_code, error=exc.detail)
    email, password = form.get("email", "").strip()[:254], form.get("password", "")[:128]
    next_page = _next(form.get("next", ""))
    ctx = _ctx(request)

    def work() -> Response:
        with ctx.db.transaction() as session:
            return _signed(session, ctx, request, email, password, next_page)

    return await run_in_threadpool(work)


def _signed(
    session: Session, ctx: CloudContext, request: Request, email: str, password: str, next_page: str
) -> Response:
    try:
        pair = auth.login(session, ctx, email, password, client_address(request), utcnow())
        caller = auth.authenticate(session, ctx, pair.access_token)
    except CloudError as exc:
        return _form(exc.status_code, email, exc.detail, next_page)
    if caller.role not in signin.STAFF:
        session.rollback()  # no refresh token left behind for a sign-in refused here
        return _form(
            403, email, "The console is for head office and store managers; sign in with a staff account."
        )
    return signin.keep(RedirectResponse(next_page, status_code=303), ctx, pair)


@router.post("/signout")
async def sign_out(request: Request) -> Response:
    refresh = request.cookies.get(signin.REFRESH, "")[:200]
    ctx = _ctx(request)

    def work() -> Response:
        if refresh:
            with ctx.db.transaction() as session:
                auth.logout(session, ctx, refresh, None, utcnow())
        return signin.drop(RedirectResponse("/console/signin", status_code=303))

    return await run_in_threadpool(work)


@router.get("/static/{name}")
def static_file(name: Annotated[str, Path(max_length=40)]) -> Response:
    return static(name)


for _pages in PAGES:
    router.include_router(_pages)
