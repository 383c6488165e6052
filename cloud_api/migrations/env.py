"""Alembic environment for the cloud schema (PostgreSQL)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool, text

from cloud_api.models import Base
from cloud_api.settings import sqlalchemy_url

# Workers starting together must not migrate at once.
MIGRATION_LOCK = 7_301_001

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    engine = create_engine(
        sqlalchemy_url(config.get_main_option("sqlalchemy.url") or ""), poolclass=pool.NullPool
    )
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK})
        conn.commit()
        try:
            context.configure(connection=conn, target_metadata=Base.metadata, compare_type=True)
            with context.begin_transaction():
                context.run_migrations()
            conn.commit()
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK})
            conn.commit()
    engine.dispose()
else:
    context.configure(connection=connection, target_metadata=Base.metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()
