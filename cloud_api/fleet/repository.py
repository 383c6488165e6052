"""The fleet's reads: a few set-based queries for all the stores shown at once."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cloud_api.models import InboundQuarantine, Store, StoreAgent, StoreFeedHead, StoreHeartbeat


def stores(session: Session, store_id: str | None) -> Sequence[Store]:
    query = select(Store).order_by(Store.code)
    if store_id is not None:
        query = query.where(Store.id == store_id)
    return session.scalars(query).all()


def heartbeats(session: Session, ids: list[str]) -> dict[str, StoreHeartbeat]:
    rows = session.scalars(select(StoreHeartbeat).where(StoreHeartbeat.store_id.in_(ids)))
    return {r.store_id: r for r in rows}


def feed_heads(session: Session, ids: list[str]) -> dict[str, int]:
    rows = session.execute(
        select(StoreFeedHead.store_id, StoreFeedHead.last_cursor).where(StoreFeedHead.store_id.in_(ids))
    )
    return {store_id: int(cursor) for store_id, cursor in rows}


def held_counts(session: Session, ids: list[str]) -> dict[str, int]:
    rows = session.execute(
        select(InboundQuarantine.store_id, func.count())
        .where(InboundQuarantine.store_id.in_(ids))
        .group_by(InboundQuarantine.store_id)
    )
    return {store_id: int(n) for store_id, n in rows}


def agents(session: Session, ids: list[str]) -> dict[str, StoreAgent]:
    rows = session.scalars(select(StoreAgent).where(StoreAgent.store_id.in_(ids)))
    return {r.store_id: r for r in rows}
