"""orders: drop the index on business_date alone; UNIQUE(business_date, number) serves every look-up by day

Every order writes a page of each index on its table: this one held nothing the unique
index on (business_date, number) does not lead with (`tests/store/test_order_indexes.py`
shows every query by day using that one).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 10:00:00
"""

from __future__ import annotations

from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_orders_business_date', table_name='orders')


def downgrade() -> None:
    op.create_index('ix_orders_business_date', 'orders', ['business_date'])
