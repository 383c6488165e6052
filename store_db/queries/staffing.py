"""The store's figures for staffing (`makeline.dispatch.staffing`): the next hour's driver load
as the dispatch board shows it, and the day's driver-hours needed against worked per shift,
as the manager screen shows them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from makeline.dispatch.runs import PlanRequest
from makeline.dispatch.staffing import (
    DEFAULT_TRIP_S,
    RECENT_S,
    Load,
    Outlook,
    ShiftHours,
    Span,
    day_parts,
    outlook,
    shift_hours,
)
from makeline.dispatch.travel import LatLon
from makeline.trade.business_day import business_date, day_bounds
from makeline.trade.lifecycle import Stage
from store_db.models import DeliveryRun, Order, RunStop, Shift, Staff, Store
from store_db.queries.dispatch_board import Board

RUNS_LOOKED_BACK = timedelta(hours=2)  # "lately", for the orders a run carries
DOOR_S = PlanRequest.service_s  # the planner's time at a door


def read_load(session: Session, board: Board) -> Load:
    """The board's orders and drivers as the staffing rule reads them, at the board's moment."""
    at = board.at
    travel = board.travel()
    store = LatLon(board.store_lat, board.store_lon)
    doors = [LatLon(o.lat, o.lon) for o in board.orders if o.lat is not None and o.lon is not None]
    unmapped = len(board.orders) - len(doors)
    trips = []
    for door in doors:  # there and back only: no matrix between the doors
        seconds = travel.matrix([store, door])
        trips.append(seconds[0][1] + seconds[1][0])
    typical = round(sum(trips) / len(trips)) if trips else DEFAULT_TRIP_S
    trips += [typical] * unmapped  # an address with no map position still needs a driver
    since = at - RUNS_LOOKED_BACK
    runs, stops = session.execute(
        select(func.count(func.distinct(DeliveryRun.id)), func.count(RunStop.id))
        .join(RunStop, RunStop.run_id == DeliveryRun.id)
        .where(DeliveryRun.dispatched_at >= since, DeliveryRun.dispatched_at <= at)
    ).one()
    recent = session.scalar(
        select(func.count(Order.id)).where(
            Order.service == "delivery",
            Order.stage != Stage.VOIDED.value,
            Order.placed_at > at - timedelta(seconds=RECENT_S),
            Order.placed_at <= at,
        )
    )
    return Load(
        trips_s=tuple(trips),
        door_s=DOOR_S,
        orders_per_run=max(1.0, stops / runs) if runs else 1.0,
        recent_orders=int(recent or 0),
        drivers_in=len(board.drivers_in),
        back_in_s=tuple(max(0, int((d.expected_return_at - at).total_seconds())) for d in board.drivers_out),
        typical_trip_s=typical,
    )


def read_outlook(session: Session, board: Board) -> Outlook:
    return outlook(read_load(session, board))


def todays_driver_hours(session: Session, at: datetime) -> list[ShiftHours]:
    """Per shift of the business day of `at`: driver-hours on runs against on the clock; a run
    still out counts to its expected return or `at`, whichever is later, a shift still open to `at`."""
    store = session.scalars(select(Store)).one()
    day = business_date(at, store.timezone, store.day_starts_hour)
    start, end = day_bounds(day, store.timezone, store.day_starts_hour)
    runs = [
        Span(dispatched, returned or min(max(expected, at), end))
        for dispatched, expected, returned in session.execute(
            select(DeliveryRun.dispatched_at, DeliveryRun.expected_return_at, DeliveryRun.returned_at).where(
                DeliveryRun.dispatched_at >= start, DeliveryRun.dispatched_at < end
            )
        )
    ]
    shifts = [
        Span(clock_in, clock_out or max(clock_in, min(at, end)))
        for clock_in, clock_out in session.execute(
            select(Shift.clock_in_at, Shift.clock_out_at)
            .join(Staff, Staff.id == Shift.staff_id)
            .where(Staff.role == "driver", Shift.clock_in_at < end)
            .where((Shift.clock_out_at.is_(None)) | (Shift.clock_out_at > start))
        )
    ]
    return shift_hours(day_parts(day, store.timezone, store.day_starts_hour), runs, shifts)
