"""A store's delivery events read into `deliveries.service`: `run.dispatched`, `run.closed`
(`store_db.services.runs`) and `driver.cash_out` (`store_db.services.cash_out`).

    run.dispatched   {"run_id", "driver_id", "driver", "at", "stops": [{"order_id", …}, …]}
    run.closed       {"run_id", "returned_at", "distance_m", "cash_due", "cash_collected",
                      "tips", "stops": [{"order_id", "outcome", …}, …]}
    driver.cash_out  {"id", "driver_id", "driver", "shift_start", "at", "owed_to_store",
                      "cash_tips", "card_tips", "mileage_cents", …}

The earlier shapes are read too: `order_ids` and `driver_name` on a dispatch,
`delivered_order_ids` and `mileage_km` on a close, and `cash_out` with its own fields.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from cloud_api.deliveries import service as deliveries
from cloud_api.models import DeliveryRun
from cloud_api.store_events.order_events import time_of

log = logging.getLogger(__name__)
Payload = Mapping[str, Any]


def run_dispatched(session: Session, store_id: str, payload: Payload, at: datetime) -> bool:
    stops = payload.get("stops")
    order_ids = [str(s["order_id"]) for s in stops] if stops is not None else payload.get("order_ids") or []
    deliveries.dispatch(
        session,
        store_id,
        str(payload["run_id"]),
        str(payload["driver_id"]),
        str(payload.get("driver") or payload.get("driver_name") or ""),
        [str(o) for o in order_ids],
        at,
        strict=False,
    )
    return True


def _closing(payload: Payload) -> dict[str, Any]:
    """`run.closed` in the terms of `deliveries.change_status`."""
    details = {k: payload.get(k) for k in ("cash_due", "cash_collected", "tips", "mileage_km")}
    if payload.get("distance_m") is not None:
        details["mileage_km"] = Decimal(int(payload["distance_m"])) / 1000
    stops = payload.get("stops")
    details["delivered_order_ids"] = (
        [s["order_id"] for s in stops if s.get("outcome") == "delivered"]
        if stops is not None
        else payload.get("delivered_order_ids") or []
    )
    return details


def run_closed(session: Session, store_id: str, payload: Payload, at: datetime) -> bool:
    run = session.get(DeliveryRun, str(payload["run_id"]), with_for_update=True)
    if run is None or run.store_id != store_id:
        log.warning(
            "store %s sent news of run %s, which the cloud does not know", store_id, payload.get("run_id")
        )
        return False
    back = time_of(payload.get("returned_at")) or at
    deliveries.change_status(session, run, "closed", back, _closing(payload), strict=False)
    return True


def driver_cash_out(session: Session, store_id: str, payload: Payload, at: datetime) -> bool:
    """The end of a driver's shift: its hours are what runs per driver-hour divide by."""
    if "shift_start" not in payload:  # the earlier `cash_out` shape
        deliveries.record_shift(
            session,
            store_id,
            str(payload["shift_id"]),
            str(payload["driver_id"]),
            str(payload.get("driver_name") or ""),
            datetime.fromisoformat(str(payload["clock_in_at"])),
            datetime.fromisoformat(str(payload["clock_out_at"])),
            cash_owed=int(payload.get("cash_owed") or 0),
            tips=int(payload.get("tips") or 0),
            mileage_cents=int(payload.get("mileage_cents") or 0),
        )
        return True
    deliveries.record_shift(
        session,
        store_id,
        str(payload["id"]),
        str(payload["driver_id"]),
        str(payload.get("driver") or ""),
        datetime.fromisoformat(str(payload["shift_start"])),
        at,
        cash_owed=int(payload.get("owed_to_store") or 0),
        tips=int(payload.get("cash_tips") or 0) + int(payload.get("card_tips") or 0),
        mileage_cents=int(payload.get("mileage_cents") or 0),
    )
    return True
