"""Alembic migrations, run from code: `upgrade` at `init-store`, `check_schema` at every start."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from store_db.errors import StoreDatabaseError

if TYPE_CHECKING:
    from store_db.db import StoreDB

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(path: Path) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", f"sqlite:///{path}")
    return config


def head_revision() -> str:
    script = ScriptDirectory.from_config(alembic_config(Path("unused.db")))
    head = script.get_current_head()
    assert head is not None
    return head


def upgrade(path: Path) -> None:
    """Create the file if needed and migrate it to the newest schema."""
    path.parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(path), "head")


def current_revision(db: StoreDB) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def check_schema(db: StoreDB) -> None:
    current = current_revision(db)
    head = head_revision()
    if current != head:
        found = "no makeline schema" if current is None else f"schema {current}"
        raise StoreDatabaseError(
            f"{db.path} has {found}; this makeline needs schema {head}. "
            f"Run: makeline init-store --db {db.path}"
        )
