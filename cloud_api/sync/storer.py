"""Stores' pushes stored in a process of their own, beside the workers (`makeline cloud`).

A worker admits a push (its slot, its remembered credential, `admission`) and hands the
raw body, the credential and the agent's instance to the storer through a local Unix
socket; the storer reads the batch with the contract and stores it in one transaction
(`store_push`: what a worker without a storer runs on its sync threads), then answers the
acknowledgement, so the acknowledgement still means "stored under UNIQUE(store_id, seq)".
A quiet worker's apply of the store's own events (`applier.apply_all`) runs here too.

Why a process: checking a batch's JSON, reading it with the contract and storing it are C
calls that hold a process's interpreter lock for 5–20 ms each; in a worker they held the
lock its event loop needed for every customer's order. Here they hold the storer's.

It runs at nice 5 and `SCHED_IDLE` in a session of its own (`priority.STORER_NICE`),
its PostgreSQL backends too on the same machine: below the workers, so customers' orders get
the CPU first in a storm, above the appliers', so what is stored is acknowledged before it is
applied. (At the applier's nice 10 it once slowed a 200-store storm's acknowledgements from
22 s to 38 s, when every store turned away came back within 3 s; the stores now come back in
a line paced by how fast pushes are stored.)

The storer being gone or restarting is no outage: the worker stores the push itself
(storing is idempotent, so a batch the storer stored before it went is found stored).

The wire, between the cloud's own processes: a frame is a 4-byte big-endian length and that
many bytes. Asked: an `Ask` (JSON), then the raw body. Answered: an `Answer` (JSON).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import io
import logging
import os
import signal
import socketserver
import sys
import threading
from typing import Literal

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import DataError, IntegrityError

from cloud_api.api.limits import json_shape_problem
from cloud_api.auth.principal import Principal, Role
from cloud_api.context import CloudContext
from cloud_api.db.base import utcnow
from cloud_api.errors import BadRequest, CloudError, Conflict, TooManyAttempts, Unauthorized
from cloud_api.store_events.intake import PayloadNotObject, stores_as_sent
from cloud_api.stores.devices import authenticate_device
from cloud_api.sync import applier, priority, service
from cloud_api.sync.admission import BACKLOG_FOR_A_PLACE
from cloud_api.sync.heartbeat import parsed
from sync import contract, failpoints

log = logging.getLogger(__name__)

SOCKET = "MAKELINE_STORER_SOCKET"  # where `makeline cloud`'s storer listens, for its workers
FOLDER = "MAKELINE_STORER_FOLDER"  # the private folder `makeline cloud` made for the socket
MAX_FRAME = 64 * 1024 * 1024  # far above any push the workers admit (`max_sync_body_bytes`)


def store_push(
    ctx: CloudContext, token: str, device: Principal, raw: bytes, instance: str
) -> contract.PushAck:
    """The batch read (its JSON's shape first, as the body limit does for other routes) and
    stored in one transaction, which checks the device's row again: a credential revoked
    since the worker remembered it is refused. A backlog's push first waits while the
    appliers are far behind (`brake`)."""
    limits = ctx.settings
    if (problem := json_shape_problem(raw, limits.max_json_depth, limits.max_json_items)) is not None:
        raise BadRequest(problem, "body")
    # A body with nothing doubtful in it is read without its payloads and each payload stored
    # as sent (reading each payload into Python objects only to write it out again cost about 25 µs an
    # event: `benchmarks/bench_storm.py`'s storer CPU).
    batch: contract.PushHead | contract.PushBatch = (
        parsed(contract.PushHead, raw) if stores_as_sent(raw) else parsed(contract.PushBatch, raw)
    )
    store_id = service.device_store(device, batch.store_id)
    service.check_protocol(batch.protocol)
    if len(batch.events) > BACKLOG_FOR_A_PLACE:  # a backlog, not a store's evening as it goes
        ctx.brake.wait()  # the appliers far behind: their pace is the backlogs' (`brake`)
    try:
        with ctx.db.transaction() as session:
            service.device_store(authenticate_device(session, token), store_id)
            service.claim(session, store_id, batch.instance or instance, utcnow())
            if isinstance(batch, contract.PushHead):
                ack = service.push_as_sent(session, store_id, batch, raw.decode(), utcnow())
            else:
                ack = service.push(session, store_id, batch, utcnow())
    except PayloadNotObject as exc:  # the contract's own answer, as when the batch is read whole
        kind, msg = (
            ("missing", "Field required") if exc.missing else ("dict_type", "Input should be an object")
        )
        raise RequestValidationError(
            [{"type": kind, "loc": ("events", exc.index, "payload"), "msg": msg}]
        ) from None
    failpoints.hit("push.after_commit")
    return ack


class Ask(BaseModel):
    """What a worker asks: store a push (its raw body follows), or apply a store's events."""

    work: Literal["store", "apply"]
    store_id: str
    device_id: str = ""
    token: str = ""
    instance: str = ""


class Problem(BaseModel):
    """One field the contract refused (`RequestValidationError`'s entries, without context)."""

    loc: list[str | int]
    msg: str
    type: str


class Refusal(BaseModel):
    """A `CloudError` (or a refused body) told back to the worker, which answers it."""

    status: int
    detail: str
    field: str | None = None
    retry_after_s: float = 1.0
    problems: list[Problem] = []


class Answer(BaseModel):
    ack: contract.PushAck | None = None
    held: int = 0  # events set aside by an apply
    refusal: Refusal | None = None


class Relayed(CloudError):
    """A refusal the storer gave, answered by the worker with the storer's status."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.detail, refusal.field)
        self.status_code = refusal.status


def raised(refusal: Refusal) -> Exception:
    """The error a worker raises for the storer's refusal: the same answer it would give."""
    if refusal.problems:
        return RequestValidationError([p.model_dump() for p in refusal.problems])
    if refusal.status == Unauthorized.status_code:
        return Unauthorized(refusal.detail, refusal.field)  # the worker forgets the credential
    if refusal.status == TooManyAttempts.status_code:
        return TooManyAttempts(refusal.detail, refusal.retry_after_s, refusal.field)
    return Relayed(refusal)


def answer(ctx: CloudContext, ask: Ask, raw: bytes) -> Answer:
    """The storer's answer to one ask; a refusal for anything the worker would refuse."""
    try:
        if ask.work == "apply":
            return Answer(held=applier.apply_all(ctx.db, ask.store_id))
        device = Principal(ask.device_id, Role.STORE_DEVICE, ask.store_id)
        return Answer(ack=store_push(ctx, ask.token, device, raw, ask.instance))
    except RequestValidationError as exc:
        problems = [Problem.model_validate(e) for e in exc.errors()]
        return Answer(refusal=Refusal(status=422, detail="The batch is not valid.", problems=problems))
    except CloudError as exc:
        retry = exc.retry_after_s if isinstance(exc, TooManyAttempts) else 1.0
        return Answer(
            refusal=Refusal(status=exc.status_code, detail=exc.detail, field=exc.field, retry_after_s=retry)
        )
    except DataError:
        detail = "A value is out of range or not allowed for its field."
        return Answer(refusal=Refusal(status=BadRequest.status_code, detail=detail))
    except IntegrityError:
        detail = "That clashes with data that already exists; reload and try again."
        return Answer(refusal=Refusal(status=Conflict.status_code, detail=detail))


def _frame(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


class Storing:
    """A worker's way to store a push and apply a store's events: through the storer when
    `makeline cloud` runs one (`path`), else on the worker's own sync threads."""

    def __init__(self, ctx: CloudContext, path: str = "") -> None:
        self.ctx, self.path = ctx, path

    async def store(self, token: str, device: Principal, raw: bytes, instance: str) -> contract.PushAck:
        if self.path:
            ask = Ask(
                work="store",
                store_id=device.store_id or "",
                device_id=device.id,
                token=token,
                instance=instance,
            )
            found = await self._ask(ask, raw)
            if found is not None and found.refusal is not None:
                raise raised(found.refusal)
            if found is not None and found.ack is not None:
                return found.ack
        return await self.ctx.admission.run(store_push, self.ctx, token, device, raw, instance)

    async def apply(self, store_id: str) -> int:
        """Every waiting event of the store applied; how many were set aside."""
        if self.path:
            found = await self._ask(Ask(work="apply", store_id=store_id), b"")
            if found is not None and found.refusal is not None:
                raise raised(found.refusal)
            if found is not None:
                return found.held
        return await self.ctx.admission.run(applier.apply_all, self.ctx.db, store_id)

    async def _ask(self, ask: Ask, raw: bytes) -> Answer | None:
        """The storer's answer; None when it cannot be reached or went away before answering
        (the worker then does the work itself: storing twice finds the batch stored)."""
        try:
            reader, writer = await asyncio.open_unix_connection(self.path)
        except OSError as exc:
            log.warning(
                "the storer at %s cannot be reached (%s); this worker stores the push itself", self.path, exc
            )
            return None
        try:
            writer.write(_frame(ask.model_dump_json().encode()))
            writer.write(len(raw).to_bytes(4, "big"))
            writer.write(raw)
            await writer.drain()
            size = int.from_bytes(await reader.readexactly(4), "big")
            return Answer.model_validate_json(await reader.readexactly(size))
        except (OSError, asyncio.IncompleteReadError, ValidationError) as exc:
            log.warning("the storer went away before answering (%s); this worker does the work itself", exc)
            return None
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


def _read(stream: io.BufferedIOBase) -> bytes:
    head = stream.read(4)
    size = int.from_bytes(head, "big") if len(head) == 4 else -1
    if not 0 <= size <= MAX_FRAME:
        raise EOFError("no frame")
    data = stream.read(size)
    if len(data) != size:
        raise EOFError("a frame cut short")
    return data


class _Asked(socketserver.StreamRequestHandler):
    server: Storer

    def handle(self) -> None:
        try:
            ask = Ask.model_validate_json(_read(self.rfile))
            raw = _read(self.rfile)
        except (EOFError, ValidationError):
            return  # a worker gone mid-ask: it stores the push itself
        self.wfile.write(_frame(answer(self.server.ctx, ask, raw).model_dump_json().encode()))


class Storer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    """The storer's server: a thread per asking worker's connection (each worker asks for at
    most its push slots at once, `admission`)."""

    daemon_threads = True

    def __init__(self, path: str, ctx: CloudContext) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)  # a socket left by a storer that was killed
        super().__init__(path, _Asked)
        os.chmod(path, 0o600)
        self.ctx = ctx


def main() -> int:
    """`python -m cloud_api.sync.storer`: the storer beside `makeline cloud`'s workers, until
    stopped or its parent is gone."""
    from cloud_api.context import build
    from cloud_api.settings import CloudSettings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    path = os.environ.get(SOCKET, "")
    if not path or not os.environ.get("DATABASE_URL"):
        print(f"{SOCKET} and DATABASE_URL must be set: the storer does not know where to listen or store.")
        return 2
    stop = threading.Event()
    for told in (signal.SIGTERM, signal.SIGINT):
        signal.signal(told, lambda *_: stop.set())
    parent = int(os.environ.get("MAKELINE_APPLIER_PARENT", "0")) or None
    priority.lower(0, priority.STORER_NICE)  # and its session, its own (`makeline cloud`)
    ctx = build(CloudSettings())
    priority.lower_engine(ctx.db.engine, priority.STORER_NICE)
    ctx.announcer.start()
    server = Storer(path, ctx)
    threading.Thread(target=server.serve_forever, name="storer", daemon=True).start()
    gc.freeze()  # what it holds from its start is never garbage (as the applier's)
    try:
        while not stop.wait(1.0) and (parent is None or os.getppid() == parent):
            pass
    finally:
        server.shutdown()
        server.server_close()
        with contextlib.suppress(OSError):
            os.unlink(path)
        with contextlib.suppress(OSError):  # `makeline cloud`'s folder for it, even if it was killed
            os.rmdir(os.environ.get(FOLDER, ""))
        ctx.announcer.stop()
        ctx.db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
