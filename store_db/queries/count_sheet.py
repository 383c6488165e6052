"""The count sheet: every item to count, in walking order, with what the books expect on hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from store_db.queries import stock_ledger as ledger
from store_db.services.stock_counts import AREA_NAMES, CountKind, area_rank


@dataclass(frozen=True)
class SheetLine:
    code: str
    name: str
    unit: str  # the counting unit
    expected: Decimal  # in the counting unit
    storage_area: str
    units: tuple[str, ...]


def count_sheet(session: Session, at: datetime, kind: str = CountKind.FULL.value) -> list[SheetLine]:
    """Storage area by storage area (walk-in, freezer, dry), each in shelf order."""
    items = [i for i in ledger.catalog(session).values() if i.active and (kind == "full" or i.daily)]
    items.sort(key=lambda i: (area_rank(i.storage_area), i.shelf_order, i.code))
    held = ledger.on_hand(session, at, [i.code for i in items])
    return [
        SheetLine(
            code=i.code,
            name=i.units.name,
            unit=i.units.count_unit,
            expected=i.units.to_count(held[i.code]),
            storage_area=AREA_NAMES.get(i.storage_area, i.storage_area),
            units=tuple(i.units.units_largest_first()),
        )
        for i in items
    ]
