"""Sending runs from the dispatch board: a suggested run accepted (one, or every run
leaving now), or a run made by hand; and the run's return as people name things (a door
marked by order number, a driver checked in by name).

Runs go out through `store_db.services.runs.dispatch`, which refuses a driver already
out or an order not ready before anything is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from makeline.dispatch import PlanError
from makeline.dispatch.travel import TravelTimes
from store_db.dispatch.planning import SuggestedRun, hand_run
from store_db.errors import BadInput, NotFound
from store_db.models import DeliveryRun, Order, RunStop, Staff
from store_db.queries.dispatch_board import find_order
from store_db.services import runs as run_service
from store_db.services.staff import find_staff


def accept(
    session: Session, run: SuggestedRun, at: datetime, dispatched_by: str | None = None
) -> DeliveryRun:
    """Dispatch a suggested run: its orders go out the door with its driver.

    Accepted later than planned, every ETA moves by the delay. The services refuse a
    driver already out or an order not ready, and nothing is written then.
    """
    driver = session.get(Staff, run.driver_id)
    if driver is None:
        raise NotFound(f"There is no driver {run.driver} in this store's database.")
    delay = max(timedelta(0), at - run.leave_at)
    return run_service.dispatch(
        session,
        driver,
        [run_service.PlannedStop(s.order_id, s.eta_at + delay if s.eta_at else None) for s in run.stops],
        at,
        distance_m=run.distance_m,
        drive_s=run.drive_s,
        dispatched_by=dispatched_by,
    )


def send(
    session: Session,
    driver: str,
    orders: Sequence[str],
    at: datetime,
    travel: TravelTimes | None = None,
    dispatched_by: str | None = None,
) -> DeliveryRun:
    """Dispatch by hand: `driver` takes `orders` in the order given, now."""
    if not orders:
        raise PlanError("Name the orders for the run, e.g. #1042 #1045.")
    return accept(session, hand_run(session, driver, orders, at, travel), at, dispatched_by)


def accept_all(
    session: Session, runs: Sequence[SuggestedRun], at: datetime, dispatched_by: str | None = None
) -> list[DeliveryRun]:
    """`accept` every run in `runs`, all or none."""
    return [accept(session, run, at, dispatched_by) for run in runs]


def deliver(
    session: Session,
    order: str,
    delivered: bool,
    at: datetime,
    *,
    collected: int = 0,
    tip: int = 0,
    reason: str = "",
) -> Order:
    """Mark the stop of `order` (label, number or id) on the run that is out with it
    (`runs.mark_stop`); returns the order."""
    found = find_order(session, order, at)
    run = session.scalars(
        select(DeliveryRun)
        .join(RunStop, RunStop.run_id == DeliveryRun.id)
        .where(RunStop.order_id == found.id, DeliveryRun.status == "out")
    ).first()
    if run is None:
        raise NotFound(f"Order {found.label} is not on a run that is out.")
    run_service.mark_stop(
        session, run.id, found.id, delivered, at, collected=collected, tip=tip, reason=reason
    )
    return found


def check_in(session: Session, driver: str, cash: int, at: datetime) -> tuple[Staff, DeliveryRun]:
    """`driver` (name or id) is back with `cash` in hand: their open run is checked in
    (`runs.checkout`). Returns the driver and the closed run."""
    staff = find_staff(session, driver)
    run = run_service.open_run(session, staff.id)
    if run is None:
        raise BadInput(f"{staff.name} is not out on a run; there is nothing to check in.")
    return staff, run_service.checkout(session, run.id, cash, at)
