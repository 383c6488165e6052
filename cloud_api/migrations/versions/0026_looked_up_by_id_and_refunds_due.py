"""an order found by its id alone, and the refunds due, without reading every row

A tracker link, a customer's own order and a payment's order name the order by its id,
without its store (`orders.repository.order_by_id`); the key is `(store_id, id)`, so each
look-up read the whole `orders` table (8.7 ms a tracker update at fifty thousand orders,
and growing with every order the chain takes). The refunds' sender, every few seconds in
every worker, read the whole `payment` table for the few refunds pending (15 ms at fifty
thousand). Now `orders` has an index on its id, and `payment` a partial one on when a
pending refund is due (a payment that is not a pending refund is not in it).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_orders_id", "orders", ["id"])
    op.create_index(
        "ix_payment_refund_due",
        "payment",
        ["next_refund_at"],
        postgresql_where=sa.text("status = 'refund_pending'"),
    )


def downgrade() -> None:
    op.drop_index("ix_payment_refund_due", table_name="payment")
    op.drop_index("ix_orders_id", table_name="orders")
