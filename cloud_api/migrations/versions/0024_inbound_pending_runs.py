"""inbound pending by runs: a push's new events wait as one row, not a row each

A store's events waiting to be applied were queued a row each, written with the event and
deleted when it was applied: a push of 500 events wrote 500 queue rows, 500 index entries
and 500 locks on the events their key refers to, and the apply deleted them one by one
(a tenth of the WAL a synced event cost). A row now holds a run of consecutive sequence
numbers, `seq` to `last_seq`: a push's new events are one run, a chunk that takes part of a
run leaves the rest as a row of its own.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("inbound_pending", sa.Column("last_seq", sa.BigInteger(), nullable=True))
    op.execute("UPDATE inbound_pending SET last_seq = seq")
    op.alter_column("inbound_pending", "last_seq", nullable=False)
    op.create_check_constraint(op.f("ck_inbound_pending_run"), "inbound_pending", "last_seq >= seq")


def downgrade() -> None:
    op.execute(
        "INSERT INTO inbound_pending (store_id, seq, last_seq) "
        "SELECT p.store_id, s, s FROM inbound_pending AS p, generate_series(p.seq + 1, p.last_seq) AS s"
    )
    op.drop_constraint(op.f("ck_inbound_pending_run"), "inbound_pending", type_="check")
    op.drop_column("inbound_pending", "last_seq")
