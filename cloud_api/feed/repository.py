"""Queries on the store feed."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud_api.models import StoreFeedEntry


def entries_after(session: Session, store_id: str, cursor: int, limit: int) -> Sequence[StoreFeedEntry]:
    return session.scalars(
        select(StoreFeedEntry)
        .where(StoreFeedEntry.store_id == store_id, StoreFeedEntry.cursor > cursor)
        .order_by(StoreFeedEntry.cursor)
        .limit(limit)
    ).all()
