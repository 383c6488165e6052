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
from store_db.queries.dispatch_board import find_order
from store_db.queries.kpis import todays_kpis
from store_db.queries.lobby import lobby_board
from store_db.queries.manager import todays_orders
from store_db.reports.sales import sales_report
from store_db.services.orders import place_order
from store_db.services.store_settings import read_settings
from tests.store.helpers import T0, carryout


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
