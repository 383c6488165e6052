"""Queries for delivery runs."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud_api.models import Order


def orders_of_run(session: Session, run_id: str) -> Sequence[str]:
    return session.scalars(select(Order.id).where(Order.run_id == run_id).order_by(Order.id)).all()
