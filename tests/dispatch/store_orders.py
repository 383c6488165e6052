"""Delivery orders and drivers set up in a real store file, at known moments."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from makeline.trade.lifecycle import Stage
from store_db.db import StoreDB
from store_db.models import Staff, Store
from store_db.services import drivers, lifecycle
from store_db.services.orders import AddressRequest, TenderRequest, place_order
from tests.store.helpers import T0, delivery

KM_LAT = 1 / 111.2  # degrees of latitude in a km
KITCHEN = (Stage.MADE, Stage.BAKED, Stage.READY)


def order_at(
    db: StoreDB,
    north_km: float,
    east_km: float = 0.0,
    *,
    stage: Stage = Stage.READY,
    placed: datetime = T0,
    stage_at: datetime | None = None,
    paid: bool = False,
) -> str:
    """A delivery order to a door `north_km` / `east_km` from the store, moved up to `stage`,
    every stage stamped at `stage_at` (default 10 minutes after it was placed)."""
    with db.write() as session:
        store = session.scalars(select(Store)).one()
        lat = store.lat + north_km * KM_LAT
        lon = store.lon + east_km * KM_LAT / 0.745  # cos(41.9°)
        request = delivery(
            address=AddressRequest(line1=f"{int(abs(north_km) * 500) + 100} Test St", lat=lat, lon=lon),
            tenders=[TenderRequest(kind="card" if paid else "pay_at_door")],
        )
        order = place_order(session, request, placed)
        at = stage_at or placed + timedelta(minutes=10)
        if stage is not Stage.PLACED:
            for step in KITCHEN[: KITCHEN.index(stage) + 1]:
                lifecycle.advance(session, order.id, step, at)
        return order.id


def clock_in(db: StoreDB, *names: str, at: datetime = T0) -> list[Staff]:
    with db.write() as session:
        staff = [session.scalars(select(Staff).where(Staff.name == n)).one() for n in names]
        for member in staff:
            drivers.clock_in(session, member, at)
        return staff


def set_capacity(db: StoreDB, capacity: int) -> None:
    with db.write() as session:
        session.execute(update(Store).values(hot_bag_capacity=capacity))
