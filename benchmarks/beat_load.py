"""An honest heartbeat load: stores' beats sent at a rate from several processes, open loop.

Each beat is due at its time whether or not earlier ones were answered, and its latency
counts from when it was due, so a slow cloud cannot hide behind a slowed generator. Each
process takes its share of the stores on keep-alive connections and writes prepared HTTP/1.1
requests over asyncio streams (a few microseconds a beat), and reports its own CPU.

    load = BeatLoad(base, [(body, token), ...], rate=1500, procs=2)
    load.start(); ...; load.stop()      # or `seconds=` for a fixed span
    done, span = load.join()
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import multiprocessing
import os
import time
from dataclasses import dataclass, field
from multiprocessing.synchronize import Event
from queue import Empty
from typing import Any
from urllib.parse import urlsplit

PATH = "/api/v1/sync/heartbeat"
TIMEOUT_S = 30.0  # the agent's own


@dataclass
class Share:
    """One generator process's part: its stores' prepared requests and its rate."""

    host: str
    port: int
    requests: list[bytes]
    rate: float
    seconds: float  # at most this long (a stop ends it sooner)
    connections: int


@dataclass
class Signals:
    """How the processes start together and stop: each says it is ready (its connections
    open), then all begin at `start_at` (a time.time()) once `begin` is set."""

    ready: Any
    begin: Event
    start_at: Any  # a shared double
    stop: Event


@dataclass
class Done:
    latencies: list[float] = field(default_factory=list)
    dues: list[float] = field(default_factory=list)  # when each was due, seconds after the start
    errors: int = 0
    first_error: str = ""
    cpu_s: float = 0.0
    finished_at: float = 0.0

    @property
    def answered(self) -> int:
        return len(self.latencies) - self.errors


def request(host: str, port: int, token: str, body: bytes) -> bytes:
    head = (
        f"POST {PATH} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, raw: bytes
) -> tuple[int, bytes]:
    """One prepared HTTP/1.1 request on a kept-alive connection: its status and body."""
    writer.write(raw)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    return status, await reader.readexactly(length)


async def _generate(share: Share, signals: Signals) -> Done:
    done = Done()
    # Kept-alive connections, as stores' agents hold theirs, open before the clock starts.
    idle = [await asyncio.open_connection(share.host, share.port) for _ in range(min(8, share.connections))]
    signals.ready.put(True)
    await asyncio.to_thread(signals.begin.wait)
    free = asyncio.Semaphore(share.connections)

    async def answer(raw: bytes) -> tuple[int, bytes]:
        # A kept-alive connection the server closed meanwhile (its idle timeout) is opened
        # again, as any HTTP client does; one the server has just opened is not.
        while True:
            reused = bool(idle)
            conn = idle.pop() if idle else await asyncio.open_connection(share.host, share.port)
            try:
                found = await asyncio.wait_for(exchange(*conn, raw), TIMEOUT_S)
            except (asyncio.IncompleteReadError, ConnectionError) as exc:
                conn[1].close()
                if reused and not getattr(exc, "partial", b""):
                    continue
                raise
            except BaseException:
                conn[1].close()
                raise
            idle.append(conn)
            return found

    async def one(raw: bytes, due: float) -> None:
        async with free:
            try:
                status, body = await answer(raw)
            except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as exc:
                done.errors += 1
                done.first_error = done.first_error or repr(exc)
            else:
                if status != 200:
                    done.errors += 1
                    done.first_error = done.first_error or f"{status} {body[:200]!r}"
            done.latencies.append(time.perf_counter() - due)
            done.dues.append(due - started)

    pending: set[asyncio.Task[None]] = set()
    started = signals.start_at.value + time.perf_counter() - time.time()
    await asyncio.sleep(max(0.0, started - time.perf_counter()))
    n = 0
    while (due := started + n / share.rate) < started + share.seconds and not signals.stop.is_set():
        if (wait := due - time.perf_counter()) > 0:
            await asyncio.sleep(wait)
        task = asyncio.create_task(one(share.requests[n % len(share.requests)], due))
        pending.add(task)
        task.add_done_callback(pending.discard)
        n += 1
    if pending:
        await asyncio.gather(*pending)
    done.finished_at = time.time()
    for _, writer in idle:
        writer.close()
    return done


def _process(share: Share, signals: Signals, results: Any) -> None:
    """A generator process: its share of the beats, then what it saw and its own CPU."""
    with contextlib.suppress(ImportError):
        import uvloop

        uvloop.install()
    gc.freeze()  # out of the collector's full passes, as the orders' process (`order_load`)
    os.setsid()  # other stores' computers, a session of their own (as `order_load`'s)
    began = time.process_time()
    done = asyncio.run(_generate(share, signals))
    done.cpu_s = time.process_time() - began
    results.put(done)


class BeatLoad:
    def __init__(
        self,
        base: str,
        beats: list[tuple[bytes, str]],
        rate: float,
        procs: int = 2,
        connections: int = 64,
        seconds: float = 3600.0,
    ) -> None:
        url = urlsplit(base)
        host, port = url.hostname or "127.0.0.1", url.port or 80
        raws = [request(host, port, token, body) for body, token in beats]
        self.procs = max(1, min(procs, len(raws)))
        self.start_at = 0.0
        context = multiprocessing.get_context("spawn")
        self._results = context.Queue()
        self._signals = Signals(context.Queue(), context.Event(), context.Value("d", 0.0), context.Event())
        self._shares = [
            Share(host, port, raws[p :: self.procs], rate / self.procs, seconds, connections)
            for p in range(self.procs)
        ]
        self._workers: list[Any] = []
        self._context = context

    def start(self, ready_timeout_s: float = 120.0) -> float:
        """Start the processes and, once every one is ready, the beats: at the returned
        time.time(), the same for all."""
        self._workers = [
            self._context.Process(target=_process, args=(share, self._signals, self._results))
            for share in self._shares
        ]
        for worker in self._workers:
            worker.start()
        for _ in self._workers:
            self._signals.ready.get(timeout=ready_timeout_s)
        self.start_at = self._signals.start_at.value = time.time() + 0.1
        self._signals.begin.set()
        return self.start_at

    def stop(self) -> None:
        self._signals.stop.set()

    def join(self, timeout_s: float = 600.0) -> tuple[Done, float]:
        """Every beat's outcome and the span from the start to the last answer."""
        total = Done()
        for _ in self._workers:
            try:
                part: Done = self._results.get(timeout=timeout_s)
            except Empty as exc:
                raise RuntimeError("a heartbeat generator process did not report") from exc
            total.latencies += part.latencies
            total.dues += part.dues
            total.errors += part.errors
            total.first_error = total.first_error or part.first_error
            total.cpu_s += part.cpu_s
            total.finished_at = max(total.finished_at, part.finished_at)
        for worker in self._workers:
            worker.join(timeout_s)
        return total, total.finished_at - self.start_at


def run_load(
    base: str,
    beats: list[tuple[bytes, str]],
    rate: float,
    seconds: float,
    procs: int = 2,
    connections: int = 64,
) -> tuple[Done, float]:
    """Beats at `rate` for `seconds` from `procs` processes."""
    load = BeatLoad(base, beats, rate, procs, connections, seconds)
    load.start()
    return load.join(seconds + 120)
