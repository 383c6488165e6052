"""Talking to the cloud's sync endpoints over HTTP, with the store's device credential.

Library errors become sync errors here, once:

    no answer, a timeout, a cut connection, 5xx   CloudUnreachable (unknown: send again)
    401 / 403                                     DeviceRefused (stop; a person must act)
    426                                           ProtocolMismatch (stop; update makeline)
    409, other 4xx                                OutOfStep (the cloud will not take this)
"""

from __future__ import annotations

from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from sync import contracts
from sync.errors import CloudUnreachable, DeviceRefused, OutOfStep, ProtocolMismatch

API = "/api/v1/sync"
Answer = TypeVar("Answer", bound=BaseModel)


def auth_headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "X-Makeline-Protocol": str(contracts.PROTOCOL)}


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    if isinstance(body, dict) and body.get("detail"):
        return str(body["detail"])
    return str(body)[:200]


def check(response: httpx.Response, what: str) -> Any:
    """The decoded JSON body of a 2xx answer, or the sync error this answer means."""
    status = response.status_code
    if 200 <= status < 300:
        try:
            return response.json()
        except ValueError as exc:
            raise CloudUnreachable(f"The cloud's answer to {what} was cut short; trying again.") from exc
    detail = _detail(response)
    if status in (401, 403):
        raise DeviceRefused(
            f"The cloud refused this store's credential ({detail}). The store keeps working "
            "offline; ask head office for an enrollment code and run makeline enroll again."
        )
    if status == 426:
        raise ProtocolMismatch(f"The cloud speaks another sync protocol ({detail}); update makeline.")
    if status >= 500 or status == 429:
        raise CloudUnreachable(f"The cloud could not {what} right now ({status}: {detail}).")
    raise OutOfStep(f"The cloud refused to {what} ({status}: {detail}).")


class CloudLink:
    """One store's sync calls. `http` is an `httpx.AsyncClient` whose base URL is the cloud."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def _call(self, what: str, method: str, path: str, model: type[Answer], **kw: Any) -> Answer:
        try:
            response = await self.http.request(method, f"{API}{path}", **kw)
        except httpx.TimeoutException as exc:
            raise CloudUnreachable(
                f"The cloud did not answer in time to {what}; the outcome is unknown."
            ) from exc
        except httpx.HTTPError as exc:
            raise CloudUnreachable(
                f"Could not reach the cloud to {what} ({type(exc).__name__}: {exc})."
            ) from exc
        body = check(response, what)
        try:
            return model.model_validate(body)
        except ValidationError as exc:
            raise CloudUnreachable(
                f"The cloud's answer to {what} could not be read ({exc.error_count()} problems)."
            ) from exc

    async def heartbeat(self, beat: contracts.Heartbeat) -> contracts.HeartbeatAck:
        return await self._call(
            "take the heartbeat",
            "POST",
            "/heartbeat",
            contracts.HeartbeatAck,
            content=beat.model_dump_json(),
            headers={"Content-Type": "application/json"},
        )

    async def push(self, batch: contracts.PushBatch) -> contracts.PushAck:
        return await self._call(
            "store our events",
            "POST",
            "/push",
            contracts.PushAck,
            content=batch.model_dump_json(),
            headers={"Content-Type": "application/json"},
        )

    async def pull(self, after: int, limit: int) -> contracts.PullPage:
        return await self._call(
            "send our feed", "GET", "/pull", contracts.PullPage, params={"after": after, "limit": limit}
        )
