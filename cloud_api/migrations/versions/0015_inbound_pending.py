"""inbound pending: a store's events stored and acknowledged, waiting to be applied

Revision ID: 0015
Revises: 0017
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbound_pending",
        sa.Column("store_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id", "seq"],
            ["inbound_event.store_id", "inbound_event.seq"],
            name=op.f("fk_inbound_pending_store_id_inbound_event"),
        ),
        sa.PrimaryKeyConstraint("store_id", "seq", name=op.f("pk_inbound_pending")),
    )


def downgrade() -> None:
    op.drop_table("inbound_pending")
