"""Migration 0018: an order's lines, tenders and tickets each in one b-tree by id (`WITHOUT
ROWID`), there and back with every row, index and foreign key as it was."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import event, func, select

from store_db import migrate
from store_db.db import StoreDB
from store_db.models import OutboxEvent
from store_db.services import kitchen, outbox
from store_db.services.orders import place_order
from sync.agent.ledger import Ledger
from tests.store.helpers import T0, carryout, delivery

TABLES = ("order_line", "tender", "kitchen_ticket")


Shape = dict[str, tuple[bool, list[Any], list[Any]]]


def _shape(path: Path) -> tuple[Shape, tuple[str, list[Any]]]:
    """Each table's rowids or none, its indexes and its rows (by id); whether the outbox is
    without its index by txn; the file's health."""
    with sqlite3.connect(path) as conn:
        found: Shape = {}
        for table in TABLES:
            sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
            indexes = conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL "
                "ORDER BY name",
                (table,),
            ).fetchall()
            rows = conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
            found[table] = ("WITHOUT ROWID" in sql, indexes, rows)
        no_txn_index = (
            conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'ix_outbox_txn'").fetchone() is None
        )
        found["outbox"] = (no_txn_index, [], [])  # without its index by txn
        health = (
            conn.execute("PRAGMA integrity_check").fetchone()[0],
            conn.execute("PRAGMA foreign_key_check").fetchall(),
        )
    return found, health


def test_there_and_back_with_every_row(store_path: Path) -> None:
    with StoreDB(store_path) as db:
        placed = [db.run(place_order, carryout(), T0), db.run(place_order, delivery(), T0)]
        db.run(kitchen.bump_order, placed[0].id, T0)
    command.downgrade(migrate.alembic_config(store_path), "0019")  # tenders by order since 0020
    at_head, health = _shape(store_path)
    assert all(without_rowid for without_rowid, _, _ in at_head.values()) and health == ("ok", [])
    assert len(at_head["order_line"][2]) >= 2 and len(at_head["kitchen_ticket"][2]) >= 2

    command.downgrade(migrate.alembic_config(store_path), "0017")
    before, health = _shape(store_path)
    assert not any(without_rowid for without_rowid, _, _ in before.values()) and health == ("ok", [])
    assert {t: found[1:] for t, found in before.items()} == {t: found[1:] for t, found in at_head.items()}

    command.upgrade(migrate.alembic_config(store_path), "0019")
    assert _shape(store_path) == (at_head, ("ok", []))
    command.upgrade(migrate.alembic_config(store_path), "head")
    with StoreDB(store_path) as db:  # and the counter writes on it again
        order = db.run(place_order, carryout(), T0)
    with sqlite3.connect(store_path) as conn:
        lines = conn.execute("SELECT count(*) FROM order_line WHERE order_id = ?", (order.id,)).fetchone()
    assert lines == (1,)


def test_a_transaction_longer_than_a_batch_is_read_by_seq_without_an_index_of_txn(db: StoreDB) -> None:
    with db.read() as session:
        after = session.scalar(select(func.max(OutboxEvent.seq))) or 0
    with db.write() as session:
        for n in range(5):
            outbox.emit_json(session, "order.placed", "{}", f"subject-{n}", T0)
    statements: list[tuple[str, Any]] = []

    def seen(_conn: Any, _cursor: Any, sql: str, params: Any, _context: Any, _many: bool) -> None:
        if "outbox.txn = " in sql:
            statements.append((sql, params))

    event.listen(db.read_engine, "before_cursor_execute", seen)
    try:
        batch = Ledger(db).batch(after, 2)
    finally:
        event.remove(db.read_engine, "before_cursor_execute", seen)
    assert [e.subject for e in batch] == [f"subject-{n}" for n in range(5)]  # the transaction whole
    assert len(statements) == 1
    with sqlite3.connect(db.path) as conn:
        plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {statements[0][0]}", statements[0][1])]
        assert conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'ix_outbox_txn'").fetchone() is None
    assert plan == ["SEARCH outbox USING INTEGER PRIMARY KEY (rowid>?)"], plan
