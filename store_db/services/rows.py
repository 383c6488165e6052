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
from typing import Any, cast

from sqlalchemy import Column, Table
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import QueryableAttribute, Session

from store_db.models import Base

# Every store connection is pysqlite with SQLAlchemy's defaults: the same bind processors.
_DIALECT = sqlite.dialect()
_NO_DEFAULT = object()


def connection(session: Session) -> sqlite3.Connection:
    """The SQLite connection under `session`, in the session's transaction."""
    return cast(sqlite3.Connection, session.connection().connection.driver_connection)


def fetch_all(session: Session, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    return connection(session).execute(sql, params).fetchall()


def fetch_one(session: Session, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
    row: tuple[Any, ...] | None = connection(session).execute(sql, params).fetchone()
    return row


def bind(column: Column[Any] | QueryableAttribute[Any]) -> Callable[[Any], Any]:
    """How `column`'s type (a model attribute's or a table column's) stores a Python value."""
    processor: Callable[[Any], Any] | None = column.type.dialect_impl(_DIALECT).bind_processor(_DIALECT)
    return _same if processor is None else processor


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


class Insert:
    """One model's INSERT, written once: `run(session, rows)` stores dicts of attribute
    values, with the column defaults for what a row leaves out. `computed` gives columns
    whose value is SQL of their own (a sequence read under the write lock)."""

    def __init__(
        self, model: type[Base], *, returning: str | None = None, computed: Mapping[str, str] | None = None
    ) -> None:
        table = cast(Table, model.__table__)
        computed = computed or {}
        given = [c for c in table.columns if c.name not in computed]
        self.columns = [c.key for c in given]
        names = ", ".join(f'"{c.name}"' for c in [*given, *(table.c[n] for n in computed)])
        marks = ", ".join(["?"] * len(given) + list(computed.values()))
        tail = f' RETURNING "{returning}"' if returning else ""
        self.sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks}){tail}'
        self._binds = [bind(c) for c in given]
        self._defaults = [_default(c) for c in given]

    def values(self, row: Mapping[str, Any]) -> tuple[Any, ...]:
        out = []
        for key, store, default in zip(self.columns, self._binds, self._defaults, strict=True):
            value = row.get(key)
            if value is None and default is not None:
                value = default(None) if callable(default) else default
            out.append(None if value is None else store(value))
        return tuple(out)

    def run(self, session: Session, rows: Iterable[Mapping[str, Any]]) -> None:
        connection(session).executemany(self.sql, [self.values(r) for r in rows])

    def one(self, session: Session, row: Mapping[str, Any]) -> Any:
        """Store one row and return the RETURNING column."""
        found = connection(session).execute(self.sql, self.values(row)).fetchone()
        assert found is not None
        return found[0]
