"""The cloud's feed records in the shapes of the wire contract (`sync.contracts`), which is
what the store applies. Entries already in that shape pass unchanged; one that cannot be
put in it passes as it is, and the store reports it refused (the cloud then refunds)."""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError

from sync import contracts

log = logging.getLogger(__name__)


def _online_order(payload: dict[str, Any]) -> dict[str, Any]:
    payment = payload.get("payment")
    if isinstance(payment, dict):
        paid = bool(payload.get("paid_online")) or payment.get("status") == "succeeded"
    else:
        paid = payment == "paid"
    address = payload.get("address")
    entry = contracts.OnlineOrderEntry(
        id=str(payload.get("id") or payload["cloud_order_id"]),
        service=payload["service"],
        phone=payload.get("phone") or "",
        customer_name=payload.get("customer_name") or "",
        address=(
            contracts.AddressOnWire.model_validate({k: v for k, v in address.items() if v is not None})
            if isinstance(address, dict)
            else None
        ),
        items=list(payload["items"]),
        coupon=payload.get("coupon"),
        tip=int(payload.get("tip") or 0),
        notes=payload.get("notes") or "",
        payment="paid" if paid else "due",
        total=int(payload["total"]),
        placed_at=payload["placed_at"],
    )
    return entry.model_dump(mode="json")


def _cancel_request(payload: dict[str, Any]) -> dict[str, Any]:
    entry = contracts.CancelRequestEntry(
        id=str(payload.get("id") or payload["cloud_order_id"]), reason=payload.get("reason") or ""
    )
    return entry.model_dump(mode="json")


_SHAPES = {contracts.ORDER_ONLINE: _online_order, contracts.CANCEL_REQUEST: _cancel_request}


def to_wire(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    shape = _SHAPES.get(kind)
    if shape is None:
        return payload
    try:
        return shape(payload)
    except (KeyError, TypeError, ValueError, ValidationError) as exc:
        log.warning("feed entry %s does not fit the wire contract (%s); sent as it is", kind, exc)
        return payload
