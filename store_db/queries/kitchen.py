"""Open kitchen tickets laid out for a station's screen: what to make, and how.

A ticket shows each item with size and crust first, then what differs from the
recipe; toppings on a half are listed under LEFT or RIGHT so the screen can lay
them side by side. Only the lines of the ticket's own station are included:
wings never clutter the make line, pizzas never the sides station.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from makeline.trade.care import line_labels
from store_db.models import KitchenTicket, MenuOption, MenuTopping, Order, OrderLine, Store
from store_db.services import rows

_HALF_SUFFIXES = (" (LEFT)", " (RIGHT)")


@dataclass(frozen=True)
class ToppingPick:
    code: str
    name: str
    placement: str  # whole, left, right
    amount: str  # light, normal, extra


@dataclass(frozen=True)
class PizzaBuild:
    """One pizza line as the make line reads it."""

    quantity: int
    size: str  # "LG"
    size_code: str
    crust: str  # "HAND TOSSED"
    crust_code: str | None
    name: str  # "Pepperoni Pizza"
    changes: tuple[str, ...]  # whole-pizza changes: NO ONIONS, LIGHT CHEESE, ADD HAM
    left: tuple[str, ...]  # every topping on the left half
    right: tuple[str, ...]
    notes: str
    sauce: str | None
    sauce_amount: str
    cheese: str | None
    cheese_amount: str
    toppings: tuple[ToppingPick, ...]
    care: tuple[str, ...] = ()  # ALLERGY: PEANUTS, WELL DONE, CONTAINS MILK

    @property
    def has_halves(self) -> bool:
        return bool(self.left or self.right)


@dataclass(frozen=True)
class OtherItem:
    """A side, dessert or drink on a station that makes them."""

    quantity: int
    size: str
    name: str
    notes: str
    care: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ticket:
    id: str
    order_id: str
    station: str
    number: int
    service: str
    channel: str
    customer_name: str
    placed_at: datetime
    created_at: datetime
    promise_at: datetime
    recalls: int
    notes: str
    pizzas: tuple[PizzaBuild, ...]
    others: tuple[OtherItem, ...]
    remake: str | None = None  # sent back by the quality check: why it is made again

    @property
    def label(self) -> str:
        return f"#{self.number}"

    @property
    def care(self) -> tuple[str, ...]:
        """Every allergy and care flag on the ticket, once each: what its band says."""
        found = [label for pizza in self.pizzas for label in pizza.care]
        found += [label for other in self.others for label in other.care]
        return tuple(dict.fromkeys(found))


@dataclass(frozen=True)
class BumpedTicket:
    id: str
    number: int
    bumped_at: datetime

    @property
    def label(self) -> str:
        return f"#{self.number}"


def _amount_prefix(amount: str) -> str:
    return "" if amount == "normal" else f"{amount.upper()} "


@dataclass(frozen=True)
class Names:
    """Topping and crust names of the current menu, by code."""

    toppings: Mapping[str, str]
    crusts: Mapping[str, str]

    def topping(self, code: str) -> str:
        return self.toppings.get(code) or code.replace("_", " ")

    def crust(self, code: str) -> str:
        return self.crusts.get(code) or code.replace("_", " ")


def menu_names(session: Session) -> Names:
    toppings = {code: name for code, name in session.execute(select(MenuTopping.code, MenuTopping.name))}
    crusts = {
        code: name
        for code, name in session.execute(
            select(MenuOption.code, MenuOption.name).where(MenuOption.kind == "crust")
        )
    }
    return Names(toppings=toppings, crusts=crusts)


def pizza_build(item: Mapping[str, Any], names: Names | None = None) -> PizzaBuild:
    """Lay out one priced pizza (`OrderLine.item`) for the make line."""
    names = names or Names({}, {})
    picks = [
        ToppingPick(
            code=str(choice["code"]),
            name=names.topping(str(choice["code"])).upper(),
            placement=str(choice.get("placement", "whole")),
            amount=str(choice.get("amount", "normal")),
        )
        for choice in item.get("toppings") or []
    ]
    crust_code = item.get("crust")
    crust_name = names.crust(str(crust_code)) if crust_code else ""
    changes = tuple(
        c for c in item.get("changes") or [] if not c.endswith(_HALF_SUFFIXES) and not c.endswith(" CRUST")
    )
    return PizzaBuild(
        quantity=int(item.get("quantity", 1)),
        size=str(item["size"]).upper(),
        size_code=str(item["size"]),
        crust=crust_name.upper(),
        crust_code=crust_code,
        name=str(item.get("name", item.get("product", ""))),
        changes=changes,
        left=tuple(f"{_amount_prefix(p.amount)}{p.name}" for p in picks if p.placement == "left"),
        right=tuple(f"{_amount_prefix(p.amount)}{p.name}" for p in picks if p.placement == "right"),
        notes=str(item.get("notes") or ""),
        sauce=item.get("sauce"),
        sauce_amount=str(item.get("sauce_amount", "normal")),
        cheese=item.get("cheese"),
        cheese_amount=str(item.get("cheese_amount", "normal")),
        toppings=tuple(picks),
        care=item_care(item),
    )


def item_care(item: Mapping[str, Any]) -> tuple[str, ...]:
    """A stored line's allergy and care flags as the kitchen reads them."""
    care = item.get("care") or []
    if not care:
        return ()
    return tuple(line_labels(care, item.get("allergens") or []))


