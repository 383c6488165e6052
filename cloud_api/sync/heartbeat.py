"""`POST /sync/heartbeat` on the worker's event loop: a chain's stores beat 1,333 times a
second, so a beat takes no handler thread and no ORM, and is one statement.

- the body is read once (`Heartbeat.model_validate_json`), the credential's secret checked
  once per worker (`auth.device_tokens`); the statement itself refuses a revoked device;
  a credential the worker has not checked yet (a storm of stores back from an outage, a
  restarted worker) is checked by the same statement (its secret's hash), no look-up before
  it, and such beats go in the rounds after the known stores' beats (`rounds`), so the
  beats of the stores already online never queue behind a thousand newcomers';
- answered at its door, ahead of the framework's layers (`api.doors`; the route documents
  it), an answered beat kept out of the access log (`QuietBeats`);
- ONE statement on the worker's own async connections (`db.async_pool`), for every beat
  waiting on the worker at once (`rounds`: a busy worker's beats share it, a quiet one's
  goes alone, at once): agent and store seen (written only when last seen more
  than a few seconds ago, or the store when the beat brings its kitchen's load), the fleet
  report kept, both marks read, and the plan this beat's load replaces, returned only when
  it differs, for the trackers' plan news;
- plan news (a shown minute moved) is told after the answer, by one statement on the same
  connections for every store's news waiting (`tracker_news`); orders nobody saw (rare) on
  the worker's sync threads (`admission.run`), never a customer's handler thread;
- what the statement leaves (a computer that does not speak for the store yet, a device
  refused, a store gone) goes the ORM way (`service.heartbeat`), with the same answers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

import psycopg
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.background import BackgroundTasks
from starlette.requests import Request
from starlette.responses import Response

from cloud_api.api.deps import caller_of
from cloud_api.api.doors import body_of
from cloud_api.auth.device_tokens import DeviceTokens
from cloud_api.auth.principal import Principal, Role
from cloud_api.auth.service import authenticate_device_token
from cloud_api.auth.tokens import token_hash
from cloud_api.db.async_pool import AsyncPool, Connection
from cloud_api.db.base import utcnow
from cloud_api.db.database import Announcement
from cloud_api.errors import BadRequest, CloudError, Unauthorized
from cloud_api.notifications import service as notifications
from cloud_api.orders.plan_news import ON_PLANS, by_store, moved, on_plans
from cloud_api.orders.quote import FRESH
from cloud_api.orders.state import TrackedOrder
from cloud_api.stores.devices import check_device, token_parts
from cloud_api.sync import repository, service
from cloud_api.sync.rounds import Found, Rounds
from cloud_api.sync.tracker_news import TrackerNews
from sync import contract
from sync.contract.quote import PlannedDoor

if TYPE_CHECKING:
    from cloud_api.context import CloudContext

# Agent and store are written at most this often per store (a store beats every 15 s);
# never more than a twelfth of the window a store counts as online for.
COALESCE = timedelta(seconds=5)
_PLAN = TypeAdapter(list[PlannedDoor])
M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")
SIGN_IN_FIRST = "Sign in first: send 'Authorization: Bearer <access token>'."


class DatabaseUnavailable(CloudError):
    status_code = 503


def parsed(model: type[M], raw: bytes) -> M:
    """A request body read with its contract model, once; a 422 naming the field if not."""
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False)) from None


def bearer(authorization: str) -> str:
    """The token of an `Authorization: Bearer …` header's value ('' without one)."""
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


_INSTANCE = contract.INSTANCE_HEADER.encode()


def _credentials(request: Request) -> tuple[str, str]:
    """(the bearer token, the instance header) in one pass over the raw headers."""
    authorization = instance = b""
    for name, value in request.scope["headers"]:
        if name == b"authorization":
            authorization = value
        elif name == _INSTANCE:
            instance = value
    return bearer(authorization.decode("latin-1")), instance.decode("latin-1")


