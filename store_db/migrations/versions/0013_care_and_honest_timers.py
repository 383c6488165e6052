"""care acknowledgement and honest timers: who read a flagged kitchen ticket's allergy and care
flags, and when; a delivery marked sooner than the drive could take

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-05 03:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store_db.models.base

revision = '0013'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('kitchen_ticket') as batch:
        batch.add_column(sa.Column('care_ack_by', sa.String(length=40), nullable=True))
        batch.add_column(sa.Column('care_ack_at', store_db.models.base.UTCDateTime(), nullable=True))
    with op.batch_alter_table('run_stop') as batch:
        batch.add_column(sa.Column('quick', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('run_stop') as batch:
        batch.drop_column('quick')
    with op.batch_alter_table('kitchen_ticket') as batch:
        batch.drop_column('care_ack_at')
        batch.drop_column('care_ack_by')
