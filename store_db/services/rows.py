"""Pre-written SQL for the counter's hot path, run on the session's own SQLite connection.

Building a statement, its cache key and the ORM's unit of work cost more than SQLite
itself when an order is placed. Here each table's INSERT is written once, and every value
goes through its column's own SQLAlchemy type (timestamps as naive UTC text, JSON, dates,
booleans) and its column default, so the rows are exactly those the ORM would write. The
statements run inside the caller's transaction: the session's connection, already in the
`BEGIN IMMEDIATE` that `StoreDB.run` opened.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from itertools import compress, groupby, repeat
from operator import is_, is_not, itemgetter
from typing import Any, TypeVar, cast

from sqlalchemy import Column, Table
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import QueryableAttribute, Session

from store_db.models import Base
from store_db.models.base import UTCDateTime

# Every store connection is pysqlite with SQLAlchemy's defaults: the same bind processors.
_DIALECT = sqlite.dialect()
_NO_DEFAULT = object()
_PATTERNS = 32  # statements kept per table, one per pattern of empty columns
_NONE = repeat(None)  # beside a row's values: which are empty, told in C
_SQL, _PARAMS = itemgetter(0), itemgetter(1)  # of a `statement`


_CONNECTION = "makeline.rows.connection"
_WRITING = "makeline.rows.writing"


def writing(session: Session, raw: sqlite3.Connection) -> None:
    """`session` is one write transaction that its caller (`StoreDB`) began itself on `raw`
    (`BEGIN IMMEDIATE`, with no SQLAlchemy transaction until the session asks for one)."""
    session.info[_WRITING] = raw


def transaction_of(session: Session) -> object:
    """What stands for the session's local write transaction (the same before and after
    the ORM begins its own in it)."""
    raw = session.info.get(_WRITING)  # a `StoreDB` session is one transaction: its connection says it
    return session.get_transaction() if raw is None else raw


def connection(session: Session) -> sqlite3.Connection:
    """The SQLite connection under `session`, in the session's innermost transaction (looked
    up once per transaction and savepoint: a savepoint begins when its connection is asked
    for, so what is written here inside `begin_nested()` rolls back with it). In a
    `StoreDB` write transaction outside savepoints: the connection it began, without the
    ORM's transaction."""
    nested = session.get_nested_transaction()
    if nested is None:
        raw: sqlite3.Connection | None = session.info.get(_WRITING)
        if raw is not None:
            return raw
    transaction = nested or session.get_transaction()
    known = session.info.get(_CONNECTION)
    if known is not None and known[0] is transaction and transaction is not None:
        return cast(sqlite3.Connection, known[1])
    found = cast(sqlite3.Connection, session.connection().connection.driver_connection)
    session.info[_CONNECTION] = (session.get_nested_transaction() or session.get_transaction(), found)
    return found


def marks(count: int) -> str:
    """`count` parameter marks for an `IN (…)` list: "?, ?, ?"."""
    return ", ".join("?" * count)


