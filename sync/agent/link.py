"""Talking to the cloud's sync endpoints over HTTP, with the store's device credential.

Library errors become sync errors here, once:

    no answer, a timeout, a cut connection, 5xx   CloudUnreachable (unknown: send again)
    401 / 403                                     DeviceRefused (stop; a person must act)
    426                                           ProtocolMismatch (stop; update makeline)
    409 naming the instance                       SecondDevice (another computer syncs as us)
    409, other 4xx                                OutOfStep (the cloud will not take this)
"""

from __future__ import annotations

import hashlib
import math
import platform
import uuid
from pathlib import Path
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from sync import contract
from sync.errors import CloudBusy, CloudUnreachable, DeviceRefused, OutOfStep, ProtocolMismatch, SecondDevice

API = "/api/v1/sync"
Answer = TypeVar("Answer", bound=BaseModel)


def auth_headers(token: str, instance: str = "") -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}", contract.PROTOCOL_HEADER: str(contract.PROTOCOL)}
    if instance:
        headers[contract.INSTANCE_HEADER] = instance
    return headers


def _machine() -> str:
    for name in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
        try:
            found = Path(name).read_text(encoding="ascii").strip()
        except OSError:
            continue
        if found:
            return found
    return f"{platform.node()}-{uuid.getnode():x}"


def agent_instance(db_path: Path) -> str:
    """Which computer and store file this agent syncs from: the same after a restart, another
    for a copy of the store file (on another computer, or elsewhere on this one)."""
    where = f"{_machine()}|{db_path.resolve()}"
    return hashlib.sha256(where.encode()).hexdigest()[:32]


class _Refusal(BaseModel):
    detail: str = ""
    field: str | None = None
    retry_after_s: float | None = None  # a 429's wait to the hundredth (the header: whole seconds)


def _refusal(response: httpx.Response) -> _Refusal:
    try:
        return _Refusal.model_validate(response.json())
    except (ValueError, ValidationError):
        return _Refusal(detail=response.text[:200] or response.reason_phrase)


def _detail(response: httpx.Response) -> str:
    return _refusal(response).detail[:300]


# The longest a cloud's Retry-After is obeyed; a longer one is read as this.
MAX_RETRY_AFTER_S = 300.0


def retry_after(response: httpx.Response) -> float:
    """The cloud's wait in seconds: its body's, to the hundredth, else its Retry-After header's
    (1 when it gave none readable), at most `MAX_RETRY_AFTER_S`."""
    told = _refusal(response).retry_after_s
    if told is None or not math.isfinite(told):
        try:
            told = float(response.headers.get("Retry-After", "1"))
        except ValueError:
            told = 1.0
    return min(MAX_RETRY_AFTER_S, max(0.0, told)) if math.isfinite(told) else 1.0


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
    if status == 409 and _refusal(response).field == "instance":
        raise SecondDevice(f"The cloud refused to {what}: {detail}")
    if status == 429:
        wait = retry_after(response)
        raise CloudBusy(f"The cloud is busy and asked us to {what} again in {wait:.0f} s ({detail}).", wait)
    if status >= 500:
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

    async def heartbeat(self, beat: contract.Heartbeat) -> contract.HeartbeatAck:
        return await self._call(
            "take the heartbeat",
            "POST",
            "/heartbeat",
            contract.HeartbeatAck,
            content=beat.model_dump_json(),
            headers={"Content-Type": "application/json"},
        )

    async def push(self, batch: contract.PushBatch) -> contract.PushAck:
        return await self._call(
            "store our events",
            "POST",
            "/push",
            contract.PushAck,
            content=batch.model_dump_json(),
            headers={"Content-Type": "application/json"},
        )

    async def pull(self, after: int, limit: int) -> contract.PullPage:
        return await self._call(
            "send our feed", "GET", "/pull", contract.PullPage, params={"after": after, "limit": limit}
        )
