"""Pre-written statements read as plain rows on the session's own connection.

The applier runs a handful of the same small statements for every chunk of a store's events,
however few events the chunk holds (the store's stock rows, the orders it names, the days it
touched). Built with SQLAlchemy, each cost about a millisecond of Python (the statement built,
its cache key, the result's rows); after a storm of a thousand stores with a few dozen events
each, that was most of the applier's time. Here the text is written once, the values go to
psycopg as they are (a list is an array), and psycopg prepares a statement the connection runs
often, so PostgreSQL parses and plans it once too. With `flush`, the read flushes the session
first as its ORM queries autoflush (not under `no_autoflush`), so it sees what the session holds
unwritten as they would; a Core statement's read, without.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from sqlalchemy.orm import Session


def fetch_all(
    session: Session, sql: str, params: Sequence[Any] = (), *, flush: bool = False
) -> list[tuple[Any, ...]]:
    """The rows `sql` (with `%s` marks) reads with these values, in the session's transaction."""
    if flush and session.autoflush:
        session.flush()
    driver = session.connection().connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    with driver.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
