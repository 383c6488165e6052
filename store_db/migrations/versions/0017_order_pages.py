"""orders and order_line: index pages fewer in every order's commit

`ix_orders_held` keeps only the orders for later still waiting to fire (`scheduled_for IS
NOT NULL AND fired_at IS NULL`): an order for now has no `scheduled_for`, and was written
into the index all the same because its `fired_at` is empty. Every query for held orders
names both conditions, so it still finds them by an index. `ix_orders_customer_id` keeps
only the orders that have a customer (a walk-in's order without a phone has none; the
customer's history looks up `customer_id = ?`, which the planner knows is not null).
`ix_order_line_product` is dropped:
no query looks lines up by product (the sales report reads a day's lines through their
orders). `tests/store/test_order_indexes.py` reads the plans.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_orders_held', table_name='orders')
    op.create_index(
        'ix_orders_held',
        'orders',
        ['scheduled_for'],
        sqlite_where=sa.text('scheduled_for IS NOT NULL AND fired_at IS NULL'),
    )
    op.drop_index('ix_orders_customer_id', table_name='orders')
    op.create_index(
        'ix_orders_customer_id', 'orders', ['customer_id'], sqlite_where=sa.text('customer_id IS NOT NULL')
    )
    op.drop_index('ix_order_line_product', table_name='order_line')


def downgrade() -> None:
    op.drop_index('ix_orders_customer_id', table_name='orders')
    op.create_index('ix_orders_customer_id', 'orders', ['customer_id'])
    op.create_index('ix_order_line_product', 'order_line', ['product'])
    op.drop_index('ix_orders_held', table_name='orders')
    op.create_index('ix_orders_held', 'orders', ['scheduled_for'], sqlite_where=sa.text('fired_at IS NULL'))
