"""A realistic business day in a real store database, through the store's own services only:
an opening count, a supplier delivery, 150 simulated orders through their whole lives, voids
before and after the make line, a dispatch night planned on the board (one door not answered),
waste and a remake, driver cash-outs, and a closing count that sales run through.

Every write is stamped on one fixed business day in the store's zone, so the figures do not
depend on when the suite runs.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from makeline.demo.simulate import clock_in_drivers, simulate
from makeline.trade.lifecycle import Stage
from store_db.db import StoreDB
from store_db.dispatch.planning import suggest
from store_db.models import DeliveryRun, Order, OrderLine, Shift, Staff
from store_db.queries import stock_ledger as ledger
from store_db.services import cash_out, lifecycle, runs, waste
from store_db.services import stock_counts as counts
from store_db.services.dispatch import accept
from store_db.services.receiving import ReceiptLineIn, receive

ZONE = ZoneInfo("America/Chicago")
DAY = date(2026, 11, 6)  # a Friday
MANAGER, MANAGER_PIN, CREW = "Dana", "1234", "Alex"
SHRINK = {"mozzarella": Decimal(40), "pepperoni": Decimal("12.5"), "dough_lg": Decimal(3)}  # base units


def local(hour: int, minute: int = 0) -> datetime:
    return datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=ZONE)


@dataclass(frozen=True)
class StoreDay:
    day: date
    orders: int
    runs: int
    not_delivered: int
    voids: int


def _staff(db: StoreDB, name: str) -> Staff:
    with db.read() as session:
        return session.scalars(select(Staff).where(Staff.name == name)).one()


def _simulate(db: StoreDB, orders: int, through: str, service: str, seed: int, last: datetime) -> list[str]:
    """Simulated orders whose last one is placed an hour before `last`; their ids, oldest first."""
    with db.read() as session:
        before = set(session.scalars(select(Order.id)))
    simulate(db, orders, io.StringIO(), through=through, service=service, seed=seed, clock=lambda: last)
    with db.read() as session:
        found = session.scalars(select(Order).order_by(Order.placed_at, Order.number)).all()
        return [o.id for o in found if o.id not in before]


def opening_count(db: StoreDB) -> None:
    with db.write() as session:
        items = {c: i for c, i in ledger.catalog(session).items() if i.active}
        # Twice the par level: a busy Friday does not run the shelves dry before the close.
        entries = [(c, str(max(2 * i.par, Decimal(4))), i.units.count_unit) for c, i in items.items()]
        counts.record_count(session, "full", entries, local(14), MANAGER)


def delivery_from_supplier(db: StoreDB) -> None:
    with db.write() as session:
        items = ledger.catalog(session, ["mozzarella", "dough_lg", "pepperoni", "pizza_sauce"])
        lines = [
            ReceiptLineIn(code, "2", None, 2 * (item.cost_cents_per_purchase + 137))
            for code, item in sorted(items.items())
        ]
        receive(session, lines, local(14, 30), "Sysco", "INV-1106", CREW)


def voids(db: StoreDB) -> int:
    """Two orders voided before they were made (nothing used), one after (its food is waste)."""
    unmade = _simulate(db, 4, "placed", "carryout", 12, local(20, 45))
    made = _simulate(db, 2, "made", "carryout", 13, local(20, 55))
    manager = _staff(db, MANAGER)
    with db.write() as session:
        lifecycle.void(session, unmade[0], "customer cancelled", manager, local(19, 58))
        lifecycle.void(session, unmade[2], "duplicate ticket", manager, local(19, 59))
        lifecycle.void(session, made[1], "wrong address", manager, local(20, 5))
    return 3


def dispatch_night(db: StoreDB) -> tuple[int, int]:
    """Ready delivery orders sent out on the board's suggested runs until none is left; every
    door answered but one. Returns (runs, orders not delivered)."""
    clock_in_drivers(db, 3, at=local(17))
    _simulate(db, 12, "ready", "delivery", 14, local(21, 15))
    now, sent, missed = local(21, 15), 0, 0
    for _ in range(20):
        with db.read() as session:
            waiting = session.scalars(
                select(Order.id).where(Order.service == "delivery", Order.stage == Stage.READY.value)
            ).all()
        if not waiting:
            return sent, missed
        suggestion = suggest(db, at=now, time_limit_ms=60)
        leaving = suggestion.leaving_now()
        back = now + timedelta(minutes=1)
        for run in leaving:
            late = max(timedelta(0), now - run.leave_at)  # accepted later than planned: ETAs move
            with db.write() as session:
                row = accept(session, run, now)
                sent += 1
                collected = 0
                for stop in run.stops:
                    assert stop.eta_at is not None
                    order = session.get(Order, stop.order_id)
                    assert order is not None
                    at_door = stop.eta_at + late
                    if missed == 0:
                        runs.mark_stop(session, row.id, order.id, False, at_door, reason="nobody home")
                        missed += 1
                        continue
                    due = runs.amount_due(order)
                    cash = due + 200 if due else 0  # cash at the door: the change is the tip
                    runs.mark_stop(session, row.id, order.id, True, at_door, collected=cash)
                    collected += cash
                runs.checkout(session, row.id, collected, run.return_at + late)
            back = max(back, run.return_at + late + timedelta(minutes=1))
        now = back
    raise AssertionError("the dispatch night never emptied the rack")


def waste_and_remake(db: StoreDB) -> None:
    with db.write() as session:
        waste.waste_item(session, "dough_md", "6 each", "expired", CREW, local(22))
        pizza = session.scalars(
            select(OrderLine)
            .join(Order, Order.id == OrderLine.order_id)
            .where(OrderLine.kind == "pizza", Order.stage == Stage.DELIVERED.value)
            .order_by(OrderLine.id)
        ).first()
        assert pizza is not None
        waste.remake(session, pizza.id, CREW, local(22, 5))


def cash_out_drivers(db: StoreDB) -> None:
    manager = _staff(db, MANAGER)
    with db.write() as session:
        drivers = session.scalars(
            select(Staff)
            .join(Shift, Shift.staff_id == Staff.id)
            .where(Staff.role == "driver", Shift.clock_out_at.is_(None))
            .order_by(Staff.name)
        ).all()
        for driver in drivers:
            cash_out.cash_out(session, driver, manager, local(23))


def closing_count(db: StoreDB) -> None:
    """A full count started at 23:30 while two more orders are made, counted at 23:50 (the
    lines roll back to the count's moment), with known shrinkage, finalised with a PIN."""
    with db.write() as session:
        count = counts.start_count(session, "full", local(23, 30), MANAGER)
    _simulate(db, 2, "made", "carryout", 15, local(23, 33) + timedelta(hours=1, minutes=1))
    counted_at = local(23, 50)
    with db.write() as session:
        items = {c: i for c, i in ledger.catalog(session).items() if i.active}
        books = ledger.on_hand(session, counted_at, list(items))
        for code, item in items.items():
            there = max(Decimal(0), books[code] - SHRINK.get(code, Decimal(0)))
            counts.set_line(session, count.id, code, f"{there} {item.units.base_unit}", counted_at, MANAGER)
    with db.write() as session:
        done = counts.finalise(session, count.id, MANAGER, MANAGER_PIN, local(23, 55))
    assert done.ok, done.message


def store_day(db: StoreDB) -> StoreDay:
    opening_count(db)
    delivery_from_supplier(db)
    simulate(db, 150, io.StringIO(), through="delivered", seed=11, clock=lambda: local(19, 30))
    voided = voids(db)
    sent, missed = dispatch_night(db)
    waste_and_remake(db)
    cash_out_drivers(db)
    closing_count(db)
    with db.read() as session:
        orders = len(session.scalars(select(Order.id).where(Order.business_date == DAY)).all())
        assert len(session.scalars(select(DeliveryRun.id)).all()) == sent
    assert sent >= 2 and missed == 1
    return StoreDay(DAY, orders, sent, missed, voided)
