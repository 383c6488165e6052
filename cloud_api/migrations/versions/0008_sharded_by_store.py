"""sharded by store: a store's event ids unique within the store, stock movements keyed by store

Revision ID: 0008
Revises: 0012
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_constraint("uq_inbound_event_event_id", "inbound_event", type_="unique")
    op.create_unique_constraint("uq_inbound_event_store_id", "inbound_event", ["store_id", "event_id"])
    op.drop_constraint("pk_stock_movement", "stock_movement", type_="primary")
    op.create_primary_key("pk_stock_movement", "stock_movement", ["store_id", "id"])


def downgrade() -> None:
    op.drop_constraint("pk_stock_movement", "stock_movement", type_="primary")
    op.create_primary_key("pk_stock_movement", "stock_movement", ["id"])
    op.drop_constraint("uq_inbound_event_store_id", "inbound_event", type_="unique")
    op.create_unique_constraint("uq_inbound_event_event_id", "inbound_event", ["event_id"])
