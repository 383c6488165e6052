"""How the chain's tables spread over a distributed PostgreSQL (Citus), by store.

Every table of a store's records is distributed by `store_id`: `store_id` is part of
its primary key and of every unique constraint, so one store's rows live together on
one worker and every statement about one store goes to one worker. The chain-wide
tables (what every store reads: the catalog, menus, people's accounts) are reference
tables, copied to every worker. A customer's own records (the favourite order, the
answers kept for idempotency keys) are a second group, distributed by the account.
`tests/cloud/test_distribution.py` checks this over the live schema; `docs/scale.md`
tells the deployment.
"""

from __future__ import annotations

DISTRIBUTION_COLUMN = "store_id"

# Chain-wide tables: small, read by every store, written rarely; one copy per worker.
REFERENCE_TABLES = frozenset(
    {
        "alembic_version",
        "store",  # the store row itself (20,000 rows); its heartbeat belongs in `store_agent`
        "street_block",
        "menu_version",
        "inventory_item",
        "account",
        "refresh_token",
        "sign_in_throttle",
        "sms_opt_out",
        "cloud_secret",
        "enrollment",
        "device",
        # The built-in test gateway's book of charges, standing in for the card processor's
        # own (a real gateway keeps its books on its side): empty in production.
        "test_gateway_charge",
        # A row for each applier of the chain, its pace told once a second while it applies
        # (`sync.pace`), read by the backlog's brake of every machine.
        "applier_pace",
    }
)

# The customer's own records, kept with the account rather than a store: a second
# colocation group, distributed by the account column named here. Each has that column
# in its primary key and in every unique constraint, and no foreign key to a store's
# records (a key cannot reach from one group into the other).
ACCOUNT_TABLES: dict[str, str] = {
    "favourite_order": "account_id",  # one per account; names its order (store_id, order_id)
    "idempotency_record": "owner",  # the first answer to an account's keyed request
}
