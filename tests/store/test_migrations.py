"""Migrations build the schema the models describe, and every start checks it."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from store_db import migrate
from store_db.db import StoreDB
from store_db.errors import StoreDatabaseError
from store_db.models import Base


def test_empty_database_upgrades_to_head_and_matches_the_models(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    migrate.upgrade(path)
    db = StoreDB(path)
    try:
        assert migrate.current_revision(db) == migrate.head_revision()
        with db.engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
            )
        assert diff == []
        assert db.integrity_check() == "ok"
    finally:
        db.close()


def test_every_connection_gets_the_durable_settings(db: StoreDB) -> None:
    with db.engine.connect() as conn:
        pragmas = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar_one()
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }
    assert pragmas == {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1, "busy_timeout": 10000}


def test_an_unmigrated_file_is_refused_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    path.write_bytes(b"")
    with pytest.raises(StoreDatabaseError, match="Run: makeline init-store --db"):
        StoreDB(path)
    with pytest.raises(StoreDatabaseError, match="no store database"):
        StoreDB(tmp_path / "missing.db")


def test_the_cheap_head_agrees_with_alembic() -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config(Path("unused.db")))
    assert migrate.head_revision() == script.get_current_head()
