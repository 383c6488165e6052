"""Queries for delivery runs: a run is keyed `(store_id, id)`; by its id alone (the REST
look-up) every store's shard is asked."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud_api.models import DeliveryRun, Order


def run_in_store(session: Session, store_id: str, run_id: str, *, lock: bool = False) -> DeliveryRun | None:
    return session.get(DeliveryRun, {"store_id": store_id, "id": run_id}, with_for_update=lock)


def runs_by_id(session: Session, run_id: str) -> Sequence[DeliveryRun]:
    """Every store's run with this id, locked (a run id is born at its store: one, as a rule)."""
    query = select(DeliveryRun).where(DeliveryRun.id == run_id).order_by(DeliveryRun.store_id)
    return session.scalars(query.with_for_update()).all()


def orders_of_run(session: Session, run: DeliveryRun) -> Sequence[str]:
    return session.scalars(
        select(Order.id).where(Order.store_id == run.store_id, Order.run_id == run.id).order_by(Order.id)
    ).all()
