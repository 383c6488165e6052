"""`POST /orders` answered before the router, on the worker's event loop: the body read
once with `OrderCreate.model_validate_json`, the caller from the cached access-token check,
the `Idempotency-Key` header read from the raw headers; the order placed on the loop too
(`loop_intake`), on the worker's own connections. The route in `router.py` stays for the
API's documentation and gives the same answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi.exceptions import RequestValidationError
from starlette.requests import Request
from starlette.responses import Response

from cloud_api.api.deps import caller_of
from cloud_api.api.doors import body_of
from cloud_api.db.async_pool import AsyncPool
from cloud_api.db.base import utcnow
from cloud_api.errors import Unauthorized
from cloud_api.orders import intake
from cloud_api.orders.loop_intake import LoopIntake
from cloud_api.orders.schemas import OrderCreate
from cloud_api.sync.heartbeat import SIGN_IN_FIRST, bearer, parsed

if TYPE_CHECKING:
    from cloud_api.context import CloudContext

KEY_HEADER = "Idempotency-Key"
_KEY = KEY_HEADER.lower().encode()


def _credentials(request: Request) -> tuple[str, str | None]:
    """(the bearer token, the `Idempotency-Key` or None) in one pass over the raw headers."""
    authorization, key = b"", None
    for name, value in request.scope["headers"]:
        if name == b"authorization":
            authorization = value
        elif name == _KEY:
            key = value
    return bearer(authorization.decode("latin-1")), None if key is None else key.decode("latin-1")


def _key_problem(key: str | None) -> str | None:
    """What is wrong with the header as the route declares it (8 to 100 characters)."""
    if key is None:
        return "Field required"
    if not 8 <= len(key) <= 100:
        return "String should have 8 to 100 characters"
    return None


def answer_of(taken: intake.Taken) -> Response:
    """The placement's answer: its JSON as written, marked when it replays a first answer."""
    headers = {"Idempotent-Replayed": "true"} if taken.replayed else None
    return Response(taken.body, taken.status_code, headers, media_type="application/json")


class Intake:
    """The order path of one worker (its callers are checked by the cached token check)."""

    def __init__(self, ctx: CloudContext) -> None:
        self.ctx = ctx
        # As many orders at once as a worker has handler threads; more wait their turn.
        pool = AsyncPool(
            ctx.db.url,
            ctx.settings.request_threads,
            durable=True,
            name="makeline-cloud-orders",
            prepared=False,
        )
        self.orders = LoopIntake(ctx, pool)

    async def answer(self, request: Request) -> Response:
        token, key = _credentials(request)
        if not token:
            raise Unauthorized(SIGN_IN_FIRST)
        caller = await caller_of(self.ctx, token)
        if (problem := _key_problem(key)) is not None:
            raise RequestValidationError([{"loc": ("header", KEY_HEADER), "msg": problem}])
        assert key is not None
        data = parsed(OrderCreate, await body_of(request))
        return answer_of(await self.orders.place(caller, data, key, utcnow()))

    async def close(self) -> None:
        """Let go of the worker's order connections (it is stopping)."""
        await self.orders.close()
