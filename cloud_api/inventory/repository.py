"""Queries for items, store stock and stock movements."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from cloud_api.models import InventoryItem, StockMovement, StoreStock


def items(session: Session) -> Sequence[InventoryItem]:
    return session.scalars(select(InventoryItem).order_by(InventoryItem.code)).all()


def stock_of(session: Session, store_id: str) -> dict[str, StoreStock]:
    rows = session.scalars(select(StoreStock).where(StoreStock.store_id == store_id)).all()
    return {row.code: row for row in rows}


def ensure_item(session: Session, code: str, name: str, unit: str, cost_cents: int, at: datetime) -> None:
    """An item a store reports that the catalog does not know yet joins it; known items stay."""
    session.execute(
        insert(InventoryItem)
        .values(
            code=code,
            name=name,
            unit=unit,
            cost_cents=cost_cents,
            par=Decimal(0),
            discontinued=False,
            updated_at=at,
        )
        .on_conflict_do_nothing(index_elements=["code"])
    )


def move(
    session: Session,
    store_id: str,
    code: str,
    kind: str,
    quantity: Decimal,
    cost_cents: int | None,
    reference: str,
    at: datetime,
) -> None:
    session.add(
        StockMovement(
            store_id=store_id,
            code=code,
            kind=kind,
            quantity=quantity,
            cost_cents=cost_cents,
            reference=reference,
            at=at,
        )
    )
    delta = {"received": quantity, "waste": -quantity, "usage": -quantity}.get(kind, Decimal(0))
    values = {
        "store_id": store_id,
        "code": code,
        "on_hand": quantity if kind == "count" else delta,
        "cost_cents": cost_cents,
        "updated_at": at,
    }
    if kind == "count":
        values |= {"last_count": quantity, "last_count_at": at}
    stmt = insert(StoreStock).values(**values)
    changes: dict[str, object] = {"updated_at": at}
    if kind == "count":
        changes |= {"on_hand": quantity, "last_count": quantity, "last_count_at": at}
    else:
        changes["on_hand"] = StoreStock.on_hand + delta
    if cost_cents is not None:
        changes["cost_cents"] = cost_cents
    session.execute(stmt.on_conflict_do_update(index_elements=["store_id", "code"], set_=changes))
