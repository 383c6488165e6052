"""The lobby board: carryout orders as the customers waiting for them should see them.

Only a first name and the order number: no prices, no phone numbers, no addresses
(the board hangs where anyone can read it). Orders picked up, voided or from an
earlier business day are not shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from makeline.trade.lifecycle import Service, Stage
from store_db.models import Order
from store_db.queries.scheduled import NOT_HELD

# What a waiting customer is told, by stage.
BEING_MADE = "Being made"
IN_THE_OVEN = "In the oven"
READY = "Ready for pick-up"
_STEP = {
    Stage.PLACED.value: BEING_MADE,
    Stage.MADE.value: IN_THE_OVEN,
    Stage.BAKED.value: IN_THE_OVEN,
    Stage.READY.value: READY,
}
STEPS = (BEING_MADE, IN_THE_OVEN, READY)


@dataclass(frozen=True)
class LobbyOrder:
    number: int
    first_name: str  # "" when the order has no name: the number alone is shown
    step: str


def first_name(name: str, limit: int = 14) -> str:
    """The first word of a name, shortened for the board."""
    words = name.split()
    return words[0][:limit] if words else ""


def lobby_board(session: Session, business_date: date) -> list[LobbyOrder]:
    """Today's open carryout orders, oldest first."""
    rows = session.execute(
        select(Order.number, Order.customer_name, Order.stage)
        .where(
            Order.service == Service.CARRYOUT.value,
            Order.business_date == business_date,
            Order.stage.in_(list(_STEP)),
            NOT_HELD,
        )
        .order_by(Order.placed_at, Order.number)
    )
    return [LobbyOrder(number, first_name(name), _STEP[stage]) for number, name, stage in rows]
