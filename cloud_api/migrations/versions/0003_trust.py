"""trust: enrollment codes bound to a store, session versions and deleted accounts,
the sign-in throttle, and stock items a store reported that the catalog does not know

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("enrollment", sa.Column("for_store_id", sa.String(length=36), nullable=True))
    op.create_foreign_key(
        op.f("fk_enrollment_for_store_id_store"), "enrollment", "store", ["for_store_id"], ["id"]
    )
    op.add_column(
        "account", sa.Column("session_version", sa.Integer(), nullable=False, server_default="1")
    )
    op.alter_column("account", "session_version", server_default=None)
    op.add_column("account", sa.Column("deleted_at", _AT, nullable=True))
    op.create_table(
        "sign_in_throttle",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("blocked_until", _AT, nullable=True),
        sa.Column("updated_at", _AT, nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sign_in_throttle")),
    )
    op.create_table(
        "unknown_stock_item",
        sa.Column("store_id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("reference", sa.String(length=60), nullable=False),
        sa.Column("quantity", sa.Numeric(), nullable=False),
        sa.Column("times", sa.Integer(), nullable=False),
        sa.Column("first_seen_at", _AT, nullable=False),
        sa.Column("last_seen_at", _AT, nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"], ["store.id"], name=op.f("fk_unknown_stock_item_store_id_store")
        ),
        sa.PrimaryKeyConstraint("store_id", "code", name=op.f("pk_unknown_stock_item")),
    )


def downgrade() -> None:
    op.drop_table("unknown_stock_item")
    op.drop_table("sign_in_throttle")
    op.drop_column("account", "deleted_at")
    op.drop_column("account", "session_version")
    op.drop_constraint(op.f("fk_enrollment_for_store_id_store"), "enrollment", type_="foreignkey")
    op.drop_column("enrollment", "for_store_id")
