"""the appliers' pace, for the backlog's brake

Each applier tells how many events a second it applies while it has events to apply, at most
once a second (`sync.pace`). The backlog's brake holds a backlog's push while more events
wait than a few seconds of the appliers' told paces (`sync.brake`): its limit follows the
chain's appliers as they are added, on this machine or on others, instead of a number set by
hand for their count.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "applier_pace",
        sa.Column("applier", sa.String(length=200), nullable=False),
        sa.Column("events_per_s", sa.Float(), nullable=False),
        sa.Column("told_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("applier", name=op.f("pk_applier_pace")),
    )


def downgrade() -> None:
    op.drop_table("applier_pace")
