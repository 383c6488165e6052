"""The websocket `/api/v1/orders/{orderId}/track` (the page `/track/{orderId}` is the storefront's).

A tracker subscribes before it reads the order, so no change can slip between
its first picture and the stream; every worker hears every change through
PostgreSQL LISTEN/NOTIFY (`cloud_api.pubsub`).
"""

from __future__ import annotations

import asyncio
import re
from typing import Annotated

from fastapi import APIRouter, Path, Query, WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from cloud_api.api.deps import ContextDep, CurrentCaller, SessionDep
from cloud_api.api.types import ID_PATTERN
from cloud_api.context import CloudContext
from cloud_api.db.base import utcnow
from cloud_api.tracking.service import TrackingTicket, ticket, watchable

api = APIRouter(tags=["tracking"])
FINAL = {"delivered", "picked_up", "cancelled"}


@api.websocket("/orders/{order_id}/track")
async def track(
    websocket: WebSocket,
    order_id: str,
    code: Annotated[str | None, Query(max_length=64)] = None,
    ticket: Annotated[str | None, Query(max_length=1000)] = None,
) -> None:
    """Open with the receipt's tracking `code`, or a `ticket` from `POST …/tracking-ticket`
    (never an access token: URLs end up in logs)."""
    ctx: CloudContext = websocket.app.state.ctx
    if not re.fullmatch(ID_PATTERN, order_id):
        await websocket.close(code=1008, reason="no such order")
        return
    queue = ctx.hub.watch_order(order_id)
    try:

        def first_picture() -> dict[str, object] | None:
            with ctx.db.transaction() as session:
                return watchable(session, ctx, order_id, code, ticket)

        picture = await run_in_threadpool(first_picture)
        if picture is None:
            await websocket.close(code=1008, reason="no such order, or a wrong tracking code")
            return
        await websocket.accept()
        await websocket.send_json(picture)
        if picture["status"] in FINAL:
            await websocket.close()
            return
        closed = asyncio.ensure_future(websocket.receive())
        try:
            while True:
                update = asyncio.ensure_future(queue.get())
                done, _ = await asyncio.wait({update, closed}, return_when=asyncio.FIRST_COMPLETED)
                if closed in done:
                    if closed.result().get("type") == "websocket.disconnect":
                        update.cancel()
                        return
                    closed = asyncio.ensure_future(websocket.receive())  # a client's ping
                if update not in done:
                    update.cancel()
                    continue
                news = update.result()
                await websocket.send_json({"type": "update", **news})
                if news.get("status") in FINAL:
                    await websocket.close()
                    return
        finally:
            closed.cancel()
    except WebSocketDisconnect:
        return
    finally:
        ctx.hub.unwatch_order(order_id, queue)


@api.post(
    "/orders/{order_id}/tracking-ticket",
    summary="A one-minute ticket that opens this order's tracker websocket (who may see the order)",
)
def tracking_ticket(
    order_id: Annotated[str, Path(pattern=ID_PATTERN)],
    session: SessionDep,
    ctx: ContextDep,
    caller: CurrentCaller,
) -> TrackingTicket:
    return ticket(session, ctx, caller, order_id, utcnow())
