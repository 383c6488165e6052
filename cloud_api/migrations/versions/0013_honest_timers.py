"""honest timers: the store's own flags on an order's times (an early bump, a delivery marked
sooner than the drive could take, a ticket bumped and recalled again and again)

Revision ID: 0013
Revises: 0008
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0008"
branch_labels = None
depends_on = None

_FLAGS = ("flagged_early_bump", "flagged_quick_delivery", "flagged_repeated_recall")


def upgrade() -> None:
    for name in _FLAGS:
        op.add_column("orders", sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    for name in reversed(_FLAGS):
        op.drop_column("orders", name)
