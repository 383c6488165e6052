"""quote and throttle: the oven belt's size, online ordering's throttle level and a manager's hold

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 02:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store_db.models.base

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('store', schema=None) as batch_op:
        batch_op.add_column(sa.Column('oven_belt_pizzas', sa.Integer(), nullable=False, server_default='8'))
        batch_op.add_column(sa.Column('throttle_busy_min', sa.Integer(), nullable=False, server_default='45'))
        batch_op.add_column(sa.Column('throttle_pause_min', sa.Integer(), nullable=False, server_default='75'))
        batch_op.add_column(
            sa.Column('throttle_level', sa.String(length=10), nullable=False, server_default='open')
        )
        batch_op.add_column(sa.Column('throttle_since', store_db.models.base.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('throttle_minutes', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('throttle_override', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('throttle_override_by', sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(
            'fk_store_throttle_override_by_staff', 'staff', ['throttle_override_by'], ['id']
        )


def downgrade() -> None:
    with op.batch_alter_table('store', schema=None) as batch_op:
        batch_op.drop_constraint('fk_store_throttle_override_by_staff', type_='foreignkey')
        for name in (
            'throttle_override_by',
            'throttle_override',
            'throttle_minutes',
            'throttle_since',
            'throttle_level',
            'throttle_pause_min',
            'throttle_busy_min',
            'oven_belt_pizzas',
        ):
            batch_op.drop_column(name)
