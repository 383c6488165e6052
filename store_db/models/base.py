"""Declarative base, the UTC timestamp type, and id helpers shared by the models."""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, MetaData, Numeric, String, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as naive UTC; always handed back timezone-aware in UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Quantity(TypeDecorator[Decimal]):
    """Stock quantities: exact decimals stored as text so SQLite never rounds them."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> str | None:
        return None if value is None else str(Decimal(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


_last_ms = 0
_ms_lock = threading.Lock()
# The OS's random bytes fetched 128 ids at a time (one system call, not one per id), as hex
# text: each id takes 19 digits of it, written out at once as the id's last three groups
# (its tail). A forked child fetches its own, so no two processes hand out the same bits.
_DIGITS, _IDS_A_FETCH = 19, 128
_CUTS = [slice(n, n + _DIGITS) for n in range(0, _DIGITS * _IDS_A_FETCH, _DIGITS)]
# The variant's digit: 0b10 and two random bits of the digit it stands for.
_VARIANT = {digit: "89ab"[int(digit, 16) & 0b11] for digit in "0123456789abcdef"}
_tails: list[str] = []  # ids' tails not handed out yet, taken from the end


def _fresh_tails() -> None:
    digits = os.urandom(_DIGITS * _IDS_A_FETCH // 2).hex()
    _tails[:] = [f"7{b[:3]}-{_VARIANT[b[3]]}{b[4:7]}-{b[7:]}" for b in map(digits.__getitem__, _CUTS)]


os.register_at_fork(after_in_child=_tails.clear)


def new_id() -> str:
    """A UUIDv7 as text (RFC 9562): time-ordered, made where the record is born.

    The milliseconds never go back within a process (two ids in one millisecond take the
    next one, as `uuid6.uuid7` does), so ids made one after the other sort in that order;
    74 random bits from the OS (12 after the version digit, 2 in the variant's digit, 60
    after it). Written out directly from hex text: an order makes half a dozen.
    """
    global _last_ms
    with _ms_lock:
        ms = _last_ms = max(time.time_ns() // 1_000_000, _last_ms + 1)
        if not _tails:
            _fresh_tails()
        tail = _tails.pop()
    return f"{ms >> 16 & 0xFFFF_FFFF:08x}-{ms & 0xFFFF:04x}-{tail}"


def utcnow() -> datetime:
    return datetime.now(UTC)


__all__ = ["Base", "Numeric", "Quantity", "UTCDateTime", "new_id", "utcnow"]
