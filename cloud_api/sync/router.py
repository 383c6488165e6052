"""`/sync/…`: what a store's agent calls with its device credential (that store's device only).

POST /sync/push        PushBatch → PushAck      store events in, each stored once, applied once
GET  /sync/pull        ?after=&limit= → PullPage the store's feed after its cursor
POST /sync/heartbeat   Heartbeat → HeartbeatAck  "online" for 60 s; where both ledgers stand
WS   /sync/ws          Hello, then a Nudge whenever the store's feed has news
GET  /sync/snapshot    → StoreSnapshot         the store as the cloud knows it (`makeline restore`)
GET  /sync/quarantine  store events set aside, with the reason (head office)
GET  /sync/fleet       stores a second computer tried to sync as (head office)

Every device call names the agent's instance (`X-Makeline-Instance`, or `instance` in the
body): one computer speaks for a store; a second one is refused with 409.

A store's push, pull and websocket each do their unit of work on the worker's few sync
threads (`admission.run`), committed before it answers, so a chain's worth of agents
reconnecting at once never holds more database connections than there are sync threads
and never takes a handler thread a customer's order needs; the heartbeat takes none: one
statement on the worker's event loop (`sync.heartbeat`).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response, WebSocket, WebSocketDisconnect

from cloud_api.api.deps import ContextDep, CurrentCaller
from cloud_api.auth.principal import Role
from cloud_api.auth.service import authenticate_device_token
from cloud_api.context import CloudContext
from cloud_api.db.base import utcnow
from cloud_api.errors import CloudError, Unauthorized
from cloud_api.store_events import repository as store_events
from cloud_api.sync import repository, service
from cloud_api.sync import snapshot as snapshots
from cloud_api.sync.heartbeat import Heartbeats, bearer
from cloud_api.sync.schemas import FleetFlag, HeldEvent
from cloud_api.sync.storer import Storing
from sync import contract
from sync.contract.snapshot import StoreSnapshot

router = APIRouter(prefix="/sync", tags=["sync"])
Instance = Annotated[str, Header(alias=contract.INSTANCE_HEADER, max_length=64)]


def _inlined(schema: Any, defs: dict[str, Any]) -> Any:
    """A JSON schema with its `$defs` references written out (the wire models do not recurse)."""
    if isinstance(schema, dict):
        ref = schema.get("$ref", "")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inlined(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: _inlined(v, defs) for k, v in schema.items() if k != "$defs"}
    if isinstance(schema, list):
        return [_inlined(v, defs) for v in schema]
    return schema


_PUSH_SCHEMA = contract.PushBatch.model_json_schema()
_PUSH_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": _inlined(_PUSH_SCHEMA, _PUSH_SCHEMA.get("$defs", {}))}},
    }
}


@router.post(
    "/push",
    summary="A store's outbox events, stored and applied once (that store's device)",
    openapi_extra=_PUSH_BODY,
)
async def push(request: Request, ctx: ContextDep, instance: Instance = "") -> contract.PushAck:
    # Admitted (or turned away with 429) before its body is read and before any thread is
    # taken, the credential checked by the worker's memory of it (the heartbeats'): stores
    # waiting their turn hold neither memory nor threads. The body is read with the contract
    # and stored by the storer process (`sync.storer`), else on the sync threads: never on
    # the event loop or a customer's thread.
    beats: Heartbeats = request.app.state.heartbeats
    storing: Storing = request.app.state.storing
    token = bearer(request.headers.get("authorization", ""))
    device = await beats.device(token)
    store_id = service.device_store(device)
    async with ctx.admission.slot(store_id):
        raw = await request.body()
        try:
            ack = await storing.store(token, device, raw, instance)
        except Unauthorized:
            beats.devices.forget(token)  # revoked or moved since this worker checked it
            raise
        # Stored and acknowledged. A quiet worker has them applied before it answers; a busy
        # one leaves them to its applier, so the next store's push is stored at once.
        if ack.stored and (ctx.admission.quiet() or not ctx.settings.background):
            held = await storing.apply(store_id)
            ack = ack.model_copy(update={"quarantined": ack.quarantined + held})
        elif ack.stored:
            ctx.admission.applier_wake.set()
    return ack


@router.get("/pull", summary="The store's feed after a cursor, oldest first (that store's device)")
async def pull(
    ctx: ContextDep,
    caller: CurrentCaller,
    after: Annotated[int, Query(ge=0, le=2**62, description="the last cursor the store applied")] = 0,
    limit: Annotated[int, Query(ge=1, le=contract.MAX_PAGE)] = 500,
    instance: Instance = "",
) -> contract.PullPage:
    store_id = service.device_store(caller)
    return await ctx.admission.run(_pull, ctx, store_id, after, limit, instance)


def _pull(ctx: CloudContext, store_id: str, after: int, limit: int, instance: str) -> contract.PullPage:
    with ctx.db.transaction() as session:
        service.claim(session, store_id, instance, utcnow())
        return service.pull(session, store_id, after, limit)


_BEAT_SCHEMA = contract.Heartbeat.model_json_schema()
_HEARTBEAT = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": _inlined(_BEAT_SCHEMA, _BEAT_SCHEMA.get("$defs", {}))}},
    },
    "parameters": [
        {
            "name": contract.INSTANCE_HEADER,
            "in": "header",
            "required": False,
            "schema": {"type": "string", "maxLength": 64},
        }
    ],
}


@router.post(
    "/heartbeat",
    summary="The store's agent is alive: online orders open (that store's device)",
    response_model=contract.HeartbeatAck,
    openapi_extra=_HEARTBEAT,
)
async def heartbeat(request: Request) -> Response:
    # On the event loop, one statement, no handler thread (`sync.heartbeat`): a storm's
    # pushes never make a store's heartbeat wait, and a chain's worth of beats stays cheap.
    beats: Heartbeats = request.app.state.heartbeats
    return await beats.answer(request)


@router.get(
    "/snapshot", summary="The store as the cloud knows it, to rebuild its database (that store's device)"
)
def snapshot(ctx: ContextDep, caller: CurrentCaller) -> StoreSnapshot:
    store_id = service.device_store(caller)
    with ctx.db.transaction() as session:
        return snapshots.build(session, store_id, utcnow())


@router.get("/quarantine", summary="Store events set aside because they could not be read or applied")
def quarantine(
    ctx: ContextDep,
    caller: CurrentCaller,
    store_id: Annotated[str | None, Query(max_length=36)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[HeldEvent]:
    caller.require(Role.HEAD_OFFICE)
    with ctx.db.transaction() as session:
        return [
            HeldEvent.model_validate(r, from_attributes=True)
            for r in store_events.quarantined(session, store_id, limit)
        ]


@router.get("/fleet", summary="Stores a second computer tried to sync as (a copied store database)")
def fleet(ctx: ContextDep, caller: CurrentCaller) -> list[FleetFlag]:
    caller.require(Role.HEAD_OFFICE)
    with ctx.db.transaction() as session:
        return [FleetFlag.model_validate(r, from_attributes=True) for r in repository.agents_flagged(session)]


def _token(websocket: WebSocket) -> str:
    return bearer(websocket.headers.get("authorization", ""))


def _claim(ctx: CloudContext, store_id: str, instance: str) -> None:
    """The socket's agent speaks for the store, or is refused (a copy of its database)."""
    with ctx.db.transaction() as session:
        service.claim(session, store_id, instance, utcnow())


