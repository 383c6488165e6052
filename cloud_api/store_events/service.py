"""Applying a store's events to the cloud's records, each exactly once.

`apply_store_event` stores the event under `UNIQUE(store_id, seq)` and applies
it in the caller's transaction; a replay finds it stored and changes nothing.
The same `(store_id, seq)` with a different event id is a broken store outbox
and is refused. What each kind does:

    order.placed          a store order joins the reports; an online order is now in the kitchen
    order.stage           the order moves forward (tracker, texts); late or repeated: nothing
    order.voided          cancelled; an online card payment is queued for refund
    order.cancel_refused  the store kept an order the customer asked to cancel
    order.tender          a payment taken in the store settles what was due
    stock.*               counts, receiving, waste, ideal usage (see `inventory.service`)
    run.*, cash_out       delivery runs and driver shifts (see `deliveries.service`)

Other kinds (printer failures, …) are stored and kept for later use.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from cloud_api.db.base import utcnow
from cloud_api.deliveries import service as deliveries
from cloud_api.errors import Conflict
from cloud_api.inventory.service import apply_stock_event
from cloud_api.models import DeliveryRun, Order, OrderLine
from cloud_api.orders import progress
from cloud_api.orders.repository import by_store_reference
from cloud_api.store_events import repository
from cloud_api.store_events.schemas import Outcome, StoreEventLike
from store_db.rules.lifecycle import TRACKER_STATUS, Stage

log = logging.getLogger(__name__)
Payload = Mapping[str, Any]


def _at(payload: Payload, default: datetime) -> datetime:
    raw = payload.get("at")
    if not raw:
        return default
    found = datetime.fromisoformat(str(raw))
    return found if found.tzinfo else found.replace(tzinfo=default.tzinfo)


def _time(raw: Any) -> datetime | None:
    return datetime.fromisoformat(str(raw)) if raw else None


def _order_placed(session: Session, store_id: str, payload: Payload, at: datetime) -> bool:
    cloud_id = payload.get("cloud_order_id")
    if cloud_id:
        order = session.get(Order, str(cloud_id), with_for_update=True)
        if order is None or order.store_id != store_id:
            log.warning(
                "store %s placed cloud order %s, which is not one of its online orders", store_id, cloud_id
            )
            return False
        return progress.taken_in_store(
            session,
            order,
            store_order_id=str(payload["id"]),
            number=payload.get("number"),
            business_date=date.fromisoformat(str(payload["business_date"]))
            if payload.get("business_date")
            else None,
            promise_at=_time(payload.get("promise_at")),
            at=at,
        )
    placed_at = _time(payload.get("placed_at")) or at
    stage = Stage(str(payload.get("stage") or Stage.PLACED.value))
    inserted = session.execute(
        insert(Order)
        .values(
            id=str(payload["id"]),
            store_id=store_id,
            store_order_id=str(payload["id"]),
            number=payload.get("number"),
            business_date=date.fromisoformat(str(payload["business_date"])),
            channel=str(payload["channel"]),
            service=str(payload["service"]),
            stage=stage.value,
            tracked_status="prep" if stage is Stage.PLACED else TRACKER_STATUS[stage],
            customer_name=str(payload.get("customer_name") or ""),
            phone=str(payload.get("phone") or ""),
            address=str(payload.get("address") or ""),
            lat=payload.get("lat"),
            lon=payload.get("lon"),
            notes=str(payload.get("notes") or ""),
            menu_version=int(payload.get("menu_version") or 0),
            coupon=payload.get("coupon"),
            subtotal=int(payload["subtotal"]),
            discount=int(payload["discount"]),
            tax=int(payload["tax"]),
            tip=int(payload.get("tip") or 0),
            total=int(payload["total"]),
            payment=str(payload.get("payment") or "due"),
            promise_at=_time(payload.get("promise_at")),
            placed_at=placed_at,
            in_store_at=placed_at,
            updated_at=at,
        )
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(Order.id)
    ).first()
    if inserted is None:
        return False
    lines = [
        {
            "order_id": str(payload["id"]),
            "line_no": n,
            "product": str(item["product"]),
            "name": str(item.get("name") or item["product"]),
            "size": str(item["size"]),
            "quantity": int(item.get("quantity") or 1),
            "unit_price": int(item.get("unit_price") or 0),
            "line_total": int(item.get("line_total") or 0),
            "item": dict(item),
        }
        for n, item in enumerate(payload.get("items") or [], start=1)
    ]
    if lines:
        session.execute(insert(OrderLine), lines)
    return True


def _order(session: Session, store_id: str, payload: Payload) -> Order | None:
    ref = payload.get("order_id") or payload.get("cloud_order_id")
    found = by_store_reference(session, store_id, str(ref)) if ref else None
    if found is None:
        log.warning("store %s sent news of order %s, which the cloud does not know", store_id, ref)
    return found


def _order_stage(session: Session, store_id: str, payload: Payload, at: datetime) -> bool:
    order = _order(session, store_id, payload)
    return order is not None and progress.advance(
        session, order, Stage(str(payload["stage"])), at, strict=False
    )


def _order_voided(session: Session, store_id: str, payload: Payload, at: datetime) -> bool:
    order = _order(session, store_id, payload)
    return order is not None and progress.void(
        session, order, str(payload.get("reason") or ""), at, strict=False
    )


def _cancel_refused(session: Session, store_id: str, payload: Payload, at: datetime) -> bool:
    order = _order(session, store_id, payload)
    return order is not None and progress.cancel_refused(session, order, str(payload.get("reason") or ""), at)


def _order_tender(session: Session, store_id: str, payload: Payload, at: datetime) -> bool:
    order = _order(session, store_id, payload)
    if order is None or order.payment != "due":
        return False
    order.payment, order.updated_at = "paid", at
    return True


def _run_dispatched(session: Session, store_id: str, payload: Payload, at: datetime) -> bool:
    deliveries.dispatch(
        session,
        store_id,
        str(payload["run_id"]),
        str(payload["driver_id"]),
        str(payload.get("driver_name") or ""),
        [str(o) for o in payload.get("order_ids") or []],
        at,
        strict=False,
    )
    return True


def _run_status(status: str) -> Callable[[Session, str, Payload, datetime], bool]:
    def apply(session: Session, store_id: str, payload: Payload, at: datetime) -> bool:
        run = session.get(DeliveryRun, str(payload["run_id"]), with_for_update=True)
        if run is None or run.store_id != store_id:
            log.warning(
                "store %s sent news of run %s, which the cloud does not know", store_id, payload.get("run_id")
            )
            return False
        deliveries.change_status(session, run, status, at, dict(payload), strict=False)
        return True

    return apply


def _cash_out(session: Session, store_id: str, payload: Payload, at: datetime) -> bool:
    deliveries.record_cash_out(session, store_id, dict(payload))
    return True


HANDLERS: dict[str, Callable[[Session, str, Payload, datetime], bool]] = {
    "order.placed": _order_placed,
    "order.stage": _order_stage,
    "order.voided": _order_voided,
    "order.cancel_refused": _cancel_refused,
    "order.tender": _order_tender,
    "run.dispatched": _run_dispatched,
    "run.returned": _run_status("returned"),
    "run.closed": _run_status("closed"),
    "cash_out": _cash_out,
}


def _apply(session: Session, store_id: str, event: StoreEventLike, now: datetime) -> Outcome:
    stored = repository.store_once(
        session, store_id, event.seq, event.event_id, event.kind, dict(event.payload), event.created_at, now
    )
    if not stored:
        found = repository.event_id_at(session, store_id, event.seq)
        if found is None:
            raise Conflict(
                f"Event {event.event_id} was already stored under another sequence number.", "event_id"
            )
        if found != event.event_id:
            raise Conflict(
                f"Sequence number {event.seq} of this store already holds another event "
                f"({found}); the store's outbox is out of step.",
                "seq",
            )
        return Outcome.DUPLICATE
    handler = HANDLERS.get(event.kind)
    if handler is None and not event.kind.startswith("stock."):
        return Outcome.KEPT
    try:
        # A malformed event must not stop the store's sync: it stays stored, unapplied, and logged.
        with session.begin_nested():
            at = _at(event.payload, event.created_at)
            if handler is None:
                used = apply_stock_event(session, store_id, event.kind, dict(event.payload), at)
                return Outcome.APPLIED if used else Outcome.KEPT
            handler(session, store_id, event.payload, at)
    except (KeyError, ValueError, TypeError, DataError, IntegrityError) as exc:
        log.error(
            "store %s event %s (%s, seq %d) could not be applied: %r",
            store_id,
            event.event_id,
            event.kind,
            event.seq,
            exc,
        )
        return Outcome.UNREADABLE
    return Outcome.APPLIED


def apply_store_events(
    session: Session, store_id: str, events: Iterable[StoreEventLike], now: datetime | None = None
) -> tuple[list[Outcome], int]:
    """Store and apply a batch in order; returns each outcome and the store's contiguous mark
    (the highest sequence number up to which every event is stored), to acknowledge."""
    now = now or utcnow()
    mark = repository.lock_head(session, store_id)
    outcomes: list[Outcome] = []
    gap_filled = False
    for event in events:
        outcome = _apply(session, store_id, event, now)
        outcomes.append(outcome)
        if outcome is Outcome.DUPLICATE:
            continue
        if event.seq == mark.contiguous_seq + 1:
            mark.contiguous_seq = event.seq
            gap_filled = gap_filled or mark.max_seq > event.seq
        mark.max_seq = max(mark.max_seq, event.seq)
    if gap_filled:
        mark.contiguous_seq = repository.catch_up(session, store_id, mark.contiguous_seq)
    return outcomes, mark.contiguous_seq


def apply_store_event(
    session: Session, store_id: str, event: StoreEventLike, now: datetime | None = None
) -> Outcome:
    """Store one event of `store_id` and apply it, once. See the module's docstring."""
    outcomes, _ = apply_store_events(session, store_id, [event], now)
    return outcomes[0]


def high_water_mark(session: Session, store_id: str) -> int:
    """The highest sequence number up to which every event of the store is stored."""
    return repository.head(session, store_id)
