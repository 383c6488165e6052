"""Migration 0020: an order's tenders kept by their order (`PRIMARY KEY (order_id, id)`),
no index of them by order beside it; there and back with every row, and the reads of an
order's tenders served by the key."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import select

from store_db import migrate
from store_db.db import StoreDB
from store_db.models import Tender
from store_db.services.orders import place_order
from tests.store.helpers import T0, carryout, delivery, plans, statements_of


def _shape(path: Path) -> tuple[str, list[Any], list[Any], tuple[str, list[Any]]]:
    with sqlite3.connect(path) as conn:
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'tender'").fetchone()[0]
        indexes = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tender' AND sql IS NOT NULL"
        ).fetchall()
        rows = conn.execute("SELECT * FROM tender ORDER BY id").fetchall()
        health = (
            conn.execute("PRAGMA integrity_check").fetchone()[0],
            conn.execute("PRAGMA foreign_key_check").fetchall(),
        )
    key = "PRIMARY KEY (order_id, id)" if "PRIMARY KEY (order_id, id)" in sql else "PRIMARY KEY (id)"
    return key, indexes, rows, health


def test_there_and_back_with_every_row(store_path: Path) -> None:
    with StoreDB(store_path) as db:
        db.run(place_order, carryout(), T0)
        db.run(place_order, delivery(), T0)
    at_head = _shape(store_path)
    assert at_head[0] == "PRIMARY KEY (order_id, id)" and at_head[1] == [] and at_head[3] == ("ok", [])
    assert len(at_head[2]) >= 2

    command.downgrade(migrate.alembic_config(store_path), "0019")
    before = _shape(store_path)
    assert before[:2] == ("PRIMARY KEY (id)", [("ix_tender_order_id",)])
    assert before[2:] == at_head[2:]

    command.upgrade(migrate.alembic_config(store_path), "head")
    assert _shape(store_path) == at_head
    with StoreDB(store_path) as db:  # and an order's tenders are written on it again
        order = db.run(place_order, carryout(), T0)
        with db.read() as session:
            assert [t.kind for t in session.scalars(select(Tender).where(Tender.order_id == order.id))] == [
                "card"
            ]


def test_an_orders_tenders_are_read_by_the_key(db: StoreDB) -> None:
    order = db.run(place_order, carryout(), T0)
    found: list[Tender] = []
    statements = statements_of(
        db,
        lambda sql: "FROM tender" in sql,
        lambda session: found.extend(session.scalars(select(Tender).where(Tender.order_id == order.id))),
    )
    assert [t.order_id for t in found] == [order.id]
    plan = next(plans(db, statements[:1]))[1]
    assert plan == ["SEARCH tender USING PRIMARY KEY (order_id=?)"], plan