@router.websocket("/ws")
async def nudges(websocket: WebSocket) -> None:
    """Nudge a store's agent the moment its feed has news, from whichever worker wrote it."""
    ctx: CloudContext = websocket.app.state.ctx
    try:
        caller = await ctx.admission.run(authenticate_device_token, ctx, _token(websocket))
        store_id = service.device_store(caller)
        service.check_protocol(int(websocket.headers.get(contract.PROTOCOL_HEADER) or contract.PROTOCOL))
        instance = websocket.headers.get(contract.INSTANCE_HEADER, "")[:64]
        await ctx.admission.run(_claim, ctx, store_id, instance)
    except (CloudError, ValueError) as exc:
        await websocket.close(code=1008, reason=str(exc)[:120])
        return
    assert caller.role is Role.STORE_DEVICE
    news = ctx.hub.watch_feed(store_id)  # before the first look, so no commit slips between

    def where() -> tuple[int, int]:
        with ctx.db.transaction() as session:
            return service.positions(session, store_id)

    def feed_head() -> int:
        with ctx.db.transaction() as session:
            return repository.feed_head(session, store_id)

    try:
        high_water, feed_high_water = await ctx.admission.run(where)
        await websocket.accept()
        hello = contract.Hello(
            store_id=store_id, instance=instance, high_water=high_water, feed_high_water=feed_high_water
        )
        await websocket.send_text(hello.model_dump_json())
        closed = asyncio.ensure_future(websocket.receive())
        try:
            while True:
                nudge = asyncio.ensure_future(news.get())
                done, _ = await asyncio.wait({nudge, closed}, return_when=asyncio.FIRST_COMPLETED)
                if closed in done:
                    if closed.result().get("type") == "websocket.disconnect":
                        nudge.cancel()
                        return
                    closed = asyncio.ensure_future(websocket.receive())  # a client's ping
                if nudge not in done:
                    nudge.cancel()
                    continue
                cursor = await ctx.admission.run(feed_head)
                await websocket.send_text(contract.Nudge(cursor=cursor).model_dump_json())
        finally:
            closed.cancel()
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
                await closed
    except WebSocketDisconnect:
        return
    finally:
        ctx.hub.unwatch_feed(store_id, news)
