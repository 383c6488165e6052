"""a store's pushed event kept as the JSON text it was stored from (`json`, not `jsonb`)

The cloud never queries inside a pushed payload: it stores it once and reads it back whole, as
text, to parse it with the wire contract. As `jsonb` PostgreSQL parsed it into its binary form
on the way in and printed it back on the way out, about a sixth of the database's work per
event applied (`docs/scale.md`); as `json` it checks the syntax and keeps the text. The column
changes type in place, which rewrites `inbound_event`: on a cloud with a long history of events,
run it in a quiet hour.

Revision ID: 0021
Revises: 0019
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0021"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE inbound_event ALTER COLUMN payload TYPE json USING payload::json")


def downgrade() -> None:
    op.execute("ALTER TABLE inbound_event ALTER COLUMN payload TYPE jsonb USING payload::jsonb")
