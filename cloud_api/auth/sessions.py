"""Whether a signed access token still stands: its account exists, is not deleted, and its
session version is the one the token was issued under.

Logout, a password change, a role change and deleting the account raise the version in
PostgreSQL; every worker reads it again at most `ttl_s` seconds later, so those changes
reach tokens already handed out within seconds without a database read per request.
The worker that made a change forgets its copy at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from cloud_api.db.database import Database
from cloud_api.models import Account

_MAX_ENTRIES = 50_000


@dataclass(frozen=True)
class Standing:
    version: int
    role: str
    store_id: str | None
    active: bool  # False: deleted, or no such account


GONE = Standing(version=-1, role="", store_id=None, active=False)


class SessionCheck:
    def __init__(self, db: Database, ttl_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.db = db
        self.ttl_s = ttl_s
        self.clock = clock
        self._known: dict[str, tuple[float, Standing]] = {}
        self._lock = threading.Lock()

    def cached(self, account_id: str) -> Standing | None:
        """The account's standing if read less than `ttl_s` ago (no I/O), else None."""
        with self._lock:
            found = self._known.get(account_id)
        if found is None or found[0] <= self.clock():
            return None
        return found[1]

    def load(self, account_id: str) -> Standing:
        """The account's standing read from the database (blocking), and remembered."""
        with self.db.engine.connect() as conn:
            row = conn.execute(
                select(Account.session_version, Account.role, Account.store_id, Account.deleted_at).where(
                    Account.id == account_id
                )
            ).first()
        standing = (
            GONE
            if row is None
            else Standing(version=row[0], role=row[1], store_id=row[2], active=row[3] is None)
        )
        with self._lock:
            if len(self._known) >= _MAX_ENTRIES:
                self._known.clear()
            self._known[account_id] = (self.clock() + self.ttl_s, standing)
        return standing

    def forget(self, account_id: str) -> None:
        """This worker changed the account: read it afresh next time."""
        with self._lock:
            self._known.pop(account_id, None)
