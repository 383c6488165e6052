"""the rack-time cap as a store setting: an order on the heat rack this long goes out first

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 06:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('store') as batch:
        batch.add_column(sa.Column('rack_cap_s', sa.Integer(), nullable=False, server_default='1800'))


def downgrade() -> None:
    with op.batch_alter_table('store') as batch:
        batch.drop_column('rack_cap_s')
