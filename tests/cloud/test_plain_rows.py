"""The applier's pre-written reads (`cloud_api.db.plain`): the same rows as the ORM's, what the
session holds unwritten seen as its autoflush would see it, and a hostile value only a value.
(The orders and days they read are the whole apply's: `test_store_events`, the reports' tests.)"""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import select

from cloud_api.db.base import utcnow
from cloud_api.inventory import repository as stock
from cloud_api.models import InventoryItem, Store

from .helpers import ctx, evanston


def _saffron() -> InventoryItem:
    return InventoryItem(code="saffron", name="Saffron", unit="g", updated_at=utcnow())


def test_a_read_sees_what_the_session_holds_unwritten_unless_autoflush_is_off(app: FastAPI) -> None:
    with ctx(app).db.transaction() as session:
        session.add(_saffron())
        with session.no_autoflush:  # as the applier's set-based apply reads: nothing written early
            assert stock.known_codes(session, {"saffron"}) == set()
        assert stock.known_codes(session, {"saffron", "mozzarella", "nope"}) == {"saffron", "mozzarella"}
        session.rollback()


def test_a_hostile_code_is_a_value_not_a_statement(app: FastAPI) -> None:
    hostile = {"x'); DROP TABLE store; --", "cheese' OR '1'='1", "\\", ""}
    with ctx(app).db.transaction() as session:
        assert stock.known_codes(session, hostile) == set()
        assert session.scalars(select(Store.id)).first() is not None  # still there


def test_the_stock_rows_read_as_the_orm_reads_them(app: FastAPI) -> None:
    store_id, now = evanston(app), utcnow()
    columns = ("code", "on_hand", "base_unit", "updated_at")
    with ctx(app).db.transaction() as session:
        found = stock.stock_values(session, store_id, {"mozzarella", "dough_lg"}, now, columns)
        mapped = stock.stock_rows(session, store_id, {"mozzarella", "dough_lg"}, now)
        assert sorted(found) == sorted(tuple(getattr(mapped[c], f) for f in columns) for c in mapped)
        assert len(found) == 2  # made where missing, then read
