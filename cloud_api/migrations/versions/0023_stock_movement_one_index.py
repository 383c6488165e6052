"""stock movements kept in one index: the key the reports read by leads the primary key

Every movement was written to two B-trees, its primary key `(store_id, id)` and the
reports' `(store_id, code, at)`; nothing looks a movement up by its id alone. The primary
key is now `(store_id, code, at, id)`, which the reports read by and which keeps each row
unique: one index entry a movement instead of two (a store's night of stock usage synced at
once wrote a quarter of its WAL into these two trees).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_stock_movement_store_at", table_name="stock_movement")
    op.drop_constraint("pk_stock_movement", "stock_movement", type_="primary")
    op.create_primary_key("pk_stock_movement", "stock_movement", ["store_id", "code", "at", "id"])


def downgrade() -> None:
    op.drop_constraint("pk_stock_movement", "stock_movement", type_="primary")
    op.create_primary_key("pk_stock_movement", "stock_movement", ["store_id", "id"])
    op.create_index("ix_stock_movement_store_at", "stock_movement", ["store_id", "code", "at"], unique=False)
