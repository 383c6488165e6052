"""order limits: the store's limits, and who approved an order over them

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("store", sa.Column("order_limits", sa.JSON(), nullable=True))
    # SQLite adds a column with its reference in place: no table rebuild under a busy store.
    op.execute(
        "ALTER TABLE orders ADD COLUMN limits_approved_by VARCHAR(36) "
        "CONSTRAINT fk_orders_limits_approved_by_staff REFERENCES staff (id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch_op:
        batch_op.drop_column("limits_approved_by")
    op.drop_column("store", "order_limits")
