"""Every look-up of orders by business day is served by UNIQUE(business_date, number).

An index costs a WAL page in every order's commit. Migration 0016 dropped the one on
`business_date` alone; here the store's own queries by day (the manager's list, the
KPIs, the lobby board, the dispatcher's find, the sales report) run on a real file and
each statement's plan is read with `EXPLAIN QUERY PLAN`: none reads the whole orders table.
Migration 0017 made two indexes partial and dropped one; the queries they serve are read
the same way.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from sqlalchemy.orm import Session

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
from tests.store.helpers import REPEAT_PHONE, T0, Statement, carryout, delivery, plans, statements_of


def index_sql(db: StoreDB, name: str) -> str | None:
    conn = sqlite3.connect(db.path)
    try:
        found = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()
        return None if found is None else str(found[0])
    finally:
        conn.close()


def assert_through_an_index(db: StoreDB, statements: list[Statement]) -> None:
    for sql, plan in plans(db, statements):
        assert not any(step.startswith("SCAN orders") for step in plan), (sql, plan)
        assert any("orders USING" in step and "INDEX" in step for step in plan), (sql, plan)


def test_the_queries_by_day_read_orders_through_an_index(db: StoreDB) -> None:
    for n in range(3):
        order = db.run(place_order, carryout(), T0 + timedelta(minutes=n))

    def reads(session: Session) -> None:
        settings = read_settings(session)
        day = business_date(T0, settings.timezone, settings.day_starts_hour)
        todays_orders(session, T0)
        todays_kpis(session, T0)
        lobby_board(session, day)
        find_order(session, str(order.number), T0)
        sales_report(session, day, day)

    statements = statements_of(db, lambda sql: "business_date" in sql and "orders" in sql, reads)
    assert len(statements) >= 5
    assert index_sql(db, "ix_orders_business_date") is None
    assert_through_an_index(db, statements)


def test_a_customers_history_is_found_by_the_index_of_orders_with_a_customer(db: StoreDB) -> None:
    """Migration 0017: an order without a customer is not written into `ix_orders_customer_id`;
    the counter's look-up of a caller's history still reads it."""
    db.run(place_order, carryout(), T0)
    db.run(place_order, delivery(phone=REPEAT_PHONE), T0)
    statements = statements_of(
        db, lambda sql: "orders.customer_id = " in sql, lambda session: customer_card(session, REPEAT_PHONE)
    )
    assert len(statements) >= 2
    for sql, plan in plans(db, statements):
        assert any("USING INDEX ix_orders_customer_id" in step for step in plan), (sql, plan)
    assert str(index_sql(db, "ix_orders_customer_id")).endswith("WHERE customer_id IS NOT NULL")


def test_held_orders_are_found_by_their_index_and_an_order_for_now_is_not_written_in_it(db: StoreDB) -> None:
    """Migration 0017: `ix_orders_held` holds only orders for later waiting to fire, and every
    query for them still reads orders through an index; no index on a line's product is left
    to write."""
    db.run(place_order, carryout(), T0)
    db.run(place_order, carryout(scheduled_for=T0 + timedelta(hours=3)), T0)

    def reads(session: Session) -> None:
        assert len(held_orders(session)) == 1
        assert len(scheduled.held_orders(session)) == 1
        todays_orders(session, T0)

    statements = statements_of(db, lambda sql: "fired_at IS NULL" in sql, reads)
    assert len(statements) >= 3
    assert_through_an_index(db, statements)
    assert index_sql(db, "ix_order_line_product") is None
    held = str(index_sql(db, "ix_orders_held"))
    assert held.endswith("WHERE scheduled_for IS NOT NULL AND fired_at IS NULL"), held
