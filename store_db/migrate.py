"""Alembic migrations, run from code: `upgrade` at `init-store`, `check_schema` at every start."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text

from store_db.errors import StoreDatabaseError

if TYPE_CHECKING:
    from alembic.config import Config

    from store_db.db import StoreDB

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(path: Path) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", f"sqlite:///{path}")
    return config


def head_revision() -> str:
    """The newest revision, read off the file names (revisions are numbered 0001, 0002, …).

    Cheap on purpose: every start checks the schema, and importing alembic costs
    a fifth of a second. A test proves this agrees with alembic's own answer.
    """
    return max(p.name.split("_", 1)[0] for p in (MIGRATIONS / "versions").glob("[0-9]*_*.py"))


def upgrade(path: Path) -> None:
    """Create the file if needed (readable by its owner only) and migrate it to the newest schema."""
    from alembic import command

    from store_db.integrity import create_owner_only, owner_only_files

    with owner_only_files():
        create_owner_only(path)
        command.upgrade(alembic_config(path), "head")


def current_revision(db: StoreDB) -> str | None:
    with db.read_engine.connect() as conn:
        has_table = conn.execute(
            text("SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'")
        ).first()
        if has_table is None:
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def check_schema(db: StoreDB) -> None:
    current = current_revision(db)
    head = head_revision()
    if current != head:
        found = "no makeline schema" if current is None else f"schema {current}"
        raise StoreDatabaseError(
            f"{db.path} has {found}; this makeline needs schema {head}. "
            f"Run: makeline init-store --db {db.path}"
        )
