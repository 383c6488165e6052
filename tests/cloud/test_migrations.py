"""The migrations build exactly the schema the models describe, keying by store (0019)
carries a database's records across, both ways, and a pushed event's payload keeps its value
as `json` text (0021) and back, and the appliers' queue goes from a row an event to runs
(0024) and back, the two ledgers drop their foreign keys (0025) and take them back, and the
orders' usage goes from a row a line to a row an event (0029) and back."""

from __future__ import annotations

import json
from decimal import Decimal

import psycopg
from alembic import command

from cloud_api.db.migrate import alembic_config, head_revision
from cloud_api.settings import libpq_url


def test_models_and_migrations_agree(database_url: str) -> None:
    # `check` raises when an autogenerate would find anything to change.
    command.check(alembic_config(database_url))
    assert head_revision() == "0030"


ORDER = """INSERT INTO orders (id, store_id, customer_id, business_date, channel, service, stage,
    tracked_status, customer_name, phone, address, notes, menu_version, subtotal, discount, tax, tip,
    total, payment, placed_at, updated_at)
VALUES (%(id)s, %(store)s, %(account)s, current_date, 'online', 'carryout', 'placed', 'placed', 'Ann',
    %(phone)s, '', '', 1, 1000, 0, 0, 0, 1000, 'paid', now(), now())"""
RECORDS = [
    """INSERT INTO order_line (order_id, line_no, product, name, size, quantity, unit_price, line_total, item)
    VALUES (%(id)s, 1, 'pepperoni', 'Pepperoni', 'lg', 1, 1000, 1000, '{}')""",
    "INSERT INTO order_contact (order_id, email, created_at) VALUES (%(id)s, 'ann@example.com', now())",
    """INSERT INTO payment (id, order_id, method, status, amount, refunded, currency, gateway,
    idempotency_key, message, refund_attempts, created_at, updated_at)
    VALUES (%(id)s, %(id)s, 'card', 'succeeded', 1000, 0, 'usd', 'test', %(id)s, '', 0, now(), now())""",
    """INSERT INTO email_message (order_id, kind, dedupe_key, email, status, attempts, next_attempt_at,
    created_at) VALUES (%(id)s, 'confirmation', %(key)s, 'ann@example.com', 'sent', 1, now(), now())""",
    """INSERT INTO favourite_order (account_id, order_id, chosen_at) VALUES (%(account)s, %(id)s, now())
    ON CONFLICT (account_id) DO UPDATE SET order_id = excluded.order_id""",
]
TEXT = """INSERT INTO notification (store_id, order_id, kind, phone, body, status, attempts,
    next_attempt_at, created_at)
VALUES (NULL, %s, 'message', %s, %s, 'queued', 0, now(), now())"""
ORDER_ID = "01900000-0000-7000-8000-00000000aa01"


def test_keying_by_store_copies_each_records_store_and_comes_back(database_url: str) -> None:
    config, url = alembic_config(database_url), libpq_url(database_url)
    command.downgrade(config, "0015")
    with psycopg.connect(url) as conn:
        store, account = conn.execute(
            "SELECT (SELECT id FROM store ORDER BY id LIMIT 1), (SELECT id FROM account ORDER BY id LIMIT 1)"
        ).fetchone() or ("", "")
        names = {"id": ORDER_ID, "store": store, "account": account, "phone": "7085550142", "key": "order:1"}
        conn.execute(ORDER, names)
        for statement in RECORDS:
            conn.execute(statement, names)
        conn.execute(TEXT, (ORDER_ID, "7085550100", "about the order"))
        conn.execute(TEXT, (None, "7085550142", "to a number that ordered"))
        conn.execute(TEXT, (None, "7085550999", "to a number no store served"))
    command.upgrade(config, "head")
    tables = ["order_line", "order_contact", "payment", "email_message", "favourite_order"]
    with psycopg.connect(url) as conn:
        for table in tables:
            found = conn.execute(f"SELECT store_id FROM {table} WHERE order_id = %s", (ORDER_ID,)).fetchall()
            assert found == [(store,)], table
        texts = conn.execute(
            "SELECT body, store_id FROM notification WHERE body LIKE 'to %%' OR body LIKE 'about %%' ORDER BY body"
        )
        assert texts.fetchall() == [("about the order", store), ("to a number that ordered", store)]
    command.downgrade(config, "0015")
    with psycopg.connect(url) as conn:
        for table in tables:
            found = conn.execute(f"SELECT count(*) FROM {table} WHERE order_id = %s", (ORDER_ID,)).fetchone()
            assert found == (1,), table
        columns = conn.execute(
            "SELECT count(*) FROM information_schema.columns WHERE column_name = 'store_id' AND table_name = ANY(%s)",
            (tables,),
        ).fetchone()
        assert columns == (0,)
    command.upgrade(config, "head")
    command.check(config)


