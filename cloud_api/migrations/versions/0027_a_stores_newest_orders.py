"""a store's newest orders found by an index: the promises an online order is quoted from

An online order placed while its store's load is not fresh is promised from the store's ten
newest promises (`orders.quote.RECENT`, read in the same round trip as the key's claim), and
the console lists a store's newest orders (`orders.repository.of_store`). Both read by the
store and the moment placed, newest first; no index had that order, so each read every order
the store ever took and sorted them: a cost that grows with the store's history, paid on
every such order.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_orders_store_placed", "orders", ["store_id", "placed_at"])


def downgrade() -> None:
    op.drop_index("ix_orders_store_placed", table_name="orders")
