"""Today's open orders and the drivers' open runs, written back as the cloud knew them:
each order in its real stage with its stage stamps, its kitchen tickets bumped where the
order is past that station, and no print job (their tickets printed before the computer
died). Part of `restore.restore`, in its transaction."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from makeline.trade.lifecycle import Stage
from makeline.trade.menu import Station
from store_db.models import (
    Customer,
    DayCounter,
    DeliveryRun,
    KitchenTicket,
    Order,
    RunStop,
    Shift,
    Staff,
    Store,
    Tender,
    new_id,
)
from store_db.services import kitchen
from store_db.services.orders import order_lines
from store_db.services.runs import amount_due
from sync.contract.snapshot import SnapshotOrder, SnapshotRun

_ON_THE_RACK = (Stage.READY, Stage.OUT_THE_DOOR)
RUN_RETURN = timedelta(minutes=15)  # when a restored run is expected back, past its last stop


def _bumped(station: str, order: SnapshotOrder) -> datetime | None:
    """When the station's ticket was bumped, as far as the order's stage tells."""
    if station == Station.MAKELINE.value and order.stage is not Stage.PLACED:
        return order.made_at or order.placed_at
    if order.stage in _ON_THE_RACK:
        return order.ready_at or order.baked_at or order.placed_at
    return None


def _order(o: SnapshotOrder, customers: dict[str, Customer]) -> Order:
    customer = customers.get(o.phone) if o.phone else None
    ready = o.ready_at if o.stage in _ON_THE_RACK else None
    return Order(
        id=o.id,
        business_date=o.business_date,
        number=o.number,
        channel=o.channel.value,
        service=o.service.value,
        stage=o.stage.value,
        customer_id=customer.id if customer else None,
        customer_name=o.customer_name,
        phone=o.phone,
        address=o.address,
        address_note="",
        lat=o.lat,
        lon=o.lon,
        notes=o.notes,
        menu_version=o.menu_version,
        coupon=o.coupon,
        subtotal=o.subtotal,
        discount=o.discount,
        tax=o.tax,
        tip=o.tip,
        total=o.total,
        payment="refunded" if o.payment == "refund_pending" else o.payment,
        promise_at=o.promise_at or o.placed_at + timedelta(minutes=30),
        placed_at=o.placed_at,
        made_at=o.made_at,
        baked_at=o.baked_at,
        ready_at=ready,
        boxed_at=ready,
        out_the_door_at=o.out_the_door_at if o.stage is Stage.OUT_THE_DOOR else None,
        cloud_order_id=o.cloud_order_id,
        scheduled_for=o.scheduled_for,
        fired_at=o.fired_at,
    )


def write_orders(
    session: Session,
    store: Store,
    orders: list[SnapshotOrder],
    day_numbers: dict[date, int],
    customers: dict[str, Customer],
) -> list[Order]:
    """The open orders, their lines, online tenders and kitchen tickets; the day counters."""
    last: dict[date, int] = dict(day_numbers)
    written = []
    for o in orders:
        order = _order(o, customers)
        session.add(order)
        session.add_all(order_lines(order.id, list(o.items)))
        if o.cloud_order_id and o.payment == "paid":
            session.add(
                Tender(
                    id=new_id(),
                    order_id=order.id,
                    kind="online",
                    amount=o.total,
                    reference=o.cloud_order_id,
                    created_at=o.placed_at,
                )
            )
        held = o.scheduled_for is not None and o.fired_at is None and o.stage is Stage.PLACED
        for station in [] if held else kitchen.ticket_stations(store, {i.station for i in o.items}):
            session.add(
                KitchenTicket(
                    id=new_id(),
                    order_id=order.id,
                    station=station,
                    created_at=o.placed_at,
                    bumped_at=_bumped(station, o),
                    suspicious=False,
                    recalls=0,
                    note="",
                )
            )
        last[o.business_date] = max(last.get(o.business_date, 0), o.number)
        written.append(order)
    for day, number in last.items():
        session.add(DayCounter(business_date=day, last_number=number))
    session.flush()
    return written


def write_runs(
    session: Session,
    runs: list[SnapshotRun],
    orders: dict[str, Order],
    etas: dict[str, datetime | None],
    pin_hash: str,
) -> int:
    """Each driver out on a run: on an open shift, out on that run, its stops in order. A
    driver the cloud knew only from this run is added with `pin_hash` (no PIN anyone knows)."""
    written = 0
    for run in runs:
        stops = [orders[i] for i in run.order_ids if i in orders]
        if not stops:
            continue
        driver = session.get(Staff, run.driver_id)
        if driver is None:
            driver = Staff(
                id=run.driver_id, name=run.driver_name, role="driver", pin_hash=pin_hash, active=True
            )
            session.add(driver)
        shift = Shift(
            id=new_id(), staff_id=driver.id, clock_in_at=run.dispatched_at, out_on_run=True, starting_bank=0
        )
        session.add(shift)
        session.flush()
        due_back = [eta for o in stops if (eta := etas.get(o.id) or o.promise_at) is not None]
        session.add(
            DeliveryRun(
                id=run.id,
                driver_id=driver.id,
                shift_id=shift.id,
                status="out",
                dispatched_at=run.dispatched_at,
                expected_return_at=max([run.dispatched_at, *due_back]) + RUN_RETURN,
                cash_due=sum(amount_due(o) for o in stops),
                cash_collected=0,
                tips=0,
                mileage_cents=0,
                note="restored from the cloud",
            )
        )
        session.flush()
        for position, order in enumerate(stops, start=1):
            session.add(
                RunStop(
                    run_id=run.id,
                    order_id=order.id,
                    position=position,
                    eta_at=etas.get(order.id),
                    amount_due=amount_due(order),
                    outcome="pending",
                    reason="",
                    collected=0,
                    tip=0,
                )
            )
        written += 1
    session.flush()
    return written
