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

# Every byte but quotes and the structure's: what a JSON text's shape is read from.
_NOT_SHAPE = bytes(c for c in range(256) if c not in b'"[]{},')
_QUOTED = re.compile(rb'"[^"]*"')  # a string, once its escaped quotes are gone
_INNERMOST = re.compile(rb"[\[{][^\[\]{}]*[\]}]")  # a list or object with none inside it
_COMMA, _OPENERS = ord(","), (ord("["), ord("{"))


def _structure(body: bytes) -> bytes:
    """The `[]{},` of a JSON text outside its strings, in order, in a few C passes (a loop in
    Python over a push of 470 KB took 6 ms): escaped backslashes, then escaped quotes,
    dropped; every byte but quotes and structure dropped; two quotes side by side dropped
    (an empty string, or the end of one and the start of the next: nothing outside changes);
    the strings left (those holding structure) dropped whole."""
    kept = body.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _NOT_SHAPE)
    return _QUOTED.sub(b"", kept.replace(b'""', b""))


def json_shape_problem(body: bytes, max_depth: int, max_items: int) -> str | None:
    """Why this JSON text is too deep or too long, or None. Malformed text is left to the
    parser (it says what is wrong better).

    The structure is peeled from the inside, one C pass a level: a list or object is checked
    for its members when nothing is left inside it, and whatever is left after `max_depth`
    passes is nested deeper than that.

    A text with no more `[` and `{` than `max_depth` cannot nest deeper, and one with fewer
    commas than `max_items` cannot hold a list that long: such a text (a store's heartbeat,
    a customer's order) is passed on three counts, strings' brackets and commas counted
    too, which can only make a text look larger than it is."""
    if body.count(b"[") + body.count(b"{") <= max_depth and body.count(b",") < max_items:
        return None
    shape = _structure(body)
    crowded = re.compile(rb"[\[{],{%d}" % max_items) if shape.count(b",") >= max_items else None
    for _ in range(max_depth):
        if crowded is not None and crowded.search(shape):
            return _too_long(max_items)
        shape, peeled = _INNERMOST.subn(b"", shape)
        if not peeled:
            return _streamed(shape, max_depth, max_items)  # unbalanced: malformed, or open too deep
    if shape.strip(b","):
        return _too_deep(max_depth) if _INNERMOST.search(shape) else _streamed(shape, max_depth, max_items)
    return None


def _streamed(shape: bytes, max_depth: int, max_items: int) -> str | None:
    """The same check one structure byte at a time, for what peeling leaves of malformed text."""
    members = [0]  # per open list or object: commas seen so far (the first: outside any)
    for char in shape:
        if char == _COMMA:
            members[-1] += 1
            if members[-1] >= max_items and len(members) > 1:
                return _too_long(max_items)
        elif char in _OPENERS:
            members.append(0)
            if len(members) > max_depth + 1:
                return _too_deep(max_depth)
        elif len(members) > 1:
            members.pop()
    return None


def _too_long(max_items: int) -> str:
    return f"A JSON list or object has more than {max_items} members."


def _too_deep(max_depth: int) -> str:
    return f"JSON is nested deeper than {max_depth} levels."


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
