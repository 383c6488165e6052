"""What every console page shares: its templates (autoescaped: store, product and driver names
are text, never markup), the shipped CSS, the signed-in page runner, and the store scope.

A page is built by a function of (session, caller); `signed_in` runs it in a worker thread in
one transaction, sends anyone not signed in to the sign-in page, and answers a store that is
not the caller's (or does not exist) with 404, whichever role asks: the same check the API
makes (`Principal.require_store`), so a manager never learns that another store's page exists.
`?csv=<table>` on any page answers that table of the page as a CSV file instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, Response

from cloud_api.auth.principal import Principal, Role
from cloud_api.console import session as signin
from cloud_api.console.charts import Chart
from cloud_api.console.tables import Table, money, shown, to_csv
from cloud_api.context import CloudContext
from cloud_api.db.base import utcnow
from cloud_api.errors import CloudError, Forbidden, NotFound
from cloud_api.models import Store
from cloud_api.stores.service import get_store
from cloud_api.web.templates import Site

NAV = (
    ("sales", "Today / week", "/console/sales"),
    ("speed", "Speed", "/console/speed"),
    ("delivery", "Delivery", "/console/delivery"),
    ("food_cost", "Food cost", "/console/food-cost"),
    ("fleet", "Fleet", "/console/fleet"),
    ("menu", "Menu", "/console/menu"),
    ("stores", "Stores", "/console/stores"),
)
STATIC_TYPES = {".css": "text/css; charset=utf-8"}
NOT_YOURS = "There is no store of yours with that id; choose one from the list."


@dataclass
class View:
    """One console page: its heading, the store it is about (None: the chain), what it shows."""

    title: str
    section: str  # which navigation entry is current
    template: str
    store: Store | None = None
    tables: dict[str, Table] = field(default_factory=dict)
    charts: Sequence[Chart] = ()
    values: dict[str, Any] = field(default_factory=dict)

    def add(self, *tables: Table) -> None:
        for table in tables:
            self.tables[table.name] = table


SITE = Site("cloud_api.console", STATIC_TYPES, filters={"money": money}, values={"shown": shown, "nav": NAV})


def render(template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    return SITE.page(template, status_code, **values)


def error(caller: Principal | None, status_code: int, message: str) -> HTMLResponse:
    title = {404: "Not found", 422: "Check the address", 403: "Not yours to do"}.get(status_code, "Not done")
    return render(
        "shell/error.html", status_code, title=title, section="", caller=caller, error=message, store=None
    )


def store_in_scope(session: Session, caller: Principal, store_id: str | None) -> Store | None:
    """The store a page is about (None: the whole chain, head office only); 404 for a store
    that is not the caller's. A store manager's pages are always about their own store."""
    if store_id is None and caller.role is Role.STORE_MANAGER:
        store_id = caller.store_id
    if store_id is None:
        return None
    if not caller.can_see_store(store_id) or len(store_id) > 36:
        raise NotFound(NOT_YOURS, "store_id")
    return get_store(session, store_id)


def local_time(at: datetime | None, timezone: str) -> str:
    if at is None:
        return "never"
    return at.astimezone(ZoneInfo(timezone)).strftime("%a %d %b %H:%M")


def _answer(request: Request, view: View, caller: Principal) -> Response:
    wanted = request.query_params.get("csv")
    if wanted is not None:
        table = view.tables.get(wanted)
        if table is None:
            return error(caller, 404, f"This page has no table named '{wanted[:40]}'.")
        return Response(
            to_csv(table),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{table.name}.csv"'},
        )
    here = request.url.path + ("?" + request.url.query if request.url.query else "")
    return render(
        view.template,
        title=view.title,
        section=view.section,
        caller=caller,
        store=view.store,
        tables=view.tables,
        charts=view.charts,
        here=here,
        csv_link=lambda name: _csv_link(request, name),
        error="",
        **view.values,
    )


def _csv_link(request: Request, name: str) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "csv"] + [("csv", name)]
    return request.url.path + "?" + "&".join(f"{quote(k)}={quote(v)}" for k, v in params)


def _ctx(request: Request) -> CloudContext:
    found: CloudContext = request.app.state.ctx
    return found


async def signed_in(request: Request, build: Callable[[Session, Principal], View | Response]) -> Response:
    """Run a page for the signed-in caller; anyone else goes to the sign-in page. `build`
    returns the page's `View`, or a response of its own (a form's redirect)."""
    ctx = _ctx(request)

    def run() -> Response:
        # Who is calling in a transaction of its own: a refreshed sign-in is kept even when
        # the page is refused and rolls back whatever it had written.
        with ctx.db.transaction() as session:
            caller, pair = signin.who(session, ctx, request, utcnow())
        if caller is None:
            wanted = request.url.path + ("?" + request.url.query if request.url.query else "")
            back = quote(wanted, safe="")
            return signin.drop(RedirectResponse(f"/console/signin?next={back}", status_code=303))
        return signin.keep(_page(caller), ctx, pair)

    def _page(caller: Principal) -> Response:
        with ctx.db.transaction() as session:
            try:
                built = build(session, caller)
                return built if isinstance(built, Response) else _answer(request, built, caller)
            except CloudError as exc:
                if not exc.keep_writes:
                    session.rollback()
                if isinstance(exc, Forbidden | NotFound) and exc.field == "store_id":
                    return error(caller, 404, NOT_YOURS)
                return error(caller, exc.status_code, exc.detail)

    return await run_in_threadpool(run)


def static(name: str) -> Response:
    return SITE.static(name)
