"""the sides screen as a store setting; boxed pizzas waiting for their sides; the address note
on the order

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 23:55:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store_db.models.base

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('store', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('sides_station', sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('boxed_at', store_db.models.base.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('address_note', sa.Text(), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('address_note')
        batch_op.drop_column('boxed_at')
    with op.batch_alter_table('store', schema=None) as batch_op:
        batch_op.drop_column('sides_station')
