"""order_line, tender, kitchen_ticket: one b-tree each, by their id (`WITHOUT ROWID`); no index of the outbox by txn

Each was a table by rowid beside a unique index on its text id: every row written twice,
two pages in every order's commit. As `WITHOUT ROWID` tables the rows live in the id's own
b-tree: three pages fewer in an order's WAL commit and a b-tree write fewer per line,
tender and ticket. Ids are UUIDv7 (time-ordered), so new rows still go to the end of the
tree. Nothing refers to these tables, so each is rebuilt in place with its rows, its
indexes and its foreign keys to `orders` (`tests/store/test_migration_0018.py`).

`ix_outbox_txn` is dropped: one page more in every commit that writes an event, for the
agent's one look-up by `txn` (a store transaction longer than a push batch), which asks
for `seq > ?` as well and so reads the unsent events by the primary key.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 14:15:00
"""

from __future__ import annotations

from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

TABLES = ('order_line', 'tender', 'kitchen_ticket')


def _rebuild(with_rowid: bool) -> None:
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate='always', table_kwargs={'sqlite_with_rowid': with_rowid}
        ):
            pass


def upgrade() -> None:
    _rebuild(with_rowid=False)
    op.drop_index('ix_outbox_txn', table_name='outbox')


def downgrade() -> None:
    op.create_index('ix_outbox_txn', 'outbox', ['txn'])
    _rebuild(with_rowid=True)
