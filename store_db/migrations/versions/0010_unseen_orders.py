"""unseen orders: when an online order reached the store and when it was first seen

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 03:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store_db.models.base

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('orders') as batch:
        batch.add_column(sa.Column('arrived_at', store_db.models.base.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('seen_at', store_db.models.base.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('orders') as batch:
        batch.drop_column('seen_at')
        batch.drop_column('arrived_at')
