"""Migration 0019: no index of the outbox by `acked_at`. The events the cloud has not
acknowledged are those after the store's mark (`SyncState.acked_seq`); the acknowledgement
and the status line's count read them by seq, and an order's commit writes one b-tree fewer."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from typing import Any

from alembic import command
from sqlalchemy import func, select

from store_db import migrate
from store_db.db import StoreDB
from store_db.models import OutboxEvent
from store_db.queries.store import SyncStatus, sync_status
from store_db.services.orders import place_order
from sync.agent.ledger import Ledger
from tests.store.helpers import T0, Statement, carryout, statements_of, statements_run


def _outbox_acked(sql: str) -> bool:
    return "outbox" in sql and "acked_at" in sql


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

    acks = statements_run(db.engine, _outbox_acked, lambda: ledger.acknowledge(last - 2, T0))
    assert len(acks) == 1
    assert _plan(db, acks[0]) == ["SEARCH outbox USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)"]
    assert _unacked(db) == [last - 1, last]

    told: list[SyncStatus] = []
    counts = statements_of(db, _outbox_acked, lambda session: told.append(sync_status(session)))
    status = told[0]
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
