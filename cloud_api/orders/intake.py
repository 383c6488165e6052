"""Taking an online order: `POST /orders`, the steps both ways of running it share, and the
way through a thread (the storefront's checkout, and any order the event loop cannot place
on its own: `loop_intake`).

Two round trips to PostgreSQL around the gateway's call, on one connection and one
transaction (the statements: `rows`, their values quoted in by psycopg so that several go
in one message):

1. one statement: the `Idempotency-Key` claimed, the store's row, the customer's name and
   phone and the store's recent promises;
2. one statement for the order, its lines, its payment, the key's answer and the store's
   feed entry (built from the `sync.contract` model), failing if the store has no feed;
   then the reports' tallies (`tally`) and, on the loop, the COMMIT, in the same message.

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
from typing import TYPE_CHECKING, Any, Protocol

import psycopg
from psycopg.abc import Transformer
from psycopg.adapt import Transformer as Quoting
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from sqlalchemy.orm import Session

from cloud_api.auth.principal import Principal, Role
from cloud_api.customers.phone import normalize_phone
from cloud_api.db.base import new_id
from cloud_api.db.database import Announcement
from cloud_api.errors import BadRequest, Conflict
from cloud_api.menus.service import store_menu
from cloud_api.models import Store
from cloud_api.orders import idempotency, rows, tally
from cloud_api.orders import quote as online_quote
from cloud_api.orders.feed_entry import online_entry
from cloud_api.orders.records import NewLine, NewOrder, NewPayment, OrderView, columns
from cloud_api.orders.schemas import OrderCreate
from cloud_api.orders.service import (
    OFFLINE_LEAD,
    check_limits,
    delivery_place,
    item_requests,
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
from makeline.trade.menu import Menu
from makeline.trade.pricing import ItemRequest, PricedItem

if TYPE_CHECKING:
    from cloud_api.context import CloudContext


@dataclass(frozen=True)
class Taken:
    """The answer to `POST /orders`: a new order, or the replay of the key's first answer."""

    status_code: int
    body: bytes  # JSON
    replayed: bool
    store_id: str | None = None  # the store whose feed gained the order (to nudge)


class Lookups(Protocol):
    """What pricing and promising an order may need beyond the row read with its key."""

    def menu(self, store: Store) -> Menu:
        """The menu the store sells from now."""

    def place(self, data: OrderCreate, store: Store) -> tuple[str, float, float]:
        """The delivery's address line, latitude and longitude (`service.delivery_place`)."""

    def carryout_minutes(self, store: Store, pizzas: int, now: datetime) -> int:
        """Carryout's promise in minutes, to name while delivery is paused."""


@dataclass(frozen=True)
class SessionLookups:
    """The lookups read with a session (in a thread)."""

    session: Session

    def menu(self, store: Store) -> Menu:
        return store_menu(self.session, store)

    def place(self, data: OrderCreate, store: Store) -> tuple[str, float, float]:
        return delivery_place(self.session, data, store)

    def carryout_minutes(self, store: Store, pizzas: int, now: datetime) -> int:
        return online_quote.quote(self.session, store, Service.CARRYOUT, pizzas, now).minutes


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


@dataclass(frozen=True)
class Request:
    """A keyed order request as the first statement reads it."""

    read: dict[str, Any]  # `rows.READ`'s parameters
    digest: str  # the request's hash, kept with its key

    def gateway_key(self) -> str:
        """The gateway's idempotency key: a retry of this request charges the card once."""
        return f"order:{self.read['b_owner']}:{self.read['b_key']}:{self.digest[:16]}"


def request(caller: Principal, data: OrderCreate, key: str, now: datetime) -> Request:
    """The request checked (a customer's, with a usable key) and read for the first statement."""
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
    return Request(read, digest)


def replayed(asked: Request, stored: Any) -> Taken:
    """The key's first answer (`rows.STORED`'s row), if this is the same request."""
    assert stored is not None  # the claim found it
    replay = idempotency.replay(stored[0], stored[1], stored[2], asked.digest)
    return Taken(replay.status_code, json.dumps(replay.body).encode(), replayed=True)


@dataclass(frozen=True)
class Written:
    """What the second round trip writes, and the answer it keeps for the key."""

    store_id: str
    statement: rows.Statement
    params: dict[str, Any]
    shares: dict[str, Any]  # the reports' tallies' parameters
    answer: bytes

    def statements(self) -> list[tuple[rows.Statement, dict[str, Any]]]:
        """The order with its lines, payment, key's answer and feed entry, then the store's
        tallies: statements to send as one message, and their values."""
        return [(self.statement, self.params)] + [(tallied, self.shares) for tallied in tally.NEW_ORDER]

    def message(self, tx: Transformer) -> bytes:
        """`statements` as they are (`tx`: the connection's, to quote values)."""
        return b";\n".join(statement.render(tx, values) for statement, values in self.statements())

    def taken(self) -> Taken:
        return Taken(201, self.answer, replayed=False, store_id=self.store_id)