def fetch_all(session: Session, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    return connection(session).execute(sql, params).fetchall()


def fetch_one(session: Session, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
    row: tuple[Any, ...] | None = connection(session).execute(sql, params).fetchone()
    return row


def bind(column: Column[Any] | QueryableAttribute[Any]) -> Callable[[Any], Any]:
    """How `column`'s type (a model attribute's or a table column's) stores a Python value."""
    if isinstance(column.type, UTCDateTime):
        return utc_text
    processor: Callable[[Any], Any] | None = column.type.dialect_impl(_DIALECT).bind_processor(_DIALECT)
    return _same if processor is None else processor


def utc_text(value: datetime | None) -> str | None:
    """A `UTCDateTime` as SQLAlchemy's SQLite dialect stores it (naive UTC, "YYYY-MM-DD
    HH:MM:SS.ffffff"), written by `datetime.isoformat` instead of its %-format of every
    field: an order stores half a dozen, most of them the one moment it was placed (the
    last moment written is kept with its text)."""
    global _last_text
    if value is None:
        return None
    last = _last_text
    if last[0] is value:
        return last[1]
    if value.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    text = value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    _last_text = (value, text)
    return text


_last_text: tuple[datetime | None, str] = (None, "")


def read(column: Column[Any] | QueryableAttribute[Any]) -> Callable[[Any], Any]:
    """How `column`'s type reads back what SQLite stored."""
    processor: Callable[[Any], Any] | None = column.type.dialect_impl(_DIALECT).result_processor(
        _DIALECT, None
    )
    return _same if processor is None else processor


def _same(value: Any) -> Any:
    return value


def _default(column: Column[Any]) -> Any:
    default = column.default
    if default is None:
        return None
    arg = getattr(default, "arg", _NO_DEFAULT)
    if callable(arg):
        return arg  # called per row (ids)
    return None if arg is _NO_DEFAULT else arg


class Encoded(str):
    """A JSON column's value written as JSON text already (pydantic's `model_dump_json`):
    stored as it is, not encoded a second time."""


M = TypeVar("M", bound=Base)


def built(model: type[M], values: Mapping[str, Any]) -> M:
    """A `model` holding `values`, built the way the ORM builds a row it loads (no attribute
    events): what a service hands back of the row it wrote here. Never added to a session."""
    instance = model.__mapper__.class_manager.new_instance()
    instance.__dict__.update(values)
    return cast(M, instance)


class Insert:
    """One model's INSERT, written once: `run(session, rows)` stores dicts of attribute
    values, with the column defaults for what a row leaves out. `computed` gives columns
    whose value is SQL of their own (a sequence read under the write lock)."""

    def __init__(self, model: type[Base], *, computed: Mapping[str, str] | None = None) -> None:
        table = cast(Table, model.__table__)
        computed = computed or {}
        given = [c for c in table.columns if c.name not in computed]
        self.columns = [c.key for c in given]
        names = ", ".join(f'"{c.name}"' for c in [*given, *(table.c[n] for n in computed)])
        self._head, self._computed = f'INSERT INTO "{table.name}" ({names}) VALUES (', list(computed.values())
        self.sql = self._written(())
        # By which of the values are empty (a flag for each column).
        self._by_empty: dict[tuple[bool, ...], str] = {(False,) * len(self.columns): self.sql}
        # Only the columns that have a default, or a type that changes the value, cost a step;
        # and of those a type changes, only the ones a row fills (picked out in C: an order's
        # row leaves most of its twenty timestamps empty).
        self._filled = [(n, d) for n, d in enumerate(_default(c) for c in given) if d is not None]
        self._filled_of = itemgetter(*(n for n, _ in self._filled)) if len(self._filled) > 1 else None
        self._stored = [(n, b) for n, b in enumerate(bind(c) for c in given) if b is not _same]
        self._stored_of = itemgetter(*(n for n, _ in self._stored)) if len(self._stored) > 1 else None

    def _written(self, nulls: tuple[int, ...]) -> str:
        marks = ["NULL" if n in nulls else "?" for n in range(len(self.columns))]
        return f"{self._head}{', '.join(marks + self._computed)})"

    def values(self, row: Mapping[str, Any]) -> tuple[Any, ...]:
        """Every column's value as SQLite stores it, in the statement's order."""
        return tuple(self._values(row))

    def _values(self, row: Mapping[str, Any]) -> list[Any]:
        out = list(map(row.get, self.columns))
        filled: Iterable[tuple[int, Any]] = self._filled
        if self._filled_of is not None:
            filled = compress(filled, map(is_, self._filled_of(out), _NONE))
        for n, default in filled:
            if out[n] is None:
                out[n] = default(None) if callable(default) else default
        stored: Iterable[tuple[int, Callable[[Any], Any]]] = self._stored
        if self._stored_of is not None:
            found = self._stored_of(out)
            stored = compress(stored, map(is_not, found, _NONE))
        for n, store in stored:
            value = out[n]
            if value is not None:  # JSON written already goes as plain text (no adapter look-up)
                out[n] = str(value) if type(value) is Encoded else store(value)
        return out

    def statement(self, row: Mapping[str, Any]) -> tuple[str, list[Any]]:
        """The INSERT for `row` and its parameters: an empty value is written as NULL in the
        statement itself, not bound (sqlite3 looks an adapter up for every None it binds; an
        order has two dozen). One statement per pattern of empty columns, prepared once."""
        out = self._values(row)
        empty = tuple(map(is_, out, _NONE))
        sql = self._by_empty.get(empty)
        if sql is None:
            if len(self._by_empty) >= _PATTERNS:  # an odd row: every value bound
                return self.sql, out
            sql = self._by_empty[empty] = self._written(tuple(compress(range(len(out)), empty)))
        return sql, list(compress(out, map(is_not, out, _NONE)))

    def complete(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """`row` with every column: what it leaves out is the column's default, or None."""
        columns = self.columns
        out = dict(zip(columns, map(row.get, columns), strict=True))
        for n, default in self._filled:
            key = self.columns[n]
            if out[key] is None:
                out[key] = default(None) if callable(default) else default
        return out

    def run(self, session: Session, rows: Iterable[Mapping[str, Any]]) -> None:
        """Store `rows` in their order: one `executemany` for each run of rows alike (a
        single row: `execute`, without the many's iterator)."""
        raw = connection(session)
        for sql, alike in groupby(map(self.statement, rows), key=_SQL):
            batch = list(map(_PARAMS, alike))
            if len(batch) == 1:
                raw.execute(sql, batch[0])
            else:
                raw.executemany(sql, batch)

    def one(self, session: Session, row: Mapping[str, Any]) -> int:
        """Store one row and return its rowid: the table's `INTEGER PRIMARY KEY` when it has
        one (read off the connection: no `RETURNING`, whose rows SQLite keeps in a table of
        their own first)."""
        found = connection(session).execute(*self.statement(row)).lastrowid
        assert found is not None
        return found
