"""reports: aggregates per store and business day (hour for sales), kept as events arrive

Revision ID: 0007
Revises: 0009
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0009"
branch_labels = None
depends_on = None


def _counts(*names: str) -> list[sa.Column]:  # type: ignore[type-arg]
    return [sa.Column(name, sa.BigInteger(), nullable=False) for name in names]


def _seconds(*names: str) -> list[sa.Column]:  # type: ignore[type-arg]
    return [sa.Column(name, sa.Numeric(), nullable=False) for name in names]


def _day(*keys: sa.Column) -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("store_id", sa.String(length=36), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        *keys,
    ]


def upgrade() -> None:
    op.create_table(
        "report_sales_hour",
        *_day(
            sa.Column("hour", sa.Integer(), nullable=False),
            sa.Column("channel", sa.String(length=10), nullable=False),
            sa.Column("service", sa.String(length=10), nullable=False),
        ),
        *_counts(
            "orders",
            "gross_cents",
            "discount_cents",
            "tax_cents",
            "tip_cents",
            "total_cents",
            "voided_orders",
            "voided_cents",
            "refunded_orders",
            "refunded_cents",
            "delivered",
        ),
        sa.Column("make_s", sa.Numeric(), nullable=False),
        sa.Column("make_n", sa.BigInteger(), nullable=False),
        sa.Column("oven_s", sa.Numeric(), nullable=False),
        sa.Column("oven_n", sa.BigInteger(), nullable=False),
        sa.Column("rack_s", sa.Numeric(), nullable=False),
        sa.Column("rack_n", sa.BigInteger(), nullable=False),
        sa.Column("out_the_door_s", sa.Numeric(), nullable=False),
        sa.Column("out_the_door_n", sa.BigInteger(), nullable=False),
        sa.Column("delivery_s", sa.Numeric(), nullable=False),
        sa.Column("delivery_n", sa.BigInteger(), nullable=False),
        *_counts("on_time", "promised"),
        sa.PrimaryKeyConstraint(
            "store_id", "business_date", "hour", "channel", "service", name=op.f("pk_report_sales_hour")
        ),
    )
    op.create_table(
        "report_product_day",
        *_day(
            sa.Column("product", sa.String(length=30), nullable=False),
            sa.Column("name", sa.String(length=80), nullable=False),
            sa.Column("size", sa.String(length=20), nullable=False),
        ),
        *_counts("quantity", "sales_cents"),
        sa.PrimaryKeyConstraint(
            "store_id", "business_date", "product", "name", "size", name=op.f("pk_report_product_day")
        ),
    )
    op.create_table(
        "report_coupon_day",
        *_day(sa.Column("coupon", sa.String(length=30), nullable=False)),
        *_counts("orders", "discount_cents"),
        sa.PrimaryKeyConstraint("store_id", "business_date", "coupon", name=op.f("pk_report_coupon_day")),
    )
    op.create_table(
        "report_driver_day",
        *_day(sa.Column("driver", sa.String(length=80), nullable=False)),
        *_counts("orders", "delivered"),
        sa.Column("out_the_door_s", sa.Numeric(), nullable=False),
        sa.Column("out_the_door_n", sa.BigInteger(), nullable=False),
        sa.Column("delivery_s", sa.Numeric(), nullable=False),
        sa.Column("delivery_n", sa.BigInteger(), nullable=False),
        *_counts("on_time", "promised", "runs"),
        *_seconds("shift_s"),
        sa.PrimaryKeyConstraint("store_id", "business_date", "driver", name=op.f("pk_report_driver_day")),
    )
    op.create_table(
        "report_stock_segment",
        sa.Column("store_id", sa.String(length=36), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("opening", sa.Numeric(), nullable=True),
        *_seconds("closing", "received", "waste", "usage"),
        sa.PrimaryKeyConstraint("store_id", "closed_at", "code", name=op.f("pk_report_stock_segment")),
    )
    op.create_table(
        "report_count_sales",
        sa.Column("store_id", sa.String(length=36), nullable=False),
        sa.Column("counted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("net_sales_cents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("store_id", "counted_at", name=op.f("pk_report_count_sales")),
    )
    # The chain's pages read every store's days of a period.
    for table in ("report_sales_hour", "report_product_day", "report_coupon_day", "report_driver_day"):
        op.create_index(f"ix_{table}_day", table, ["business_date"], unique=False)
    # Sales between counts are read by when orders were made.
    op.create_index("ix_orders_store_made", "orders", ["store_id", "made_at"], unique=False)
    # The aggregates of what the cloud holds already are built by 0014, with the columns the
    # aggregates have by then (`reports.refresh` writes today's).


def downgrade() -> None:
    op.drop_index("ix_orders_store_made", table_name="orders")
    for table in (
        "report_count_sales",
        "report_stock_segment",
        "report_driver_day",
        "report_coupon_day",
        "report_product_day",
        "report_sales_hour",
    ):
        op.drop_table(table)
