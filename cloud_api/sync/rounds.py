"""Beats in rounds: the heartbeats waiting on a worker's event loop written by one statement.

A chain's stores beat 1,333 times a second. One statement a beat costs PostgreSQL its
parse, plan, start and commit each time, and the worker a round trip each time; the rows
themselves are the least of it. So a beat joins the round that is waiting: at most
`in_flight` statements run at once, and whatever beats arrived while they ran go together
in the next, up to `most`, one a store (a store's second beat, rare, goes in the round
after). A quiet worker's beat is a round of one, sent at once; a busy worker's rounds grow
with the load, which is when the saving matters. Outside a storm, nothing waits on a timer.

A storm's first beats (stores back from an outage, their credentials new to the worker and
checked by the statement itself) go in rounds too, after the beats of the stores already
known: a known store's beat never waits behind a thousand newcomers'. While newcomers wait, a
round gathers for a few milliseconds first (`gather_s`, or until a round's worth is waiting):
a thousand first beats come in over a few hundred milliseconds, no faster than the loop reads
them, so rounds taken at once held two or three beats each, and the cost of a round (its
statement parsed, sent, run and read) came four hundred times over on the worker's loop and
in PostgreSQL. A quiet worker's beat, and a known store's beat outside a storm, never wait.

A round's statement runs in a task of its own, so a caller that goes away (its client
hung up) takes nobody's answer with it.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Sequence

from cloud_api.sync.repository import Beat, BeatAsk

Found = Beat | None | Exception  # what one beat of a round found, or why it failed
RunRound = Callable[[Sequence[BeatAsk]], Awaitable[list[Found]]]
Waiting = tuple[BeatAsk, "asyncio.Future[Beat | None]"]


class Rounds:
    """The beats waiting on one event loop, and the rounds writing them."""

    def __init__(self, run: RunRound, in_flight: int = 2, most: int = 100, gather_s: float = 0.005) -> None:
        self.run, self.in_flight, self.most = run, max(1, in_flight), max(1, most)
        self.gather_s = gather_s
        # Each store's waiting beats, the stores in the order their first beat came.
        self._waiting: dict[str, deque[Waiting]] = {}
        self._newcomers: dict[str, deque[Waiting]] = {}
        self._running = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._gathering = Gathering()  # over once a round's worth waits
        self.rounds = self.beats = 0  # how many statements, for how many beats

    async def ask(self, ask: BeatAsk) -> Beat | None:
        """What the beat's statement found (with the round it went in)."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a test client may start another loop: start afresh
            self._loop, self._waiting, self._newcomers, self._running = loop, {}, {}, 0
        answer: asyncio.Future[Beat | None] = loop.create_future()
        stores = self._waiting if ask.secret_hash is None else self._newcomers
        stores.setdefault(ask.store_id, deque()).append((ask, answer))
        if len(self._waiting) + len(self._newcomers) >= self.most:
            self._gathering.end()
        if self._running < self.in_flight:
            self._running += 1
            task = loop.create_task(self._rounds())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return await answer

    @property
    def newcomers_waiting(self) -> bool:
        """Beats of stores new to this worker (a storm's first beats) wait for their round."""
        return bool(self._newcomers)

    def _next(self) -> list[Waiting]:
        """The next beat of each store waiting, the known stores' first, stores in the order
        they came, at most `most`: a store sending many beats at once has one in each round,
        the others' beats beside it."""
        taken: list[Waiting] = []
        stores: set[str] = set()
        for waiting in (self._waiting, self._newcomers):
            emptied = []
            for store, beats in waiting.items():
                if len(taken) == self.most:
                    break
                while beats and beats[0][1].done():  # its caller went away
                    beats.popleft()
                if beats and store not in stores:
                    stores.add(store)
                    taken.append(beats.popleft())
                if not beats:
                    emptied.append(store)
            for store in emptied:
                del waiting[store]
        return taken

    async def _gather(self) -> None:
        """`gather_s`, or until a round's worth of stores waits (the rounds in flight gather
        together)."""
        if len(self._waiting) + len(self._newcomers) < self.most:
            await self._gathering.wait(self.gather_s)

    async def _rounds(self) -> None:
        """Rounds until nobody is waiting."""
        try:
            while True:
                if self._newcomers:  # a storm: the first beats coming in join this round
                    await self._gather()
                if not (round_ := self._next()):
                    break
                self.rounds, self.beats = self.rounds + 1, self.beats + len(round_)
                try:
                    found: Sequence[Found] = await self.run([ask for ask, _ in round_])
                except Exception as exc:  # the round as a whole failed: each beat is told why
                    found = [exc] * len(round_)
                for (_, answer), one in zip(round_, found, strict=True):
                    if answer.done():
                        continue
                    if isinstance(one, Exception):
                        answer.set_exception(one)
                    else:
                        answer.set_result(one)
        finally:
            self._running = max(0, self._running - 1)


class Gathering:
    """Moments for more work to come in before a round goes: each over after its seconds, or
    at once when `end` is called (a round's worth is waiting). Rounds gathering at the same
    time share one moment; nothing else waits on it."""

    def __init__(self) -> None:
        self._over: asyncio.Future[None] | None = None
        self._timer: asyncio.TimerHandle | None = None

    def end(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        over = self._over
        if over is not None and not over.done() and not over.get_loop().is_closed():
            over.set_result(None)

    async def wait(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        if self._over is None or self._over.done() or self._over.get_loop() is not loop:
            self._over = loop.create_future()
            self._timer = loop.call_later(seconds, self.end)
        await asyncio.shield(self._over)  # one round's caller gone ends nobody's gathering
