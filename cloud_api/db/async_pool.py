"""A few asyncio PostgreSQL connections owned by one worker, for the paths that must never
wait for a handler thread (a store's heartbeat): statements run on the worker's event loop.

Connections are opened when first needed, on the loop that needs them, autocommit (each
statement is its own transaction) and without waiting for the disk at commit
(`synchronous_commit` off: a crash may forget the last fraction of a second of what they
wrote, which the next heartbeat says again; many commits share a flush). On a `durable`
pool (a customer's order, which must survive a crash once answered) each commit waits for
the disk; its callers open their transactions themselves (`BEGIN` sent with their first
statement, one round trip) and leave them committed or rolled back. A connection a
statement broke is dropped, and the next caller opens a new one. Callers beyond `size` wait
their turn on the loop, holding nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg
from psycopg.pq import TransactionStatus

from cloud_api.settings import libpq_url

Connection = psycopg.AsyncConnection[tuple[object, ...]]

# The planner of connections that only look rows up by their keys, a few at a time (the
# heartbeats' rounds): an index for every look-up and one plan kept for each statement. A
# statement that reads its rows from a JSON parameter is estimated at a hundred of them,
# against which a small table's scan looked cheaper (0.6 ms of a one-beat round, and
# longer as the chain grows); and PostgreSQL planned each such statement again on every
# call (0.5 ms) to see whether that parameter's rows would change its mind.
BY_KEY = (
    "-c enable_seqscan=off -c enable_hashjoin=off -c enable_mergejoin=off "
    "-c plan_cache_mode=force_generic_plan"
)


class AsyncPool:
    def __init__(
        self,
        url: str,
        size: int = 4,
        connect_timeout_s: int = 10,
        *,
        durable: bool = False,
        name: str = "makeline-cloud-beats",
        prepared: bool = True,
        planner: str = "",
    ) -> None:
        self.url = libpq_url(url)
        self.size = max(1, size)
        self.connect_timeout_s = connect_timeout_s
        self.durable, self.name = durable, name
        # True: each statement prepared at its first run on a connection (psycopg's default,
        # the sixth, had a restarted worker's first storm parse and plan its round statement
        # five times on each connection first: a tenth of PostgreSQL's work for its first
        # thousand beats); False: statements sent with their values in (each one new) are not
        # prepared.
        self.prepared = prepared
        self.planner = planner  # settings of the connections' planner (`BY_KEY`), if any
        self._loop: asyncio.AbstractEventLoop | None = None
        self._idle: list[Connection] = []
        self._turns = asyncio.Semaphore(self.size)

    def _on_this_loop(self) -> None:
        """The pool serves the loop it is used on (a worker has one; a test client may start
        another): connections made on a loop that is gone are closed, not reused."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._drop_all()
            self._loop, self._turns = loop, asyncio.Semaphore(self.size)

    async def _open(self) -> Connection:
        conn = await psycopg.AsyncConnection.connect(
            self.url,
            autocommit=True,
            connect_timeout=self.connect_timeout_s,
            options=" ".join(
                filter(None, ("" if self.durable else "-c synchronous_commit=off", self.planner))
            ),
            application_name=self.name,
        )
        conn.prepare_threshold = 0 if self.prepared else None
        return conn

    async def open(self) -> None:
        """Open every connection now (a worker starting): a storm that later fills the
        database's connection slots finds the heartbeats' already held."""
        self._on_this_loop()
        while len(self._idle) < self.size:
            self._idle.append(await self._open())

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Connection]:
        """An idle connection (or a new one) for a statement or two; given back afterwards,
        or dropped if the statement left it broken or inside a transaction."""
        self._on_this_loop()
        async with self._turns:
            conn = self._idle.pop() if self._idle else await self._open()
            try:
                yield conn
            except BaseException:
                _close(conn)
                raise
            if conn.closed or conn.info.transaction_status is not TransactionStatus.IDLE:
                _close(conn)
            else:
                self._idle.append(conn)

    def _drop_all(self) -> None:
        idle, self._idle = self._idle, []
        for conn in idle:
            _close(conn)

    async def close(self) -> None:
        """Close the idle connections (the worker is stopping)."""
        self._drop_all()

    def close_now(self) -> None:
        """`close` for an owner that stops outside the loop (a gateway's `close`)."""
        self._drop_all()


def _close(conn: Connection) -> None:
    # Closing the socket needs no loop: a connection may outlive the loop that opened it.
    if not conn.closed:
        conn.pgconn.finish()
