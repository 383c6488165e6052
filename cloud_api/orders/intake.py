"""Taking an online order: `POST /orders` on its hot path.

Two round trips to PostgreSQL around the gateway's call, both in psycopg's pipeline mode
on one connection and one transaction:

1. one statement: the `Idempotency-Key` claimed, the store's row, the customer's name and
   phone and the store's recent promises;
2. the order, its lines, its payment and the key's answer in one statement, the store's
   feed entry (built from the `sync.contract` model) and the reports' tallies, pipelined;
   then the COMMIT, once the feed entry is known to be written.

No ORM loads and no flush: rows are read as dicts and written with pre-built statements
(the ORM classes serve only as plain records for the answer and the feed entry). What is
parsed from a row is kept per worker and used again while the row's value is the same
(the store's hours and limits here, its live load in `quote`, the menu by version in
`menus.service`). A request that is refused changes nothing: the transaction rolls back.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import psycopg as pg_dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement

from cloud_api.auth.principal import Principal, Role
from cloud_api.customers.phone import normalize_phone
from cloud_api.db.base import new_id
from cloud_api.db.database import Announcement
from cloud_api.errors import BadRequest, Conflict
from cloud_api.feed.service import _ONE as FEED_ENTRY
from cloud_api.menus.service import store_menu
from cloud_api.models import Order, OrderLine, Payment, Store
from cloud_api.orders import idempotency, tally
from cloud_api.orders import quote as online_quote
from cloud_api.orders.feed_entry import online_entry
from cloud_api.orders.schemas import OrderCreate
from cloud_api.orders.service import (
    OFFLINE_LEAD,
    check_limits,
    delivery_place,
    order_time,
    price,
    promise,
    public,
)
from cloud_api.payments import service as payments
from cloud_api.stores import service as stores
from makeline.trade.business_day import business_date
from makeline.trade.hours import StoreHours
from makeline.trade.lifecycle import Channel, Service, Stage
from makeline.trade.limits import OrderLimits
from makeline.trade.pricing import PricedItem

if TYPE_CHECKING:
    from cloud_api.context import CloudContext

_DIALECT = pg_dialect.dialect()  # type: ignore[no-untyped-call]


def _json(value: Any) -> Any:
    return Jsonb(value) if isinstance(value, dict | list) else value


@dataclass(frozen=True)
class Statement:
    """A statement built once with SQLAlchemy, run as psycopg SQL (so it can be pipelined)."""

    sql: str
    defaults: dict[str, Any]

    @classmethod
    def of(cls, statement: ClauseElement) -> Statement:
        compiled = statement.compile(dialect=_DIALECT)
        return cls(str(compiled), {k: _json(v) for k, v in compiled.params.items()})

    def run(
        self, pg: psycopg.Connection[Any], params: dict[str, Any], rows: Any = None
    ) -> psycopg.Cursor[Any]:
        cursor = pg.cursor(row_factory=rows) if rows is not None else pg.cursor()
        return cursor.execute(self.sql.encode(), self.defaults | params)


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


_CLAIM = Statement.of(idempotency.CLAIM)
_STORED = Statement.of(idempotency.STORED)
_ANSWER = Statement.of(idempotency.COMPLETE)
_RECENT = Statement.of(online_quote.RECENT)
_FEED = Statement.of(FEED_ENTRY)

# The first round trip: the key claimed, and what the order is priced and promised from.
_READ = Statement(
    f"""WITH claim AS ({_CLAIM.sql})
SELECT EXISTS (SELECT 1 FROM claim) AS claimed_key,
    (SELECT name FROM account WHERE id = %(b_owner)s) AS account_name,
    (SELECT phone FROM account WHERE id = %(b_owner)s) AS account_phone,
    ARRAY(SELECT extract(epoch FROM r.promise_at - r.placed_at) FROM ({_RECENT.sql}) AS r) AS recent_s,
    s.*
