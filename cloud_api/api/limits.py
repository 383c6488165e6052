"""Request bodies within limits, refused before they are held whole.

`BodyLimit` is an ASGI middleware in front of every route:

- a `Content-Length` over `max_bytes` is answered 413 at once, before any byte of the
  body is read;
- a body without one (chunked) is counted as it streams in, and answered 413 the
  moment it passes `max_bytes`: the worker never holds more than that;
- a JSON body is scanned once it is whole (never more than `max_bytes`): nesting deeper
  than `max_depth` or a list or object of more than `max_items` members is answered 422
  before the JSON parser builds anything; a route named in `shaped_by_route` (a store's
  outbox batch, up to 16 MiB) makes that check itself, off the event loop.

Once it has answered, the middleware tells the route the client has gone and drops
whatever the route would have sent.
"""

from __future__ import annotations

import json
import re

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# A JSON string, escapes included, unrolled so long strings cost one linear pass.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
# Every byte but the structure's, so one C pass keeps only `[]{},` (strings removed first).
_NOT_STRUCTURE = bytes(c for c in range(256) if c not in b"[]{},")
_COMMA, _OPENERS = ord(","), (ord("["), ord("{"))


def json_shape_problem(body: bytes, max_depth: int, max_items: int) -> str | None:
    """Why this JSON text is too deep or too long, or None. Malformed text is left to the
    parser (it says what is wrong better)."""
    members = [0]  # per open list or object: commas seen so far (the first: outside any)
    for char in _STRING.sub(b"", body).translate(None, _NOT_STRUCTURE):
        if char == _COMMA:
            members[-1] += 1
            if members[-1] >= max_items and len(members) > 1:
                return f"A JSON list or object has more than {max_items} members."
        elif char in _OPENERS:
            members.append(0)
            if len(members) > max_depth + 1:
                return f"JSON is nested deeper than {max_depth} levels."
        elif len(members) > 1:
            members.pop()
    return None


class BodyLimit:
    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        max_depth: int = 32,
        max_items: int = 10_000,
        larger: dict[str, int] | None = None,
        shaped_by_route: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_depth = max_depth
        self.max_items = max_items
        self.larger = larger or {}  # path: its own limit (a store's outbox batch)
        self.shaped_by_route = shaped_by_route

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope["path"], self.max_bytes)
        headers = Headers(scope=scope)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _refuse(send, 413, _too_large(limit))
            return
        content_type = headers.get("content-type", "")
        is_json = ("json" in content_type or not content_type) and scope["path"] not in self.shaped_by_route
        seen = 0
        held: list[bytes] = []
        answered = False
        started = False

        async def counted_receive() -> Message:
            nonlocal seen, answered
            if answered:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] != "http.request":
                return message
            chunk: bytes = message.get("body", b"")
            seen += len(chunk)
            if seen > limit:
                return await answer(413, _too_large(limit))
            if is_json:
                held.append(chunk)
                if not message.get("more_body", False):
                    problem = json_shape_problem(b"".join(held), self.max_depth, self.max_items)
                    held.clear()
                    if problem is not None:
                        return await answer(422, problem)
            return message

        async def answer(status: int, detail: str) -> Message:
            nonlocal answered
            answered = True
            if not started:
                await _refuse(send, status, detail)
            return {"type": "http.disconnect"}

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if answered:
                return  # we already answered; whatever the route says now goes nowhere
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, counted_receive, guarded_send)


def _too_large(limit: int) -> str:
    return f"The request body is larger than the {limit:,} bytes this service accepts; send less at a time."


async def _refuse(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail, "field": "body"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
