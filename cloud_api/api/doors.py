"""The cheap paths' doors: a store's heartbeat and a customer's order (`POST`) answered ahead
of the framework's own layers.

A thousand stores back from an outage send their first beats at once, and every layer a
request passes is work on the worker's one event loop: FastAPI's telemetry check (an
environment look-up a request), Starlette's error and exception layers, the router. A door's
request passes only the body limits (`limits.BodyLimit`, the same as every route's) and the
door itself; its errors are rendered by the app's own exception handlers, as a route's are.
The routes stay, for the API's documentation, and give the same answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from fastapi import FastAPI
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send


class Answers(Protocol):
    """A cheap path's answer to its one request (a heartbeat, an order)."""

    async def answer(self, request: Request) -> Response: ...


async def body_of(request: Request) -> bytes:
    """A door's request body, read once straight off its `receive`: Starlette's stream and
    cache around it cost a storm's first beat more than the reading (a few hundred bytes)."""
    chunks = []
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


class Door:
    """ASGI app: a door's request answered, an error rendered by the app's own handlers."""

    def __init__(self, answers: Answers) -> None:
        self.answers = answers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            response = await self.answers.answer(request)
        except ClientDisconnect:  # gone, or answered by the body limits: nobody to answer
            return
        except Exception as exc:
            handlers = getattr(scope.get("app"), "exception_handlers", {})
            handler = next((handlers[k] for k in type(exc).__mro__ if k in handlers), None)
            if handler is None:
                raise
            response = await handler(request, exc)
        await response(scope, receive, send)


class CloudApp(FastAPI):
    """FastAPI with doors: a `POST` to a door's path is answered by the door, ahead of
    everything else; any other request goes the framework's way."""

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self.doors: dict[str, ASGIApp] = {}

    def add_door(self, path: str, answers: Answers, limits: Callable[[ASGIApp], ASGIApp]) -> None:
        """`POST path` answered by `answers`, within `limits` (the app's own body limits)."""
        self.doors[path] = limits(Door(answers))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            door = self.doors.get(scope["path"])
            if door is not None:
                scope["app"] = self
                await door(scope, receive, send)
                return
        await super().__call__(scope, receive, send)
