"""a store's report days due: noted while its backlog is applied, recomputed once it is drained

A long backlog (a store back from a night offline) is applied a chunk per transaction; each
chunk used to recompute the reports of the days it touched, so a day with a thousand orders
was recomputed from all of them at every chunk. Now a chunk with more of the store's events
waiting behind it notes its days here, in its own transaction, and the chunk that empties the
backlog recomputes them once. Keyed by store, like every store's records.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_due_day",
        sa.Column("store_id", sa.String(36), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("store_id", "business_date", name="pk_report_due_day"),
    )


def downgrade() -> None:
    op.drop_table("report_due_day")
