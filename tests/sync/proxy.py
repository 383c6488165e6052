"""A fault-injecting TCP proxy (asyncio, in a thread of its own) between an agent and the
cloud: latency on every chunk, connections reset at random, answers cut off halfway,
and downtime when nothing gets through. Faults are switched while it runs."""

from __future__ import annotations

import asyncio
import contextlib
import random
import threading
from collections import Counter
from dataclasses import dataclass


@dataclass
class Faults:
    latency_s: float = 0.0  # added to every chunk, each way
    reset: float = 0.0  # chance, per chunk, that the connection is reset instead
    cut: float = 0.0  # chance, per chunk of an answer, that only its first half gets through
    down: bool = False  # every connection is dropped at once, new and open


class FaultyProxy:
    def __init__(self, upstream_host: str, upstream_port: int, seed: int = 1) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.faults = Faults()
        self.seen: Counter[str] = Counter()  # what happened, for the test's report
        self._rng = random.Random(seed)
        self._loop = asyncio.new_event_loop()
        self._open: set[asyncio.StreamWriter] = set()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="faulty-proxy", daemon=True)
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FaultyProxy:
        self._thread.start()
        self._ready.wait(5)
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def set(self, **faults: float | bool) -> None:
        """Change faults; going down drops every open connection."""
        self.faults = Faults(**{**self.faults.__dict__, **faults})  # type: ignore[arg-type]
        if self.faults.down:
            self._loop.call_soon_threadsafe(self._drop_all)

    def _drop_all(self) -> None:
        for writer in list(self._open):
            writer.transport.abort()
        self.seen["dropped"] += len(self._open)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._client, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        server.close()
        for writer in list(self._open):
            writer.transport.abort()
        self._loop.run_until_complete(asyncio.sleep(0))
        self._loop.close()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        faults = self.faults
        if faults.down:
            self.seen["refused"] += 1
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.transport.abort()
            return
        self._open |= {writer, up_writer}
        pipes = [
            asyncio.create_task(self._pipe(reader, up_writer, answers=False)),
            asyncio.create_task(self._pipe(up_reader, writer, answers=True)),
        ]
        await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
        for task in pipes:
            task.cancel()
        for end in (writer, up_writer):
            self._open.discard(end)
            end.transport.abort()

    async def _pipe(
        self, source: asyncio.StreamReader, target: asyncio.StreamWriter, *, answers: bool
    ) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while chunk := await source.read(65536):
                faults = self.faults
                if faults.latency_s:
                    await asyncio.sleep(faults.latency_s * self._rng.uniform(0.5, 1.5))
                draw = self._rng.random()
                if answers and draw < faults.cut:
                    target.write(chunk[: max(1, len(chunk) // 2)])
                    await target.drain()
                    self.seen["cut"] += 1
                    return
                if draw < faults.cut + faults.reset:
                    self.seen["reset"] += 1
                    return
                target.write(chunk)
                await target.drain()
