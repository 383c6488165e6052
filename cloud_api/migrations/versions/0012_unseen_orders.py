"""unseen orders: the store's heartbeat reports online orders nobody in its kitchen saw

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("store_heartbeat", sa.Column("unseen_orders", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("store_heartbeat", "unseen_orders")