FROM (SELECT 1) AS one LEFT JOIN store s ON s.id = %(b_store)s""",
    _CLAIM.defaults | _RECENT.defaults,
)
_FROM_READ = ("claimed_key", "account_name", "account_phone", "recent_s")


def _values(table: Table, columns: tuple[str, ...], prefix: str) -> str:
    values = ", ".join(f"%({prefix}{c})s" for c in columns)
    return f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({values})"


def _from_json(table: Table, param: str) -> str:
    names = ", ".join(c.name for c in table.columns)
    types = ", ".join(f"{c.name} {c.type.compile(dialect=_DIALECT)}" for c in table.columns)
    return f"INSERT INTO {table.name} ({names}) SELECT {names} FROM jsonb_to_recordset(%({param})s) AS x({types})"


_ORDERS, _LINES, _PAYMENTS = _table(Order), _table(OrderLine), _table(Payment)
_writes: dict[tuple[tuple[str, ...], tuple[str, ...]], Statement] = {}


def _write(order_columns: tuple[str, ...], payment_columns: tuple[str, ...]) -> Statement:
    """The second round trip's statement: the order, its lines, its payment and the key's
    answer at once (the lines' foreign key is checked at its end, when the order is there).
    The columns are those the records set (the others keep their defaults)."""
    key = (order_columns, payment_columns)
    found = _writes.get(key)
    if found is None:
        found = _writes[key] = Statement(
            f"""WITH new_order AS ({_values(_ORDERS, order_columns, "o_")}),
new_lines AS ({_from_json(_LINES, "lines")}),
new_payment AS ({_values(_PAYMENTS, payment_columns, "p_")}),
answered AS ({_ANSWER.sql})
SELECT 1""",
            _ANSWER.defaults,
        )
    return found


@dataclass(frozen=True)
class Taken:
    """The answer to `POST /orders`: a new order, or the replay of the key's first answer."""

    status_code: int
    body: bytes  # JSON
    replayed: bool
    store_id: str | None = None  # the store whose feed gained the order (to nudge)


_RULES_MAX = 10_000
_rules: dict[str, tuple[Any, Any, StoreHours, OrderLimits]] = {}


def store_rules(store: Store) -> tuple[StoreHours, OrderLimits]:
    """The store's hours and order limits, parsed once per worker while the row holds them."""
    known = _rules.get(store.id)
    if known is not None and known[0] == store.hours and known[1] == store.order_limits:
        return known[2], known[3]
    hours, limits = stores.store_hours(store), stores.store_limits(store)
    if len(_rules) >= _RULES_MAX:
        _rules.clear()
    _rules[store.id] = (store.hours, store.order_limits, hours, limits)
    return hours, limits


_stores: dict[str, tuple[dict[str, Any], Store]] = {}


def _store(row: dict[str, Any]) -> Store:
    """The store as a record (never written through), the same one while its row is unchanged
    (a heartbeat changes it): read-only, so requests in other threads may share it."""
    known = _stores.get(row["id"])
    if known is not None and known[0] == row:
        return known[1]
    store = Store(**row)
    if len(_stores) >= _RULES_MAX:
        _stores.clear()
    _stores[row["id"]] = (row, store)
    return store


def place_now(ctx: CloudContext, caller: Principal, data: OrderCreate, key: str, now: datetime) -> Taken:
    """Place the order in a transaction of its own, committed in the last round trip; the
    store is nudged once it committed."""
    with ctx.db.engine.connect() as conn, Session(bind=conn) as session:
        pg = conn.connection.driver_connection
        assert isinstance(pg, psycopg.Connection)
        try:
            taken = take(pg, session, ctx, caller, data, key, now, commit=True)
        except BaseException:
            pg.rollback()
            raise
    if taken.store_id is not None and ctx.db.sink is not None:
        nudge = Announcement()
        nudge.feed_stores.add(taken.store_id)
        ctx.db.sink.post(nudge)
    return taken


def take(
    pg: psycopg.Connection[Any],
    session: Session,
    ctx: CloudContext,
    caller: Principal,
    data: OrderCreate,
    key: str,
    now: datetime,
    *,
    commit: bool,
) -> Taken:
    """Place, or replay the answer to an earlier request with the same key, in the
    transaction open on `pg` (which `session`, used only off the hot path, shares).
    Committed at the end when `commit`; else the caller commits."""
    caller.require(Role.CUSTOMER)
    key = idempotency.check_key(key)
    digest = idempotency.request_hash("POST", "/orders", data.model_dump(mode="json"))
    read = {
        "b_owner": caller.id,
        "b_key": key,
        "digest": digest,
        "b_now": now,
        "b_store": data.store_id,
        "b_service": data.service.value,
    }
    found = _READ.run(pg, read, dict_row).fetchone()
    assert found is not None  # one row, whatever is found
    if not found["claimed_key"]:
        return _replay(pg, caller.id, key, digest)
    if found["id"] is None:
        raise BadRequest(f"There is no store with id {data.store_id}.", "store_id")
    person = (found["account_name"], found["account_phone"]) if found["account_name"] is not None else None
    spans = [float(s) / 60 for s in found["recent_s"]]
    store = _store({k: v for k, v in found.items() if k not in _FROM_READ})
    order, lines = _order(ctx, session, store, data, now, person, spans, caller.id)
    gateway_key = f"order:{caller.id}:{key}:{digest[:16]}"
    payment = payments.pay_new_order(ctx, order, data.payment, gateway_key, now)
    answer = public(ctx, order, lines, [payment]).model_dump_json().encode()
    entry = online_entry(order, data, payment)
    order_columns, order_values = _fields(order, "o_", _ORDERS)
    payment_columns, payment_values = _fields(payment, "p_", _PAYMENTS)
    written = order_values | payment_values | {"b_owner": caller.id, "b_key": key, "status": 201}
    written["body"] = Jsonb(answer, _as_is)
    written["lines"] = Jsonb([{c.name: getattr(line, c.name) for c in _LINES.columns} for line in lines])
    with pg.pipeline():
        _write(order_columns, payment_columns).run(pg, written)
        fed = _FEED.run(
            pg,
            {"b_store": store.id, "b_kind": entry.kind, "b_payload": Jsonb(entry.payload()), "b_at": now},
        )
        tally.add_new_order(pg, store.id, order.id)
        if fed.fetchone() is None:
            raise LookupError(f"store {store.id} has no feed")
        if commit:
            pg.commit()
    return Taken(201, answer, replayed=False, store_id=store.id)


def _as_is(body: Any) -> str:
    return body.decode() if isinstance(body, bytes) else json.dumps(body)


def _replay(pg: psycopg.Connection[Any], owner: str, key: str, digest: str) -> Taken:
    stored = _STORED.run(pg, {"b_owner": owner, "b_key": key}).fetchone()
    assert stored is not None  # the claim found it
    replay = idempotency.replay(stored[0], stored[1], stored[2], digest)
    return Taken(replay.status_code, json.dumps(replay.body).encode(), replayed=True)


def _order(
    ctx: CloudContext,
    session: Session,
    store: Store,
    data: OrderCreate,
    now: datetime,
    person: tuple[str, str] | None,
    spans: list[float],
    customer_id: str,
) -> tuple[Order, list[OrderLine]]:
    """The order as priced and promised, with its lines (records, not yet written)."""
    hours, limits = store_rules(store)
    scheduled_for = order_time(store, data, now, hours)
    offline_ok = scheduled_for is not None and scheduled_for >= now + OFFLINE_LEAD
    if not offline_ok and not stores.is_online(store, now, ctx.settings.store_online_seconds):
        raise Conflict(
            f"{store.name} is not taking online orders right now; try again in a few "
            "minutes or call the store.",
            "store_id",
        )
    menu = store_menu(session, store)
    quote = price(menu, data, store.tax_rate_bp)
    check_limits(store, data, quote, limits)
    name, phone = person if person is not None else ("", "")
    if data.phone:
        phone = normalize_phone(data.phone)
    label, lat, lon = "", None, None
    if data.service is Service.DELIVERY:
        label, lat, lon = delivery_place(session, data, store)
        if not phone:
            raise BadRequest("A delivery order needs a phone number for the driver.", "phone")
    elif data.address is not None:
        raise BadRequest("A carryout order takes no address; leave it out or choose delivery.", "address")

    def own_estimate() -> int:
        return online_quote.median_minutes(spans, data.service)

    promised = promise(
        session, store, data.service, quote, now, lat, lon, own_estimate, later=scheduled_for is not None
    )
    order = Order(
        id=new_id(),
        store_id=store.id,
        customer_id=customer_id,
        business_date=business_date(scheduled_for or now, store.timezone, store.day_starts_hour),
        channel=Channel.ONLINE.value,
        service=data.service.value,
        stage=Stage.PLACED.value,
        tracked_status="placed",
        customer_name=data.customer_name or name,
        phone=phone,
        address=label,
        lat=lat,
        lon=lon,
        notes=data.notes.strip(),
        menu_version=menu.version,
        coupon=quote.coupon,
        subtotal=quote.subtotal,
        discount=quote.discount,
        tax=quote.tax,
        tip=quote.tip,
        total=quote.total,
        payment="due",
        placed_at=now,
        scheduled_for=scheduled_for,
        promise_at=scheduled_for or promised.promise_at,
        updated_at=now,
    )
    return order, order_lines(order, quote.items)


def order_lines(order: Order, items: Sequence[PricedItem]) -> list[OrderLine]:
    """An order's lines as the cloud keeps them: one a priced item, numbered from 1."""
    return [
        OrderLine(
            store_id=order.store_id,
            order_id=order.id,
            line_no=n,
            product=i.product,
            name=i.name,
            size=i.size,
            quantity=i.quantity,
            unit_price=i.unit_price,
            line_total=i.line_total,
            item=i.model_dump(mode="json"),
        )
        for n, i in enumerate(items, start=1)
    ]


def _fields(record: object, prefix: str, table: Table) -> tuple[tuple[str, ...], dict[str, Any]]:
    """The columns `record` sets, and their values as `prefix`-named parameters."""
    columns = tuple(c.name for c in table.columns if c.name in record.__dict__)
    return columns, {prefix + c: _json(record.__dict__[c]) for c in columns}
