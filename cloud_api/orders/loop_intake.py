"""`POST /orders` placed on the worker's event loop: no handler thread, no ORM load.

The same steps as `intake.take` (BEGIN and the key claimed with the store's row read in
one round trip; the order priced and promised; the payment; the order, lines, payment, the
key's answer, the feed entry, the tallies and COMMIT in one round trip), on the worker's
own async connections (`db.async_pool`, durable: the commit waits for the disk, as the
customer is told the order is taken). The statements are prepared once per connection and
sent as `EXECUTE`s with their values quoted in (`rows`), several in one message. A card goes
through the gateway's async call (the test gateway's books on their own async connections;
a gateway without one, in a thread).

What only a session reads goes through a thread (`intake.place_now`), after this
transaction is rolled back: a menu this worker has not parsed yet, an address without a
position or outside the store's area (the refusal names the store that delivers there),
carryout's minutes while delivery is paused. A refused order rolls back and keeps its
connection; nothing it read is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from weakref import WeakSet

import anyio.to_thread
import psycopg
from psycopg.adapt import Transformer as Quoting
from psycopg.rows import dict_row

from cloud_api.auth.principal import Principal
from cloud_api.db.async_pool import AsyncPool
from cloud_api.errors import BadRequest, CloudError
from cloud_api.menus.service import known_menu
from cloud_api.models import Store
from cloud_api.orders import intake, rows, tally
from cloud_api.orders.intake import Taken
from cloud_api.orders.records import NewOrder, NewPayment
from cloud_api.orders.schemas import OrderCreate
from cloud_api.orders.service import known_delivery_place
from cloud_api.payments import service as payments
from cloud_api.sync.heartbeat import DatabaseUnavailable
from makeline.trade.menu import Menu

if TYPE_CHECKING:
    from cloud_api.context import CloudContext

Connection = psycopg.AsyncConnection[Any]


# Prepared once per connection: PostgreSQL then parses and plans them once, not per order.
_PREPARED = (rows.READ, rows.STORED, rows.write(NewOrder.COLUMNS, NewPayment.COLUMNS), *tally.NEW_ORDER)


class SlowPath(Exception):
    """The order needs a lookup that only a thread's session makes."""


@dataclass(frozen=True)
class KnownLookups:
    """The lookups this worker answers from memory; anything else is the slow path."""

    database: str  # the key the menus are kept under (`menus.service.database_of`)

    def menu(self, store: Store) -> Menu:
        found = known_menu(self.database, store.menu_version) if store.menu_version is not None else None
        if found is None:
            raise SlowPath("menu")
        return found

    def place(self, data: OrderCreate, store: Store) -> tuple[str, float, float]:
        found = known_delivery_place(data, store)
        if found is None:
            raise SlowPath("address")
        return found

    def carryout_minutes(self, store: Store, pizzas: int, now: datetime) -> int:
        raise SlowPath("delivery paused")


class _Stale(Exception):
    """The connection failed before the first statement ran (dropped while idle)."""


class LoopIntake:
    """The order path of one worker, on its loop and its own connections."""

    def __init__(self, ctx: CloudContext, pool: AsyncPool) -> None:
        self.ctx, self.pool = ctx, pool
        self.lookups = KnownLookups(ctx.db.engine.url.render_as_string(hide_password=True))
        self.ready: WeakSet[Connection] = WeakSet()  # connections the statements are prepared on

    async def place(self, caller: Principal, data: OrderCreate, key: str, now: datetime) -> Taken:
        """Place the order (or replay its key's first answer); the store nudged once committed.
        A value PostgreSQL cannot hold is the caller's (422); a database not answering, ours
        (503, and the same key may be sent again)."""
        for attempt in (1, 2):
            try:
                taken = await self._place(caller, data, key, now)
            except _Stale as exc:
                if attempt == 1:
                    continue
                raise _unavailable() from exc.__cause__
            except psycopg.DataError as exc:
                if rows.NO_FEED in (exc.diag.message_primary or ""):
                    raise LookupError(f"store {data.store_id} has no feed") from exc
                raise BadRequest("A value is out of range or not allowed for its field.") from exc
            except psycopg.OperationalError as exc:
                raise _unavailable() from exc
            if taken is None:  # the slow path
                return await anyio.to_thread.run_sync(intake.place_now, self.ctx, caller, data, key, now)
            intake.nudge(self.ctx, taken)
            return taken
        raise AssertionError("unreachable")

    async def _place(self, caller: Principal, data: OrderCreate, key: str, now: datetime) -> Taken | None:
        refused: CloudError | None = None
        async with self.pool.connection() as conn:
            try:
                return await self._take(conn, caller, data, key, now)
            except CloudError as exc:  # refused: nothing written, the connection kept
                await conn.rollback()
                refused = exc
            except SlowPath:
                await conn.rollback()
                return None
        raise refused

    async def _take(
        self, conn: Connection, caller: Principal, data: OrderCreate, key: str, now: datetime
    ) -> Taken:
        asked = intake.request(caller, data, key, now)
        tx = Quoting(conn)
        cursor = conn.cursor(row_factory=dict_row)
        try:  # BEGIN and the claim in one round trip
            if conn not in self.ready:
                await conn.execute(b";\n".join(s.prepare for s in _PREPARED), prepare=False)
                self.ready.add(conn)
            await cursor.execute(b"BEGIN;\n" + rows.READ.execute(tx, asked.read), prepare=False)
        except psycopg.OperationalError as exc:
            raise _Stale() from exc
        cursor.nextset()
        found = await cursor.fetchone()
        assert found is not None  # one row, whatever is found
        if not found["claimed_key"]:
            stored = await conn.execute(rows.STORED.execute(tx, asked.read) + b";\nROLLBACK", prepare=False)
            return intake.replayed(asked, await stored.fetchone())
        placed = intake.priced(self.ctx, self.lookups, found, caller.id, data, now)
        key = asked.gateway_key()
        payment = await payments.pay_new_order_async(self.ctx, placed.order, data.payment, key, now)
        out = intake.written(self.ctx, placed, payment, data, asked)
        # The order, its feed entry, the tallies and COMMIT in one round trip: a statement
        # that fails skips the rest, COMMIT included, and the caller rolls back.
        message = b";\n".join(statement.execute(tx, values) for statement, values in out.statements())
        await conn.execute(message + b";\nCOMMIT", prepare=False)
        return out.taken()

    async def close(self) -> None:
        await self.pool.close()


def _unavailable() -> DatabaseUnavailable:
    return DatabaseUnavailable(
        "The cloud's database is not answering, so the order was not taken. Send the same "
        "request again with the same Idempotency-Key in a moment: it will be taken once."
    )
