"""store stock in the store's own base units, exactly, with its units and cost

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_SCALED = sa.Numeric(precision=14, scale=4)


def upgrade() -> None:
    op.alter_column("stock_movement", "quantity", type_=sa.Numeric(), existing_type=_SCALED)
    op.alter_column("store_stock", "on_hand", type_=sa.Numeric(), existing_type=_SCALED)
    op.alter_column("store_stock", "last_count", type_=sa.Numeric(), existing_type=_SCALED)
    # Rows written before this kept counting units: one base unit per counting unit describes them.
    op.add_column(
        "store_stock", sa.Column("base_unit", sa.String(length=10), nullable=False, server_default="")
    )
    op.add_column(
        "store_stock", sa.Column("count_unit", sa.String(length=10), nullable=False, server_default="")
    )
    op.add_column("store_stock", sa.Column("count_size", sa.Numeric(), nullable=False, server_default="1"))
    op.add_column(
        "store_stock", sa.Column("purchase_size", sa.Numeric(), nullable=False, server_default="1")
    )
    op.add_column("store_stock", sa.Column("cost_cents_per_purchase", sa.Integer(), nullable=True))
    op.add_column(
        "store_stock", sa.Column("priced_seq", sa.BigInteger(), nullable=False, server_default="0")
    )
    for column in ("base_unit", "count_unit", "count_size", "purchase_size", "priced_seq"):
        op.alter_column("store_stock", column, server_default=None)


def downgrade() -> None:
    for column in (
        "priced_seq",
        "cost_cents_per_purchase",
        "purchase_size",
        "count_size",
        "count_unit",
        "base_unit",
    ):
        op.drop_column("store_stock", column)
    op.alter_column("store_stock", "last_count", type_=_SCALED, existing_type=sa.Numeric())
    op.alter_column("store_stock", "on_hand", type_=_SCALED, existing_type=sa.Numeric())
    op.alter_column("stock_movement", "quantity", type_=_SCALED, existing_type=sa.Numeric())
