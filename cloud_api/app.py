"""The FastAPI application: `create_app()` builds one worker's app (uvicorn calls it as a
factory in every worker process); its lifespan runs the worker's background parts:
the NOTIFY announcer, the LISTEN connection, the senders of texts, emails and refunds
(unless the cloud's background process runs them: `senders`), and, with `--demo`, the
demo store's stand-in kitchen; and it closes the heartbeats' connections."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

import anyio
import anyio.to_thread
import psycopg
from fastapi import APIRouter, FastAPI
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from cloud_api import logs
from cloud_api.api import handlers
from cloud_api.api.doors import CloudApp
from cloud_api.api.limits import BodyLimit
from cloud_api.auth.router import router as auth_router
from cloud_api.background import Loop
from cloud_api.console.router import router as console
from cloud_api.context import CloudContext, build
from cloud_api.customers.router import router as profile_router
from cloud_api.db.async_pool import BY_KEY, AsyncPool
from cloud_api.deliveries.router import router as deliveries_router
from cloud_api.demo import kitchen
from cloud_api.fleet.router import router as fleet_router
from cloud_api.inventory.router import router as inventory_router
from cloud_api.menus.router import router as menus_router
from cloud_api.notifications.router import router as notifications_router
from cloud_api.orders.door import Intake
from cloud_api.orders.router import router as orders_router
from cloud_api.payments.router import router as payments_router
from cloud_api.pubsub.listener import listen
from cloud_api.reports.router import router as reports_router
from cloud_api.senders import Senders
from cloud_api.settings import CloudSettings
from cloud_api.storefront.router import router as storefront
from cloud_api.stores.router import router as stores_router
from cloud_api.sync import applier
from cloud_api.sync.heartbeat import Heartbeats, QuietBeats, quieten
from cloud_api.sync.pace import PaceMeter
from cloud_api.sync.router import router as sync_router
from cloud_api.sync.storer import Storing
from cloud_api.tracking.router import api as tracking_api

log = logging.getLogger(__name__)
API = "/api/v1"
HEARTBEAT = f"{API}/sync/heartbeat"
ORDERS = f"{API}/orders"
PUSH = f"{API}/sync/push"


def _api(ctx: CloudContext) -> APIRouter:
    """The API's routes, to be included at `API`."""
    router = APIRouter()
    for part in (
        auth_router,
        profile_router,
        stores_router,
        menus_router,
        orders_router,
        payments_router,
        tracking_api,
        notifications_router,
        inventory_router,
        deliveries_router,
        reports_router,
        sync_router,
        fleet_router,
    ):
        router.include_router(part)

    @router.get("/health", tags=["health"], summary="Is this worker up, and its database reachable (anyone)")
    def health() -> dict[str, str]:
        with ctx.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok", "database": "ok"}

    return router


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    ctx: CloudContext = app.state.ctx
    # Request work is mostly Python: a few threads per worker keep the GIL from thrashing.
    anyio.to_thread.current_default_thread_limiter().total_tokens = ctx.settings.request_threads
    app.state.endings = anyio.CapacityLimiter(ctx.settings.db_pool_size + ctx.settings.db_max_overflow)
    loops: list[Loop] = []
    senders: Senders | None = None
    listener: asyncio.Task[None] | None = None
    ctx.announcer.start()
    if ctx.settings.background:  # a worker serving stores: hold the heartbeats' connections now
        try:
            await app.state.heartbeats.pool.open()
        except psycopg.OperationalError as exc:  # opened when first needed instead
            log.warning("the heartbeats' database connections could not be opened yet: %s", exc)
    if ctx.settings.background:
        ready = asyncio.Event()
        listener = asyncio.create_task(listen(ctx.db.url, ctx.hub, ready))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ready.wait(), timeout=10)
        if ctx.settings.senders_in_worker:
            senders = Senders(ctx)
            senders.start()
        if ctx.settings.applier_in_worker:
            loops.append(
                Loop(
                    "applier",
                    partial(applier.step, ctx.db, PaceMeter()),
                    ctx.admission.applier_wake,
                    idle_s=1.0,
                )
            )
        if ctx.settings.demo:
            loops.append(Loop("demo-kitchen", lambda: kitchen.step(ctx.db), idle_s=2.0))
        for loop in loops:
            loop.start()
    if not ctx.settings.applier_in_worker:  # a worker of `makeline cloud`: its process is its own
        # What the worker holds once started (modules, routes, models, the engine) is never
        # garbage: kept out of the collector's full passes, which in a storm's churn of parsed
        # events otherwise walk all of it, holding the interpreter a customer's request needs.
        gc.freeze()
    try:
        yield
    finally:
        if listener is not None:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
        stoppers = [loop.stop for loop in loops] + ([senders.stop] if senders else [])
        for stop in stoppers:
            await run_in_threadpool(stop)
        ctx.announcer.stop()
        ctx.gateway.close()
        await app.state.heartbeats.pool.close()
        await app.state.intake.close()
        ctx.db.dispose()


def create_app(settings: CloudSettings | None = None) -> FastAPI:
    logs.install()  # each worker, after uvicorn has configured its loggers
    ctx = build(settings or CloudSettings())
    app = CloudApp(
        title="makeline cloud",
        version="1",
        lifespan=_lifespan,
        description="Online ordering, payments, tracking, texts and head-office reports for the chain.",
        openapi_url=f"{API}/openapi.json",
        docs_url=f"{API}/docs",
        redoc_url=None,
    )
    app.state.ctx = ctx
    limits = partial(
        BodyLimit,
        max_bytes=ctx.settings.max_body_bytes,
        max_depth=ctx.settings.max_json_depth,
        max_items=ctx.settings.max_json_items,
        larger={PUSH: ctx.settings.max_sync_body_bytes},
        # A batch's JSON shape is checked by the push itself, on a sync thread: a scan of a
        # store's batch on the event loop made every customer's request on the worker wait.
        shaped_by_route=frozenset({PUSH}),
    )
    # Heartbeats on the worker's own async connections, never a handler thread, answered at
    # their door (`api.doors`); an answered one is not written to the access log.
    beats = app.state.heartbeats = Heartbeats(
        ctx, AsyncPool(ctx.db.url, ctx.settings.beat_connections, planner=BY_KEY)
    )
    app.add_door(HEARTBEAT, beats, limits)
    # Stores' pushes stored by `makeline cloud`'s storer process, not in this interpreter.
    app.state.storing = Storing(ctx, ctx.settings.storer_socket)
    # Customers' orders likewise at their door, placed on the loop's own connections.
    intake = app.state.intake = Intake(ctx)
    app.add_door(ORDERS, intake, limits)
    # An answered beat and a placed order (its row says it) kept out of the access log.
    quieten(logging.getLogger("uvicorn.access"), [QuietBeats(HEARTBEAT, 200), QuietBeats(ORDERS, 201)])
    handlers.install(app)
    app.add_middleware(BodyLimit, **limits.keywords)
    app.include_router(_api(ctx), prefix=API)
    app.include_router(console)  # head office's and store managers' pages at /console
    app.include_router(storefront)  # the customers' pages at /
    return app
