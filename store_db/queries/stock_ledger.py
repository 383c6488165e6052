"""Reading stock movements: the item catalog, sums of usage, receipts and waste over a window,
the last count of each item, and on hand by the books.

A window is `(after, upto]`: a movement stamped exactly at a count's moment
happened before the count (the shelves already show it).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVarTuple

from sqlalchemy import Select, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from makeline.trade.costing import Price
from makeline.trade.recipes import Recipes
from makeline.trade.units import ItemUnits, fmt_qty
from makeline.trade.variance import expected_on_hand
from store_db.errors import UnknownItem
from store_db.models import (
    InventoryItem,
    ItemUnit,
    RecipePortion,
    StockCount,
    StockCountLine,
    StockReceipt,
    StockReceiptLine,
    UsageRecord,
    WasteEntry,
    WasteLine,
)
from store_db.services import rows
from sync.contract.events import ItemTerms, StockLine

Ts = TypeVarTuple("Ts")
ZERO = Decimal(0)
FINALISED = "finalised"


@dataclass(frozen=True)
class StockItem:
    units: ItemUnits
    storage_area: str
    shelf_order: int
    cost_cents_per_purchase: int
    par: Decimal  # counting units
    daily: bool
    active: bool

    @property
    def code(self) -> str:
        return self.units.code

    @property
    def price(self) -> Price:
        return Price(self.cost_cents_per_purchase, self.units.per_unit[self.units.purchase_unit])

    def line(self, qty: Decimal) -> StockLine:
        """One item's quantity as the outbox carries it: base units exact, the same in the
        counting unit (four decimals at most), what it is worth, and the item's cost now."""
        return StockLine(
            code=self.code,
            name=self.units.name,
            quantity=qty,
            unit=self.units.base_unit,
            count_quantity=Decimal(fmt_qty(self.units.to_count(qty))),
            count_unit=self.units.count_unit,
            cost_cents=self.price.value(qty),
            cost_cents_per_count_unit=self.price.value(self.units.per_unit[self.units.count_unit]),
        )

    def terms(self, cost_cents_per_purchase: int | None = None) -> ItemTerms:
        """What turns this item's base units into counting units and money, exactly: the
        outbox carries it beside the lines so the cloud's figures are the store's own."""
        units = self.units
        return ItemTerms(
            base_unit=units.base_unit,
            count_unit=units.count_unit,
            count_size=units.per_unit[units.count_unit],
            purchase_unit=units.purchase_unit,
            purchase_size=units.per_unit[units.purchase_unit],
            cost_cents_per_purchase=(
                self.cost_cents_per_purchase if cost_cents_per_purchase is None else cost_cents_per_purchase
            ),
        )


def stock_items(items: dict[str, StockItem], codes: Iterable[str]) -> dict[str, ItemTerms]:
    """The `stock_items` of an outbox event: each line's item terms, by code."""
    return {code: items[code].terms() for code in sorted(set(codes))}


_ITEMS = (
    "SELECT code, name, base_unit, count_unit, purchase_unit, storage_area, shelf_order,"
    " cost_cents_per_purchase, par, daily, active FROM inventory_item"
)
_UNITS = "SELECT item, unit, base_qty FROM item_unit"
_par, _daily, _active = (
    rows.read(InventoryItem.par),
    rows.read(InventoryItem.daily),
    rows.read(InventoryItem.active),
)
_base_qty, _portion_qty = rows.read(ItemUnit.base_qty), rows.read(RecipePortion.qty)


def _among(column: str, codes: Collection[str]) -> tuple[str, list[str]]:
    """` WHERE column IN (?, …)` for these codes, and its parameters (none: nothing matches)."""
    wanted = list(codes)
    return f" WHERE {column} IN ({rows.marks(len(wanted))})", wanted


def catalog(session: Session, codes: Collection[str] | None = None) -> dict[str, StockItem]:
    """Items by code (all of them, or `codes`), with their units. Pre-written SQL on the
    session's connection, its values read by their columns' types: this runs per order made."""
    session.flush()  # what the session holds unwritten is read too, as its own queries would
    items, units, params = _ITEMS, _UNITS, list[str]()
    if codes is not None:
        (items_where, params), (units_where, _) = _among("code", codes), _among("item", codes)
        items, units = items + items_where, units + units_where
    per: dict[str, dict[str, Decimal]] = {}
    for code, unit, base_qty in rows.fetch_all(session, units, params):
        per.setdefault(code, {})[unit] = _base_qty(base_qty)
    found: dict[str, StockItem] = {}
    for code, name, base, count, purchase, area, shelf, cost, par, daily, active in rows.fetch_all(
        session, items, params
    ):
        kept = per.get(code, {})
        kept.setdefault(base, Decimal(1))
        found[code] = StockItem(
            units=ItemUnits(code, name, base, count, purchase, kept),
            storage_area=area,
            shelf_order=shelf,
            cost_cents_per_purchase=cost,
            par=_par(par),
            daily=_daily(daily),
            active=_active(active),
        )
    return found


def find_item(items: dict[str, StockItem], code: str) -> StockItem:
    item = items.get(code.strip())
    if item is None:
        raise UnknownItem(
            f"There is no inventory item '{code.strip()}'; check the code on the count sheet "
            "(makeline stock sheet lists them)."
        )
    return item


@dataclass
class Movements:
    """Base units received, wasted and used (ideal) per item over one window."""

    received: dict[str, Decimal] = field(default_factory=dict)
    wasted: dict[str, Decimal] = field(default_factory=dict)
    used: dict[str, Decimal] = field(default_factory=dict)

    def of(self, code: str) -> tuple[Decimal, Decimal, Decimal]:
        return (
            self.received.get(code, ZERO),
            self.wasted.get(code, ZERO),
            self.used.get(code, ZERO),
        )


