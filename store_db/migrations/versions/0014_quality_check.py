"""quality check at the cut table: the store's setting, each order's check (passed by whom and
when, pizzas sent back to be remade) and the oven and rack screens' recalls of an order

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 06:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store_db.models.base

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('store') as batch:
        batch.add_column(sa.Column('quality_check', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('orders') as batch:
        batch.add_column(sa.Column('checked_at', store_db.models.base.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('checked_by', sa.String(length=40), nullable=True))
        batch.add_column(sa.Column('remakes', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('remade_at', store_db.models.base.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('recalls', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('kitchen_ticket') as batch:
        batch.add_column(sa.Column('remake_reason', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('kitchen_ticket') as batch:
        batch.drop_column('remake_reason')
    with op.batch_alter_table('orders') as batch:
        batch.drop_column('recalls')
        batch.drop_column('remade_at')
        batch.drop_column('remakes')
        batch.drop_column('checked_by')
        batch.drop_column('checked_at')
    with op.batch_alter_table('store') as batch:
        batch.drop_column('quality_check')
