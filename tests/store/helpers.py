"""Small builders for store tests."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from makeline.trade.lifecycle import Channel, Service
from makeline.trade.pricing import ItemRequest
from store_db.db import StoreDB
from store_db.services.orders import AddressRequest, OrderRequest, TenderRequest

Statement = tuple[str, Any]

T0 = datetime(2026, 11, 20, 23, 0, tzinfo=UTC)  # a Friday, 5 p.m. in the store's zone
REPEAT_PHONE = "7085550100"


def carryout(*items: ItemRequest, **extra: object) -> OrderRequest:
    fields: dict[str, object] = {
        "channel": Channel.WALK_IN,
        "service": Service.CARRYOUT,
        "items": list(items) or [ItemRequest(product="pepperoni", size="lg")],
        "tenders": [TenderRequest(kind="card")],
    }
    fields.update(extra)
    return OrderRequest.model_validate(fields)


def delivery(line1: str = "500 N Oak Park Ave", *items: ItemRequest, **extra: object) -> OrderRequest:
    fields: dict[str, object] = {
        "channel": Channel.PHONE,
        "service": Service.DELIVERY,
        "items": list(items) or [ItemRequest(product="pepperoni", size="lg")],
        "phone": "708-555-0199",
        "customer_name": "Pat Doe",
        "address": AddressRequest(line1=line1),
        "tenders": [TenderRequest(kind="pay_at_door")],
    }
    fields.update(extra)
    return OrderRequest.model_validate(fields)


def fingerprint(db: StoreDB) -> str:
    """A digest of every row of every table: equal fingerprints, unchanged database."""
    digest = hashlib.sha256()
    with db.engine.connect() as conn:
        tables = (
            conn.execute(text("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"))
            .scalars()
            .all()
        )
        for table in tables:
            digest.update(table.encode())
            for row in conn.execute(text(f'SELECT * FROM "{table}" ORDER BY 1')):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def statements_run(
    engine: Engine, wanted: Callable[[str], bool], act: Callable[[], object]
) -> list[Statement]:
    """The statements `act` runs on `engine` that `wanted` picks, with their parameters."""
    statements: list[Statement] = []

    def seen(_conn: Any, _cursor: Any, sql: str, params: Any, _context: Any, _many: bool) -> None:
        if wanted(sql):
            statements.append((sql, params))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        act()
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    return statements


def statements_of(
    db: StoreDB, wanted: Callable[[str], bool], reads: Callable[[Session], object]
) -> list[Statement]:
    """The statements `reads` runs on a read session that `wanted` picks, with their parameters."""

    def read() -> None:
        with db.read() as session:
            reads(session)

    return statements_run(db.read_engine, wanted, read)


def plans(db: StoreDB, statements: list[Statement]) -> Iterator[tuple[str, list[str]]]:
    """Each statement with its plan's steps (`EXPLAIN QUERY PLAN` on a connection of its own)."""
    conn = sqlite3.connect(db.path)
    try:
        for sql, params in statements:
            yield sql, [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
    finally:
        conn.close()
