"""the storefront: order contact emails, the email outbox, favourite orders, planned arrival

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("orders", sa.Column("eta_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "order_contact",
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_order_contact_order_id_orders")),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_order_contact")),
    )
    op.create_table(
        "email_message",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("dedupe_key", sa.String(length=80), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("provider_id", sa.String(length=100), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_email_message_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_message")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_email_message_dedupe_key")),
    )
    op.create_table(
        "favourite_order",
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("chosen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_favourite_order_account_id_account")
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_favourite_order_order_id_orders")),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_favourite_order")),
    )
    op.create_index("ix_email_message_due", "email_message", ["status", "next_attempt_at"], unique=False)
    op.create_index(op.f("ix_email_message_order_id"), "email_message", ["order_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_email_message_order_id"), table_name="email_message")
    op.drop_index("ix_email_message_due", table_name="email_message")
    op.drop_table("favourite_order")
    op.drop_table("email_message")
    op.drop_table("order_contact")
    op.drop_column("orders", "eta_at")
