"""A cheap path's door (`api.doors`): its `POST` answered ahead of the framework's layers, yet
within the app's body limits and with its errors rendered by the app's own handlers; every
other request (another method, another path) goes the framework's way."""

from __future__ import annotations

from functools import partial
from typing import ClassVar

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

from cloud_api.api import handlers
from cloud_api.api.doors import CloudApp, body_of
from cloud_api.api.limits import BodyLimit
from cloud_api.errors import Unauthorized


class Beats:
    async def answer(self, request: Request) -> Response:
        if not request.headers.get("authorization"):
            raise Unauthorized("Sign in first.")
        return JSONResponse({"length": len(await body_of(request))})


class Layers:
    """A middleware of the framework's stack, noting what passes it."""

    seen: ClassVar[list[str]] = []

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            Layers.seen.append(f"{scope['method']} {scope['path']}")
        await self.app(scope, receive, send)


def _app() -> CloudApp:
    app = CloudApp()
    limits = partial(BodyLimit, max_bytes=1_000, max_depth=4, max_items=50)
    app.add_door("/beat", Beats(), limits)
    app.add_middleware(BodyLimit, **limits.keywords)
    app.add_middleware(Layers)
    handlers.install(app)

    @app.get("/beat")
    async def documented() -> dict[str, str]:
        return {"door": "POST"}

    return app


def test_a_doors_post_is_answered_ahead_of_the_frameworks_layers_others_go_through_them() -> None:
    Layers.seen.clear()
    with TestClient(_app()) as client:
        answered = client.post("/beat", content=b'{"a": [1, 2]}', headers={"Authorization": "Bearer x"})
        assert answered.status_code == 200 and answered.json() == {"length": 13}
        chunked = client.post(
            "/beat", content=iter([b'{"a":', b" [1, 2]}"]), headers={"Authorization": "Bearer x"}
        )
        assert chunked.status_code == 200 and chunked.json() == {"length": 13}  # read whole, in its pieces
        assert client.get("/beat").json() == {"door": "POST"}
        assert client.post("/elsewhere", json={}).status_code == 404
    assert Layers.seen == ["GET /beat", "POST /elsewhere"]


def test_a_doors_errors_and_limits_are_the_apps_own() -> None:
    with TestClient(_app()) as client:
        refused = client.post("/beat", content=b"{}")
        assert refused.status_code == 401 and refused.json()["detail"] == "Sign in first."
        signed = {"Authorization": "Bearer x"}
        too_large = client.post("/beat", content=b"[" + b"1," * 600 + b"1]", headers=signed)
        assert too_large.status_code == 413 and "1,000 bytes" in too_large.json()["detail"]
        too_deep = client.post("/beat", content=b"[[[[[[1]]]]]]", headers=signed)
        assert too_deep.status_code == 422 and "deeper than 4" in too_deep.json()["detail"]
        too_long = client.post("/beat", content=b"[" + b"1," * 60 + b"1]", headers=signed)
        assert too_long.status_code == 422 and "more than 50 members" in too_long.json()["detail"]
