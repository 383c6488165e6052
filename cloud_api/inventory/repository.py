"""Queries for items, store stock, stock movements and the orders' ideal usage."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import ARRAY, DateTime, String, Table, bindparam, delete, func, literal, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from cloud_api.db import plain
from cloud_api.db.records import any_of, recordset
from cloud_api.inventory import usage
from cloud_api.inventory.terms import SIGN, Line, Terms
from cloud_api.models import IdealUsage, InventoryItem, StockMovement, StoreStock, UnknownStockItem


def items(session: Session) -> Sequence[InventoryItem]:
    return session.scalars(select(InventoryItem).order_by(InventoryItem.code)).all()


def stock_of(session: Session, store_id: str) -> dict[str, StoreStock]:
    rows = session.scalars(select(StoreStock).where(StoreStock.store_id == store_id)).all()
    return {row.code: row for row in rows}


def known_codes(session: Session, codes: set[str]) -> set[str]:
    """Which of these item codes the chain's catalog has."""
    if not codes:
        return set()
    found = plain.fetch_all(session, _KNOWN, (sorted(codes),), flush=True)
    return {code for (code,) in found}


# Pre-written: every chunk of a store's stock events asks (`cloud_api.db.plain`).
_KNOWN = "SELECT code FROM inventory_item WHERE code = ANY(%s)"


def add_items(session: Session, items: Sequence[dict[str, object]]) -> None:
    """Head office's items, added unless the catalog has them already."""
    if items:
        session.execute(insert(InventoryItem).on_conflict_do_nothing(index_elements=["code"]), list(items))


def quarantine(
    session: Session, store_id: str, kind: str, reference: str, lines: Sequence[Line], at: datetime
) -> None:
    """Keep a store's lines of items the catalog does not have, for head office to decide on."""
    latest = {line.code[:30]: line for line in lines}
    rows = [
        {
            "store_id": store_id,
            "code": code,
            "name": line.name[:80],
            "unit": line.count_unit[:10],
            "kind": kind[:20],
            "reference": reference,
            "quantity": line.quantity,
            "times": 1,
            "first_seen_at": at,
            "last_seen_at": at,
        }
        for code, line in sorted(latest.items())
    ]
    stmt = insert(UnknownStockItem)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["store_id", "code"],
            set_={
                "name": stmt.excluded.name,
                "unit": stmt.excluded.unit,
                "kind": stmt.excluded.kind,
                "reference": stmt.excluded.reference,
                "quantity": stmt.excluded.quantity,
                "times": UnknownStockItem.times + 1,
                "last_seen_at": func.greatest(UnknownStockItem.last_seen_at, stmt.excluded.last_seen_at),
            },
        ),
        rows,
    )


def unknown_items(session: Session, store_id: str | None) -> Sequence[UnknownStockItem]:
    query = select(UnknownStockItem).order_by(UnknownStockItem.store_id, UnknownStockItem.code)
    if store_id is not None:
        query = query.where(UnknownStockItem.store_id == store_id)
    return session.scalars(query).all()


def settle_unknown(session: Session, code: str, store_id: str | None = None) -> int:
    """Head office decided on an item: its quarantined lines are done with; how many."""
    query = delete(UnknownStockItem).where(UnknownStockItem.code == code)
    if store_id is not None:
        query = query.where(UnknownStockItem.store_id == store_id)
    return int(session.execute(query).rowcount)  # type: ignore[attr-defined]


class StockRow:
    """One item's stock in a store as a batch of stock events holds it: a plain row of
    `store_stock` (`store_events.stock_events`), no ORM bookkeeping."""

    store_id: str
    code: str
    on_hand: Decimal
    cost_cents: int | None
    last_count: Decimal | None
    last_count_at: datetime | None
    updated_at: datetime
    base_unit: str
    count_unit: str
    count_size: Decimal
    purchase_size: Decimal
    cost_cents_per_purchase: int | None
    priced_seq: int


# What applying stock lines reads and changes: a mapped row, or a batch's plain one.
StockState = StoreStock | StockRow


def _ensure_rows(session: Session, store_id: str, codes: set[str], at: datetime) -> None:
    """The store's rows of these items made where missing, in one statement (the columns'
    defaults as the model gives them)."""
    listed = select(
        literal(store_id, String).label("store_id"),
        func.unnest(literal(sorted(codes), ARRAY(String))).label("code"),
        literal(at, DateTime(timezone=True)).label("updated_at"),
    )
    session.execute(
        insert(StoreStock)
        .from_select(["store_id", "code", "updated_at"], listed, include_defaults=True)
        .on_conflict_do_nothing(index_elements=["store_id", "code"])
    )


