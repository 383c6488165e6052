"""Orders between the make line and the rack: on the oven belt, or out and waiting to be boxed.

A conveyor oven takes a fixed time (`Store.oven_s`), so an order made at `made_at`
comes out at `made_at + oven_s`; `baked` orders were marked out already. Orders
go in the order the make line bumped them; boxed orders still waiting for the
sides screen come last, saying what they wait for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from makeline.trade.lifecycle import Stage
from store_db.models import KitchenTicket, Order, OrderLine, Store
from store_db.queries.kitchen import item_care


@dataclass(frozen=True)
class BoxLine:
    quantity: int
    size: str  # "LG" for pizzas, the size's name for sides and drinks
    name: str
    kind: str  # pizza, side, drink, dessert
    care: tuple[str, ...] = ()  # ALLERGY: PEANUTS, CUT IN SQUARES

    def text(self) -> str:
        return f"{self.quantity} {self.size} {self.name}".replace("  ", " ")


def order_care(lines: tuple[BoxLine, ...]) -> tuple[str, ...]:
    """Every allergy and care flag on an order's lines, once each."""
    return tuple(dict.fromkeys(label for line in lines for label in line.care))


@dataclass(frozen=True)
class OvenOrder:
    order_id: str
    number: int
    service: str
    stage: str  # made (on the belt) or baked (out)
    customer_name: str
    made_at: datetime
    out_at: datetime  # when it leaves the belt
    promise_at: datetime
    lines: tuple[BoxLine, ...]
    boxed_at: datetime | None = None
    waiting_for: tuple[str, ...] = ()  # stations still making part of it (e.g. "sides")
    checking: bool = False  # boxed, waiting for the quality check
    remake: str | None = None  # sent back by the check: why, while the make line makes it again
    remade: bool = False  # made again after a send-back: on the belt until `out_at`

    @property
    def label(self) -> str:
        return f"#{self.number}"

    @property
    def care(self) -> tuple[str, ...]:
        return order_care(self.lines)

    @property
    def boxed(self) -> bool:
        return self.boxed_at is not None

    def seconds_left(self, now: datetime) -> float:
        """Time left on the belt; 0 once it is out."""
        if self.boxed or self.remake is not None or (self.stage != Stage.MADE.value and not self.remade):
            return 0.0
        return max(0.0, (self.out_at - now).total_seconds())


def box_lines(session: Session, order_ids: list[str]) -> dict[str, tuple[BoxLine, ...]]:
    found: dict[str, list[BoxLine]] = {}
    if not order_ids:
        return {}
    for line in session.scalars(
        select(OrderLine).where(OrderLine.order_id.in_(order_ids)).order_by(OrderLine.line_no)
    ):
        item = line.item
        size = line.size.upper() if line.kind == "pizza" else str(item.get("size_name") or "")
        found.setdefault(line.order_id, []).append(
            BoxLine(quantity=line.quantity, size=size, name=line.name, kind=line.kind, care=item_care(item))
        )
    return {k: tuple(v) for k, v in found.items()}


def cut_table(session: Session) -> list[OvenOrder]:
    """Orders waiting for the quality check first; then those on the belt or out of it, in the
    order they went in; then those boxed and waiting for another station; then those sent back."""
    oven_s, checks = session.execute(select(Store.oven_s, Store.quality_check)).one()
    orders = list(
        session.scalars(
            select(Order)
            .where(Order.stage.in_([Stage.MADE.value, Stage.BAKED.value]))
            .order_by(Order.made_at, Order.number)
        )
    )
    lines = box_lines(session, [o.id for o in orders])
    waiting: dict[str, set[str]] = {}
    remakes: dict[str, str] = {}
    if orders:
        for order_id, station, remake in session.execute(
            select(KitchenTicket.order_id, KitchenTicket.station, KitchenTicket.remake_reason).where(
                KitchenTicket.order_id.in_([o.id for o in orders]), KitchenTicket.bumped_at.is_(None)
            )
        ):
            waiting.setdefault(order_id, set()).add(station)
            if remake is not None:
                remakes[order_id] = remake
    result = []
    for order in orders:
        made_at = order.made_at or order.placed_at
        out_at = order.baked_at or (made_at + timedelta(seconds=oven_s))
        remade = order.stage == Stage.BAKED.value and order.boxed_at is None and order.remade_at is not None
        if remade and order.remade_at is not None:
            made_at, out_at = order.remade_at, order.remade_at + timedelta(seconds=oven_s)
        has_pizza = any(line.kind == "pizza" for line in lines.get(order.id, ()))
        checking = bool(checks) and has_pizza and order.boxed_at is not None and order.checked_at is None
        result.append(
            OvenOrder(
                order_id=order.id,
                number=order.number,
                service=order.service,
                stage=order.stage,
                customer_name=order.customer_name,
                made_at=made_at,
                out_at=out_at,
                promise_at=order.promise_at,
                lines=lines.get(order.id, ()),
                boxed_at=order.boxed_at,
                waiting_for=tuple(sorted(waiting.get(order.id, set()))),
                checking=checking and order.id not in remakes,
                remake=remakes.get(order.id),
                remade=remade,
            )
        )
    return sorted(result, key=_place)  # stable: the belt's order within each


def _place(order: OvenOrder) -> int:
    if order.checking:  # boxed and cooling: the next thing to do here, never below the fold
        return 0
    if order.remake is not None:
        return 3
    return 2 if order.boxed else 1
