"""Migration 0019: no index of the outbox by `acked_at`. The events the cloud has not
acknowledged are those after the store's mark (`SyncState.acked_seq`); the acknowledgement
and the status line's count read them by seq, and an order's commit writes one b-tree fewer."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from typing import Any

from alembic import command
from sqlalchemy import event, func, select

from store_db import migrate
from store_db.db import StoreDB
from store_db.models import OutboxEvent
from store_db.queries.store import sync_status
from store_db.services.orders import place_order
from sync.agent.ledger import Ledger
from tests.store.helpers import T0, carryout

Statement = tuple[str, Any]


def _outbox_statements(db: StoreDB, engine: Any, act: Any) -> list[Statement]:
    statements: list[Statement] = []

    def seen(_conn: Any, _cursor: Any, sql: str, params: Any, _context: Any, _many: bool) -> None:
        if "outbox" in sql and "acked_at" in sql:
            statements.append((sql, params))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        act()
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    return statements


def _plan(db: StoreDB, statement: Statement) -> list[str]:
    sql, params = statement
    with sqlite3.connect(db.path) as conn:
        if sql.lstrip().upper().startswith("UPDATE"):  # read the rows it would write
            sql = "SELECT seq FROM outbox WHERE " + sql.split(" WHERE ", 1)[1]
            params = params[1:]  # the SET's value goes first
        return [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params)]


def _unacked(db: StoreDB) -> list[int]:
    with db.read() as session:
        found = session.scalars(
            select(OutboxEvent.seq).where(OutboxEvent.acked_at.is_(None)).order_by(OutboxEvent.seq)
        )
        return list(found)


def test_acknowledging_and_counting_the_unsent_read_the_outbox_by_seq(db: StoreDB) -> None:
    for n in range(4):
        db.run(place_order, carryout(), T0 + timedelta(minutes=n))
    with db.read() as session:
        last = session.scalar(select(func.max(OutboxEvent.seq))) or 0
    assert last >= 4
    ledger = Ledger(db)

    acks = _outbox_statements(db, db.engine, lambda: ledger.acknowledge(last - 2, T0))
    assert len(acks) == 1
    assert _plan(db, acks[0]) == ["SEARCH outbox USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)"]
    assert _unacked(db) == [last - 1, last]

    with db.read() as session:
        status = None

        def count() -> None:
            nonlocal status
            status = sync_status(session)

        counts = _outbox_statements(db, db.read_engine, count)
    assert status is not None and status.unsent == 2
    assert len(counts) == 1
    assert _plan(db, counts[0]) == ["SEARCH outbox USING INTEGER PRIMARY KEY (rowid>?)"]

    assert ledger.acknowledge(last - 2, T0) == 0  # told again: nothing newly acknowledged
    assert ledger.acknowledge(last, T0 + timedelta(seconds=1)) == 2
    assert _unacked(db) == []
    with db.read() as session:
        assert sync_status(session).unsent == 0
        acked = session.scalars(select(OutboxEvent.acked_at).order_by(OutboxEvent.seq)).all()
    assert acked[-2:] == [T0 + timedelta(seconds=1)] * 2 and acked[0] == T0  # each marked once


def test_there_and_back(store_path: Any) -> None:
    with StoreDB(store_path) as db:
        db.run(place_order, carryout(), T0)
    with sqlite3.connect(store_path) as conn:
        assert (
            conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'ix_outbox_acked_at'").fetchone() is None
        )
        rows = conn.execute("SELECT * FROM outbox ORDER BY seq").fetchall()
    command.downgrade(migrate.alembic_config(store_path), "0018")
    with sqlite3.connect(store_path) as conn:
        found = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'ix_outbox_acked_at'").fetchone()
        assert found == ("CREATE INDEX ix_outbox_acked_at ON outbox (acked_at)",)
    command.upgrade(migrate.alembic_config(store_path), "head")
    with sqlite3.connect(store_path) as conn:
        assert (
            conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'ix_outbox_acked_at'").fetchone() is None
        )
        assert conn.execute("SELECT * FROM outbox ORDER BY seq").fetchall() == rows
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