def test_a_stored_events_payload_keeps_its_value_as_json_text_and_back(database_url: str) -> None:
    config, url = alembic_config(database_url), libpq_url(database_url)
    payload = '{"id": "x", "notes": "½ 🍕 \\\\u0000 is text", "lines": [{"quantity": "1.50"}], "n": 12}'
    command.downgrade(config, "0019")
    with psycopg.connect(url) as conn:
        conn.execute(
            """INSERT INTO inbound_event (store_id, seq, event_id, kind, payload, created_at, received_at)
            VALUES ((SELECT id FROM store ORDER BY id LIMIT 1), 900001, 'migrated-payload', 'order.stage',
                %s::jsonb, now(), now())""",
            (payload,),
        )
    command.upgrade(config, "head")
    read = "SELECT payload::text, pg_typeof(payload)::text FROM inbound_event WHERE event_id = 'migrated-payload'"
    with psycopg.connect(url) as conn:
        text, kind = conn.execute(read).fetchone() or ("", "")
        assert kind == "json" and json.loads(text) == json.loads(payload)
    command.downgrade(config, "0019")
    with psycopg.connect(url) as conn:
        text, kind = conn.execute(read).fetchone() or ("", "")
        assert kind == "jsonb" and json.loads(text) == json.loads(payload)
        conn.execute("DELETE FROM inbound_event WHERE event_id = 'migrated-payload'")
    command.upgrade(config, "head")
    command.check(config)


EVENT = """INSERT INTO inbound_event (store_id, seq, event_id, kind, payload, created_at, received_at)
SELECT %(store)s, s, 'queued-' || s, 'order.stage', '{}', now(), now() FROM generate_series(1, 3) AS s"""


def test_the_queue_goes_from_a_row_an_event_to_runs_and_back(database_url: str) -> None:
    config, url = alembic_config(database_url), libpq_url(database_url)
    command.downgrade(config, "0023")
    with psycopg.connect(url) as conn:
        store = (conn.execute("SELECT id FROM store ORDER BY id LIMIT 1").fetchone() or ("",))[0]
        conn.execute(EVENT, {"store": store})
        conn.execute(
            "INSERT INTO inbound_pending (store_id, seq) VALUES (%(s)s, 1), (%(s)s, 3)", {"s": store}
        )
    command.upgrade(config, "head")
    queued = "SELECT * FROM inbound_pending WHERE store_id = %s ORDER BY seq"
    with psycopg.connect(url) as conn:
        assert conn.execute(queued, (store,)).fetchall() == [(store, 1, 1), (store, 3, 3)]
        conn.execute("UPDATE inbound_pending SET last_seq = 3 WHERE store_id = %s AND seq = 1", (store,))
        conn.execute("DELETE FROM inbound_pending WHERE store_id = %s AND seq = 3", (store,))
    command.downgrade(config, "0023")
    with psycopg.connect(url) as conn:
        assert conn.execute(queued, (store,)).fetchall() == [(store, 1), (store, 2), (store, 3)]
        conn.execute("DELETE FROM inbound_pending WHERE store_id = %s", (store,))
        conn.execute("DELETE FROM inbound_event WHERE store_id = %s AND event_id LIKE 'queued-%%'", (store,))
    command.upgrade(config, "head")


LEDGER_KEYS = """SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint
WHERE contype = 'f' AND conrelid::regclass::text IN ('inbound_event', 'stock_movement') ORDER BY 1, 2"""


def test_the_ledgers_drop_their_foreign_keys_and_take_them_back(database_url: str) -> None:
    config, url = alembic_config(database_url), libpq_url(database_url)
    with psycopg.connect(url) as conn:
        assert conn.execute(LEDGER_KEYS).fetchall() == []
    command.downgrade(config, "0024")
    with psycopg.connect(url) as conn:
        assert conn.execute(LEDGER_KEYS).fetchall() == [
            ("inbound_event", "store"),
            ("stock_movement", "inventory_item"),
            ("stock_movement", "store"),
        ]
    command.upgrade(config, "head")
    command.check(config)


MOVEMENT = """INSERT INTO stock_movement (store_id, code, kind, quantity, cost_cents, reference, at)
VALUES (%s, %s, %s, %s, %s, %s, %s)"""
LEDGER = "SELECT code, kind, quantity, cost_cents, reference, at FROM stock_movement WHERE store_id = %s ORDER BY id"


def test_the_usage_goes_from_a_row_a_line_to_a_row_an_event_and_back(database_url: str) -> None:
    config, url = alembic_config(database_url), libpq_url(database_url)
    command.downgrade(config, "0028")
    with psycopg.connect(url) as conn:
        store, at = conn.execute("SELECT id, now() FROM store ORDER BY id LIMIT 1").fetchone() or ("", None)
        lines = [
            ("mozzarella", "count", Decimal("640"), None, "c1", at),
            ("mozzarella", "usage", Decimal("12.5"), 44, "u1", at),
            ("pepperoni", "usage", Decimal("4"), None, "u1", at),
            ("mozzarella", "usage", Decimal("-6.25"), 22, "u2", at),
            ("pepperoni", "waste", Decimal("1"), 3, "w1", at),
        ]
        for line in lines:
            conn.execute(MOVEMENT, (store, *line))
    command.upgrade(config, "head")
    used = (
        "SELECT reference, codes, quantities, costs FROM stock_usage WHERE store_id = %s ORDER BY reference"
    )
    with psycopg.connect(url) as conn:
        assert conn.execute(used, (store,)).fetchall() == [
            ("u1", ["mozzarella", "pepperoni"], [Decimal("12.5"), Decimal("4")], [44, None]),
            ("u2", ["mozzarella"], [Decimal("-6.25")], [22]),
        ]
        assert [row[1] for row in conn.execute(LEDGER, (store,))] == ["count", "waste"]
    command.downgrade(config, "0028")
    with psycopg.connect(url) as conn:
        back = conn.execute(LEDGER, (store,)).fetchall()
        assert back == [lines[n] for n in (0, 4, 1, 2, 3)], "the usage after the rest, each event's in order"
        conn.execute("DELETE FROM stock_movement WHERE store_id = %s", (store,))
    command.upgrade(config, "head")
    command.check(config)
