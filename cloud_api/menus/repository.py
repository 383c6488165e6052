"""Queries for published menus."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from cloud_api.models import MenuRelease, MenuVersion

_PUBLISH_LOCK = 7_301_002


def latest_version(session: Session) -> int | None:
    return session.scalar(select(func.max(MenuVersion.version)))


def lock_versions(session: Session) -> None:
    """Two publishes at once must not take the same version number."""
    session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PUBLISH_LOCK})


def versions(session: Session) -> Sequence[MenuVersion]:
    return session.scalars(select(MenuVersion).order_by(MenuVersion.version.desc())).all()


def record_release(session: Session, version: int, store_ids: Sequence[str], at: datetime) -> None:
    """Note the stores `version` was published to (what the console shows as its reach)."""
    if store_ids:
        session.execute(
            insert(MenuRelease), [{"version": version, "store_id": s, "published_at": at} for s in store_ids]
        )
