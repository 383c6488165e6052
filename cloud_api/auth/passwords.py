"""argon2id password hashes. A wrong email costs the same time as a wrong password.

The default cost is OWASP's recommended minimum for argon2id (19 MiB, 2 passes, 1 lane):
a login stays well under 100 ms on a small server. Each hash records its own
parameters, so raising the cost later still verifies older hashes.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
# What a wrong email is checked against: made at the cost in use when a cloud starts
# (`use_cost`), not on import, where it was made at the default cost and thrown away.
_dummy: str | None = None


def use_cost(time_cost: int, memory_kib: int) -> None:
    """Change the cost of new hashes (tests use a cheap one)."""
    global _hasher, _dummy
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)
    _dummy = _hasher.hash("makeline-not-a-password")


def _dummy_hash() -> str:
    global _dummy
    if _dummy is None:
        _dummy = _hasher.hash("makeline-not-a-password")
    return _dummy


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
