"""Rows sent to PostgreSQL as one JSON document (`jsonb_to_recordset`): one parameter however
many rows, nothing per row for the driver to split, escape or convert; PostgreSQL reads it
typed as the table's own columns."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import itemgetter
from typing import Any, cast

from pydantic_core import to_json
from sqlalchemy import BigInteger, String, Table, TextClause, any_, literal, text
from sqlalchemy.dialects import postgresql

_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]


def recordset(table: Table, columns: Sequence[str], param: str) -> str:
    """`jsonb_to_recordset` over the parameter `param`, as `x`, typed as the table's columns."""
    types = ", ".join(f"{c} {table.c[c].type.compile(dialect=_DIALECT)}" for c in columns)
    return f"jsonb_to_recordset(CAST(:{param} AS jsonb)) AS x({types})"


def any_of(values: Iterable[str] | Iterable[int]) -> Any:
    """`column == any_of(values)`: `= ANY(array)`, one parameter and one statement text however
    many values (an `IN` list is a parameter each, and a new text for each length)."""
    found = sorted(set(values))  # type: ignore[type-var]
    kind = BigInteger() if found and isinstance(found[0], int) else String()
    return any_(literal(found, postgresql.ARRAY(kind)))


def document(rows: Iterable[Mapping[str, object]]) -> str:
    """The rows as one JSON document, written by pydantic-core (dates and times in ISO 8601,
    decimals as their exact text). A float NaN or infinity is written as such, which is not
    JSON: PostgreSQL refuses the document (a `DataError`), as the row's column would."""
    return to_json(list(rows), inf_nan_mode="constants").decode()


def _getter(names: tuple[str, ...]) -> Callable[[dict[str, object]], tuple[object, ...]]:
    """The values of `names` in a row's attributes, as a tuple, picked out in C."""
    if len(names) == 1:
        (name,) = names
        return lambda held: (held[name],)
    return cast(Callable[[dict[str, object]], tuple[object, ...]], itemgetter(*names))


class Written:
    """Plain rows of one table held by a batch, and what of them was last read or written:
    what changed since goes out in one `UPDATE … FROM jsonb_to_recordset`, only the columns
    that changed. Each row is an object whose attributes are `fields`."""

    def __init__(self, table: Table, keys: tuple[str, ...], fields: tuple[str, ...]) -> None:
        self.table, self.keys, self.fields = table, keys, fields
        self._was: dict[tuple[object, ...], tuple[object, ...]] = {}
        self._values, self._key = _getter(fields), _getter(keys)

    def values(self, row: object) -> tuple[object, ...]:
        return self._values(vars(row))

    def key(self, row: object) -> tuple[object, ...]:
        return self._key(vars(row))

    def seen(self, row: object) -> None:
        """The row is as the database holds it."""
        self._was[self.key(row)] = self.values(row)

    def forget(self, row: object) -> None:
        self._was.pop(self.key(row), None)

    def changes(self, rows: Iterable[object]) -> tuple[TextClause, str] | None:
        """The statement and its one parameter (`rows`) that write what changed in `rows` since
        each was seen (which they then are); None when nothing did."""
        changed: list[tuple[object, dict[str, object]]] = []
        columns: set[str] = set()
        for row in rows:
            now, was = self.values(row), self._was[self.key(row)]
            if now == was:
                continue
            diff = {f: v for f, v, w in zip(self.fields, now, was, strict=True) if v != w}
            changed.append((row, diff))
            columns.update(diff)
            self.seen(row)
        if not changed:
            return None
        ordered = tuple(f for f in self.fields if f in columns)
        return self._update(ordered), document(
            {**dict(zip(self.keys, self.key(row), strict=True)), **{c: vars(row)[c] for c in ordered}}
            for row, _ in changed
        )

    def _update(self, columns: tuple[str, ...]) -> TextClause:
        key = (self.table.name, self.keys, columns)
        statement = _updates.get(key)
        if statement is None:
            statement = _updates[key] = text(
                f"UPDATE {self.table.name} AS o SET "
                + ", ".join(f"{c} = x.{c}" for c in columns)
                + f" FROM {recordset(self.table, (*self.keys, *columns), 'rows')} WHERE "
                + " AND ".join(f"o.{k} = x.{k}" for k in self.keys)
            )
        return statement


_updates: dict[tuple[str, tuple[str, ...], tuple[str, ...]], TextClause] = {}
