"""Delivery runs: dispatching orders with a driver, marking stops, and checking the run in.

A run takes 1 to the store's hot-bag capacity of ready delivery orders, in stop
order. Dispatching moves each order out the door, queues the run sheet and
tells the cloud (which texts each customer "on the way with Sam"). Checkout
closes the run when every stop is marked and the cash adds up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from makeline.dispatch.travel import GreatCircleTravel, LatLon
from makeline.trade.integrity import IntegrityFlag, quick_delivery
from makeline.trade.lifecycle import Stage
from store_db.errors import BadInput, IllegalTransition, NotFound
from store_db.models import DeliveryRun, Order, RunStop, Staff, Store
from store_db.services import drivers, lifecycle, outbox, printing
from sync.contract.events import ClosedStop, DispatchedStop, RunClosed, RunDispatched, RunNotDelivered


@dataclass(frozen=True)
class PlannedStop:
    order_id: str
    eta_at: datetime | None = None


def _money(cents: int) -> str:
    return f"${cents / 100:.2f}"


def amount_due(order: Order) -> int:
    """Cash to collect at the door: the whole total unless it was paid already."""
    return 0 if order.payment == "paid" else order.total


def dispatch(
    session: Session,
    driver: Staff,
    stops: list[PlannedStop],
    at: datetime,
    *,
    distance_m: int = 0,
    drive_s: int = 0,
    dispatched_by: str | None = None,
) -> DeliveryRun:
    store = session.scalars(select(Store)).one()
    if driver.role != "driver":
        raise BadInput(f"{driver.name} is not a driver.")
    shift = drivers.open_shift(session, driver.id)
    if shift is None:
        raise BadInput(f"{driver.name} is not clocked in; clock in with the driver's PIN first.")
    if shift.out_on_run:
        raise BadInput(f"{driver.name} is already out on a run; check that run in before sending another.")
    if not stops:
        raise BadInput("A run needs at least one order.")
    if len(stops) > store.hot_bag_capacity:
        raise BadInput(
            f"A run takes at most {store.hot_bag_capacity} orders (the hot-bag capacity); this one has "
            f"{len(stops)}."
        )
    if len({s.order_id for s in stops}) != len(stops):
        raise BadInput("The same order is on this run twice.")
    orders: list[Order] = []
    for stop in stops:
        order = session.get(Order, stop.order_id)
        if order is None:
            raise NotFound(f"There is no order {stop.order_id}.")
        if order.service != "delivery":
            raise BadInput(f"Order #{order.number} is carryout; it does not go on a run.")
        if order.stage != Stage.READY.value:
            raise IllegalTransition(
                f"Order #{order.number} is {order.stage.replace('_', ' ')}, not ready on the rack."
            )
        orders.append(order)
    last_eta = max((s.eta_at for s in stops if s.eta_at), default=None)
    back = (
        last_eta + timedelta(seconds=drive_s // 2) if last_eta else at + timedelta(seconds=max(drive_s, 900))
    )
    run = DeliveryRun(
        driver_id=driver.id,
        shift_id=shift.id,
        status="out",
        dispatched_at=at,
        expected_return_at=back,
        distance_m=distance_m,
        drive_s=drive_s,
        cash_due=sum(amount_due(o) for o in orders),
        cash_collected=0,
        tips=0,
        mileage_cents=0,
        dispatched_by=dispatched_by,
        note="",
    )
    session.add(run)
    session.flush()
    for position, (stop, order) in enumerate(zip(stops, orders, strict=True), start=1):
        session.add(
            RunStop(
                run_id=run.id,
                order_id=order.id,
                position=position,
                eta_at=stop.eta_at,
                amount_due=amount_due(order),
                outcome="pending",
                reason="",
                collected=0,
                tip=0,
            )
        )
        lifecycle.advance(session, order.id, Stage.OUT_THE_DOOR, at, staff_id=driver.id)
    shift.out_on_run = True
    printing.enqueue(session, "run-sheet", run.id, at)
    outbox.emit(
        session,
        RunDispatched(
            run_id=run.id,
            driver_id=driver.id,
            driver=driver.name,
            at=at,
            expected_return_at=back,
            distance_m=distance_m,
            stops=[
                DispatchedStop(
                    order_id=o.id,
                    number=o.number,
                    cloud_order_id=o.cloud_order_id,
                    phone=o.phone,
                    eta_at=s.eta_at,
                )
                for s, o in zip(stops, orders, strict=True)
            ],
        ),
        run.id,
        at,
    )
    return run


def open_run(session: Session, driver_id: str) -> DeliveryRun | None:
    return session.scalars(
        select(DeliveryRun).where(DeliveryRun.driver_id == driver_id, DeliveryRun.status == "out")
    ).first()


def run_stops(session: Session, run_id: str) -> list[RunStop]:
    return list(session.scalars(select(RunStop).where(RunStop.run_id == run_id).order_by(RunStop.position)))


def direct_drive_s(session: Session, order: Order) -> int | None:
    """The store's travel estimate straight from the store to the order's door (seconds);
    None for an address with no map position."""
    if order.lat is None or order.lon is None:
        return None
    store = session.scalars(select(Store)).one()
    travel = GreatCircleTravel(store.avg_speed_kmh, store.road_factor)
    return travel.matrix([LatLon(store.lat, store.lon), LatLon(order.lat, order.lon)])[0][1]


def mark_stop(
    session: Session,
    run_id: str,
    order_id: str,
    delivered: bool,
    at: datetime,
    *,
    collected: int = 0,
    tip: int = 0,
    reason: str = "",
) -> RunStop:
    """Record one door: delivered (cash taken, tip) or not delivered, with a reason. A door
    marked sooner than the drive to it could take is flagged (`RunStop.quick`) and the flag
    travels with the delivery's stage event."""
    stop = session.scalars(
        select(RunStop).where(RunStop.run_id == run_id, RunStop.order_id == order_id)
    ).first()
    if stop is None:
        raise NotFound("That order is not on this run.")
    order = session.get(Order, order_id)
    assert order is not None
    if stop.outcome != "pending":
        raise BadInput(f"Order #{order.number} is already marked {stop.outcome.replace('_', ' ')}.")
    if collected < 0 or tip < 0:
        raise BadInput("Cash and tips cannot be negative.")
    if delivered:
        if collected < stop.amount_due:
            raise BadInput(
                f"Order #{order.number} is {_money(stop.amount_due)} due; {_money(collected)} is short. "
                "Enter the cash taken at the door."
            )
        stop.collected = collected
        stop.tip = tip or max(0, collected - stop.amount_due)
        stop.outcome = "delivered"
        stop.quick = quick_delivery(order.out_the_door_at, at, direct_drive_s(session, order))
        flags = [IntegrityFlag.QUICK_DELIVERY] if stop.quick else []
        lifecycle.advance(session, order_id, Stage.DELIVERED, at, flags=flags)
    else:
        if not reason.strip():
            raise BadInput(f"Say why order #{order.number} was not delivered (e.g. nobody home).")
        stop.outcome, stop.reason = "not_delivered", reason.strip()
        outbox.emit(
            session,
            RunNotDelivered(order_id=order_id, number=order.number, run_id=run_id, reason=stop.reason, at=at),
            order_id,
            at,
        )
    stop.done_at = at
    return stop


