"""What the cloud looks up often is found by an index and never by reading a whole table or
a store's whole history: an order by its id alone (a tracker link, a customer's own order),
the refunds due (the refunds' sender, every few seconds in every worker), a store's newest
orders (the promises an online order is quoted from, the console's list), and a day's
order lines for its report (by each order, however the statistics stand). Each plan is
asked of PostgreSQL with sequential scans priced out: were the index missing, the plan
would still read the table, and say so."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from functools import partial
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from cloud_api.db.base import utcnow
from cloud_api.db.database import Database
from cloud_api.orders.quote import RECENT
from cloud_api.orders.repository import of_store, order_by_id
from cloud_api.payments.repository import refunds_due
from cloud_api.reports.refresh import refresh_aggregates


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    found = Database(database_url, pool_size=1, max_overflow=0)
    yield found
    found.dispose()


def plan(db: Database, call: Callable[[Session], object]) -> str:
    """PostgreSQL's plan for the last statement `call` runs."""
    seen: list[tuple[str, Any]] = []

    def grab(conn: object, cursor: object, statement: str, parameters: Any, *_: object) -> None:
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", grab)
    try:
        with db.transaction() as session:
            session.execute(text("SET LOCAL enable_seqscan = off"))
            call(session)
            statement, parameters = seen[-1]
            rows = session.connection().exec_driver_sql("EXPLAIN " + statement, parameters).all()
    finally:
        event.remove(db.engine, "before_cursor_execute", grab)
    return "\n".join(str(row[0]) for row in rows)


def test_an_order_named_by_its_id_alone_is_found_by_its_index(db: Database) -> None:
    for lock in (False, True):
        shown = plan(db, partial(order_by_id, order_id="a-tracker-link-id", lock=lock))
        assert "Seq Scan on orders" not in shown and "ix_orders_id" in shown, shown
    shown = plan(db, lambda session: order_by_id(session, "an-order-id", customer_id="an-account-id"))
    assert "Seq Scan on orders" not in shown, shown


def test_the_refunds_due_are_found_without_reading_every_payment(db: Database) -> None:
    shown = plan(db, lambda session: refunds_due(session, utcnow(), 20))
    assert "Seq Scan on payment" not in shown and "ix_payment_refund_due" in shown, shown


def test_a_stores_newest_orders_are_read_newest_first_by_its_index(db: Database) -> None:
    asked = {"b_store": "a-store-id", "b_service": "delivery"}
    for call in (
        partial(of_store, store_id="a-store-id", limit=20),
        lambda session: session.execute(RECENT, asked),
    ):
        shown = plan(db, call)
        assert "Seq Scan on orders" not in shown and "Sort" not in shown, shown
        assert "Index Scan Backward using ix_orders_store_placed" in shown, shown


def test_a_days_report_reads_each_orders_lines_by_their_key(db: Database) -> None:
    """However the statistics stand, the product mix reads each order's lines by the order:
    never the store's every line once for every order (a store new to the statistics made
    that a plan: quadratic in the day's orders)."""
    with db.transaction() as session:  # the statistics know the stores with orders, not this one
        session.execute(text("ANALYZE"))
        store = (
            session.execute(
                text(
                    "SELECT id FROM store s WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.store_id = s.id)"
                )
            )
            .scalars()
            .first()
        )
    assert store is not None
    shown = plan(db, lambda session: refresh_aggregates(session, store, [date(2026, 12, 4)]))
    lines = [line for line in shown.splitlines() if "on order_line" in line]
    assert lines and all("pk_order_line" in line for line in lines), shown
    assert "Join Filter: ((l.order_id" not in shown, shown
    assert re.search(r"\(order_id\)::text = \(o(_\d+)?\.id\)::text", shown), shown
