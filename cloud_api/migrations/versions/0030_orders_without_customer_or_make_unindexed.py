"""a customer's orders and a store's made orders indexed where there is one

`ix_orders_customer_placed` (a customer's orders) and `ix_orders_store_made` (a store's orders
made between two moments, for the sales between stock counts) kept an entry for every order:
one with no customer (taken at the counter or on the phone, most of a chain's) and one not
made yet (every order as it is placed). Neither entry is ever sought: every query names a
customer or a range of moments. Now each index keeps only the orders it can answer for: two
entries fewer for an order placed without a customer, and one fewer each time such an order
changes.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

_INDEXES = (
    ("ix_orders_customer_placed", ["customer_id", "placed_at"], "customer_id IS NOT NULL"),
    ("ix_orders_store_made", ["store_id", "made_at"], "made_at IS NOT NULL"),
)


def upgrade() -> None:
    for name, columns, where in _INDEXES:
        op.drop_index(name, table_name="orders")
        op.create_index(name, "orders", columns, unique=False, postgresql_where=sa.text(where))


def downgrade() -> None:
    for name, columns, _ in _INDEXES:
        op.drop_index(name, table_name="orders")
        op.create_index(name, "orders", columns, unique=False)
