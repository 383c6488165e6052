"""The websocket the cloud nudges this store on the moment a feed entry for it commits.

While it is up, an online order reaches the kitchen in milliseconds; while it is down
the agent polls, and this keeps trying to open it again in the background.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import websockets
from pydantic import ValidationError
from websockets.asyncio.client import connect

from sync import contract
from sync.agent.link import auth_headers
from sync.protocol import Backoff

log = logging.getLogger("sync")
PATH = "/api/v1/sync/ws"


def socket_url(cloud_url: str) -> str:
    base = cloud_url.rstrip("/")
    if base.startswith("https://"):
        return "wss://" + base.removeprefix("https://") + PATH
    return "ws://" + base.removeprefix("http://") + PATH


async def listen(
    cloud_url: str,
    token: str,
    on_hello: Callable[[contract.Hello], Awaitable[None]],
    on_nudge: Callable[[int], None],
    up: Callable[[bool], None],
    instance: str = "",
    connect_s: float = 5.0,
    retry_cap_s: float = 30.0,
) -> None:
    """Run until cancelled: keep the socket open, pass on what the cloud says."""
    backoff = Backoff(base=1.0, cap=retry_cap_s)
    url = socket_url(cloud_url)
    while True:
        try:
            async with connect(
                url,
                additional_headers=auth_headers(token, instance),
                open_timeout=connect_s,
                ping_interval=15,
                ping_timeout=15,
                max_size=2**16,
            ) as ws:
                hello = contract.Hello.model_validate_json(await ws.recv())
                up(True)
                backoff.reset()
                await on_hello(hello)
                async for message in ws:
                    nudge = contract.Nudge.model_validate_json(message)
                    on_nudge(nudge.cursor)
        except (OSError, TimeoutError, websockets.WebSocketException, ValidationError) as exc:
            log.debug("sync: the cloud's websocket is down (%s)", exc)
        up(False)
        await asyncio.sleep(backoff.next_delay())
