"""Queries for items, store stock and stock movements."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from cloud_api.inventory.terms import SIGN, Line, Terms
from cloud_api.models import InventoryItem, StockMovement, StoreStock


def items(session: Session) -> Sequence[InventoryItem]:
    return session.scalars(select(InventoryItem).order_by(InventoryItem.code)).all()


def stock_of(session: Session, store_id: str) -> dict[str, StoreStock]:
    rows = session.scalars(select(StoreStock).where(StoreStock.store_id == store_id)).all()
    return {row.code: row for row in rows}


def ensure_items(session: Session, lines: Sequence[Line], at: datetime) -> None:
    """Items a store reports that the catalog does not know yet join it; known items stay."""
    new = {
        line.code: {
            "code": line.code,
            "name": line.name,
            "unit": line.count_unit,
            "cost_cents": line.cost_cents_per_count_unit or 0,
            "par": Decimal(0),
            "discontinued": False,
            "updated_at": at,
        }
        for line in lines
    }
    if new:
        # One cached statement whatever the number of rows (insertmanyvalues sends them at once).
        session.execute(
            insert(InventoryItem).on_conflict_do_nothing(index_elements=["code"]), list(new.values())
        )


def _stock_rows(session: Session, store_id: str, codes: set[str], at: datetime) -> dict[str, StoreStock]:
    """The store's rows of these items, created when missing, locked for this event."""
    session.execute(
        insert(StoreStock).on_conflict_do_nothing(index_elements=["store_id", "code"]),
        [{"store_id": store_id, "code": c, "on_hand": Decimal(0), "updated_at": at} for c in sorted(codes)],
    )
    rows = session.scalars(
        select(StoreStock)
        .where(StoreStock.store_id == store_id, StoreStock.code.in_(sorted(codes)))
        .with_for_update()
    ).all()
    return {row.code: row for row in rows}


def _moved_since(session: Session, store_id: str, codes: set[str], after: datetime) -> dict[str, Decimal]:
    """Per item, what received, waste and usage already recorded after `after` did to stock."""
    rows = session.execute(
        select(StockMovement.code, StockMovement.kind, func.sum(StockMovement.quantity))
        .where(
            StockMovement.store_id == store_id,
            StockMovement.code.in_(sorted(codes)),
            StockMovement.kind != "count",
            StockMovement.at > after,
        )
        .group_by(StockMovement.code, StockMovement.kind)
    )
    moved: dict[str, Decimal] = {}
    for code, kind, quantity in rows:
        moved[code] = moved.get(code, Decimal(0)) + SIGN[kind] * quantity
    return moved


def _after(at: datetime, last_count_at: datetime | None, same_moment: bool) -> bool:
    if last_count_at is None:
        return True
    return at >= last_count_at if same_moment else at > last_count_at


def _price(row: StoreStock, terms: Terms, seq: int) -> None:
    if seq < row.priced_seq:
        return
    row.priced_seq = seq
    row.base_unit, row.count_unit = terms.base_unit, terms.count_unit
    if terms.count_size is not None and terms.purchase_size is not None:
        row.count_size, row.purchase_size = terms.count_size, terms.purchase_size
    if terms.cost_cents_per_purchase is not None:
        row.cost_cents_per_purchase = terms.cost_cents_per_purchase
        row.cost_cents = terms.cost_per_count_unit()


def record(
    session: Session,
    store_id: str,
    kind: str,
    lines: Sequence[Line],
    reference: str,
    at: datetime,
    seq: int,
) -> None:
    """One stock event's lines: the movements, the store's on hand, last count, units and cost.

    On hand follows the store's books: the last count (on the shelf at its moment) plus
    what was received, wasted and used after that moment. A movement stamped at or before
    the last count's moment is already in it; a count finalised after sales went on
    takes the movements recorded since its moment, whatever order they arrived in.
    """
    if not lines:
        return
    rows = _stock_rows(session, store_id, {line.code for line in lines}, at)
    session.execute(
        insert(StockMovement),
        [
            {
                "store_id": store_id,
                "code": line.code,
                "kind": kind,
                "quantity": line.quantity,
                "cost_cents": line.cost_cents,
                "reference": reference,
                "at": at,
            }
            for line in lines
        ],
    )
    newer = {
        line.code for line in lines if kind == "count" and _after(at, rows[line.code].last_count_at, True)
    }
    since = _moved_since(session, store_id, newer, at) if newer else {}
    for line in lines:
        row = rows[line.code]
        if line.code in newer:
            row.last_count, row.last_count_at = line.quantity, at
            row.on_hand = line.quantity + since.get(line.code, Decimal(0))
        elif kind != "count" and _after(at, row.last_count_at, False):
            row.on_hand = row.on_hand + SIGN[kind] * line.quantity
        _price(row, line.terms, seq)
        row.updated_at = at
