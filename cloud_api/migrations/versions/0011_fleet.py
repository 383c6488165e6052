"""the fleet: each store's last heartbeat report, and which stores each menu version reached

Revision ID: 0011
Revises: 0006
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0011"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "store_heartbeat",
        sa.Column("store_id", sa.String(length=36), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outbox_backlog", sa.BigInteger(), nullable=False),
        sa.Column("acked_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("feed_cursor", sa.BigInteger(), nullable=False),
        sa.Column("quarantined", sa.BigInteger(), nullable=False),
        sa.Column("printers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("agent_version", sa.String(length=40), nullable=False),
        sa.Column("menu_version", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["store_id"], ["store.id"], name=op.f("fk_store_heartbeat_store_id_store")),
        sa.PrimaryKeyConstraint("store_id", name=op.f("pk_store_heartbeat")),
    )
    op.create_table(
        "menu_release",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.String(length=36), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["version"], ["menu_version.version"], name=op.f("fk_menu_release_version_menu_version")
        ),
        sa.ForeignKeyConstraint(["store_id"], ["store.id"], name=op.f("fk_menu_release_store_id_store")),
        sa.PrimaryKeyConstraint("version", "store_id", name=op.f("pk_menu_release")),
    )
    op.create_index(op.f("ix_menu_release_store_id"), "menu_release", ["store_id"], unique=False)
    # Versions published before: each store reached the one it sells from now.
    op.execute(
        "INSERT INTO menu_release (version, store_id, published_at) "
        "SELECT s.menu_version, s.id, m.published_at FROM store s "
        "JOIN menu_version m ON m.version = s.menu_version"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_menu_release_store_id"), table_name="menu_release")
    op.drop_table("menu_release")
    op.drop_table("store_heartbeat")