def written(
    ctx: CloudContext, placed: Placed, payment: NewPayment, data: OrderCreate, asked: Request
) -> Written:
    """The order, its lines, payment, feed entry and the key's answer as parameters."""
    order, lines = placed.order, placed.lines
    answer = public(ctx, order, lines, [payment]).model_dump_json().encode()
    entry = online_entry(order, data, payment, placed.items)
    params = _prefixed(order, "o_") | _prefixed(payment, "p_")
    params |= {"b_owner": asked.read["b_owner"], "b_key": asked.read["b_key"]}
    params |= {"status": 201, "body": Jsonb(answer, _as_is)}
    params["lines"] = Jsonb([columns(line) for line in lines], _json)
    params |= {
        "b_store": order.store_id,
        "b_kind": entry.kind,
        "b_payload": Jsonb(entry.payload_json(), _as_is),
    }
    params["b_at"] = order.placed_at
    statement = rows.write(NewOrder.COLUMNS, NewPayment.COLUMNS)
    return Written(order.store_id, statement, params, tally.new_order(order.store_id, order.id), answer)


def nudge(ctx: CloudContext, taken: Taken) -> None:
    """Tell the store's agent (over its websocket) that its feed gained the order."""
    if taken.store_id is not None and ctx.db.sink is not None:
        announced = Announcement()
        announced.feed_stores.add(taken.store_id)
        ctx.db.sink.post(announced)


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
    nudge(ctx, taken)
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
    asked = request(caller, data, key, now)
    tx = Quoting(pg)
    found = (
        pg.cursor(row_factory=dict_row).execute(rows.READ.render(tx, asked.read), prepare=False).fetchone()
    )
    assert found is not None  # one row, whatever is found
    if not found["claimed_key"]:
        return replayed(asked, pg.execute(rows.STORED.render(tx, asked.read), prepare=False).fetchone())
    placed = priced(ctx, SessionLookups(session), found, caller.id, data, now)
    payment = payments.pay_new_order(ctx, placed.order, data.payment, asked.gateway_key(), now)
    out = written(ctx, placed, payment, data, asked)
    pg.execute(out.message(tx), prepare=False)
    if commit:
        pg.commit()
    return out.taken()


def _as_is(body: Any) -> str:
    return body.decode() if isinstance(body, bytes) else str(body)


def _json(value: Any) -> str:
    return json.dumps(value, default=str)


@dataclass(frozen=True)
class Placed:
    """A new order as priced and promised: its record, its lines, and the items as the
    customer asked them (as the store's feed carries them)."""

    order: NewOrder
    lines: list[NewLine]
    items: list[ItemRequest]


def priced(
    ctx: CloudContext,
    lookups: Lookups,
    found: dict[str, Any],
    customer_id: str,
    data: OrderCreate,
    now: datetime,
) -> Placed:
    """The order as priced and promised from the first statement's row (`found`), with its
    lines (records, not yet written); refused if the store is unknown, closed, dark, or the
    order breaks its rules."""
    if found["id"] is None:
        raise BadRequest(f"There is no store with id {data.store_id}.", "store_id")
    name, phone = (
        (found["account_name"], found["account_phone"]) if found["account_name"] is not None else ("", "")
    )
    spans = [float(s) / 60 for s in found["recent_s"]]
    store = _store({k: v for k, v in found.items() if k not in rows.FROM_READ})
    hours, limits = store_rules(store)
    scheduled_for = order_time(store, data, now, hours)
    offline_ok = scheduled_for is not None and scheduled_for >= now + OFFLINE_LEAD
    if not offline_ok and not stores.is_online(store, now, ctx.settings.store_online_seconds):
        raise Conflict(
            f"{store.name} is not taking online orders right now; try again in a few "
            "minutes or call the store.",
            "store_id",
        )
    menu = lookups.menu(store)
    items = item_requests(data.items)
    quote = price(menu, data, store.tax_rate_bp, items)
    check_limits(store, data, quote, limits)
    if data.phone:
        phone = normalize_phone(data.phone)
    label, lat, lon = "", None, None
    if data.service is Service.DELIVERY:
        label, lat, lon = lookups.place(data, store)
        if not phone:
            raise BadRequest("A delivery order needs a phone number for the driver.", "phone")
    elif data.address is not None:
        raise BadRequest("A carryout order takes no address; leave it out or choose delivery.", "address")

    def own_estimate() -> int:
        return online_quote.median_minutes(spans, data.service)

    def carryout_minutes(pizzas: int) -> int:
        return lookups.carryout_minutes(store, pizzas, now)

    promised = promise(
        store,
        data.service,
        quote,
        now,
        lat,
        lon,
        own_estimate,
        carryout_minutes,
        later=scheduled_for is not None,
    )
    order = NewOrder(
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
    return Placed(order, order_lines(order, quote.items), items)


def order_lines(order: OrderView, items: Sequence[PricedItem]) -> list[NewLine]:
    """An order's lines as the cloud keeps them: one a priced item, numbered from 1."""
    return [
        NewLine(
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


def _prefixed(record: NewOrder | NewPayment, prefix: str) -> dict[str, Any]:
    """The record's columns as `prefix`-named parameters."""
    return {prefix + c: getattr(record, c) for c in record.COLUMNS}
