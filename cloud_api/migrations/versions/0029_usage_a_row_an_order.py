"""the orders' ideal usage a row an order

A store sends an order's ideal usage (`stock.usage`, from the recipes) when the order is made:
about a dozen lines. `stock_movement` held a row and a key entry for each line: a quarter of
the WAL an evening's events wrote (2.51 KB an event, 1.91 with this). `stock_usage` holds one row an
order's make or void, its lines as arrays in step (code, quantity, what the line was worth),
keyed by store and moment as the ledger is read. The usage lines already recorded move there,
a row for each event (its store, moment and reference); downgrading moves them back a row a
line.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stock_usage",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("store_id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reference", sa.String(length=60), nullable=False),
        sa.Column("codes", postgresql.ARRAY(sa.String(length=30)), nullable=False),
        sa.Column("quantities", postgresql.ARRAY(sa.Numeric()), nullable=False),
        sa.Column("costs", postgresql.ARRAY(sa.Integer()), nullable=False),
        sa.PrimaryKeyConstraint("store_id", "at", "id", name=op.f("pk_stock_usage")),
    )
    op.execute(
        "INSERT INTO stock_usage (store_id, at, reference, codes, quantities, costs) "
        "SELECT store_id, at, reference, array_agg(code ORDER BY id), array_agg(quantity ORDER BY id), "
        "array_agg(cost_cents ORDER BY id) FROM stock_movement WHERE kind = 'usage' "
        "GROUP BY store_id, at, reference ORDER BY store_id, at, min(id)"
    )
    op.execute("DELETE FROM stock_movement WHERE kind = 'usage'")


def downgrade() -> None:
    op.execute(
        "INSERT INTO stock_movement (store_id, code, kind, quantity, cost_cents, reference, at) "
        "SELECT s.store_id, u.code, 'usage', u.quantity, u.cost_cents, s.reference, s.at "
        "FROM stock_usage s CROSS JOIN LATERAL unnest(s.codes, s.quantities, s.costs) "
        "WITH ORDINALITY AS u (code, quantity, cost_cents, n) ORDER BY s.store_id, s.at, s.id, u.n"
    )
    op.drop_table("stock_usage")
