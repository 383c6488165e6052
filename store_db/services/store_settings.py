"""The store's settings as the counter reads them: its one row, read with pre-written SQL.

Loading the `Store` row through the ORM costs more than every other read of an order put
together; the hot path (`place_order`, its quote, the throttle review) reads this frozen
copy of the row instead, and the rules that only read a store take either (`AnyStore`).
A change still goes through the ORM row (`throttle.review` loads it only to write).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from store_db.errors import NotFound
from store_db.kept import kept
from store_db.models import Store
from store_db.services import rows


class StoreSettings(NamedTuple):
    """The columns of `Store` that placing an order reads, as the ORM would hand them back
    (a tuple: made in C, not by an `__init__` that sets each of its fields in turn)."""

    id: str
    name: str
    timezone: str
    tax_rate_bp: int
    lat: float
    lon: float
    delivery_radius_km: float
    day_starts_hour: int
    make_target_s: int
    oven_s: int
    hot_bag_capacity: int
    avg_speed_kmh: float
    road_factor: float
    sides_station: bool
    menu_version: int
    order_limits: dict[str, int] | None
    hours: dict[str, Any] | None
    created_at: datetime
    oven_belt_pizzas: int
    throttle_busy_min: int
    throttle_pause_min: int
    throttle_level: str
    throttle_since: datetime | None
    throttle_minutes: int
    throttle_override: str | None
    throttle_override_by: str | None


AnyStore = Store | StoreSettings

_NAMES = list(StoreSettings._fields)
_SQL = f"SELECT {', '.join(_NAMES)} FROM store"
_READS = [rows.read(getattr(Store, name)) for name in _NAMES]
_MINUTES = _NAMES.index("throttle_minutes")


def with_throttle_minutes(settings: StoreSettings, minutes: int) -> StoreSettings:
    """`settings` with the quote's minutes moved (the throttle moves them on nearly every order)."""
    values = list(settings)
    values[_MINUTES] = minutes
    return StoreSettings._make(values)


def read_settings(session: Session) -> StoreSettings:
    """This store's settings, in one statement and no ORM; in a write transaction of a
    `StoreDB`, as its connection keeps them until the row changes (`store_db.kept`)."""
    keeping = kept(session)
    if keeping is not None and keeping.settings is not None:
        return keeping.settings
    found = rows.fetch_one(session, _SQL)
    if found is None:
        raise NotFound("This file has no store in it. Run: makeline init-store --db PATH --demo")
    settings = StoreSettings._make(read(value) for read, value in zip(_READS, found, strict=True))
    if keeping is not None:
        keeping.settings = settings
    return settings
