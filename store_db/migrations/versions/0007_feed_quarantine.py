"""feed quarantine: entries the store could not read or apply, set aside with their reason

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 00:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store_db.models.base

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('feed_quarantine',
    sa.Column('cursor', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('tries', sa.Integer(), nullable=False),
    sa.Column('quarantined_at', store_db.models.base.UTCDateTime(), nullable=False),
    sa.Column('resolved_at', store_db.models.base.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('cursor', name=op.f('pk_feed_quarantine'))
    )
    with op.batch_alter_table('feed_quarantine', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feed_quarantine_state'), ['state'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('feed_quarantine', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feed_quarantine_state'))
    op.drop_table('feed_quarantine')
