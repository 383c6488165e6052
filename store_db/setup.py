"""Creating a store database: migrate, then either a seeded store (the demo's, passed in by its
caller) or a store described by flags."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from store_db import migrate
from store_db.db import StoreDB
from store_db.errors import BadInput
from store_db.integrity import check_store_file
from store_db.models import Store, utcnow


@dataclass(frozen=True)
class StoreDetails:
    code: str
    name: str
    timezone: str
    tax_rate_bp: int
    address: str
    lat: float
    lon: float
    delivery_radius_km: float = 6.0


Seed = Callable[[Session, datetime], object]


def init_store(
    path: Path,
    seed: Seed | None = None,
    details: StoreDetails | None = None,
    seeded_as: str = "the demo store",
) -> str:
    """Migrate `path` to the newest schema and make sure it holds a store. Returns what happened."""
    existed = path.exists()
    if existed:  # migrating a damaged file, or another program's, would make it worse
        check_store_file(path, schema=False)
    migrate.upgrade(path)
    with StoreDB(path) as db, db.write() as session:
        store = session.scalars(select(Store)).first()
        if store is not None:
            return f"{path}: store {store.code} ({store.name}) is up to date; nothing to do."
        if seed is not None:
            seed(session, utcnow())
            return f"{path}: created {seeded_as}."
        if details is None:
            what = "is migrated but holds no store" if existed else "was created without a store"
            raise BadInput(
                f"{path} {what}; pass --demo, or --code, --name, --timezone, --tax-rate, "
                "--address, --lat and --lon to describe this store."
            )
        try:
            ZoneInfo(details.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise BadInput(f"'{details.timezone}' is not a time zone; use e.g. America/Chicago.") from exc
        session.add(
            Store(
                code=details.code,
                name=details.name,
                timezone=details.timezone,
                tax_rate_bp=details.tax_rate_bp,
                address=details.address,
                lat=details.lat,
                lon=details.lon,
                delivery_radius_km=details.delivery_radius_km,
                created_at=utcnow(),
            )
        )
        return f"{path}: created store {details.code} ({details.name})."