_STATION_ITEMS = "SELECT item FROM order_line WHERE order_id = ? AND station = ? ORDER BY line_no"
_item = rows.read(OrderLine.item)


def ticket_care(session: Session, order_id: str, station: str) -> list[str]:
    """The allergy and care flags on `order_id`'s lines made at `station`, once each (read as
    plain rows: every bump of a ticket asks)."""
    session.flush()
    found: list[str] = []
    for (item,) in rows.fetch_all(session, _STATION_ITEMS, (order_id, station)):
        found.extend(item_care(_item(item)))
    return list(dict.fromkeys(found))


def other_item(item: Mapping[str, Any]) -> OtherItem:
    return OtherItem(
        quantity=int(item.get("quantity", 1)),
        size=str(item.get("size_name") or ""),
        name=str(item.get("name", "")),
        notes=str(item.get("notes") or ""),
        care=item_care(item),
    )


def open_ticket_ids(session: Session, station: str) -> list[tuple[str, int]]:
    """(ticket id, recalls) of the station's open tickets, oldest first. Uses the open-ticket index."""
    rows = session.execute(
        select(KitchenTicket.id, KitchenTicket.recalls)
        .where(KitchenTicket.station == station, KitchenTicket.bumped_at.is_(None))
        .order_by(KitchenTicket.created_at, KitchenTicket.id)
    ).all()
    return [(str(i), int(r)) for i, r in rows]


def open_tickets(session: Session, station: str, known: Mapping[str, Ticket] | None = None) -> list[Ticket]:
    """The station's open tickets, oldest first.

    Tickets already in `known` (with the same recall count) are reused as they
    are: a ticket's lines never change, so only new tickets are read in full.
    """
    known = known or {}
    ids = open_ticket_ids(session, station)
    missing = [i for i, recalls in ids if i not in known or known[i].recalls != recalls]
    loaded = {t.id: t for t in load_tickets(session, missing)} if missing else {}
    return [loaded.get(i) or known[i] for i, _ in ids]


def load_tickets(session: Session, ticket_ids: Iterable[str]) -> list[Ticket]:
    wanted = list(ticket_ids)
    if not wanted:
        return []
    rows = session.execute(
        select(KitchenTicket, Order)
        .join(Order, Order.id == KitchenTicket.order_id)
        .where(KitchenTicket.id.in_(wanted))
    ).all()
    by_order: dict[tuple[str, str], list[dict[str, Any]]] = {}
    order_ids = {order.id for _, order in rows}
    for line in session.scalars(
        select(OrderLine).where(OrderLine.order_id.in_(order_ids)).order_by(OrderLine.line_no)
    ):
        by_order.setdefault((line.order_id, line.station), []).append(dict(line.item))
    names = menu_names(session)
    tickets = []
    for ticket, order in rows:
        items = by_order.get((order.id, ticket.station), [])
        tickets.append(
            Ticket(
                id=ticket.id,
                order_id=order.id,
                station=ticket.station,
                number=order.number,
                service=order.service,
                channel=order.channel,
                customer_name=order.customer_name,
                placed_at=order.fired_at or order.placed_at,  # an order for later: since it fired
                created_at=ticket.created_at,
                promise_at=order.promise_at,
                recalls=ticket.recalls,
                notes=order.notes,
                pizzas=tuple(pizza_build(i, names) for i in items if i.get("kind") == "pizza"),
                others=tuple(other_item(i) for i in items if i.get("kind") != "pizza"),
                remake=ticket.remake_reason,
            )
        )
    order_of = {tid: n for n, tid in enumerate(wanted)}
    return sorted(tickets, key=lambda t: order_of[t.id])


def last_bumped(session: Session, station: str) -> BumpedTicket | None:
    """The station's most recently bumped ticket that may come back (not voided)."""
    row = session.execute(
        select(KitchenTicket.id, Order.number, KitchenTicket.bumped_at)
        .join(Order, Order.id == KitchenTicket.order_id)
        .where(
            KitchenTicket.station == station,
            KitchenTicket.bumped_at.is_not(None),
            KitchenTicket.note != "voided",
            Order.stage != "voided",
        )
        .order_by(KitchenTicket.bumped_at.desc(), KitchenTicket.id.desc())
        .limit(1)
    ).first()
    if row is None or row[2] is None:
        return None
    return BumpedTicket(id=str(row[0]), number=int(row[1]), bumped_at=row[2])


def sides_station_on(session: Session) -> bool:
    """Whether this store makes sides on a sides screen (else the cut table bags them)."""
    return bool(session.scalar(select(Store.sides_station)))
