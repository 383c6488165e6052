"""Rows sent to PostgreSQL as one JSON document (`jsonb_to_recordset`): one parameter however
many rows, nothing per row for the driver to split, escape or convert; PostgreSQL reads it
typed as the table's own columns."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql

_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]


def recordset(table: Table, columns: Sequence[str], param: str) -> str:
    """`jsonb_to_recordset` over the parameter `param`, as `x`, typed as the table's columns."""
    types = ", ".join(f"{c} {table.c[c].type.compile(dialect=_DIALECT)}" for c in columns)
    return f"jsonb_to_recordset(CAST(:{param} AS jsonb)) AS x({types})"


def _value(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):  # exact: PostgreSQL reads the text as numeric
        return str(value)
    raise TypeError(f"{type(value).__name__} is not a value a row holds")


def document(rows: Iterable[Mapping[str, object]]) -> str:
    """The rows as one JSON document (dates and times in ISO 8601, decimals as their exact
    text; NaN refused)."""
    return json.dumps(list(rows), default=_value, allow_nan=False, separators=(",", ":"))
