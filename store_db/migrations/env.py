"""Alembic environment for the store database (SQLite, batch mode for ALTERs)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from store_db.db import _configure
from store_db.models import Base

config = context.config
engine = _configure(create_engine(config.get_main_option("sqlalchemy.url") or ""), "BEGIN IMMEDIATE")

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