def _window(
    query: Select[*Ts],
    at: InstrumentedAttribute[datetime],
    item: InstrumentedAttribute[str],
    after: datetime | None,
    upto: datetime | None,
    codes: Collection[str] | None,
) -> Select[*Ts]:
    if after is not None:
        query = query.where(at > after)
    if upto is not None:
        query = query.where(at <= upto)
    if codes is not None:
        query = query.where(item.in_(list(codes)))
    return query


def _add(into: dict[str, Decimal], rows: Iterable[Any]) -> None:
    for code, qty, times in rows:
        into[code] = into.get(code, ZERO) + qty * times


def movements(
    session: Session,
    after: datetime | None,
    upto: datetime | None,
    codes: Collection[str] | None = None,
) -> Movements:
    """Sums over `(after, upto]`; `None` leaves that end open."""
    found = Movements()
    # Usage rows repeat a handful of portion sizes: grouping by (item, qty) keeps the sum exact
    # in Decimal while SQLite does the counting.
    used = select(UsageRecord.item, UsageRecord.qty, func.count()).group_by(UsageRecord.item, UsageRecord.qty)
    _add(
        found.used,
        session.execute(_window(used, UsageRecord.at, UsageRecord.item, after, upto, codes)),
    )
    received = select(StockReceiptLine.item, StockReceiptLine.qty, func.count()).join(
        StockReceipt, StockReceipt.id == StockReceiptLine.receipt_id
    )
    received = _window(received, StockReceipt.received_at, StockReceiptLine.item, after, upto, codes)
    _add(
        found.received,
        session.execute(received.group_by(StockReceiptLine.item, StockReceiptLine.qty)),
    )
    wasted = select(WasteLine.item, WasteLine.qty, func.count()).join(
        WasteEntry, WasteEntry.id == WasteLine.entry_id
    )
    wasted = _window(wasted, WasteEntry.at, WasteLine.item, after, upto, codes)
    _add(found.wasted, session.execute(wasted.group_by(WasteLine.item, WasteLine.qty)))
    return found


@dataclass(frozen=True)
class LastCount:
    count_id: str
    moment: datetime
    on_hand: Decimal


def last_counts(session: Session, before: datetime | None = None) -> dict[str, LastCount]:
    """Each item's latest finalised count line (moment strictly before `before`, when given)."""
    query = (
        select(StockCountLine.item, StockCount.id, StockCount.started_at, StockCountLine.on_hand)
        .join(StockCount, StockCount.id == StockCountLine.count_id)
        .where(StockCount.state == FINALISED)
        .order_by(StockCount.started_at)
    )
    if before is not None:
        query = query.where(StockCount.started_at < before)
    found: dict[str, LastCount] = {}
    for code, count_id, moment, on_hand in session.execute(query):
        found[code] = LastCount(count_id, moment, on_hand if on_hand is not None else ZERO)
    return found


def on_hand(session: Session, at: datetime, codes: Collection[str]) -> dict[str, Decimal]:
    """Expected on hand at `at`: each item's last count before it, then what moved since.

    Items never counted start from nothing, so their figure is what was received
    less what was used: a first full count puts them right.
    """
    counts = last_counts(session, before=at)
    by_moment: dict[datetime | None, list[str]] = {}
    for code in codes:
        last = counts.get(code)
        by_moment.setdefault(last.moment if last else None, []).append(code)
    result: dict[str, Decimal] = {}
    for moment, group in by_moment.items():
        moved = movements(session, moment, at, group)
        for code in group:
            last = counts.get(code)
            result[code] = expected_on_hand(last.on_hand if last else ZERO, *moved.of(code))
    return result


def recipes_for(session: Session, parts: Collection[str]) -> Recipes:
    """The current menu's portions of `parts`, keyed (part, size)."""
    found: dict[tuple[str, str], list[tuple[str, Decimal]]] = {}
    if not parts:
        return found
    session.flush()
    where, params = _among("part", parts)
    for part, size, item, qty in rows.fetch_all(
        session, f"SELECT part, size, item, qty FROM recipe_portion{where}", params
    ):
        found.setdefault((part, size), []).append((item, _portion_qty(qty)))
    return found


@dataclass(frozen=True)
class MovementRow:
    kind: str  # used, wasted, received
    item: str
    at: datetime
    qty: Decimal


def movement_rows(
    session: Session, after: datetime, upto: datetime, codes: Collection[str]
) -> list[MovementRow]:
    """Every movement of `codes` in `(after, upto]`, one row each: a count's few minutes."""
    used = select(UsageRecord.item, UsageRecord.at, UsageRecord.qty)
    received = select(StockReceiptLine.item, StockReceipt.received_at, StockReceiptLine.qty).join(
        StockReceipt, StockReceipt.id == StockReceiptLine.receipt_id
    )
    wasted = select(WasteLine.item, WasteEntry.at, WasteLine.qty).join(
        WasteEntry, WasteEntry.id == WasteLine.entry_id
    )
    rows = [
        MovementRow("used", code, when, qty)
        for code, when, qty in session.execute(
            _window(used, UsageRecord.at, UsageRecord.item, after, upto, codes)
        )
    ]
    rows += [
        MovementRow("received", code, when, qty)
        for code, when, qty in session.execute(
            _window(received, StockReceipt.received_at, StockReceiptLine.item, after, upto, codes)
        )
    ]
    rows += [
        MovementRow("wasted", code, when, qty)
        for code, when, qty in session.execute(
            _window(wasted, WasteEntry.at, WasteLine.item, after, upto, codes)
        )
    ]
    return rows
