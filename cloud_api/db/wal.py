"""The WAL a cloud's PostgreSQL keeps ready for a storm of stores.

PostgreSQL writes its WAL into 16 MB segment files. When it needs a segment it has none of
ready, it makes one — 16 MB of zeros written and synced — while the WAL's writers wait: every
commit, a customer's order among them, for tens of milliseconds. A server keeps
`min_wal_size` of used segments for later (renamed at each checkpoint instead of removed),
80 MB by default: a storm of stores back from an outage writes about 1 GB in a minute (1,000
stores × 300 events, docs/scale.md), so with the default it would make a new segment every
second or so of the storm, and the slowest orders are the ones that wait for them.

The cloud sets `min_wal_size` on the embedded PostgreSQL it runs; a server of its own is its
owner's to set, and `makeline cloud` says so when it starts (`advice`).
"""

from __future__ import annotations

import psycopg

from cloud_api.settings import libpq_url

READY_MB = 1024  # a 1,000-store storm's WAL between two checkpoints (max_wal_size's default)

_MIN_WAL_MB = "SELECT pg_size_bytes(current_setting('min_wal_size')) / 1048576"


def ready_mb(url: str) -> int:
    """The server's `min_wal_size`, in MB."""
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        found = conn.execute(_MIN_WAL_MB).fetchone()
    return int(found[0]) if found is not None else 0


def advice(url: str) -> str | None:
    """A sentence for the server's owner when it keeps less WAL ready than a storm writes."""
    have = ready_mb(url)
    if have >= READY_MB:
        return None
    return (
        f"PostgreSQL keeps {have} MB of WAL segments ready (min_wal_size); a storm of stores "
        f"back from an outage writes about {READY_MB} MB a minute, and each segment it must "
        f"make holds up every commit, customers' orders too: set min_wal_size = '{READY_MB}MB' "
        "(docs/scale.md, the deployment)."
    )


def keep_ready(url: str) -> None:
    """`min_wal_size` raised to `READY_MB` on a server the cloud runs itself (a superuser's
    `ALTER SYSTEM`, taken at once by a reload); a higher setting is left as it is."""
    if ready_mb(url) >= READY_MB:
        return
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute(f"ALTER SYSTEM SET min_wal_size = '{READY_MB}MB'")
        conn.execute("SELECT pg_reload_conf()")
