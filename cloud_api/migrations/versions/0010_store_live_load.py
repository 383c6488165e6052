"""the store's live load and throttle from its heartbeat, for online quotes

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("store", sa.Column("live_load", postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.add_column("store", sa.Column("live_load_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("store", "live_load_at")
    op.drop_column("store", "live_load")