class Heartbeats:
    """The heartbeat path of one worker: its connections and the credentials it verified."""

    def __init__(self, ctx: CloudContext, pool: AsyncPool, devices: DeviceTokens | None = None) -> None:
        self.ctx, self.pool = ctx, pool
        self.devices = devices or DeviceTokens()
        self.stale = min(COALESCE, timedelta(seconds=ctx.settings.store_online_seconds / 12))
        self._lane: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None
        # The beats, in rounds on the half of the connections the crowd's lane leaves.
        self.rounds = Rounds(self._round, in_flight=pool.size - pool.size // 2)
        # The trackers' plan news of every beat waiting, one statement a round.
        self.news = TrackerNews(self._plans, self._announce)

    def _crowd(self) -> asyncio.Semaphore:
        """The lane of what a storm brings a thousand of at once beyond the beats themselves
        (which go in rounds): credentials looked up (a person's token, a malformed one, a
        device refused and told why) and the plan news of stores back with a plan. Half the
        pool's connections at most (on the loop in use: a test client may start another): the
        other half is always there for the beats' rounds."""
        loop = asyncio.get_running_loop()
        if self._lane is None or self._lane[0] is not loop:
            self._lane = (loop, asyncio.Semaphore(max(1, self.pool.size // 2)))
        return self._lane[1]

    async def answer(self, request: Request) -> Response:
        token, instance = _credentials(request)
        if not token:
            raise Unauthorized(SIGN_IN_FIRST)
        if len(instance) > 64:
            raise RequestValidationError(
                [{"loc": ("header", contract.INSTANCE_HEADER), "msg": "is longer than 64 characters"}]
            )
        raw = await body_of(request)
        if (device := self.devices.known(token)) is not None:
            return await self._answer(token, instance, device, parsed(contract.Heartbeat, raw), None)
        # A credential new to this worker: a storm's thousand first beats are checked by the
        # statement that writes them, in rounds after the known stores' beats (`rounds`).
        beat = _readable(raw)
        device_id, secret = token_parts(token) if token.startswith("mld_") else ("", "")
        if device_id and beat is not None and beat.store_id:  # checked by the beat's statement
            device = Principal(id=device_id, role=Role.STORE_DEVICE, store_id=beat.store_id)
            return await self._answer(token, instance, device, beat, token_hash(secret))
        # A person's token, a malformed credential, a beat without its store: the credential
        # checked first (in the crowd's lane), then the body's error told.
        device = await self.device(token)
        return await self._answer(token, instance, device, beat or parsed(contract.Heartbeat, raw), None)

    async def _answer(
        self,
        token: str,
        instance: str,
        device: Principal,
        beat: contract.Heartbeat,
        secret_hash: str | None,
    ) -> Response:
        """The beat answered: its one statement (which, with `secret_hash`, checks a credential
        new to the worker too), or the ORM's way for what the statement leaves."""
        store_id = service.device_store(device, beat.store_id)
        service.check_protocol(beat.protocol)
        instance = beat.instance or instance
        now = utcnow()
        found = await self._beat(device.id, store_id, instance, beat, now, secret_hash)
        if secret_hash is not None and found is not None:
            if not found.device:  # refused: say why as any other unchecked credential is told
                device = await self.device(token)
                store_id = service.device_store(device, beat.store_id)
                found = await self._beat(device.id, store_id, instance, beat, now, None)
            else:
                self.devices.remember(token, device)
        if found is None or not found.device or not found.speaks:
            if found is not None and not found.device:
                self.devices.forget(token)
            ack = await self.ctx.admission.run(self._by_the_orm, token, beat, instance, now)
            place = self.ctx.admission.place(ack.store_id, beat.outbox_backlog, self.rounds.newcomers_waiting)
            return _json(ack.model_copy(update={"push_after_s": place}))
        if beat.load is not None and (news := _plan_news(found.earlier_plan, beat.load.plan)):
            self.news.tell(store_id, news, beat.load.plan)
        later = BackgroundTasks()  # told after the answer
        if beat.unseen_late:
            later.add_task(self.ctx.admission.run, self._unseen, store_id, beat.unseen_late, now)
        service.tell(found.code, beat)
        ack = contract.HeartbeatAck(
            store_id=store_id,
            store_code=found.code,
            high_water=found.high_water,
            feed_high_water=found.feed_high_water,
            push_after_s=self.ctx.admission.place(
                store_id, beat.outbox_backlog, self.rounds.newcomers_waiting
            ),
        )
        return _json(ack, later if later.tasks else None)

    async def _beat(
        self,
        device_id: str,
        store_id: str,
        instance: str,
        beat: contract.Heartbeat,
        now: datetime,
        secret_hash: str | None,
    ) -> repository.Beat | None:
        """The beat's statement, in the round that is waiting (`rounds`); with `secret_hash`,
        a newcomer's, checking its credential, after the known stores' beats."""
        return await self.rounds.ask(
            repository.BeatAsk(device_id, store_id, instance, beat, now, secret_hash)
        )

    async def _round(self, asks: Sequence[repository.BeatAsk]) -> list[Found]:
        """A round's statement. A value PostgreSQL refused (one store's, out of range) fails
        the statement, not the others: each beat is then written on its own, and only the
        one at fault is told."""
        try:
            return await self._run(partial(self._written, asks))
        except BadRequest:
            if len(asks) == 1:
                raise
        found: list[Found] = []
        for ask in asks:
            try:
                found.extend(await self._run(partial(self._written, [ask])))
            except CloudError as exc:
                found.append(exc)
        return found

    async def _written(self, asks: Sequence[repository.BeatAsk], conn: Connection) -> list[Found]:
        return list(await repository.beats(conn, asks, self.stale, FRESH))

    async def device(self, token: str) -> Principal:
        """The device behind the credential: checked against its row once per worker; a
        person's token is judged as on every other route (and refused by `device_store`)."""
        if (known := self.devices.known(token)) is not None:
            return known
        async with self._crowd():
            return await self._verified(token)

    async def _verified(self, token: str) -> Principal:
        """A credential not known to this worker checked against its device's row (in the
        crowd's lane), and remembered."""
        if not token.startswith("mld_"):
            return await caller_of(self.ctx, token)
        device_id, secret = token_parts(token)
        row = None
        if device_id:
            row = await self._run(lambda conn: repository.device(conn, device_id))
        device = check_device(device_id, secret, row)
        self.devices.remember(token, device)
        return device

    async def _run(self, work: Callable[[Connection], Awaitable[T]]) -> T:
        """`work` on a connection of the worker's pool. A connection the server dropped
        while idle (a restart, a pooler's reset) is replaced once; a value PostgreSQL cannot
        hold is the caller's fault (422); a database not answering is ours (503)."""
        for attempt in (1, 2):
            try:
                async with self.pool.connection() as conn:
                    return await work(conn)
            except psycopg.DataError as exc:
                raise BadRequest("A value is out of range or not allowed for its field.") from exc
            except psycopg.OperationalError as exc:
                if attempt == 2:
                    raise DatabaseUnavailable(
                        "The cloud's database is not answering; the store's agent beats again "
                        "shortly and nothing is lost."
                    ) from exc
        raise AssertionError("unreachable")

    def _by_the_orm(
        self, token: str, beat: contract.Heartbeat, instance: str, now: datetime
    ) -> contract.HeartbeatAck:
        device = authenticate_device_token(self.ctx, token)  # a revoked device: 401, saying so
        store_id = service.device_store(device, beat.store_id)
        with self.ctx.db.transaction() as session:
            return service.heartbeat(session, store_id, beat, instance, now)

    async def _plans(self, ids_by_store: Mapping[str, Collection[str]]) -> dict[str, list[TrackedOrder]]:
        """The tracked orders among each store's moved ids (`tracker_news`' round): one
        statement on the beats' own connections, on the event loop, in the crowd's lane (on
        the sync threads, the ORM's reads held the interpreter the loop needed for
        customers' orders)."""

        async def found(conn: Connection) -> dict[str, list[TrackedOrder]]:
            async with conn.cursor() as cursor:
                await cursor.execute(ON_PLANS, on_plans(ids_by_store))
                return by_store(await cursor.fetchall())

        async with self._crowd():
            return await self._run(found)

    def _announce(self, updates: list[dict[str, Any]]) -> None:
        news = Announcement()
        news.tracker = updates
        self.ctx.announcer.post(news)

    def _unseen(self, store_id: str, order_ids: list[str], now: datetime) -> None:
        with self.ctx.db.transaction() as session:
            notifications.queue_unseen_notices(session, store_id, order_ids, now)


def _readable(raw: bytes) -> contract.Heartbeat | None:
    """The beat read with its contract, or None (its error is told once the credential is checked)."""
    try:
        return contract.Heartbeat.model_validate_json(raw)
    except ValidationError:
        return None


def _answer(args: object) -> tuple[str, int] | None:
    """The (path, status) of an access line's arguments (client, method, path, version,
    status), or None for other arguments."""
    if not (isinstance(args, tuple) and len(args) >= 5):
        return None
    path, status = args[2], args[4]
    return (path, status) if isinstance(path, str) and isinstance(status, int) else None


class QuietBeats(logging.Filter):
    """Keeps a store's answered heartbeat out of the access log (a chain's worth is 1,333
    lines a second saying "alive"), or another cheap path's answered request (a placed order,
    which its row records); a refused one is logged as any other request."""

    def __init__(self, path: str, answered: int = 200) -> None:
        super().__init__()
        self.path, self.answered = path, answered

    def quiet(self, args: object) -> bool:
        """Whether an access line's arguments are an answered request of this path."""
        return _answer(args) == (self.path, self.answered)

    def filter(self, record: logging.LogRecord) -> bool:
        return not self.quiet(record.args)


class QuietAccessLog(logging.Logger):
    """uvicorn's access logger, passing over a line its `QuietBeats` filters would drop before
    the record is made: the record, the caller's frame looked up and the filters passed cost a
    twelfth of a storm's first beat on the worker's loop, for a line nobody reads. The
    filters' (path, status) pairs are read once, by `quieten`, into `quiet_answers`."""

    quiet_answers: frozenset[tuple[str, int]] = frozenset()

    def info(self, msg: object, *args: object, **kwargs: Any) -> None:
        if _answer(args) in self.quiet_answers:
            return
        super().info(msg, *args, **kwargs)


def quieten(access: logging.Logger, rules: Sequence[QuietBeats]) -> None:
    """`rules` on uvicorn's access logger (ahead of its other filters: an answered beat has
    nothing to redact), each once, and its lines passed over before a record is made."""
    have = {(f.path, f.answered) for f in access.filters if isinstance(f, QuietBeats)}
    for rule in rules:
        if (rule.path, rule.answered) not in have:
            access.filters.insert(0, rule)
    if type(access) is logging.Logger:
        access.__class__ = QuietAccessLog
    if isinstance(access, QuietAccessLog):
        access.quiet_answers = frozenset(
            (f.path, f.answered) for f in access.filters if isinstance(f, QuietBeats)
        )


def _plan_news(earlier_plan: str | None, plan: list[PlannedDoor]) -> set[str]:
    """The orders whose shown minutes the new plan moved from the one trackers showed before
    this beat; none (the common beat) when nothing moved or no plan was shown."""
    if earlier_plan is None:
        return set()
    try:
        before = _PLAN.validate_json(earlier_plan)
    except ValidationError:
        before = []
    return moved(before, plan)


def _json(ack: contract.HeartbeatAck, later: BackgroundTasks | None = None) -> Response:
    return Response(ack.model_dump_json(), media_type="application/json", background=later)
