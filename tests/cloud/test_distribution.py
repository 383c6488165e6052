"""The schema is ready to be sharded by store (Citus): over the live, migrated schema, every
table is a declared reference table, a declared customer's table keyed by its account, or
has `store_id` in its primary key and in every unique constraint; and every foreign key
stays within one shard (to a reference table, or store to store through `store_id`)."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from cloud_api.db.distribution import ACCOUNT_TABLES, DISTRIBUTION_COLUMN, REFERENCE_TABLES
from cloud_api.settings import libpq_url

KEYS = """
SELECT t.relname, c.contype, array_agg(a.attname::text ORDER BY a.attname)
FROM pg_constraint c
JOIN pg_class t ON t.oid = c.conrelid
JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY (c.conkey)
WHERE c.contype IN ('p', 'u')
GROUP BY t.relname, c.conname, c.contype
UNION ALL
SELECT t.relname, 'x', array_agg(a.attname::text ORDER BY a.attname)
FROM pg_index i
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_class x ON x.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY (i.indkey)
WHERE i.indisunique AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
GROUP BY t.relname, x.relname
"""

# Each foreign key: its table, the table it refers to, and both column lists in key order.
FOREIGN_KEYS = """
SELECT t.relname, r.relname,
    ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY AS k(num, pos)
          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.num ORDER BY k.pos),
    ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY AS k(num, pos)
          JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.num ORDER BY k.pos)
FROM pg_constraint c
JOIN pg_class t ON t.oid = c.conrelid
JOIN pg_class r ON r.oid = c.confrelid
JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
WHERE c.contype = 'f'
"""


@dataclass(frozen=True)
class Schema:
    tables: set[str]
    keys: list[tuple[str, str, list[str]]]  # table, p (primary) / u / x (unique), columns
    foreign_keys: list[tuple[str, str, list[str], list[str]]]  # table, referred, columns, referred columns


def _read(database_url: str) -> Schema:
    with psycopg.connect(libpq_url(database_url)) as conn:
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        keys = [(t, k, list(c)) for t, k, c in conn.execute(KEYS).fetchall()]
        foreign = [(t, r, list(c), list(rc)) for t, r, c, rc in conn.execute(FOREIGN_KEYS).fetchall()]
    return Schema(tables, keys, foreign)


def _column(table: str) -> str | None:
    """The column a table is distributed by; None for a reference table."""
    if table in REFERENCE_TABLES:
        return None
    return ACCOUNT_TABLES.get(table, DISTRIBUTION_COLUMN)


def _colocated(column: str, columns: list[str], referred: list[str]) -> bool:
    """The key joins the two tables' distribution columns to each other."""
    return column in columns and column in referred and columns.index(column) == referred.index(column)


def problems(schema: Schema) -> dict[str, str]:
    """What keeps each table from being distributed as declared (empty: ready)."""
    found: dict[str, str] = {}
    for table in sorted((REFERENCE_TABLES | ACCOUNT_TABLES.keys()) - schema.tables):
        found[table] = "declared in cloud_api.db.distribution but not in the schema"
    for table in sorted(REFERENCE_TABLES & ACCOUNT_TABLES.keys()):
        found[table] = "declared both a reference table and a customer's table"
    has_primary = {table for table, kind, _ in schema.keys if kind == "p"}
    for table in sorted(schema.tables - REFERENCE_TABLES - has_primary):
        found[table] = "no primary key"
    for table, kind, columns in schema.keys:
        column = _column(table)
        if column is not None and column not in columns:
            what = "primary key" if kind == "p" else "unique key"
            found.setdefault(table, f"{what} ({', '.join(columns)}) without {column}")
    for table, referred, columns, referred_columns in schema.foreign_keys:
        column, target = _column(table), _column(referred)
        if target is None:
            continue  # every worker holds a copy of a reference table
        if column is None:
            why = "a reference table refers to a distributed one"
        elif table in ACCOUNT_TABLES or referred in ACCOUNT_TABLES:
            why = "refers across the store and customer groups" if column != target else ""
        else:
            why = ""
        if not why and not _colocated(target, columns, referred_columns):
            why = f"does not join {target} to {target}"
        if why:
            found.setdefault(table, f"foreign key ({', '.join(columns)}) to {referred}: {why}")
    return found


def test_every_table_is_sharded_by_store_or_a_reference_table(database_url: str) -> None:
    assert problems(_read(database_url)) == {}


def test_the_rule_names_what_would_not_shard() -> None:
    schema = Schema(
        tables={
            "store",
            "orders",
            "order_line",
            "payment",
            "favourite_order",
            "idempotency_record",
            "menu_note",
        },
        keys=[
            ("orders", "p", ["id", "store_id"]),
            ("order_line", "p", ["line_no", "order_id", "store_id"]),
            ("payment", "p", ["id", "store_id"]),
            ("payment", "u", ["idempotency_key"]),
            ("favourite_order", "p", ["account_id"]),
            ("idempotency_record", "p", ["key", "owner"]),
        ],
        foreign_keys=[
            ("orders", "store", ["store_id"], ["id"]),
            ("order_line", "orders", ["order_id"], ["id"]),
            ("favourite_order", "orders", ["store_id", "order_id"], ["store_id", "id"]),
        ],
    )
    found = problems(schema)
    assert found.pop("payment") == "unique key (idempotency_key) without store_id"
    assert found.pop("menu_note") == "no primary key"
    assert found.pop("order_line") == "foreign key (order_id) to orders: does not join store_id to store_id"
    assert found.pop("favourite_order").endswith("refers across the store and customer groups")
    assert set(found) == (REFERENCE_TABLES - schema.tables)  # declared, missing from this schema

    joined = Schema(
        schema.tables - {"menu_note", "favourite_order"} | REFERENCE_TABLES,
        [k for k in schema.keys if k[1] != "u"],
        [("order_line", "orders", ["store_id", "order_id"], ["store_id", "id"])],
    )
    assert problems(joined) == {
        "favourite_order": "declared in cloud_api.db.distribution but not in the schema"
    }
