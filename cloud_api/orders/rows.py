"""The statements of `POST /orders`' hot path, built once with SQLAlchemy and sent as text
with their values quoted in by psycopg, so that several go in one simple-protocol message,
one round trip: on the event loop's connections as `EXECUTE` of statements prepared once
per connection (`Statement.execute`; PostgreSQL parses and plans them once), on a thread's
as they are (`Statement.render`):

- `READ`: the `Idempotency-Key` claimed, the store's row, the customer's name and phone
  and the store's recent promises, in one statement;
- `write(...)`: the order, its lines, its payment, the key's answer and the store's feed
  entry, in one statement, which fails (and so rolls everything back) if the store has
  no feed;
- `STORED`: the first answer to a replayed key.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, cast

from psycopg.abc import Transformer
from psycopg.types.json import Jsonb
from sqlalchemy import Integer, String, Table, case, func, literal, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import psycopg as pg_dialect
from sqlalchemy.sql import ClauseElement

from cloud_api.feed.service import _ONE as FEED_ENTRY
from cloud_api.models import Order, OrderLine, Payment
from cloud_api.orders import idempotency
from cloud_api.orders import quote as online_quote

_DIALECT = pg_dialect.dialect()  # type: ignore[no-untyped-call]


def as_param(value: Any) -> Any:
    """A value as psycopg binds it (a JSON document wrapped)."""
    return Jsonb(value) if isinstance(value, dict | list) else value


_NAMED = re.compile(rb"%\((\w+)\)s")


@dataclass(frozen=True)
class Statement:
    """A statement as psycopg runs it: its SQL (`%(name)s` parameters) and the parameters
    it always binds."""

    sql: bytes
    defaults: dict[str, Any]
    names: tuple[str, ...] = field(init=False)  # the parameters, in the order they appear
    template: bytes = field(init=False)  # the SQL with `%s` where each value goes
    name: bytes = field(init=False)  # its name when prepared
    prepare: bytes = field(init=False)  # `PREPARE` it, its parameters numbered
    unique: tuple[str, ...] = field(init=False)  # the prepared statement's parameters, in order

    def __post_init__(self) -> None:
        found = tuple(n.decode() for n in _NAMED.findall(self.sql))
        unique = tuple(dict.fromkeys(found))
        numbered = _NAMED.sub(lambda m: b"$%d" % (unique.index(m.group(1).decode()) + 1), self.sql)
        name = b"makeline_" + hashlib.sha1(self.sql).hexdigest()[:16].encode()
        object.__setattr__(self, "names", found)
        object.__setattr__(self, "unique", unique)
        object.__setattr__(self, "template", _NAMED.sub(b"%s", self.sql))
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "prepare", b"PREPARE " + name + b" AS " + numbered.replace(b"%%", b"%"))

    @classmethod
    def of(cls, statement: ClauseElement) -> Statement:
        compiled = statement.compile(dialect=_DIALECT)
        return cls(str(compiled).encode(), {k: as_param(v) for k, v in compiled.params.items()})

    def params(self, given: dict[str, Any]) -> dict[str, Any]:
        return self.defaults | given

    def render(self, tx: Transformer, given: dict[str, Any]) -> bytes:
        """The statement with its values quoted in by psycopg (`tx`, the connection's), to be
        sent with others in one message."""
        return self.template % _quoted(tx, self.defaults | given, self.names)

    def execute(self, tx: Transformer, given: dict[str, Any]) -> bytes:
        """`EXECUTE` of the prepared statement (`prepare`) with these values quoted in."""
        values = _quoted(tx, self.defaults | given, self.unique)
        return b"EXECUTE " + self.name + b"(" + b", ".join(values) + b")"


def _quoted(tx: Transformer, values: dict[str, Any], names: tuple[str, ...]) -> tuple[bytes, ...]:
    return tuple(b"NULL" if (v := values[n]) is None else tx.as_literal(v) for n in names)


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


_CLAIM = Statement.of(idempotency.CLAIM)
_RECENT = Statement.of(online_quote.RECENT)
_ANSWER = Statement.of(idempotency.COMPLETE)
STORED = Statement.of(idempotency.STORED)
NO_FEED = "the store has no feed"  # the failure's message when it has none
_ENTRY = FEED_ENTRY.cte("entry")
_HAS_FEED = Statement.of(
    select(
        case(
            (func.count() == 1, 1),
            # Not a constant, so only evaluated (and failing) when the store has no feed.
            else_=sql_cast(literal(f"{NO_FEED}: ") + sql_cast(func.count(), String), Integer),
        )
    ).select_from(_ENTRY)
)

# The first round trip: the key claimed, and what the order is priced and promised from.
READ = Statement(
    b"WITH claim AS ("
    + _CLAIM.sql
    + b""")
SELECT EXISTS (SELECT 1 FROM claim) AS claimed_key,
    (SELECT name FROM account WHERE id = %(b_owner)s) AS account_name,
    (SELECT phone FROM account WHERE id = %(b_owner)s) AS account_phone,
    ARRAY(SELECT extract(epoch FROM r.promise_at - r.placed_at) FROM ("""
    + _RECENT.sql
    + b""") AS r) AS recent_s,
    s.*
FROM (SELECT 1) AS one LEFT JOIN store s ON s.id = %(b_store)s""",
    _CLAIM.defaults | _RECENT.defaults,
)
FROM_READ = ("claimed_key", "account_name", "account_phone", "recent_s")  # the rest: the store's row

ORDERS, LINES, PAYMENTS = _table(Order), _table(OrderLine), _table(Payment)


def _values(table: Table, columns: tuple[str, ...], prefix: str) -> str:
    values = ", ".join(f"%({prefix}{c})s" for c in columns)
    return f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({values})"


def _from_json(table: Table, param: str) -> str:
    names = ", ".join(c.name for c in table.columns)
    types = ", ".join(f"{c.name} {c.type.compile(dialect=_DIALECT)}" for c in table.columns)
    return f"INSERT INTO {table.name} ({names}) SELECT {names} FROM jsonb_to_recordset(%({param})s) AS x({types})"


_writes: dict[tuple[tuple[str, ...], tuple[str, ...]], Statement] = {}


def write(order_columns: tuple[str, ...], payment_columns: tuple[str, ...]) -> Statement:
    """The second round trip's statement: the order, its lines, its payment, the key's
    answer and the feed entry at once (the lines' foreign key is checked at its end, when
    the order is there).
    The columns are those the records set (the others keep their defaults)."""
    key = (order_columns, payment_columns)
    found = _writes.get(key)
    if found is None:
        found = _writes[key] = Statement(
            f"""WITH new_order AS ({_values(ORDERS, order_columns, "o_")}),
new_lines AS ({_from_json(LINES, "lines")}),
new_payment AS ({_values(PAYMENTS, payment_columns, "p_")}),
answered AS (""".encode()
            + _ANSWER.sql
            + b"""),
"""
            + _HAS_FEED.sql.removeprefix(b"WITH "),
            _ANSWER.defaults | _HAS_FEED.defaults,
        )
    return found
