"""Queries for stores, their streets, enrollments and devices."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from cloud_api.models import Device, Enrollment, Store, StoreAgent, StreetBlock


def all_stores(session: Session) -> Sequence[Store]:
    return session.scalars(select(Store).order_by(Store.code)).all()


def store_by_code(session: Session, code: str) -> Store | None:
    return session.scalars(select(Store).where(Store.code == code)).first()


def stores_near(session: Session, lat: float, lon: float, span_deg: float = 0.5) -> Sequence[Store]:
    """A cheap bounding box first; callers measure the real distance."""
    return session.scalars(
        select(Store).where(
            Store.lat.between(lat - span_deg, lat + span_deg),
            Store.lon.between(lon - span_deg * 1.5, lon + span_deg * 1.5),
        )
    ).all()


def blocks_by_key(session: Session, key: str) -> Sequence[StreetBlock]:
    return session.scalars(select(StreetBlock).where(StreetBlock.key == key)).all()


def replace_streets(session: Session, store_id: str, blocks: list[StreetBlock]) -> None:
    session.execute(delete(StreetBlock).where(StreetBlock.store_id == store_id))
    session.add_all(blocks)


def store_for_update(session: Session, store_id: str) -> Store | None:
    return session.scalars(select(Store).where(Store.id == store_id).with_for_update()).first()


def revoke_devices(session: Session, store_id: str, at: datetime) -> list[str]:
    """Revoke every working credential of the store; their ids."""
    revoked = session.scalars(
        update(Device)
        .where(Device.store_id == store_id, Device.revoked_at.is_(None))
        .values(revoked_at=at)
        .returning(Device.id)
        .execution_options(synchronize_session=False)
    ).all()
    return sorted(revoked)


def enrollment_for_update(session: Session, code: str) -> Enrollment | None:
    return session.scalars(select(Enrollment).where(Enrollment.code == code).with_for_update()).first()


def devices_of(session: Session, store_id: str) -> Sequence[Device]:
    return session.scalars(
        select(Device).where(Device.store_id == store_id).order_by(Device.created_at)
    ).all()


def has_active_device(session: Session, store_id: str) -> bool:
    found = session.scalar(
        select(Device.id).where(Device.store_id == store_id, Device.revoked_at.is_(None)).limit(1)
    )
    return found is not None


def working_devices(session: Session) -> dict[str, int]:
    """How many working (unrevoked) device credentials each store has."""
    rows = session.execute(
        select(Device.store_id, func.count()).where(Device.revoked_at.is_(None)).group_by(Device.store_id)
    )
    return {store_id: int(n) for store_id, n in rows}


def forget_agent(session: Session, store_id: str) -> None:
    """No computer speaks for the store until the next one is heard (a replaced computer)."""
    session.execute(delete(StoreAgent).where(StoreAgent.store_id == store_id))
