"""The sign-in and sign-up throttle: failed attempts counted per account and per client
address in PostgreSQL, so every worker sees the same counts.

A key's attempts are counted before the password is checked (so a burst of parallel
guesses cannot slip past the count), and forgiven when the password was right. After
`backoff_after` failures each further one must wait twice as long as the last (1 s, 2 s,
4 s …); after `lock_after` the key is locked for `lock`. A blocked attempt is answered
at once (429 with Retry-After), without hashing anything, so it slows nobody else; it
is not counted, so the owner is back in as soon as the wait or the lock is over. A key
quiet for `window` starts again from nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert

from cloud_api.db.base import utcnow
from cloud_api.db.database import Database
from cloud_api.errors import TooManyAttempts
from cloud_api.models import SignInThrottle


@dataclass(frozen=True)
class Policy:
    backoff_after: int
    lock_after: int
    lock: timedelta
    window: timedelta
    what: str  # "this account", "this address": said in the refusal

    def blocked_for(self, failures: int) -> timedelta | None:
        if failures >= self.lock_after:
            return self.lock
        if failures >= self.backoff_after:
            return min(timedelta(seconds=2 ** (failures - self.backoff_after)), self.lock)
        return None


def _wait(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{math.ceil(seconds / 60)} minutes"


class Throttle:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.clock = clock  # tests move time on instead of sleeping

    def attempt(self, keys: Sequence[tuple[str, Policy]], action: str = "sign-in") -> None:
        """Count one attempt under every key, or raise `TooManyAttempts` (counting nothing)
        when any key must still wait."""
        now = self.clock()
        ordered = sorted(keys, key=lambda pair: pair[0])  # one lock order: no deadlocks
        with self.db.transaction() as session:
            session.execute(
                insert(SignInThrottle).on_conflict_do_nothing(index_elements=["key"]),
                [{"key": key, "failures": 0, "blocked_until": None, "updated_at": now} for key, _ in ordered],
            )
            rows = {
                row.key: row
                for row in session.scalars(
                    select(SignInThrottle)
                    .where(SignInThrottle.key.in_([key for key, _ in ordered]))
                    .with_for_update()
                )
            }
            waits = [
                (math.ceil((row.blocked_until - now).total_seconds()), policy, row)
                for key, policy in ordered
                if (row := rows[key]).blocked_until is not None and row.blocked_until > now
            ]
            if waits:
                seconds, policy, row = max(waits, key=lambda w: w[0])
                locked = row.failures >= policy.lock_after
                reason = (
                    f"{policy.what} is locked after {row.failures} failed {action} attempts"
                    if locked
                    else f"too many failed {action} attempts from {policy.what}"
                )
                raise TooManyAttempts(f"{reason.capitalize()}; try again in {_wait(seconds)}.", seconds)
            for key, policy in ordered:
                row = rows[key]
                if row.updated_at < now - policy.window:
                    row.failures = 0
                row.failures += 1
                blocked = policy.blocked_for(row.failures)
                row.blocked_until = now + blocked if blocked else None
                row.updated_at = now

    def succeeded(self, cleared: Sequence[str], forgiven: Sequence[str] = ()) -> None:
        """The attempt was right: `cleared` keys start again from nothing, `forgiven` keys
        take back the attempt counted for it."""
        with self.db.transaction() as session:
            if cleared:
                session.execute(delete(SignInThrottle).where(SignInThrottle.key.in_(list(cleared))))
            if forgiven:
                session.execute(
                    update(SignInThrottle)
                    .where(SignInThrottle.key.in_(list(forgiven)), SignInThrottle.failures > 0)
                    .values(failures=SignInThrottle.failures - 1)
                )
                # Nothing left to remember: no row (a busy shared address leaves no trail).
                session.execute(
                    delete(SignInThrottle).where(
                        SignInThrottle.key.in_(list(forgiven)),
                        SignInThrottle.failures <= 0,
                        SignInThrottle.blocked_until.is_(None),
                    )
                )

    def clear(self, key: str) -> None:
        self.succeeded([key])

    def release(self, key: str) -> tuple[int, datetime | None]:
        """Forget a key's failures now (head office unlocking an account); returns the
        failures it had and until when it was blocked (0, None: it had none)."""
        with self.db.transaction() as session:
            row = session.execute(
                delete(SignInThrottle)
                .where(SignInThrottle.key == key)
                .returning(SignInThrottle.failures, SignInThrottle.blocked_until)
            ).first()
        return (int(row[0]), row[1]) if row is not None else (0, None)
