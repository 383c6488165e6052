"""Delivery runs and driver shifts: one service for the store's synced events and the REST
calls, so the two can never disagree. `store_events` reads the store's `run.dispatched`,
`run.closed` and `driver.cash_out` (`store_db.services.runs`, `.cash_out`) into these calls.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from cloud_api.auth.principal import Principal, Role
from cloud_api.db.base import new_id
from cloud_api.deliveries import repository
from cloud_api.deliveries.schemas import DeliveryCreate, DeliveryPublic, DeliveryStatusUpdate
from cloud_api.errors import BadRequest, Conflict, not_yours
from cloud_api.models import DeliveryRun, DriverShift
from cloud_api.orders import progress
from cloud_api.orders.repository import by_store_reference
from cloud_api.reports.touched import note_run
from makeline.trade.lifecycle import Stage

_STEPS = {"out": 0, "returned": 1, "closed": 2}


def dispatch(
    session: Session,
    store_id: str,
    run_id: str | None,
    driver_id: str,
    driver_name: str,
    order_ids: list[str],
    at: datetime,
    *,
    strict: bool,
) -> DeliveryRun:
    """A driver left with these orders: they are out the door with that driver."""
    run = repository.run_in_store(session, store_id, run_id, lock=True) if run_id else None
    if run is not None:
        return run
    run = DeliveryRun(
        id=run_id or new_id(),
        store_id=store_id,
        driver_id=driver_id,
        driver_name=driver_name,
        status="out",
        dispatched_at=at,
        updated_at=at,
    )
    session.add(run)
    for index, order_id in enumerate(order_ids):
        order = by_store_reference(session, store_id, order_id)
        if order is None or order.service != "delivery":
            if strict:
                raise BadRequest(f"{order_id} is not a delivery order of this store.", f"order_ids.{index}")
            continue
        if strict and order.stage not in (Stage.READY.value, Stage.OUT_THE_DOOR.value):
            raise Conflict(
                f"Order {order.number or order.id} is {order.stage.replace('_', ' ')}, not ready to leave.",
                f"order_ids.{index}",
            )
        progress.set_driver(session, order, driver_name, run.id, at)
        progress.advance(session, order, Stage.OUT_THE_DOOR, at, strict=False)
    return run


def change_status(
    session: Session, run: DeliveryRun, status: str, at: datetime, details: dict[str, Any], *, strict: bool
) -> DeliveryRun:
    if _STEPS[status] < _STEPS[run.status] or (status == run.status and status != "closed"):
        if strict:
            raise Conflict(f"This run is already {run.status}.", "status")
        return run
    if status == "returned" or run.returned_at is None:
        run.returned_at = at
    if status == "closed":
        run.closed_at = at
        for key in ("cash_due", "cash_collected", "tips"):
            if details.get(key) is not None:
                setattr(run, key, int(details[key]))
        if details.get("mileage_km") is not None:
            run.mileage_km = Decimal(str(details["mileage_km"]))
        for order_id in details.get("delivered_order_ids") or []:
            order = by_store_reference(session, run.store_id, str(order_id))
            if order is not None and order.run_id == run.id:
                progress.advance(session, order, Stage.DELIVERED, at, strict=False)
    run.status, run.updated_at = status, at
    return run


def record_shift(
    session: Session,
    store_id: str,
    shift_id: str,
    driver_id: str,
    driver_name: str,
    clock_in_at: datetime,
    clock_out_at: datetime,
    *,
    cash_owed: int,
    tips: int,
    mileage_cents: int,
) -> None:
    """A driver's shift, clock-in to cash-out (once; a repeat changes nothing)."""
    values = {
        "id": shift_id,
        "store_id": store_id,
        "driver_id": driver_id,
        "driver_name": driver_name,
        "clock_in_at": clock_in_at,
        "clock_out_at": max(clock_out_at, clock_in_at),
        "cash_owed": cash_owed,
        "tips": tips,
        "mileage_cents": mileage_cents,
    }
    session.execute(
        insert(DriverShift).values(**values).on_conflict_do_nothing(index_elements=["store_id", "id"])
    )


def public(session: Session, run: DeliveryRun) -> DeliveryPublic:
    return DeliveryPublic(
        id=run.id,
        store_id=run.store_id,
        driver_id=run.driver_id,
        driver_name=run.driver_name,
        status=run.status,
        order_ids=list(repository.orders_of_run(session, run)),
        dispatched_at=run.dispatched_at,
        returned_at=run.returned_at,
        closed_at=run.closed_at,
        mileage_km=run.mileage_km,
        cash_due=run.cash_due,
        cash_collected=run.cash_collected,
        tips=run.tips,
    )


def _visible(session: Session, caller: Principal, run_id: str) -> DeliveryRun:
    run = next((r for r in repository.runs_by_id(session, run_id) if caller.can_see_store(r.store_id)), None)
    if run is None:
        raise not_yours("delivery")
    return run


def create(session: Session, caller: Principal, data: DeliveryCreate, at: datetime) -> DeliveryRun:
    """`POST /deliveries`: a store (or head office correcting its record) reports a run."""
    caller.require(Role.HEAD_OFFICE, Role.STORE_MANAGER, Role.STORE_DEVICE)
    caller.require_store(data.store_id)
    if len(set(data.order_ids)) != len(data.order_ids):
        raise BadRequest("An order is listed twice in this run.", "order_ids")
    if data.run_id and repository.run_in_store(session, data.store_id, data.run_id) is not None:
        raise Conflict("A run with that id is already recorded.", "run_id")
    run = dispatch(
        session,
        data.store_id,
        data.run_id,
        data.driver_id,
        data.driver_name,
        data.order_ids,
        data.dispatched_at or at,
        strict=True,
    )
    note_run(session, run)
    return run


def get(session: Session, caller: Principal, run_id: str) -> DeliveryRun:
    return _visible(session, caller, run_id)


def update(
    session: Session, caller: Principal, run_id: str, data: DeliveryStatusUpdate, at: datetime
) -> DeliveryRun:
    caller.require(Role.HEAD_OFFICE, Role.STORE_MANAGER, Role.STORE_DEVICE)
    run = _visible(session, caller, run_id)
    change_status(session, run, data.status, data.at or at, data.model_dump(mode="json"), strict=True)
    note_run(session, run)
    return run
