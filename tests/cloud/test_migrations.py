"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic import command

from cloud_api.db.migrate import alembic_config, head_revision


def test_models_and_migrations_agree(database_url: str) -> None:
    # `check` raises when an autogenerate would find anything to change.
    command.check(alembic_config(database_url))
    assert head_revision() == "0019"
