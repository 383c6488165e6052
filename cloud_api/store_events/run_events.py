"""A store's delivery events read into `deliveries.service`: `run.dispatched`, `run.closed`
(`store_db.services.runs`) and `driver.cash_out` (`store_db.services.cash_out`)."""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from cloud_api.deliveries import service as deliveries
from cloud_api.deliveries.repository import run_in_store
from cloud_api.orders import progress
from cloud_api.orders.repository import by_store_reference
from sync.contract.events import DriverCashOut, RunClosed, RunDispatched

log = logging.getLogger(__name__)


def run_dispatched(session: Session, store_id: str, event: RunDispatched, at: datetime) -> bool:
    deliveries.dispatch(
        session,
        store_id,
        event.run_id,
        event.driver_id,
        event.driver,
        [s.order_id for s in event.stops],
        event.at,
        strict=False,
    )
    for stop in event.stops:
        order = by_store_reference(session, store_id, stop.order_id) if stop.eta_at else None
        if order is not None and stop.eta_at is not None:
            progress.set_eta(session, order, stop.eta_at, at)
    return True


def _closing(event: RunClosed) -> dict[str, Any]:
    """`run.closed` in the terms of `deliveries.change_status`."""
    return {
        "cash_due": event.cash_due,
        "cash_collected": event.cash_collected,
        "tips": event.tips,
        "mileage_km": Decimal(event.distance_m) / 1000,
        "delivered_order_ids": [s.order_id for s in event.stops if s.outcome == "delivered"],
    }


def run_closed(session: Session, store_id: str, event: RunClosed, at: datetime) -> bool:
    run = run_in_store(session, store_id, event.run_id, lock=True)
    if run is None:
        log.warning("store %s sent news of run %s, which the cloud does not know", store_id, event.run_id)
        return False
    deliveries.change_status(session, run, "closed", event.returned_at, _closing(event), strict=False)
    return True


def driver_cash_out(session: Session, store_id: str, event: DriverCashOut, at: datetime) -> bool:
    """The end of a driver's shift: its hours are what runs per driver-hour divide by."""
    deliveries.record_shift(
        session,
        store_id,
        event.id,
        event.driver_id,
        event.driver,
        event.shift_start,
        event.at,
        cash_owed=event.owed_to_store,
        tips=event.cash_tips + event.card_tips,
        mileage_cents=event.mileage_cents,
    )
    return True
