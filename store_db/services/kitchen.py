"""Kitchen tickets per station, bumped and recalled, and when an order's stations are done.

A pizza's path is its own: bumping the make-line ticket makes the order (it goes
into the oven at once), whatever the sides station is doing. The order is ready
when every station is done: the pizzas cut and boxed at the cut table
(`store_db.services.cut_table`) and every other ticket bumped. An order with no
pizza is ready when its last ticket is bumped. A store without a sides screen
(`Store.sides_station` off) makes no sides ticket: sides are bagged at the cut
table with the order's boxes.
"""

from __future__ import annotations

from collections.abc import Set
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from makeline.trade.care import ack_name
from makeline.trade.integrity import EARLY_BUMP_S, IntegrityFlag, bump_flags
from makeline.trade.lifecycle import Stage
from makeline.trade.menu import Station
from store_db.errors import CareNotAcknowledged, IllegalTransition, NotFound
from store_db.models import KitchenTicket, Order, Staff, Store
from store_db.queries.kitchen import BumpedTicket, last_bumped, ticket_care
from store_db.services import integrity, lifecycle
from store_db.services import staff as staff_service
from store_db.services.store_settings import AnyStore
from sync.contract.events import CareAck

SUSPICIOUS_BUMP_S = EARLY_BUMP_S  # nobody makes a pizza in five seconds


def ticket_stations(store: AnyStore, stations: Set[Station]) -> list[str]:
    """The stations that get a ticket for an order with lines at `stations`."""
    wanted = {Station.MAKELINE} & stations
    if store.sides_station and Station.SIDES in stations:
        wanted.add(Station.SIDES)
    return sorted(s.value for s in wanted)


def start_without_tickets(session: Session, order_id: str, stations: Set[Station], at: datetime) -> Order:
    """An order no station makes: sides (no sides screen) wait at the cut table to be bagged;
    drinks alone are on the rack the moment they are rung up."""
    last = Stage.BAKED if Station.SIDES in stations else Stage.READY
    for stage in (Stage.MADE, Stage.BAKED, Stage.READY):
        order = lifecycle.advance(session, order_id, stage, at)
        if stage is last:
            break
    return order


def set_sides_station(session: Session, on: bool, at: datetime, by: Staff | None = None) -> Store:
    """Turn the sides screen on or off for orders placed from now on."""
    if by is not None:
        staff_service.require_approver(by)
    store = session.scalars(select(Store)).one()
    store.sides_station = on
    staff_service.audit(
        session,
        at,
        "setting",
        f"sides screen {'on' if on else 'off: sides are bagged at the cut table'}",
        by.id if by else None,
    )
    return store


def set_sides_station_by(session: Session, on: bool, at: datetime, staff_id: str) -> Store:
    """`set_sides_station`, asked by the member with id `staff_id` (from their screen)."""
    return set_sides_station(session, on, at, session.get(Staff, staff_id))


def stations_done(session: Session, order: Order) -> bool:
    """Every ticket bumped, and the pizzas boxed if the order has any (and passed, in a store
    with a quality check at the cut table: `store_db.services.quality_check`)."""
    tickets = session.execute(
        select(KitchenTicket.station, KitchenTicket.bumped_at).where(KitchenTicket.order_id == order.id)
    ).all()
    if any(bumped is None for _, bumped in tickets):
        return False
    if not any(station == Station.MAKELINE.value for station, _ in tickets):
        return True
    if order.boxed_at is None:
        return False
    return order.checked_at is not None or not session.scalars(select(Store.quality_check)).one()


def _remade(ticket: KitchenTicket, order: Order) -> None:
    """A pizza the quality check sent back was made again: it goes through the oven, to be
    boxed and checked again."""
    ticket.remake_reason = None
    order.remade_at = ticket.bumped_at
    order.boxed_at = order.checked_at = order.checked_by = None


def finish_if_done(session: Session, order: Order, at: datetime, staff_id: str | None = None) -> bool:
    """Put the order on the rack when its last station is done; True if it went."""
    if order.stage != Stage.BAKED.value or not stations_done(session, order):
        return False
    lifecycle.advance(session, order.id, Stage.READY, at, staff_id=staff_id)
    return True


