"""tender: kept by its order, `PRIMARY KEY (order_id, id)`, no index of it by order

An order's tenders are only ever read by their order (the receipt, the cash-out, the
driver's checkout, the cloud's copy); nothing looks one up by its own id and nothing refers
to it. Keyed by (order_id, id) in a `WITHOUT ROWID` table, the rows are their own index by
order: `ix_tender_order_id`, one b-tree and a page more in every paid order's commit, goes.
Order ids are UUIDv7 (time-ordered), so a new order's tenders still go to the end of the
tree. The table is rebuilt in place with its rows and its foreign key to `orders`
(`tests/store/test_migration_0020.py`).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 02:45:00
"""

from __future__ import annotations

from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

_TABLE = {'sqlite_with_rowid': False}


def upgrade() -> None:
    with op.batch_alter_table('tender', recreate='always', table_kwargs=_TABLE) as batch:
        batch.drop_index('ix_tender_order_id')
        batch.drop_constraint('pk_tender', type_='primary')
        batch.create_primary_key('pk_tender', ['order_id', 'id'])


def downgrade() -> None:
    with op.batch_alter_table('tender', recreate='always', table_kwargs=_TABLE) as batch:
        batch.drop_constraint('pk_tender', type_='primary')
        batch.create_primary_key('pk_tender', ['id'])
        batch.create_index('ix_tender_order_id', ['order_id'])
