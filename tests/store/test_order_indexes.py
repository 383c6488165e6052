"""Every look-up of orders by business day is served by UNIQUE(business_date, number).

An index costs a WAL page in every order's commit. Migration 0016 dropped the one on
`business_date` alone; here the store's own queries by day (the manager's list, the
KPIs, the lobby board, the dispatcher's find, the sales report) run on a real file and
each statement's plan is read with `EXPLAIN QUERY PLAN`: none reads the whole orders table.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from typing import Any

from sqlalchemy import event

from makeline.trade.business_day import business_date
from store_db.db import StoreDB
from store_db.queries.counter import customer_card
from store_db.queries.dispatch_board import find_order
from store_db.queries.kpis import todays_kpis
from store_db.queries.lobby import lobby_board
from store_db.queries.manager import todays_orders
from store_db.queries.scheduled import held_orders
from store_db.reports.sales import sales_report
from store_db.services import scheduled
from store_db.services.orders import place_order
from store_db.services.store_settings import read_settings
from tests.store.helpers import REPEAT_PHONE, T0, carryout, delivery


def test_the_queries_by_day_read_orders_through_an_index(db: StoreDB) -> None:
    for n in range(3):
        order = db.run(place_order, carryout(), T0 + timedelta(minutes=n))
    statements: list[tuple[str, Any]] = []

    def seen(_conn: Any, _cursor: Any, sql: str, params: Any, _context: Any, _many: bool) -> None:
        if "business_date" in sql and "orders" in sql:
            statements.append((sql, params))

    event.listen(db.read_engine, "before_cursor_execute", seen)
    try:
        with db.read() as session:
            settings = read_settings(session)
            day = business_date(T0, settings.timezone, settings.day_starts_hour)
            todays_orders(session, T0)
            todays_kpis(session, T0)
            lobby_board(session, day)
            find_order(session, str(order.number), T0)
            sales_report(session, day, day)
    finally:
        event.remove(db.read_engine, "before_cursor_execute", seen)
    assert len(statements) >= 5
    conn = sqlite3.connect(db.path)
    try:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'orders'")}
        assert "ix_orders_business_date" not in names
        for sql, params in statements:
            plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
            assert not any(step.startswith("SCAN orders") for step in plan), (sql, plan)
            assert any("orders USING" in step and "INDEX" in step for step in plan), (sql, plan)
    finally:
        conn.close()


def test_a_customers_history_is_found_by_the_index_of_orders_with_a_customer(db: StoreDB) -> None:
    """Migration 0017: an order without a customer is not written into `ix_orders_customer_id`;
    the counter's look-up of a caller's history still reads it."""
    db.run(place_order, carryout(), T0)
    db.run(place_order, delivery(phone=REPEAT_PHONE), T0)
    statements: list[tuple[str, Any]] = []

    def seen(_conn: Any, _cursor: Any, sql: str, params: Any, _context: Any, _many: bool) -> None:
        if "orders.customer_id = " in sql:
            statements.append((sql, params))

    event.listen(db.read_engine, "before_cursor_execute", seen)
    try:
        with db.read() as session:
            found = customer_card(session, REPEAT_PHONE)
            assert found is not None
    finally:
        event.remove(db.read_engine, "before_cursor_execute", seen)
    assert len(statements) >= 2
    conn = sqlite3.connect(db.path)
    try:
        for sql, params in statements:
            plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
            assert any("USING INDEX ix_orders_customer_id" in step for step in plan), (sql, plan)
    finally:
        conn.close()


def test_held_orders_are_found_by_their_index_and_an_order_for_now_is_not_written_in_it(db: StoreDB) -> None:
    """Migration 0017: `ix_orders_held` holds only orders for later waiting to fire, and every
    query for them still reads orders through an index; no index on a line's product is left
    to write."""
    db.run(place_order, carryout(), T0)
    db.run(place_order, carryout(scheduled_for=T0 + timedelta(hours=3)), T0)
    statements: list[tuple[str, Any]] = []

    def seen(_conn: Any, _cursor: Any, sql: str, params: Any, _context: Any, _many: bool) -> None:
        if "fired_at IS NULL" in sql:
            statements.append((sql, params))

    event.listen(db.read_engine, "before_cursor_execute", seen)
    try:
        with db.read() as session:
            assert len(held_orders(session)) == 1
            assert len(scheduled.held_orders(session)) == 1
            todays_orders(session, T0)
    finally:
        event.remove(db.read_engine, "before_cursor_execute", seen)
    assert len(statements) >= 3
    conn = sqlite3.connect(db.path)
    try:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "ix_order_line_product" not in names
        for sql, params in statements:
            plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
            assert not any(step.startswith("SCAN orders") for step in plan), (sql, plan)
            assert any("orders USING" in step and "INDEX" in step for step in plan), (sql, plan)
        (index,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'ix_orders_held'").fetchone()
        assert index.endswith("WHERE scheduled_for IS NOT NULL AND fired_at IS NULL"), index
        (index,) = conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'ix_orders_customer_id'"
        ).fetchone()
        assert index.endswith("WHERE customer_id IS NOT NULL"), index
    finally:
        conn.close()
