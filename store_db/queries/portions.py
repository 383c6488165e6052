"""The portion guide: how much of each ingredient goes on one pizza of a size.

Amounts and halves scale the recipe portion (light ½, extra 1½; a half uses half).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from makeline.trade.menu import AMOUNT_FACTOR, PLACEMENT_FACTOR, Amount, Placement
from store_db.models import InventoryItem, RecipePortion


@dataclass(frozen=True)
class PortionPick:
    part: str  # crust:hand_tossed, sauce:tomato, cheese:mozzarella, topping:ham
    placement: str = "whole"
    amount: str = "normal"


@dataclass(frozen=True)
class PortionLine:
    label: str  # "Ham (left, extra)"
    item: str  # inventory item name
    qty: Decimal
    unit: str


def _label(name: str, pick: PortionPick) -> str:
    notes = [
        x
        for x in (
            pick.placement if pick.placement != "whole" else "",
            pick.amount if pick.amount != "normal" else "",
        )
        if x
    ]
    return f"{name} ({', '.join(notes)})" if notes else name


def portion_guide(session: Session, size: str, picks: Sequence[PortionPick]) -> list[PortionLine]:
    """One line per recipe portion of each pick at `size`, in the order picked."""
    parts = {p.part for p in picks}
    if not parts:
        return []
    rows = session.execute(
        select(RecipePortion, InventoryItem)
        .join(InventoryItem, InventoryItem.code == RecipePortion.item)
        .where(RecipePortion.size == size, RecipePortion.part.in_(parts))
        .order_by(RecipePortion.part, RecipePortion.item)
    ).all()
    by_part: dict[str, list[tuple[RecipePortion, InventoryItem]]] = {}
    for portion, item in rows:
        by_part.setdefault(portion.part, []).append((portion, item))
    lines = []
    for pick in picks:
        factor = AMOUNT_FACTOR[Amount(pick.amount)] * PLACEMENT_FACTOR[Placement(pick.placement)]
        for portion, item in by_part.get(pick.part, []):
            name = pick.part.split(":", 1)[1].replace("_", " ").title()
            qty = portion.qty * factor
            lines.append(
                PortionLine(
                    label=_label(name, pick), item=item.name, qty=qty, unit=item.base_unit.replace("_", " ")
                )
            )
    return lines
