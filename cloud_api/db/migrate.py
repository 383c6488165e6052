"""Alembic migrations run from code: `upgrade` when the cloud starts, `check_schema` in each worker."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from cloud_api.errors import ConfigurationError

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser treats % as interpolation; URLs may contain escaped characters.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@cache  # the migrations are the code's own: read once per process (~25 ms of every app made)
def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config("")).get_current_head()
    assert head is not None
    return head


def upgrade(url: str) -> None:
    """Bring the database to the newest schema (safe when several workers call it at once)."""
    command.upgrade(alembic_config(url), "head")


def check_schema(engine: Engine) -> None:
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    head = head_revision()
    if current != head:
        found = "no makeline schema" if current is None else f"schema {current}"
        raise ConfigurationError(
            f"The cloud database has {found}; this makeline needs schema {head}. "
            "Start it with `makeline cloud`, which migrates the database first."
        )
