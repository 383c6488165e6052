"""Which business days of a store a batch of its events touched, so the reports'
aggregates of those days (and only those) are recomputed (`reports.refresh`).

Each event is read with the wire contract; one that does not parse touched nothing (it was
set aside). Orders are looked up after the batch is applied, so a day is the order's own.
An online order the store takes may move to the store's business day: the days either side
are recomputed too, so the day the cloud had booked it on lets it go.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloud_api.db import plain
from cloud_api.db.records import any_of
from cloud_api.models import DeliveryRun, Order, Store
from cloud_api.reports.refresh import defer_days, due_days, note_days
from cloud_api.store_events.schemas import StoreEventLike
from makeline.trade.business_day import business_date
from sync.contract import ContractError, parse_event
from sync.contract.events import (
    CancelAnswer,
    DriverCashOut,
    FeedRefused,
    OrderPlaced,
    OrderStaged,
    OrderVoided,
    RunClosed,
    RunDispatched,
    StockCounted,
    StockReceived,
    StockUsage,
    StockWaste,
)


class Touched:
    """What a batch names: business days, order references and moments."""

    def __init__(self) -> None:
        self.days: set[date] = set()
        self.orders: set[str] = set()
        self.runs: set[str] = set()
        self.moments: set[datetime] = set()

    def read(self, body: object) -> None:
        if isinstance(body, OrderPlaced):
            self.days.add(body.business_date)
            if body.cloud_order_id:
                self.days.update(body.business_date + timedelta(days=d) for d in (-1, 1))
        elif isinstance(body, OrderStaged | OrderVoided):
            self.orders.add(body.order_id)
        elif isinstance(body, CancelAnswer | FeedRefused):
            self.orders.update(filter(None, [body.cloud_order_id]))
        elif isinstance(body, RunDispatched):
            self.moments.add(body.at)
            self.orders.update(s.order_id for s in body.stops)
        elif isinstance(body, RunClosed):
            self.moments.add(body.dispatched_at)
            self.runs.add(body.run_id)
            self.orders.update(s.order_id for s in body.stops)
        elif isinstance(body, DriverCashOut):
            self.moments.add(body.shift_start)
        elif isinstance(body, StockCounted | StockReceived | StockWaste | StockUsage):
            self.moments.add(body.at)


def days_touched(session: Session, store_id: str, events: Iterable[StoreEventLike]) -> set[date]:
    bodies = []
    for event in events:
        try:
            bodies.append(parse_event(event.kind, event.payload))
        except ContractError:
            continue
    return days_named(session, store_id, bodies)


def days_named(session: Session, store_id: str, bodies: Iterable[object]) -> set[date]:
    """The business days these events (already read with the wire contract) touched."""
    found = Touched()
    for body in bodies:
        found.read(body)
    days = set(found.days)
    if found.orders:
        names = sorted(found.orders)
        days.update(
            day for (day,) in plain.fetch_all(session, _ORDERS_DAYS, (store_id, names, names), flush=True)
        )
    moments = set(found.moments)
    if found.runs:
        moments.update(
            session.scalars(
                select(DeliveryRun.dispatched_at).where(
                    DeliveryRun.store_id == store_id, DeliveryRun.id == any_of(found.runs)
                )
            )
        )
    if moments:
        ((timezone, starts),) = plain.fetch_all(session, _STORE_DAY, (store_id,), flush=True)
        days.update(business_date(at, timezone, starts) for at in moments)
    return days


# Pre-written: every chunk of a store's events asks them (`cloud_api.db.plain`).
_ORDERS_DAYS = "SELECT DISTINCT business_date FROM orders WHERE store_id = %s AND (id = ANY(%s) OR store_order_id = ANY(%s))"
_STORE_DAY = "SELECT timezone, day_starts_hour FROM store WHERE id = %s"


def note_events(session: Session, store_id: str, events: Iterable[StoreEventLike]) -> None:
    """A batch of the store's events was applied: its reports' days are recomputed at commit."""
    note_days(session, store_id, days_touched(session, store_id, events))


def note_bodies(session: Session, store_id: str, bodies: Iterable[object], drained: bool = True) -> None:
    """As `note_events`, for events already read with the wire contract. With more of the
    store's backlog still waiting (`drained=False`) the days are noted as due instead, and the
    chunk that empties the backlog recomputes them with its own."""
    days = days_named(session, store_id, bodies)
    if drained:
        note_days(session, store_id, days | due_days(session, store_id))
    else:
        defer_days(session, store_id, days)


def note_run(session: Session, run: DeliveryRun) -> None:
    """A run changed outside the store's events (`POST|PUT /deliveries`, the demo kitchen): the
    day it left and the days of its orders are recomputed at commit."""
    store = session.execute(
        select(Store.timezone, Store.day_starts_hour).where(Store.id == run.store_id)
    ).one()
    days = {business_date(run.dispatched_at, store.timezone, store.day_starts_hour)}
    session.flush()
    days.update(
        session.scalars(
            select(Order.business_date)
            .where(Order.store_id == run.store_id, Order.run_id == run.id)
            .distinct()
        )
    )
    note_days(session, run.store_id, days)
