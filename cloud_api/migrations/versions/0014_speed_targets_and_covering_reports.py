"""speed targets per store; the speed page and driver hours from the aggregates; the chain's
sales page read from covering indexes

Each store's make, oven, rack, out-the-door and delivery targets (None: the store's defaults).
`report_sales_hour` learns the store's honest-timer flags and measures make from the order's
start (in store, else placed), `report_driver_day` the seconds out on returned runs: both
backfilled from the raw records (or, where 0007's tables are still empty, every aggregate built
from the records the cloud holds). The by-day indexes of the sales hours and the product mix
carry what the chain's sales page reads, so a week of 2,000 stores is one index-only range;
the stock segments' sums are read the same way for the food-cost league table.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from cloud_api.models.reports import PRODUCT_MIX, SALES_PAGE, SEGMENT_SUMS
from cloud_api.reports.refresh import BACKFILL_DRIVER_RUNS, BACKFILL_SPEED, rebuild_all

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

TARGETS = ("make_target_s", "oven_s", "rack_target_s", "out_the_door_target_s", "delivery_target_s")
FLAGS = ("early_bumps", "quick_deliveries", "repeated_recalls", "flagged")


def upgrade() -> None:
    for name in TARGETS:
        op.add_column("store", sa.Column(name, sa.Integer(), nullable=True))
    for name in FLAGS:
        op.add_column("report_sales_hour", sa.Column(name, sa.BigInteger(), nullable=False, server_default="0"))
    op.add_column("report_driver_day", sa.Column("run_s", sa.Numeric(), nullable=False, server_default="0"))
    if op.get_bind().execute(sa.text("SELECT EXISTS (SELECT 1 FROM report_sales_hour)")).scalar():
        # Kept since 0007 (before this one built them): their new columns from the same records.
        op.execute(BACKFILL_SPEED)
        op.execute(BACKFILL_DRIVER_RUNS)
    else:
        rebuild_all(Session(bind=op.get_bind()), before_0029=True)
    for table, include in (("report_sales_hour", SALES_PAGE), ("report_product_day", PRODUCT_MIX)):
        op.drop_index(f"ix_{table}_day", table_name=table)
        op.create_index(f"ix_{table}_day", table, ["business_date"], postgresql_include=list(include))
    op.create_index(
        "ix_report_stock_segment_sums",
        "report_stock_segment",
        ["store_id", "closed_at"],
        postgresql_include=list(SEGMENT_SUMS),
    )


def downgrade() -> None:
    op.drop_index("ix_report_stock_segment_sums", table_name="report_stock_segment")
    for table in ("report_sales_hour", "report_product_day"):
        op.drop_index(f"ix_{table}_day", table_name=table)
        op.create_index(f"ix_{table}_day", table, ["business_date"])
    op.drop_column("report_driver_day", "run_s")
    for name in reversed(FLAGS):
        op.drop_column("report_sales_hour", name)
    for name in reversed(TARGETS):
        op.drop_column("store", name)