def checkout(session: Session, run_id: str, cash_in_hand: int, at: datetime) -> DeliveryRun:
    """Close a run on the driver's return: every stop marked, the cash counted matches."""
    run = session.get(DeliveryRun, run_id)
    if run is None:
        raise NotFound(f"There is no run {run_id}.")
    if run.status != "out":
        raise BadInput("That run is already checked in.")
    stops = run_stops(session, run_id)
    pending = [s for s in stops if s.outcome == "pending"]
    if pending:
        numbers = ", ".join(
            f"#{o.number}"
            for o in session.scalars(select(Order).where(Order.id.in_([s.order_id for s in pending])))
        )
        raise BadInput(f"Mark {numbers} delivered or not delivered before checking the run in.")
    collected = sum(s.collected for s in stops)
    if cash_in_hand != collected:
        raise BadInput(
            f"The driver has {_money(cash_in_hand)} but the stops add up to {_money(collected)}; "
            "recount, or correct the stop that is wrong."
        )
    store = session.scalars(select(Store)).one()
    run.status, run.returned_at = "closed", max(at, run.dispatched_at)
    run.cash_collected = collected
    run.tips = sum(s.tip for s in stops)
    run.mileage_cents = round(run.distance_m / 1000 * store.mileage_cents_per_km)
    shift = drivers.open_shift(session, run.driver_id)
    if shift is not None:
        shift.out_on_run = False
    outbox.emit(
        session,
        RunClosed(
            run_id=run.id,
            driver_id=run.driver_id,
            returned_at=run.returned_at,
            dispatched_at=run.dispatched_at,
            distance_m=run.distance_m,
            cash_due=run.cash_due,
            cash_collected=collected,
            tips=run.tips,
            mileage_cents=run.mileage_cents,
            stops=[
                ClosedStop(
                    order_id=s.order_id,
                    outcome=s.outcome,
                    reason=s.reason,
                    collected=s.collected,
                    tip=s.tip,
                )
                for s in stops
            ],
        ),
        run.id,
        at,
    )
    return run


def deliver_in_full(session: Session, run_id: str, order_id: str, at: datetime) -> RunStop:
    """`mark_stop`: delivered, with exactly the amount due taken at the door (no tip)."""
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound(f"There is no order {order_id}.")
    return mark_stop(session, run_id, order_id, True, at, collected=amount_due(order))


def checkout_as_collected(session: Session, run_id: str, at: datetime) -> DeliveryRun:
    """`checkout` with exactly the cash the run's stops recorded as collected."""
    return checkout(session, run_id, sum(s.collected for s in run_stops(session, run_id)), at)
