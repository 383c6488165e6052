"""outbox: no index of acked_at

Every event the store writes (an order placed, a ticket bumped, a count) put an entry in
`ix_outbox_acked_at`, one page more in its commit, and every acknowledgement moved each
acknowledged event's entry in it. The cloud acknowledges a high-water mark
(`SyncState.acked_seq`) and the store marks every event up to it at once, so the
unacknowledged events are exactly those after the mark: the acknowledgement and the status
line's count of unsent events read them by seq, the table's own key.
`tests/store/test_outbox_acks.py` reads the plans.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 02:30:00
"""

from __future__ import annotations

from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_outbox_acked_at', table_name='outbox')


def downgrade() -> None:
    op.create_index('ix_outbox_acked_at', 'outbox', ['acked_at'])
