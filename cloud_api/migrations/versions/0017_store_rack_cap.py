"""the rack-time cap among a store's settings: head office or the store's manager sets it, the
store learns it through its feed

Revision ID: 0017
Revises: 0014
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("store", sa.Column("rack_cap_s", sa.Integer(), nullable=False, server_default="1800"))


def downgrade() -> None:
    op.drop_column("store", "rack_cap_s")