def _acknowledge(
    session: Session, ticket: KitchenTicket, order: Order, at: datetime, ack_by: str | None
) -> CareAck | None:
    """A flagged ticket's bump needs who read its flags; recorded on the ticket, sent with the bump."""
    labels = ticket_care(session, ticket.order_id, ticket.station)
    if not labels:
        return None
    if ack_by is None:
        raise CareNotAcknowledged(
            f"Order #{order.number} has allergy or special-care flags ({'; '.join(labels)}). "
            "Read them, then confirm who checked the ticket to bump it."
        )
    ticket.care_ack_by = ack_name(ack_by)
    ticket.care_ack_at = at
    return CareAck(by=ticket.care_ack_by, at=at, flags=labels)


def bump(
    session: Session,
    ticket_id: str,
    at: datetime,
    staff_id: str | None = None,
    ack_by: str | None = None,
) -> KitchenTicket:
    """Bump a ticket off its station's screen. A ticket with allergy or care flags needs
    `ack_by` (the name or initials of who read them) or is refused with `CareNotAcknowledged`."""
    ticket = session.get(KitchenTicket, ticket_id)
    if ticket is None:
        raise NotFound(f"There is no kitchen ticket {ticket_id}.")
    if ticket.bumped_at is not None:
        raise IllegalTransition("That ticket was already bumped from another screen.")
    order = session.get(Order, ticket.order_id)
    assert order is not None
    bumped_at = max(at, ticket.created_at)
    care_ack = _acknowledge(session, ticket, order, bumped_at, ack_by)
    ticket.bumped_at = bumped_at
    flags = bump_flags(ticket.created_at, bumped_at, ticket.recalls)
    ticket.suspicious = IntegrityFlag.EARLY_BUMP in flags
    session.flush()
    if ticket.station == Station.MAKELINE.value:
        if ticket.remake_reason is not None:
            _remade(ticket, order)
        if order.stage == Stage.PLACED.value:
            lifecycle.advance(
                session,
                order.id,
                Stage.MADE,
                ticket.bumped_at,
                staff_id=staff_id,
                care_ack=care_ack,
                flags=flags,
            )
    elif order.stage == Stage.PLACED.value and stations_done(session, order):
        has_pizza = session.scalar(
            select(KitchenTicket.id).where(
                KitchenTicket.order_id == order.id, KitchenTicket.station == Station.MAKELINE.value
            )
        )
        if not has_pizza:
            # Sides alone: the station that made them hands them straight to the rack.
            for stage in (Stage.MADE, Stage.BAKED):
                lifecycle.advance(
                    session,
                    order.id,
                    stage,
                    ticket.bumped_at,
                    staff_id=staff_id,
                    care_ack=care_ack,
                    flags=flags if stage is Stage.MADE else (),
                )
    # A recalled make-line ticket bumped again may be the last thing a boxed order waited for.
    finish_if_done(session, order, ticket.bumped_at, staff_id)
    return ticket


def recall(session: Session, ticket_id: str, at: datetime | None = None) -> KitchenTicket:
    """Put a bumped ticket back on the screen. The order's stage stays where it is.

    The recall that makes the order's recalls repeated, counted over every screen
    (`store_db.services.integrity`), flags the order once, with an `order.flagged` event at
    `at` (the ticket's last bump if not given)."""
    ticket = session.get(KitchenTicket, ticket_id)
    if ticket is None:
        raise NotFound(f"There is no kitchen ticket {ticket_id}.")
    if ticket.bumped_at is None:
        raise IllegalTransition("That ticket is still on the screen; there is nothing to recall.")
    if ticket.note == "voided":
        raise IllegalTransition("That order was voided; it cannot come back to the make line.")
    flagged_at = at or ticket.bumped_at
    ticket.bumped_at = None
    order = session.get(Order, ticket.order_id)
    assert order is not None
    integrity.count_recall(session, order, flagged_at, ticket)
    return ticket


def recall_last(session: Session, station: str, at: datetime | None = None) -> BumpedTicket | None:
    """Put `station`'s most recently bumped ticket back on its screen; None when none may come back."""
    last = last_bumped(session, station)
    if last is not None:
        recall(session, last.id, at)
    return last


def bump_order(session: Session, order_id: str, at: datetime, ack_by: str | None = None) -> Order:
    """Bump every ticket of `order_id` still on a screen, and the order is made (as when its
    last ticket is bumped); an order already made stays as it is. A flagged ticket needs
    `ack_by`, as on the screen."""
    tickets = session.scalars(
        select(KitchenTicket).where(KitchenTicket.order_id == order_id, KitchenTicket.bumped_at.is_(None))
    ).all()
    for ticket in tickets:
        bump(session, ticket.id, at, ack_by=ack_by)
    return lifecycle.advance(session, order_id, Stage.MADE, at, already_ok=True)