def stock_values(
    session: Session, store_id: str, codes: set[str], at: datetime, columns: Sequence[str]
) -> list[tuple[Any, ...]]:
    """As `stock_rows`, these columns of each row (no mapped objects)."""
    if not codes:
        return []
    locked = _locked_stock(tuple(columns))
    wanted = (store_id, sorted(codes))
    found = plain.fetch_all(session, locked, wanted)
    if len(found) < len(codes):  # the store's first stock of some item: its row made first
        _ensure_rows(session, store_id, codes, at)
        found = plain.fetch_all(session, locked, wanted)
    return found


@lru_cache(maxsize=8)
def _locked_stock(columns: tuple[str, ...]) -> str:
    """The store's rows of some items, these columns, locked (pre-written, `cloud_api.db.plain`)."""
    table = cast(Table, StoreStock.__table__)
    listed = ", ".join(table.c[c].name for c in columns)
    return f"SELECT {listed} FROM store_stock WHERE store_id = %s AND code = ANY(%s) FOR UPDATE"


def stock_rows(session: Session, store_id: str, codes: set[str], at: datetime) -> dict[str, StoreStock]:
    """The store's rows of these items, created when missing, locked for this event (or batch)."""
    if not codes:
        return {}
    _ensure_rows(session, store_id, codes, at)
    rows = session.scalars(
        select(StoreStock)
        .where(StoreStock.store_id == store_id, StoreStock.code == any_of(codes))
        .with_for_update()
    ).all()
    return {row.code: row for row in rows}


# Per item and kind, what received, waste and usage recorded after a moment did to stock.
_MOVED_SINCE = text(
    "SELECT code, kind, sum(quantity) FROM stock_movement WHERE store_id = :store_id "
    "AND code = ANY(:codes) AND kind <> 'count' AND at > :after GROUP BY code, kind "
    "UNION ALL SELECT code, 'usage', sum(quantity) FROM " + usage.LINES + " AS u "
    "WHERE store_id = :store_id AND code = ANY(:codes) AND at > :after GROUP BY code"
).bindparams(bindparam("codes", type_=ARRAY(String())))


def _moved_since(session: Session, store_id: str, codes: set[str], after: datetime) -> dict[str, Decimal]:
    """Per item, what received, waste and usage already recorded after `after` did to stock."""
    rows = session.execute(_MOVED_SINCE, {"store_id": store_id, "codes": sorted(codes), "after": after})
    moved: dict[str, Decimal] = {}
    for code, kind, quantity in rows:
        moved[code] = moved.get(code, Decimal(0)) + SIGN[kind] * quantity
    return moved


def _after(at: datetime, last_count_at: datetime | None, same_moment: bool) -> bool:
    if last_count_at is None:
        return True
    return at >= last_count_at if same_moment else at > last_count_at


def _price(row: StockState, terms: Terms, seq: int) -> None:
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
    rows = stock_rows(session, store_id, {line.code for line in lines}, at)
    if kind == "usage":
        session.execute(insert(IdealUsage), [usage.row(store_id, lines, reference, at)])
    else:
        session.execute(insert(StockMovement), movement_rows(store_id, kind, lines, reference, at))
    apply_lines(session, store_id, rows, kind, lines, at, seq)


def movement_rows(
    store_id: str, kind: str, lines: Sequence[Line], reference: str, at: datetime
) -> list[dict[str, object]]:
    return [
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
    ]


# Movements in one statement however many, sent as one JSON document (`cloud_api.db.records`).
_MOVEMENT_COLUMNS = ("store_id", "code", "kind", "quantity", "cost_cents", "reference", "at")
# Movements (`movement_rows`, one JSON document as `rows`) in one statement.
INSERT_MOVEMENTS = text(
    f"INSERT INTO stock_movement ({', '.join(_MOVEMENT_COLUMNS)}) SELECT {', '.join(_MOVEMENT_COLUMNS)} "
    f"FROM {recordset(cast(Table, StockMovement.__table__), _MOVEMENT_COLUMNS, 'rows')}"
)


def apply_lines(
    session: Session,
    store_id: str,
    rows: Mapping[str, StockState],
    kind: str,
    lines: Sequence[Line],
    at: datetime,
    seq: int,
) -> None:
    """The store's on hand, last count, units and cost after one event's lines (its
    movements already written)."""
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
