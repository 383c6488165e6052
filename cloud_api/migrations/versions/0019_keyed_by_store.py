"""keyed by store: orders and every record of an order, runs, shifts and texts keyed by store

Orders are keyed `(store_id, id)`; their lines, contact emails, payments and emails gain
`store_id` (copied from their order) and refer to the order by both. Delivery runs, driver
shifts and texts are keyed `(store_id, id)`. A text that named no store takes its order's
store, else the store of the latest order placed with its phone number; a text neither
finds (head office's message to a number no store served) is dropped, since every text
must now belong to a store. A favourite order names its order's store and, being the
customer's record rather than a store's, no longer has a foreign key to the order.

Revision ID: 0019
Revises: 0015
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0015"
branch_labels = None
depends_on = None

# The records of an order: (table, its primary key after the order's (store_id, order_id)).
_OF_ORDER = {
    "order_line": ("order_id", "line_no"),
    "order_contact": ("order_id",),
    "payment": ("id",),
    "email_message": ("id",),
}
# What each key was before.
_OLD_KEYS = {"order_line": ("order_id", "line_no"), "order_contact": ("order_id",)}
# Unique constraints that gain `store_id` in front: name → (table, column).
_UNIQUE = {
    "uq_orders_store_order_id": ("orders", "store_order_id"),
    "uq_payment_idempotency_key": ("payment", "idempotency_key"),
    "uq_email_message_dedupe_key": ("email_message", "dedupe_key"),
    "uq_notification_dedupe_key": ("notification", "dedupe_key"),
}
_BY_STORE_ID = ("orders", "delivery_run", "driver_shift", "notification")


def _store_of_order(table: str) -> None:
    op.add_column(table, sa.Column("store_id", sa.String(length=36), nullable=True))
    op.execute(f"UPDATE {table} AS x SET store_id = o.store_id FROM orders AS o WHERE o.id = x.order_id")


def _store_of_texts() -> None:
    op.execute(
        "UPDATE notification AS n SET store_id = o.store_id FROM orders AS o "
        "WHERE n.store_id IS NULL AND o.id = n.order_id"
    )
    op.execute(
        """UPDATE notification AS n SET store_id = (
    SELECT o.store_id FROM orders AS o WHERE o.phone = n.phone ORDER BY o.placed_at DESC, o.id LIMIT 1
) WHERE n.store_id IS NULL"""
    )
    op.execute("DELETE FROM notification WHERE store_id IS NULL")


def upgrade() -> None:
    for table in (*_OF_ORDER, "favourite_order"):
        _store_of_order(table)
        op.drop_constraint(f"fk_{table}_order_id_orders", table, type_="foreignkey")
    _store_of_texts()
    for table in (*_OF_ORDER, "favourite_order", "notification"):
        op.alter_column(table, "store_id", nullable=False)
    for name, (table, column) in _UNIQUE.items():
        op.drop_constraint(name, table, type_="unique")
        op.create_unique_constraint(name, table, ["store_id", column])
    for table in (*_BY_STORE_ID, *_OF_ORDER):
        op.drop_constraint(f"pk_{table}", table, type_="primary")
        op.create_primary_key(f"pk_{table}", table, ["store_id", *_OF_ORDER.get(table, ("id",))])
    for table in _OF_ORDER:
        op.create_foreign_key(
            f"fk_{table}_store_id_orders", table, "orders", ["store_id", "order_id"], ["store_id", "id"]
        )
    op.create_foreign_key("fk_favourite_order_store_id_store", "favourite_order", "store", ["store_id"], ["id"])
    # The primary key (store_id, id) serves what this index did.
    op.drop_index("ix_driver_shift_store_id", table_name="driver_shift")


def downgrade() -> None:
    op.create_index("ix_driver_shift_store_id", "driver_shift", ["store_id"])
    op.drop_constraint("fk_favourite_order_store_id_store", "favourite_order", type_="foreignkey")
    for table in _OF_ORDER:
        op.drop_constraint(f"fk_{table}_store_id_orders", table, type_="foreignkey")
    for table in (*_OF_ORDER, *_BY_STORE_ID):
        op.drop_constraint(f"pk_{table}", table, type_="primary")
        op.create_primary_key(f"pk_{table}", table, list(_OLD_KEYS.get(table, ("id",))))
    for name, (table, column) in _UNIQUE.items():
        op.drop_constraint(name, table, type_="unique")
        op.create_unique_constraint(name, table, [column])
    op.alter_column("notification", "store_id", nullable=True)
    for table in (*_OF_ORDER, "favourite_order"):
        op.create_foreign_key(f"fk_{table}_order_id_orders", table, "orders", ["order_id"], ["id"])
        op.drop_column(table, "store_id")
