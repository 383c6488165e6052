"""store hours and orders for later: the store's hours, and when an order is for and fired

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 02:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store_db.models.base

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("store", sa.Column("hours", sa.JSON(), nullable=True))
    op.add_column("orders", sa.Column("scheduled_for", store_db.models.base.UTCDateTime(), nullable=True))
    op.add_column("orders", sa.Column("fired_at", store_db.models.base.UTCDateTime(), nullable=True))
    op.create_index(
        "ix_orders_held", "orders", ["scheduled_for"], sqlite_where=sa.text("fired_at IS NULL")
    )


def downgrade() -> None:
    op.drop_index("ix_orders_held", table_name="orders")
    with op.batch_alter_table("orders") as batch_op:
        batch_op.drop_column("fired_at")
        batch_op.drop_column("scheduled_for")
    op.drop_column("store", "hours")
