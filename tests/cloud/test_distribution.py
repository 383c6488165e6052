"""The schema is ready to be sharded by store (Citus): over the live, migrated schema,
every table is a declared reference table or has `store_id` in its primary key and in
every unique constraint, save the declared gaps (which must still be gaps)."""

from __future__ import annotations

import psycopg

from cloud_api.db.distribution import DISTRIBUTION_COLUMN, NOT_YET_DISTRIBUTED, REFERENCE_TABLES
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


def _problems(database_url: str) -> dict[str, str]:
    with psycopg.connect(libpq_url(database_url)) as conn:
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        keys = conn.execute(KEYS).fetchall()
    found: dict[str, str] = {}
    has_primary = {table for table, kind, _ in keys if kind == "p"}
    for table in sorted(tables - REFERENCE_TABLES):
        if table not in has_primary:
            found[table] = "no primary key"
    for table, kind, columns in keys:
        if table in REFERENCE_TABLES or DISTRIBUTION_COLUMN in columns:
            continue
        what = "primary key" if kind == "p" else "unique key"
        found.setdefault(table, f"{what} ({', '.join(columns)}) without {DISTRIBUTION_COLUMN}")
    return found


def test_every_table_is_sharded_by_store_or_a_reference_table(database_url: str) -> None:
    problems = _problems(database_url)
    new = {t: why for t, why in problems.items() if t not in NOT_YET_DISTRIBUTED}
    assert not new, f"tables not ready to be sharded by store: {new}"
    fixed = sorted(set(NOT_YET_DISTRIBUTED) - set(problems))
    assert not fixed, f"now sharded by store; take them off NOT_YET_DISTRIBUTED: {fixed}"
