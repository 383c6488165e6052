"""the two ledgers a synced evening writes a row at a time keep no foreign keys

`inbound_event` (a row for every event a store sends) and `stock_movement` (a row for every
line of every stock event: a night's usage is a dozen lines an order) each checked their
store, and the movements their catalog item, with a trigger a row: PostgreSQL locks the
referred row (`FOR KEY SHARE`) once for every row written. Measured on a real server applying
40 stores' evenings, those checks were two thirds of writing the movements and a third of
storing the events: the largest single cost of a store's backlog in the database.

What they guarded is guarded where the rows are written, and was never undone: a store's
events are stored under its device's credential and its feed head's lock; a movement is
written only for an item the catalog has (`inventory.repository.known_codes`, the rest set
aside in `unknown_stock_item`); nothing deletes a store or a catalog item. The other tables
keep their keys.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

_DROPPED = (
    ("inbound_event", "fk_inbound_event_store_id_store", ["store_id"], "store", ["id"]),
    ("stock_movement", "fk_stock_movement_store_id_store", ["store_id"], "store", ["id"]),
    ("stock_movement", "fk_stock_movement_code_inventory_item", ["code"], "inventory_item", ["code"]),
)


def upgrade() -> None:
    for table, name, _, _, _ in _DROPPED:
        op.drop_constraint(name, table, type_="foreignkey")


def downgrade() -> None:
    for table, name, columns, referred, referred_columns in _DROPPED:
        op.create_foreign_key(name, table, referred, columns, referred_columns)
