"""The counter's pre-written SQL stores exactly the rows the ORM would.

`place_order` writes its rows without the ORM (`store_db.services.rows`). Each row it
wrote is read back through the ORM, written again by the ORM into an empty copy of the
schema, and both files are compared value by value as SQLite holds them (`quote()`:
the type and the bytes; a JSON body by its type and the value it reads as), so a
timestamp, a JSON body, a date or a boolean stored any other way than the ORM's fails here.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import JSON, Table, create_engine, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session, make_transient

from makeline.trade.care import CareFlag, CareKind
from makeline.trade.pricing import ItemRequest, PricedItem
from store_db.db import StoreDB
from store_db.models import (
    Base,
    Customer,
    CustomerAddress,
    KitchenTicket,
    Order,
    OrderLine,
    OutboxEvent,
    PrintJob,
    Store,
    Tender,
)
from store_db.models.base import UTCDateTime
from store_db.services import outbox, rows
from store_db.services.orders import AddressRequest, TenderRequest, place_order, set_limits
from store_db.services.store_settings import StoreSettings, read_settings, with_throttle_minutes
from sync.contract.events import OrderPlaced
from tests.store.helpers import T0, delivery

WRITTEN = (Order, OrderLine, Tender, KitchenTicket, PrintJob, OutboxEvent, Customer, CustomerAddress)


def stored(engine_url: str, model: type[Base]) -> list[tuple[Any, ...]]:
    """Every row of `model`'s table exactly as SQLite holds it; a JSON column as its type and
    the value its text reads as (pydantic dumps it compact, the ORM with spaces)."""
    table = cast(Table, model.__table__)
    columns = ", ".join(
        f'typeof("{c.name}"), "{c.name}"' if isinstance(c.type, JSON) else f'quote("{c.name}")'
        for c in table.columns
    )
    engine = create_engine(engine_url)
    try:
        with engine.connect() as conn:
            found = conn.execute(text(f'SELECT {columns} FROM "{table.name}" ORDER BY 1')).all()
    finally:
        engine.dispose()
    out = []
    for row in found:
        values, n = [], 0
        for column in table.columns:
            if isinstance(column.type, JSON):
                kind, body = row[n], row[n + 1]
                values.append((kind, None if body is None else json.loads(body)))
                n += 2
            else:
                values.append(row[n])
                n += 1
        out.append(tuple(values))
    return out


def test_the_rows_place_order_writes_are_the_rows_the_orm_writes(db: StoreDB, tmp_path: Path) -> None:
    request = delivery(
        "500 N Oak Park Ave",
        ItemRequest(product="pepperoni", size="lg"),
        ItemRequest(product="cola", size="2l"),
        tenders=[TenderRequest(kind="cash", tendered=9000)],
        notes="ring twice",
    )
    order = db.run(place_order, request, T0)
    with db.read() as session:
        loaded = session.get_one(Order, order.id)
        for column in cast(Table, Order.__table__).columns:  # the order handed back is the one stored
            assert getattr(order, column.key) == getattr(loaded, column.key), column.key
    copy_url = f"sqlite:///{tmp_path / 'orm.db'}"
    orm = create_engine(copy_url)
    Base.metadata.create_all(orm)  # foreign keys are not enforced here: each table stands alone
    with db.read() as session, Session(orm) as copy:
        for model in WRITTEN:
            for row in session.scalars(select(model)).all():
                session.expunge(row)
                make_transient(row)
                copy.add(row)
        copy.commit()
    orm.dispose()
    ours = f"sqlite:///{db.path}"
    for model in WRITTEN:
        assert stored(ours, model) == stored(copy_url, model), model.__name__
    assert stored(ours, Order)[0][0] == f"'{order.id}'"


def test_the_store_settings_are_what_the_orm_reads_of_the_store(db: StoreDB) -> None:
    with db.write() as session:
        store = session.scalars(select(Store)).one()
        set_limits(store, {"max_pizzas": 7})
        store.throttle_since, store.sides_station = T0, True
    with db.read() as session:
        settings = read_settings(session)
        store = session.scalars(select(Store)).one()
        for name in StoreSettings._fields:
            assert getattr(settings, name) == getattr(store, name), name
    assert settings.order_limits is not None and settings.order_limits["max_pizzas"] == 7
    assert settings.sides_station is True and settings.throttle_since == T0


def test_a_column_default_fills_what_a_row_leaves_out() -> None:
    job = rows.Insert(PrintJob)
    values = job.values({"printer": "kitchen", "document": "kitchen", "created_at": T0})
    by_column = dict(zip(job.columns, values, strict=True))
    assert by_column["status"] == "queued"
    assert by_column["payload"] == "{}"
    assert by_column["reprint"] == 0
    assert by_column["created_at"] == "2026-11-20 23:00:00.000000"


def test_a_computed_column_takes_no_parameter() -> None:
    insert = rows.Insert(OutboxEvent, computed={"seq": "(SELECT 7)"})
    assert "seq" not in insert.columns
    assert insert.sql.count("?") == len(insert.columns)
    assert insert.sql.endswith("(SELECT 7))")


def test_one_row_hands_back_the_sequence_it_was_given(db: StoreDB) -> None:
    with db.write() as session:
        first = outbox.emit_json(session, "order.placed", "{}", "a", T0)
        second = outbox.emit_json(session, "order.placed", "{}", "b", T0)
    with db.read() as session:
        stored = {
            subject: seq for subject, seq in session.execute(select(OutboxEvent.subject, OutboxEvent.seq))
        }
    assert (first, second) == (stored["a"], stored["b"]) == (first, first + 1)


@pytest.mark.parametrize("model", WRITTEN)
def test_every_column_of_the_written_tables_is_in_its_insert(model: type[Base]) -> None:
    assert set(rows.Insert(model).columns) == {c.key for c in model.__table__.columns}


def test_the_outbox_keeps_the_payload_the_contract_sends(db: StoreDB) -> None:
    """The event is dumped once, by pydantic: it reads as the contract's own payload, an
    item without care or allergens leaves them out, and it parses back to the event."""
    wings = ItemRequest(product="wings", size="8pc", care=[CareFlag(kind=CareKind.WELL_DONE)])
    order = db.run(
        place_order, delivery("500 N Oak Park Ave", ItemRequest(product="pepperoni", size="lg"), wings), T0
    )
    with db.read() as session:
        row = session.scalars(select(OutboxEvent).where(OutboxEvent.subject == order.id)).one()
        line = session.scalars(
            select(OrderLine).where(OrderLine.order_id == order.id, OrderLine.line_no == 2)
        ).one()
    event = OrderPlaced.model_validate(row.payload)
    assert row.payload == event.payload() == json.loads(event.payload_json())
    items = cast(list[dict[str, Any]], row.payload["items"])
    assert "care" not in items[0] and items[1]["care"] == [{"kind": "well_done", "text": ""}]
    assert PricedItem.model_validate(line.item) == event.items[1]


def test_a_write_that_fails_leaves_nothing_and_the_next_one_writes(db: StoreDB) -> None:
    """The write connection is kept between transactions: one that fails after writing
    is rolled back whole, and the orders after it commit as usual."""

    def counts() -> tuple[int, int]:
        with db.read() as session:
            orders = session.execute(text("SELECT count(*) FROM orders")).scalar_one()
            days = session.execute(text("SELECT count(*) FROM day_counter")).scalar_one()
            return int(orders), int(days)

    first = db.run(place_order, delivery(), T0)
    before = counts()
    with pytest.raises(RuntimeError), db.write() as session:
        rows.connection(session).execute("UPDATE store SET name = 'half written'")
        session.execute(text("DELETE FROM day_counter"))
        raise RuntimeError("the power went halfway")
    assert counts() == before
    with db.read() as session:
        assert read_settings(session).name != "half written"
    second = db.run(place_order, delivery(), T0)
    assert counts() == (before[0] + 1, before[1]) and second.number == first.number + 1


def test_settings_with_the_quotes_minutes_moved_are_replaces_own(db: StoreDB) -> None:
    with db.read() as session:
        settings = read_settings(session)
    moved = with_throttle_minutes(settings, settings.throttle_minutes + 7)
    assert moved == settings._replace(throttle_minutes=settings.throttle_minutes + 7)
    assert moved != settings


@settings(max_examples=80, deadline=None)
@given(st.datetimes(timezones=st.timezones()))
def test_a_timestamp_is_stored_as_the_dialect_stores_it(moment: datetime) -> None:
    impl = UTCDateTime().dialect_impl(sqlite.dialect())
    dialects = impl.bind_processor(sqlite.dialect())
    assert dialects is not None
    assert rows.utc_text(moment) == dialects(moment)
    assert rows.bind(Order.placed_at) is rows.utc_text


def test_a_timestamp_without_its_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        rows.utc_text(datetime(2026, 12, 5, 12, 0))


def test_a_repeat_caller_and_the_saved_address_are_found_and_moved_in_one_look_up(db: StoreDB) -> None:
    first = db.run(
        place_order,
        delivery(
            customer_name="Pat Doe", address=AddressRequest(line1="500 N Oak Park Ave", notes="side door")
        ),
        T0,
    )
    later = T0 + timedelta(minutes=5)
    again = db.run(
        place_order,
        delivery(customer_name="", address=AddressRequest(line1="500 N Oak Park Ave", line2="Apt 2")),
        later,
    )
    elsewhere = db.run(place_order, delivery("800 N Oak Park Ave", customer_name=""), later)
    assert (again.customer_id, again.customer_name, again.address_note) == (
        first.customer_id,
        "Pat Doe",
        "side door",
    )
    assert (elsewhere.customer_id, elsewhere.address_note) == (first.customer_id, "")
    with db.read() as session:
        saved = session.scalars(
            select(CustomerAddress)
            .where(CustomerAddress.customer_id == first.customer_id)
            .order_by(CustomerAddress.line1)
        ).all()
        callers = session.scalars(select(Customer).where(Customer.phone == "7085550199")).all()
    assert [(a.line1, a.line2, a.notes, a.last_used_at) for a in saved] == [
        ("500 N Oak Park Ave", "Apt 2", "side door", later),
        ("800 N Oak Park Ave", "", "", later),
    ]
    assert [(c.id, c.name) for c in callers] == [(first.customer_id, "Pat Doe")]


def test_rows_with_empty_columns_in_any_mix_are_stored_in_their_order(db: StoreDB) -> None:
    """An empty value is written as NULL in the statement (one statement per pattern of empty
    columns): rows of different patterns in one call keep their order and their NULLs."""
    jobs = rows.Insert(PrintJob)
    given = [
        {"printer": "p1", "document": "kitchen", "subject": "s", "created_at": T0},
        {"printer": "p2", "document": "kitchen", "subject": "s", "created_at": T0, "started_at": T0},
        {"printer": "p3", "document": "kitchen", "subject": "s", "created_at": T0},
        {"printer": "p4", "document": "kitchen", "subject": "s", "created_at": T0, "backup_of": "p1"},
    ]
    sql, params = jobs.statement(given[0])
    assert "NULL" in sql and None not in params
    with db.write() as session:
        jobs.run(session, given)
    with db.read() as session:
        stored = session.scalars(select(PrintJob).where(PrintJob.subject == "s").order_by(PrintJob.id)).all()
    assert [(j.printer, j.started_at, j.backup_of, j.printed_at) for j in stored] == [
        ("p1", None, None, None),
        ("p2", T0, None, None),
        ("p3", None, None, None),
        ("p4", None, "p1", None),
    ]
