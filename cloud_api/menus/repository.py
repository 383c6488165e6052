"""Queries for published menus."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from cloud_api.models import MenuVersion

_PUBLISH_LOCK = 7_301_002


def latest_version(session: Session) -> int | None:
    return session.scalar(select(func.max(MenuVersion.version)))


def lock_versions(session: Session) -> None:
    """Two publishes at once must not take the same version number."""
    session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PUBLISH_LOCK})


def versions(session: Session) -> Sequence[MenuVersion]:
    return session.scalars(select(MenuVersion).order_by(MenuVersion.version.desc())).all()
