"""sync: store events set aside (quarantine) and which computer speaks for each store

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbound_quarantine",
        sa.Column("store_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("quarantined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["store_id"], ["store.id"], name=op.f("fk_inbound_quarantine_store_id_store")),
        sa.PrimaryKeyConstraint("store_id", "seq", name=op.f("pk_inbound_quarantine")),
    )
    op.create_table(
        "store_agent",
        sa.Column("store_id", sa.String(length=36), nullable=False),
        sa.Column("instance", sa.String(length=64), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("refused_instance", sa.String(length=64), nullable=False),
        sa.Column("refused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refused_count", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["store_id"], ["store.id"], name=op.f("fk_store_agent_store_id_store")),
        sa.PrimaryKeyConstraint("store_id", name=op.f("pk_store_agent")),
    )


def downgrade() -> None:
    op.drop_table("store_agent")
    op.drop_table("inbound_quarantine")
